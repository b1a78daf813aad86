//! Request handlers, one module per area of the back office, plus the API and operations.

pub mod account;
pub mod admin;
pub mod api;
pub mod api_board;
pub mod api_portal;
pub mod api_qa;
pub mod ask;
pub mod audit;
pub mod board;
pub mod catalogue;
pub mod consultations;
pub mod content;
pub mod feeds;
pub mod files;
pub mod indicator_entry;
pub mod indicators;
pub mod jobs;
pub mod ledger;
pub mod ledger_sheets;
pub mod ops;
pub mod portal;
pub mod portal_board;
pub mod portal_forms;
pub mod portal_submissions;
pub mod regions;
pub mod reports;
pub mod roles;
pub mod security;
pub mod units;
pub mod users;

/// Rows per list page.
pub const PAGE_SIZE: i64 = 50;
