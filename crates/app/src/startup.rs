//! Opening a deployment: data directory, database, data key, migrations.

use std::path::Path;

use anyhow::Context;
use chuangye_core::Core;
use chuangye_core::crypto::{self, Crypto, KeySource};
use chuangye_core::db::{Db, DbConfig};
use chuangye_core::org::repo;

use crate::config::Config;

pub struct Opened {
    pub core: Core,
    pub key_source: KeySource,
    pub key_file: std::path::PathBuf,
}

/// Connects, loads (or on a new database creates) the data key, migrates, and checks that the
/// key is the one the database was created with.
pub async fn open(cfg: &Config) -> anyhow::Result<Opened> {
    std::fs::create_dir_all(&cfg.data).with_context(|| {
        format!(
            "无法创建数据目录 / cannot create data directory {}",
            cfg.data.display()
        )
    })?;
    let mut dbc = DbConfig::new(cfg.database_url.clone());
    dbc.max_connections = cfg.max_connections;
    let db = Db::connect(&dbc).await?;
    let is_new = !db.is_initialised().await?;
    let key_file = cfg.data.join("keys").join("data.key");
    let env = std::env::var(crypto::DATA_KEY_ENV).ok();
    let (key, key_source) = crypto::load_key(env.as_deref(), &key_file, is_new)?;
    if let KeySource::Created(p) = &key_source {
        eprintln!(
            "\n!! 已生成新的数据密钥 / a new data key was created: {}\n!! 请立即备份此文件（或设置 CHUANGYE_DATA_KEY）；丢失后个人信息将无法解密。\n!! Back it up now (or set CHUANGYE_DATA_KEY): without it the personal data cannot be read.\n",
            p.display()
        );
    }
    db.migrate()
        .await
        .context("数据库迁移失败 / database migration failed")?;
    let core = Core::new(db, Crypto::new(&key), cfg.data.clone());
    check_fingerprint(&core).await?;
    // Built-in roles, and permissions a newer version added to them.
    chuangye_core::demo::ensure_roles(&core).await?;
    Ok(Opened {
        core,
        key_source,
        key_file,
    })
}

async fn check_fingerprint(core: &Core) -> anyhow::Result<()> {
    let mut c = core.db.pool().acquire().await?;
    let stored = repo::setting_get(&mut c, "key_fingerprint").await?;
    drop(c);
    let fp = core.crypto.fingerprint().to_string();
    match stored {
        Some(s) if s != fp => anyhow::bail!(
            "数据密钥与数据库不匹配 / the data key does not match this database (expected fingerprint {s}, got {fp}). \
             Use the key this database was created with (CHUANGYE_DATA_KEY or the key file)."
        ),
        Some(_) => Ok(()),
        None => {
            let mut tx = core.db.begin().await?;
            repo::setting_put(&mut tx, "key_fingerprint", &fp).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Whether a key file is readable only by its owner (shown to the security admin).
pub fn key_private(p: &Path) -> bool {
    crypto::key_file_is_private(p)
}
