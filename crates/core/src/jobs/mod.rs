//! The jobs queue: background work (SMS delivery, reminders, exports, report rendering, audit
//! verification) kept in the `job` table and run by a [`Worker`].
//!
//! A job is enqueued with [`enqueue`] inside the transaction of the write that causes it, so it
//! exists only if that write commits. A worker claims one ready job at a time — with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL (many workers), plainly on SQLite (one writer) — runs
//! the [`JobHandler`] registered for its kind, and records the outcome: `done` with a result,
//! or back to `queued` with an exponential backoff, or `failed` after `max_attempts`. A job left
//! `running` by a dead worker for more than [`STALE_AFTER_SECS`] is taken back at claim time.
//! Handlers must be idempotent: a job may run again after a crash.
//!
//! Progress ([`JobCtx::progress`]) is written to the row and shown to the user who created the
//! job ([`get`]); nobody else can see it.
//!
//! Owns: `job`. Uses: db (and audit, for the built-in [`AuditVerifyJob`]).

mod repo;
mod service;

pub use repo::JobView;
pub use service::{
    AuditVerifyJob, JobCtx, Worker, builtin_registry, enqueue, enqueue_daily, get, list_mine,
    queue_depth,
};

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::Core;

/// A job left `running` longer than this without a heartbeat belongs to a dead worker.
pub const STALE_AFTER_SECS: i64 = 600;
/// How long an idle worker sleeps before looking for work again.
pub const POLL_INTERVAL_MS: u64 = 500;
/// The default number of attempts before a job is marked `failed`.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;
/// The longest wait between two attempts.
pub const MAX_BACKOFF_SECS: i64 = 3600;

/// The statuses a job goes through.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// What to enqueue. Build it with [`JobSpec::new`], which fills the defaults.
#[derive(Clone, Debug)]
pub struct JobSpec {
    /// The handler's [`JobHandler::kind`], e.g. "audit.verify".
    pub kind: String,
    /// The job's input, stored as JSON text.
    pub payload: serde_json::Value,
    /// The user who asked for it; only they can see its progress.
    pub created_by: Option<String>,
    pub region_code: Option<String>,
    /// Attempts before the job is `failed` (default [`DEFAULT_MAX_ATTEMPTS`]).
    pub max_attempts: i64,
    /// Not before this unix time (default now).
    pub run_at: i64,
}

impl JobSpec {
    pub fn new(kind: &str, payload: serde_json::Value) -> JobSpec {
        JobSpec {
            kind: kind.to_string(),
            payload,
            created_by: None,
            region_code: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            run_at: crate::db::now(),
        }
    }

    /// Marks the job as the actor's: created by their user, in their region.
    pub fn for_actor(mut self, actor: &crate::org::Actor) -> JobSpec {
        self.created_by = actor.user_id.clone();
        self.region_code = Some(actor.region_code.clone()).filter(|r| !r.is_empty());
        self
    }

    pub fn max_attempts(mut self, n: i64) -> JobSpec {
        self.max_attempts = n;
        self
    }

    pub fn run_at(mut self, at: i64) -> JobSpec {
        self.run_at = at;
        self
    }
}

/// The code that runs one kind of job. `run` returns an optional result text (often JSON),
/// kept on the row; an error is retried with backoff.
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>>;
}

/// The handlers a worker knows, by kind.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<&'static str, Arc<dyn JobHandler>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds a handler; a second handler of the same kind replaces the first.
    pub fn register(&mut self, handler: impl JobHandler) -> &mut Registry {
        self.handlers.insert(handler.kind(), Arc::new(handler));
        self
    }

    /// Builder form of [`Registry::register`].
    pub fn with(mut self, handler: impl JobHandler) -> Registry {
        self.register(handler);
        self
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds())
            .finish()
    }
}

/// Seconds to wait before the next attempt after `attempts` failed ones:
/// 2^attempts × 5 s, at most [`MAX_BACKOFF_SECS`].
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    (5_i64 << exp).min(MAX_BACKOFF_SECS)
}

/// Percentage done, 0..=100, from the progress counters.
pub fn percent(status: &str, done: i64, total: i64) -> i64 {
    if status == status::DONE {
        100
    } else if total <= 0 {
        0
    } else {
        (done.clamp(0, total) * 100) / total
    }
}

/// Error text as stored in the row: the whole chain, one line, bounded.
pub(crate) fn error_text(e: &anyhow::Error) -> String {
    let s = format!("{e:#}").replace(['\r', '\n'], " ");
    truncate(&s, 1000)
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_and_is_capped_at_an_hour() {
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 20);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(10), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(1000), MAX_BACKOFF_SECS);
    }

    #[test]
    fn percent_is_bounded_and_done_is_complete() {
        assert_eq!(percent("running", 1, 4), 25);
        assert_eq!(percent("running", 9, 4), 100);
        assert_eq!(percent("running", 3, 0), 0);
        assert_eq!(percent("done", 0, 0), 100);
    }

    #[test]
    fn error_text_is_one_bounded_line() {
        let e = anyhow::anyhow!("第一行\n第二行").context("外层");
        assert_eq!(error_text(&e), "外层: 第一行 第二行");
        let long = anyhow::anyhow!("错".repeat(5000));
        assert_eq!(error_text(&long).chars().count(), 1001);
    }

    #[test]
    fn a_later_handler_replaces_one_of_the_same_kind() {
        let r = builtin_registry().with(AuditVerifyJob);
        assert_eq!(r.kinds(), vec!["audit.verify"]);
        assert!(r.get("audit.verify").is_some());
        assert!(r.get("nope").is_none());
    }
}
