//! The search index follows the published items. After a write commits, the service refreshes
//! the item at once (in the index if public now, out of it otherwise), so a published item is
//! findable within the second; and every serving process runs [`follow`], which once a second
//! refreshes what any process changed and what fell due or expired, so each node's index
//! follows every node's writes. `reindex` rebuilds the whole index from the database.
//!
//! The index lives in `data_dir/search`, opened on first use, one per process (tantivy holds
//! the directory's writer lock); the follower keeps its watermark beside it.

use std::path::PathBuf;
use std::sync::Arc;

use chuangye_search::{Doc, Index};

use super::Source;
use super::model::{Item, plain_text};
use crate::db::now;
use crate::{Core, Error, Result};

/// The process's index, opened on first use (and tried again on the next use if opening
/// failed, e.g. while `chuangye search reindex` held it).
pub struct SearchIndex {
    dir: PathBuf,
    index: std::sync::Mutex<Option<Arc<Index>>>,
}

impl SearchIndex {
    pub fn new(dir: PathBuf) -> SearchIndex {
        SearchIndex {
            dir,
            index: std::sync::Mutex::new(None),
        }
    }

    /// The index, opening it (and creating it if new) when it is not open yet.
    pub fn get(&self) -> Result<Arc<Index>> {
        let mut slot = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = slot.as_ref() {
            return Ok(i.clone());
        }
        let opened = Index::open(&self.dir).map(Arc::new).map_err(|e| {
            Error::Other(anyhow::anyhow!("search index {}: {e}", self.dir.display()))
        })?;
        *slot = Some(opened.clone());
        Ok(opened)
    }
}

fn search_err(e: chuangye_search::SearchError) -> Error {
    Error::Other(anyhow::anyhow!("search: {e}"))
}

/// The document the public can find for an item.
pub fn doc_of(item: &Item) -> Doc {
    let mut body = String::new();
    for extra in [&item.doc_number, &item.issuer].into_iter().flatten() {
        body.push_str(extra);
        body.push('\n');
    }
    if !item.summary.is_empty() {
        body.push_str(&item.summary);
        body.push('\n');
    }
    body.push_str(&plain_text(&item.body));
    Doc {
        id: item.id.clone(),
        kind: item.kind.clone(),
        region_code: item.region_code.clone(),
        title: item.title.clone(),
        body,
        published_at: item.published_at.unwrap_or(item.updated_at),
        url: format!("/portal/{}/{}", item.kind, item.id),
    }
}

/// Puts a record in the index if the public may see it now, takes it out otherwise.
pub async fn refresh(core: &Core, source: Source, id: &str) -> Result<()> {
    refresh_many(core, source, &[id.to_string()]).await
}

/// Brings several records of one source up to date in one write to the index: the public ones
/// in, the others (withdrawn, expired, not yet due, deleted) out.
pub async fn refresh_many(core: &Core, source: Source, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut c = core.db.pool().acquire().await?;
    let docs = source.public_docs(&mut c, ids, now()).await?;
    drop(c);
    let gone: Vec<String> = ids
        .iter()
        .filter(|id| !docs.iter().any(|d| &d.id == *id))
        .cloned()
        .collect();
    let index = core.search.get()?;
    tokio::task::spawn_blocking(move || {
        index.upsert(&docs)?;
        index.delete(&gone)
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(search_err)
}

/// The refresh right after a write commits, so the public finds the record at once; if it
/// fails, the follower does it within the second.
pub async fn after_commit(core: &Core, source: Source, id: &str) {
    if let Err(e) = refresh(core, source, id).await {
        tracing::warn!(record = id, error = %e, "search index not refreshed; the follower will");
    }
}

/// Rebuilds the index from every public record of every source; returns how many were indexed.
pub async fn reindex(core: &Core, mut progress: impl FnMut(u64)) -> Result<u64> {
    let index = core.search.get()?;
    {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.clear())
            .await
            .map_err(anyhow::Error::from)?
            .map_err(search_err)?;
    }
    let (mut n, t) = (0u64, now());
    for source in Source::ALL {
        let mut after = String::new();
        loop {
            let mut c = core.db.pool().acquire().await?;
            let (docs, last) = source.public_page(&mut c, &after, t, 1000).await?;
            drop(c);
            let Some(last) = last else { break };
            after = last;
            n += docs.len() as u64;
            let index = index.clone();
            tokio::task::spawn_blocking(move || index.upsert(&docs))
                .await
                .map_err(anyhow::Error::from)?
                .map_err(search_err)?;
            progress(n);
        }
    }
    Ok(n)
}

/// How far back each look of the follower reaches before its last one.
const FOLLOW_OVERLAP_SECS: i64 = 60;

/// Where a process's index has followed the database to (unix seconds), kept beside the index.
fn watermark_file(core: &Core) -> PathBuf {
    core.data_dir.join("search").join("followed-at")
}

/// Keeps this process's index current whatever process wrote: once a second it refreshes the
/// items changed, falling due or expiring since it last looked (from where it stopped last
/// time; a new, empty index is first rebuilt). Every serving node runs one, so each node's
/// index follows every node's writes within about a second.
pub async fn follow(core: Core, mut stop: tokio::sync::watch::Receiver<bool>) {
    let file = watermark_file(&core);
    let mut since: i64 = std::fs::read_to_string(&file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if since == 0
        || core
            .search
            .get()
            .and_then(|i| i.is_empty().map_err(search_err))
            .unwrap_or(true)
    {
        let started = now();
        match reindex(&core, |_| {}).await {
            Ok(_) => since = started - 1,
            Err(e) => tracing::warn!(error = %e, "search index not rebuilt"),
        }
    }
    // Records whose refresh failed are tried again on the next tick.
    let mut retry: Vec<(Source, String)> = Vec::new();
    loop {
        // A minute of overlap: a write stamped before it committed, or on a node whose clock
        // runs a little behind, is still seen (refreshing a record twice does no harm).
        let to = now();
        let mut failed = Vec::new();
        let mut read_all = true;
        for &source in Source::ALL {
            let changed = async {
                let mut c = core.db.pool().acquire().await?;
                source
                    .changed(&mut c, since - FOLLOW_OVERLAP_SECS, to)
                    .await
            };
            let mut ids = match changed.await {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::warn!(error = %e, "search follower could not read changes");
                    read_all = false;
                    continue;
                }
            };
            ids.extend(
                retry
                    .iter()
                    .filter(|(s, _)| *s == source)
                    .map(|(_, id)| id.clone()),
            );
            ids.sort();
            ids.dedup();
            for chunk in ids.chunks(500) {
                if let Err(e) = refresh_many(&core, source, chunk).await {
                    tracing::warn!(error = %e, "search index not refreshed; trying again");
                    failed.extend(chunk.iter().map(|id| (source, id.clone())));
                }
            }
        }
        if read_all {
            retry = failed;
            since = to;
            let _ = std::fs::write(&file, since.to_string());
        } else {
            retry.extend(failed);
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
        }
    }
}
