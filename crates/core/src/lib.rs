//! chuangye core: the business rules and persistence of every area, with no HTTP and no HTML.
//!
//! Foundations: [`db`], [`org`] (regions, units, users, roles, the [`org::Actor`]), [`auth`]
//! (login, sessions, lockout, password policy), [`audit`], [`crypto`], [`jobs`], [`files`],
//! [`validate`]. Every service function takes `(&Core, &Actor, input)`.

pub mod audit;
pub mod auth;
pub mod board;
pub mod consultation;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod files;
pub mod idea;
pub mod indicators;
pub mod jobs;
pub mod ledger;
pub mod org;
pub mod personal;
pub mod portal;
pub mod reports;
pub mod testing;
pub mod validate;
pub mod workdays;

pub use error::{Error, FieldError, Result};

use std::path::PathBuf;

/// What every service needs: the database, the keys, where files live, the settings.
#[derive(Clone)]
pub struct Core {
    pub db: db::Db,
    pub crypto: crypto::Crypto,
    pub data_dir: PathBuf,
    /// The portal's full-text index in `data_dir/search`, opened on first use.
    pub search: std::sync::Arc<portal::SearchIndex>,
}

impl Core {
    pub fn new(db: db::Db, crypto: crypto::Crypto, data_dir: PathBuf) -> Core {
        Core {
            search: std::sync::Arc::new(portal::SearchIndex::new(data_dir.join("search"))),
            db,
            crypto,
            data_dir,
        }
    }
}
