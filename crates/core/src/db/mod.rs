//! Database access for both engines: one connection pool (`sqlx::AnyPool`), transactions,
//! migrations, and the few helpers where the SQLite and PostgreSQL dialects differ.
//!
//! Owns: pools, transactions, migrations. Uses: nothing else in the project.
//! All SQL in the project uses `$1`-style placeholders, which both engines accept.

mod sql;

pub use sql::{Args, Sql};

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A connection held from the pool.
pub type Conn = sqlx::pool::PoolConnection<sqlx::Any>;
pub type Row = sqlx::any::AnyRow;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which SQL engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Why a database URL could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbUrlError {
    #[error(
        "数据库地址无效 / invalid database URL `{0}`: use sqlite:PATH or postgres://USER@HOST:PORT/DB"
    )]
    Malformed(String),
}

/// Connection settings.
#[derive(Clone, Debug)]
pub struct DbConfig {
    pub url: String,
    pub max_connections: u32,
    /// PostgreSQL only: run every connection in this schema (used by tests).
    pub schema: Option<String>,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        DbConfig {
            url: url.into(),
            max_connections: 16,
            schema: None,
        }
    }

    pub fn engine(&self) -> Result<Engine, DbUrlError> {
        engine_of(&self.url)
    }
}

/// Tells the engine from a URL, refusing anything else.
pub fn engine_of(url: &str) -> Result<Engine, DbUrlError> {
    let bad = || DbUrlError::Malformed(url.to_string());
    if let Some(rest) = url.strip_prefix("sqlite:") {
        if rest.trim_start_matches("//").is_empty() {
            return Err(bad());
        }
        Ok(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let rest = url.split_once("://").map(|x| x.1).unwrap_or("");
        if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
            return Err(bad());
        }
        AnyConnectOptions::from_str(url).map_err(|_| bad())?;
        Ok(Engine::Postgres)
    } else {
        Err(bad())
    }
}

/// The pool plus what we know about its engine.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl Db {
    /// Connects, creating the SQLite file if needed, and applies the per-connection settings
    /// (WAL, foreign keys, busy timeout on SQLite; the schema on PostgreSQL if one is set).
    pub async fn connect(cfg: &DbConfig) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = cfg.engine()?;
        let mut url = cfg.url.clone();
        if engine == Engine::Sqlite && !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let schema = cfg.schema.clone();
        let max = if engine == Engine::Sqlite {
            cfg.max_connections.clamp(1, 8)
        } else {
            cfg.max_connections.max(1)
        };
        let parallel_in_url = url.contains("max_parallel_workers_per_gather");
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                let parallel_by_url = parallel_in_url;
                Box::pin(async move {
                    match engine {
                        Engine::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                        }
                        Engine::Postgres => {
                            // The pool serves short requests: a parallel plan's workers took
                            // 10 ms to start for a list that needs 5, and take the cores of
                            // concurrent requests (docs/PERFORMANCE.md). A deployment that wants
                            // them names the setting in the URL's `options`.
                            if !parallel_by_url {
                                conn.execute("SET max_parallel_workers_per_gather = 0")
                                    .await?;
                            }
                            if let Some(s) = schema {
                                let sql = format!("SET search_path TO \"{s}\"");
                                conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| anyhow::anyhow!("无法连接数据库 / cannot connect to the database: {e}"))?;
        Ok(Db { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies every pending migration of this engine's folder.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let m = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.pool).await?;
        Ok(())
    }

    /// Whether the schema has been created yet (false on an empty database).
    pub async fn is_initialised(&self) -> anyhow::Result<bool> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'setting'"
            }
            Engine::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'setting'"
            }
        };
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail later.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await
    }
}

/// The migrations compiled into the binary, per engine: (version, description).
pub fn migration_list(engine: Engine) -> Vec<(i64, String)> {
    let m = match engine {
        Engine::Sqlite => &SQLITE_MIGRATIONS,
        Engine::Postgres => &POSTGRES_MIGRATIONS,
    };
    m.iter()
        .map(|x| (x.version, x.description.to_string()))
        .collect()
}

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A new random primary key (UUID v7, time-ordered, as text).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migrations() {
        assert_eq!(
            migration_list(Engine::Sqlite),
            migration_list(Engine::Postgres)
        );
        assert!(!migration_list(Engine::Sqlite).is_empty());
    }

    #[test]
    fn malformed_database_urls_are_refused() {
        for bad in ["", "mysql://x/y", "sqlite:", "postgres://", "file.db"] {
            assert!(engine_of(bad).is_err(), "{bad}");
        }
        assert_eq!(engine_of("sqlite:data/x.db").unwrap(), Engine::Sqlite);
        assert_eq!(
            engine_of("postgres://app@127.0.0.1:5432/chuangye").unwrap(),
            Engine::Postgres
        );
    }
}
