//! Integration tests of the web layer, through real HTTP against a real database
//! (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set).

mod access_matrix;
mod admin;
mod auth;
mod board;
mod board_forms;
mod board_lookup;
mod consult;
mod hotline;
mod indicators;
mod ledger;
mod portal;
mod reports;
mod support;
