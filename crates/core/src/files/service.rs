//! Use cases of the attachments: store an upload in the caller's transaction, fetch one, list
//! an owner's files — always within the actor's scope.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::repo::{self, FileMeta};
use super::{Upload, check, relative_path};
use crate::audit::{self, Entry};
use crate::crypto::sm3_hex;
use crate::db::{Tx, new_id, now};
use crate::org::{Actor, Permission};
use crate::{Core, Error, FieldError, Result};

/// Checks and stores an upload: the content once per SM3 hash under the data directory, a
/// `file` row and its audit row in `tx`. A region outside the actor's scope is `NotFound`.
pub async fn store(core: &Core, tx: &mut Tx, actor: &Actor, up: Upload<'_>) -> Result<FileMeta> {
    actor.require(Permission::FileUpload)?;
    store_generated(core, tx, actor, up).await
}

/// Stores a file the product made for the actor (a generated report, an export), which needs
/// no upload permission; every other rule of [`store`] holds.
pub async fn store_generated(
    core: &Core,
    tx: &mut Tx,
    actor: &Actor,
    up: Upload<'_>,
) -> Result<FileMeta> {
    if !actor.scope.contains(up.region_code)
        || !repo::region_in_scope(tx, &actor.scope, up.region_code).await?
    {
        return Err(Error::NotFound);
    }
    if up.owner_entity.trim().is_empty() || up.owner_id.trim().is_empty() {
        return Err(Error::field("owner", "files.owner_missing"));
    }
    let (content_type, name) = check(up.bytes, up.original_name, up.rules)
        .map_err(|e: FieldError| Error::Invalid(vec![e]))?;
    let sha = sm3_hex(up.bytes);
    let path = core.data_dir.join(relative_path(&sha));
    let bytes = up.bytes.to_vec();
    tokio::task::spawn_blocking(move || write_content(&path, &bytes))
        .await
        .map_err(|e| anyhow::anyhow!("file writer stopped: {e}"))?
        .map_err(|e| anyhow::anyhow!("无法保存文件 / cannot store the file: {e}"))?;
    let meta = FileMeta {
        id: new_id(),
        sha,
        size: i64::try_from(up.bytes.len()).unwrap_or(i64::MAX),
        content_type: content_type.to_string(),
        original_name: name,
        region_code: up.region_code.to_string(),
        owner_entity: up.owner_entity.to_string(),
        owner_id: up.owner_id.to_string(),
        created_by: actor.user_id.clone(),
        created_at: now(),
    };
    repo::insert(tx, &meta).await?;
    audit::record(
        tx,
        core.crypto.chain(),
        actor,
        Entry::new("file.store", "file", &meta.id).after(&meta),
    )
    .await?;
    Ok(meta)
}

/// Writes content to its address through a temp file in the same folder, then a rename, so a
/// reader never sees half a file. Content already there is left alone.
fn write_content(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("content path has no folder"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file and where its content is, if its region is in the actor's scope.
pub async fn get(core: &Core, actor: &Actor, id: &str) -> Result<(FileMeta, PathBuf)> {
    let mut c = core.db.pool().acquire().await?;
    let meta = repo::get(&mut c, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    drop(c);
    let path = core.data_dir.join(relative_path(&meta.sha));
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Err(Error::Other(anyhow::anyhow!(
            "文件内容缺失 / the content of file {} is missing at {}",
            meta.id,
            path.display()
        )));
    }
    Ok((meta, path))
}

/// The files of one owner that lie in the actor's scope, oldest first.
pub async fn list_for(
    core: &Core,
    actor: &Actor,
    owner_entity: &str,
    owner_id: &str,
) -> Result<Vec<FileMeta>> {
    let mut c = core.db.pool().acquire().await?;
    repo::list_for(&mut c, &actor.scope, owner_entity, owner_id).await
}
