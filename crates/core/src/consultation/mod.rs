//! Consultations (咨询/留言): citizens' questions through the portal. A question goes to the
//! service point of the region the asker chose and must be answered within a number of
//! working days (5 unless the campaign office sets otherwise); one due soon is flagged, one
//! overdue goes up to the region above. Answers are published on the Q&A page unless the asker
//! kept the question private; the asker reads the answer with a lookup code. Monthly figures
//! (received, answered, on time) are public, and answered-on-time is a kept indicator.
//!
//! Owns: `consultation`. Uses: db, org, audit, personal (the asker's mobile number), workdays,
//! portal (the search index), jobs (the daily deadline sweep).

pub mod deadlines;
pub mod demo;
pub mod model;
pub mod public;
pub mod repo;
pub mod service;

pub use model::{AskInput, Consultation};
