//! Indicators (指标): the catalogue as data, and figures by region and period. Figures derived
//! from the ledger are kept current by the database at write time, per indicator × region ×
//! month at every level of the region tree (migration 0008), so a dashboard reads a handful of
//! rows and is never stale; nothing here runs in batches.
//!
//! Owns: `indicator`, `indicator_value`, `indicator_entry`, `indicator_target`. Uses: db, org (scope, regions).

pub mod catalogue;
pub mod demo;
pub mod entry;
pub mod model;
pub mod repo;
pub mod service;
pub mod target;

pub use model::{Indicator, Period};
pub use service::{Dashboard, dashboard};
