//! The public portal (全民创业网): published content shared by four levels — city, district or
//! county, sub-district or township, community — and its Chinese full-text search.
//!
//! A community drafts; its sub-district reviews (approve, or return with a reason); levels
//! above a community publish their own items directly. A published item shows on its region's
//! page and on every page above it. Every change is a version; withdrawn and expired items
//! answer with a notice. Rich text goes through an allow-list ([`model::clean_html`]).
//!
//! Owns: `portal_item`, `portal_version`, the search index in `data_dir/search`. Uses: db, org,
//! audit, chuangye-search; reads `business` (a story's consenting business).

pub mod demo;
pub mod index;
pub mod model;
pub mod public;
pub mod repo;
pub mod service;
pub mod sources;

pub use chuangye_search as search;
pub use index::SearchIndex;
pub use model::{Item, ItemInput};
pub use sources::Source;
