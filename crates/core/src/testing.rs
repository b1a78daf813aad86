//! Test support: a fresh, migrated database per test — a temporary SQLite file, or a schema of
//! its own on PostgreSQL when `TEST_DATABASE_URL` is set (as CI always does) — and a `Core`
//! over it with a random data key. Used by the unit and integration tests of every crate.

use std::path::PathBuf;

use crate::Core;
use crate::crypto::{Crypto, DataKey};
use crate::db::{Db, DbConfig, Engine};
use crate::org::Actor;

/// A database for one test. The SQLite file and data directory live as long as this value.
pub struct TestDb {
    pub core: Core,
    pub url: String,
    pub schema: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A migrated, empty database with the built-in roles.
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let (cfg, schema) = match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            Some(url) if url.starts_with("postgres") => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(&DbConfig::new(url.clone()))
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                    .execute(admin.pool())
                    .await
                    .expect("create schema");
                admin.close().await;
                let mut cfg = DbConfig::new(url.clone());
                cfg.schema = Some(schema.clone());
                cfg.max_connections = 4;
                (cfg, Some(schema))
            }
            _ => {
                let path = dir.path().join("test.db");
                (DbConfig::new(format!("sqlite:{}", path.display())), None)
            }
        };
        let db = Db::connect(&cfg).await.expect("connect");
        db.migrate().await.expect("migrate");
        let mut tx = db.begin().await.expect("begin");
        crate::org::service::ensure_builtin_roles(&mut tx)
            .await
            .expect("roles");
        tx.commit().await.expect("commit");
        let core = Core::new(
            db,
            Crypto::new(&DataKey::generate()),
            dir.path().to_path_buf(),
        );
        TestDb {
            core,
            url: cfg.url,
            schema,
            _dir: dir,
        }
    }

    pub fn engine(&self) -> Engine {
        self.core.db.engine()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.core.data_dir.clone()
    }

    /// A `TestDb` with the region tree of 许昌市魏都区 (411002) loaded.
    pub async fn with_weidu() -> TestDb {
        let t = TestDb::new().await;
        let rows = crate::org::region_table::load_subtree("411002").expect("region table");
        crate::org::service::init_regions(
            &t.core,
            &Actor::system("411002000000", "test"),
            &rows,
            "2023-06-30",
        )
        .await
        .expect("init regions");
        t
    }
}

/// A valid ID number (GB 11643) of 魏都区 born in the 1990s, different for every `seq` below
/// 1000: fixtures for tests and examples.
pub fn id_number(seq: u32) -> String {
    let body = format!(
        "411002199{}{:02}{:02}{:03}",
        seq % 10,
        1 + seq % 12,
        1 + seq % 28,
        seq % 1000
    );
    with_check_digit(&body)
}

/// A valid unified social credit code (GB 32100) for a running sequence.
pub fn uscc(seq: u32) -> String {
    use crate::validate::{UsccCheck, parse_uscc};
    let body = format!("914110020{seq:08}");
    match parse_uscc(&format!("{body}0")).expect("well-formed").check {
        UsccCheck::Valid => format!("{body}0"),
        UsccCheck::Mismatch { expected } => format!("{body}{expected}"),
    }
}

/// A 17-digit ID number body completed with its GB 11643 check character.
pub fn with_check_digit(body: &str) -> String {
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(w)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}
