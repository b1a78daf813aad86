//! Read caches that keep the hot path (resolving a session or token to its actor; a region's
//! children) off the database, without ever serving what a finished write has changed.
//!
//! Invalidation: every state-changing request handled by this process clears the caches
//! before its response is sent; a background task clears them within [`POLL`] when any other
//! process (another app node, the CLI) writes — it watches the audit chain's head, which every
//! write advances. A load that raced with a clear is not stored (generation check).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use chuangye_core::Core;
use chuangye_core::org::Actor;
use chuangye_core::org::repo::RegionWithCounts;

/// How often other processes' writes are looked for.
pub const POLL: Duration = Duration::from_millis(100);
/// Entries beyond this are dropped wholesale (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 100_000;

/// A map cleared as a whole, with a generation to refuse stale inserts.
pub struct Generational<K, V> {
    map: RwLock<HashMap<K, V>>,
    generation: AtomicU64,
}

impl<K: Eq + Hash, V: Clone> Default for Generational<K, V> {
    fn default() -> Self {
        Generational {
            map: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Generational<K, V> {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, k: &K) -> Option<V> {
        self.map.read().ok()?.get(k).cloned()
    }

    /// Stores a value loaded while the generation was `seen`; dropped if a clear came since.
    pub fn insert(&self, seen: u64, k: K, v: V) {
        self.insert_bounded(seen, k, v, MAX_ENTRIES);
    }

    /// [`Generational::insert`] into a map of at most `max` entries (dropped wholesale beyond).
    pub fn insert_bounded(&self, seen: u64, k: K, v: V, max: usize) {
        if let Ok(mut m) = self.map.write()
            && self.generation() == seen
        {
            if m.len() >= max {
                m.clear();
            }
            m.insert(k, v);
        }
    }

    pub fn remove(&self, k: &K) {
        if let Ok(mut m) = self.map.write() {
            m.remove(k);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.map.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            m.clear();
        }
    }
}

/// A resolved session or token.
#[derive(Clone)]
pub struct CachedAuth {
    pub actor: Actor,
    pub csrf: String,
    pub last_seen: i64,
    pub user_id: String,
    pub membership_id: Option<String>,
}

#[derive(Default)]
pub struct Caches {
    /// Key: SM3 hash of the session id or API token.
    pub auth: Generational<String, CachedAuth>,
    /// Key: parent region code; value: all its children (scope is checked on the parent).
    pub children: Generational<String, Arc<Vec<RegionWithCounts>>>,
    /// Rendered JSON responses keyed by request (same for every caller who may see them).
    pub json: Generational<String, axum::body::Bytes>,
    /// Idle timeout in seconds, from the security policy.
    pub idle_secs: Generational<(), i64>,
    /// Rendered public portal pages keyed by language, reading mode and address, with when
    /// they were rendered (served for at most a second, `handlers::portal`).
    pub pages: Generational<String, (std::time::Instant, crate::handlers::portal::Rendered)>,
}

impl Caches {
    pub fn clear(&self) {
        self.auth.clear();
        self.children.clear();
        self.json.clear();
        self.idle_secs.clear();
        self.pages.clear();
    }

    /// Watches the audit head for writes by other processes; ends when the caches are dropped.
    pub async fn watch(caches: Weak<Caches>, core: Core) {
        // The baseline is read before anything can be cached.
        let mut last = chuangye_core::audit::head_seq(&core.db).await.ok();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(POLL).await;
                let Some(c) = caches.upgrade() else { break };
                match chuangye_core::audit::head_seq(&core.db).await {
                    Ok(s) if last == Some(s) => {}
                    Ok(s) => {
                        c.clear();
                        last = Some(s);
                    }
                    Err(_) => c.clear(),
                }
            }
        });
    }
}

/// The children of a region the actor may see: from the cache, or loaded and kept. A parent
/// outside the scope has no visible children.
pub async fn region_children(
    st: &crate::AppState,
    scope: &chuangye_core::org::RegionScope,
    parent: &str,
    include_retired: bool,
) -> chuangye_core::Result<Arc<Vec<RegionWithCounts>>> {
    if !scope.contains(parent) {
        return Ok(Arc::new(Vec::new()));
    }
    let key = format!("{parent}:{include_retired}");
    if let Some(hit) = st.caches.children.get(&key) {
        return Ok(hit);
    }
    let seen = st.caches.children.generation();
    let mut c = st.core.db.pool().acquire().await?;
    let rows = chuangye_core::org::repo::region_children(
        &mut c,
        &chuangye_core::org::RegionScope::of(parent),
        parent,
        include_retired,
    )
    .await?;
    let rows = Arc::new(rows);
    st.caches.children.insert(seen, key, rows.clone());
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_loaded_before_a_clear_is_not_stored() {
        let g: Generational<u8, u8> = Generational::default();
        let seen = g.generation();
        g.clear();
        g.insert(seen, 1, 1);
        assert_eq!(g.get(&1), None);
        let seen = g.generation();
        g.insert(seen, 1, 2);
        assert_eq!(g.get(&1), Some(2));
        g.clear();
        assert_eq!(g.get(&1), None);
    }
}
