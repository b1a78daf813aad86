//! The entrepreneur ledger (创业台账): persons (ID number and phone encrypted, blind-indexed,
//! masked), businesses with effective-dated status history, their links, follow-up visits and
//! the needs they route to member units (三包五帮), transfers between regions, survival checks.
//!
//! Owns: `person`, `person_category`, `business`, `business_status`, `business_jobs`,
//! `person_business`, `visit`, `need`, `transfer_request`, `survival_check`.
//! Uses: db, org (scope), personal, validate, workdays, audit, jobs.

pub mod export;
pub mod followup;
pub mod generate;
pub mod import;
pub mod model;
pub mod repo;
pub mod service;
