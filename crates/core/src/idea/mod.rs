//! The project library's business ideas (创业项目): recommended by staff (published directly
//! at their level, or through their sub-district from a community) or solicited from citizens
//! through the portal's form (reviewed by the region chosen, then published or rejected with a
//! reason). Public list and detail; searchable. Review, return and withdrawal are the job
//! board's ([`crate::board::service::decide`], [`crate::board::service::withdraw`] with
//! [`crate::board::Kind::Idea`]).
//!
//! Owns: `business_idea`. Uses: db, org, audit, crypto, board, portal (the allow-list for the
//! description, the search index).

pub mod model;
pub mod public;
pub mod repo;
pub mod service;

pub use model::{Idea, IdeaInput};
