//! Use cases of the jobs queue: enqueue inside a caller's transaction, show a job to its
//! creator, and the worker that claims and runs jobs.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;

use super::repo::{self, JobView};
use super::{
    JobHandler, JobSpec, POLL_INTERVAL_MS, Registry, STALE_AFTER_SECS, backoff_secs, error_text,
};
use crate::db::{Db, Tx, new_id, now};
use crate::org::Actor;
use crate::{Core, Error, Result};

/// How often a running job's row is touched, well inside [`STALE_AFTER_SECS`].
const HEARTBEAT_SECS: u64 = (STALE_AFTER_SECS as u64) / 10;
/// How long the worker waits after the database failed it.
const ERROR_PAUSE_MS: u64 = 5_000;

/// Adds a job in the caller's transaction: it exists only if that transaction commits.
/// Returns the job's id, which the creator can follow with [`get`].
pub async fn enqueue(tx: &mut Tx, spec: JobSpec) -> Result<String> {
    if spec.kind.trim().is_empty() {
        return Err(Error::field("kind", "jobs.kind_missing"));
    }
    repo::insert(tx, &spec).await
}

/// A job with its progress, for the user who created it. Anyone else gets `NotFound`.
pub async fn get(core: &Core, actor: &Actor, id: &str) -> Result<JobView> {
    let uid = actor.user_id.as_deref().ok_or(Error::NotFound)?;
    repo::get_for_creator(&core.db, uid, id)
        .await?
        .ok_or(Error::NotFound)
}

/// The actor's newest jobs (at most `limit`, up to 200).
pub async fn list_mine(core: &Core, actor: &Actor, limit: i64) -> Result<Vec<JobView>> {
    let Some(uid) = actor.user_id.as_deref() else {
        return Ok(Vec::new());
    };
    repo::list_for_creator(&core.db, uid, limit.clamp(1, 200)).await
}

/// What a handler knows about the job it runs.
#[derive(Debug)]
pub struct JobCtx {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// 1 on the first attempt.
    pub attempt: i64,
    pub max_attempts: i64,
    pub created_by: Option<String>,
    pub region_code: Option<String>,
    db: Db,
    worker: String,
}

impl JobCtx {
    /// Records progress on the row, where the job's creator sees it. Also serves as a
    /// heartbeat. Do not call it while holding a write transaction of your own (SQLite has
    /// one writer).
    pub async fn progress(&self, done: i64, total: i64, message: Option<&str>) -> Result<()> {
        repo::progress(&self.db, &self.id, &self.worker, done, total, message).await
    }

    /// The payload as a typed struct.
    /// The user who started the job, acting in the membership they started it in.
    pub async fn actor(
        &self,
        core: &crate::Core,
        membership_id: Option<&str>,
    ) -> anyhow::Result<crate::org::Actor> {
        let user = self
            .created_by
            .clone()
            .ok_or_else(|| anyhow::anyhow!("job `{}` without a user", self.kind))?;
        let mut c = core.db.pool().acquire().await?;
        crate::auth::build_actor(&mut c, &user, membership_id, "job")
            .await?
            .ok_or_else(|| anyhow::anyhow!("the user who started the job no longer exists"))
    }

    pub fn parse<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_value(self.payload.clone())
            .map_err(|e| anyhow::anyhow!("invalid payload for job kind `{}`: {e}", self.kind))
    }

    /// Whether a failure now fails the job for good.
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

/// Claims ready jobs one at a time and runs them with the handlers of its registry.
pub struct Worker {
    pub core: Core,
    pub registry: Arc<Registry>,
    /// Written into `locked_by` of the jobs it holds.
    pub id: String,
}

impl Worker {
    pub fn new(core: Core, registry: impl Into<Arc<Registry>>) -> Worker {
        let uid = new_id();
        let short = uid.rsplit('-').next().unwrap_or(&uid);
        Worker {
            core,
            registry: registry.into(),
            id: format!("worker-{}-{short}", std::process::id()),
        }
    }

    /// Claims and runs at most one ready job. False when none was ready.
    pub async fn run_once(&self) -> Result<bool> {
        let db = &self.core.db;
        let Some(job) = repo::claim(db, &self.id, now()).await? else {
            return Ok(false);
        };
        let Some(handler) = self.registry.get(&job.kind) else {
            tracing::warn!(job = %job.id, kind = %job.kind, "job of an unknown kind failed");
            let msg = format!(
                "未知的任务类型 / unknown job kind `{}`: no handler is registered for it",
                job.kind
            );
            repo::fail(db, &job.id, &self.id, &msg, None).await?;
            return Ok(true);
        };
        let payload = match serde_json::from_str(&job.payload) {
            Ok(v) => v,
            Err(e) => {
                let msg = format!("invalid payload: {e}");
                repo::fail(db, &job.id, &self.id, &msg, None).await?;
                return Ok(true);
            }
        };
        let ctx = JobCtx {
            id: job.id,
            kind: job.kind,
            payload,
            attempt: job.attempts,
            max_attempts: job.max_attempts,
            created_by: job.created_by,
            region_code: job.region_code,
            db: db.clone(),
            worker: self.id.clone(),
        };
        match self.execute(handler.as_ref(), &ctx).await {
            Ok(result) => {
                tracing::info!(job = %ctx.id, kind = %ctx.kind, attempt = ctx.attempt, "job done");
                repo::succeed(db, &ctx.id, &self.id, result).await?;
            }
            Err(e) => {
                let msg = error_text(&e);
                let retry_at = (!ctx.is_last_attempt()).then(|| now() + backoff_secs(ctx.attempt));
                tracing::warn!(job = %ctx.id, kind = %ctx.kind, attempt = ctx.attempt,
                    retry_at, error = %msg, "job attempt failed");
                repo::fail(db, &ctx.id, &self.id, &msg, retry_at).await?;
            }
        }
        Ok(true)
    }

    /// Runs the handler, touching the row now and then, and turns a panic into an error.
    async fn execute(
        &self,
        handler: &dyn JobHandler,
        ctx: &JobCtx,
    ) -> anyhow::Result<Option<String>> {
        let mut fut = AssertUnwindSafe(handler.run(&self.core, ctx)).catch_unwind();
        let mut beat = tokio::time::interval(Duration::from_secs(HEARTBEAT_SECS));
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        beat.tick().await;
        loop {
            tokio::select! {
                r = &mut fut => {
                    return match r {
                        Ok(r) => r,
                        Err(panic) => Err(anyhow::anyhow!("the job panicked: {}", panic_text(&*panic))),
                    };
                }
                _ = beat.tick() => {
                    if let Err(e) = repo::heartbeat(&self.core.db, &ctx.id, &self.id).await {
                        tracing::warn!(job = %ctx.id, error = %e, "job heartbeat failed");
                    }
                }
            }
        }
    }

    /// Works until `shutdown` turns true (or its sender is dropped): a job just finished is
    /// followed at once by the next, an idle worker looks again every [`POLL_INTERVAL_MS`].
    /// A running job is always finished before stopping.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, kinds = ?self.registry.kinds(), "job worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let pause = match self.run_once().await {
                Ok(true) => continue,
                Ok(false) => POLL_INTERVAL_MS,
                Err(e) => {
                    tracing::error!(worker = %self.id, error = %e, "job worker could not claim or record a job");
                    ERROR_PAUSE_MS
                }
            };
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(pause)) => {}
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Walks the audit chain ([`crate::audit::verify`]) and keeps the outcome as JSON, e.g.
/// `{"Intact":{"rows":42}}` or `{"Broken":{"seq":7,"reason":"hash"}}`.
pub struct AuditVerifyJob;

impl AuditVerifyJob {
    pub const KIND: &'static str = "audit.verify";

    /// A verification asked for by `actor`, who can then follow it.
    pub fn spec(actor: &Actor) -> JobSpec {
        JobSpec::new(Self::KIND, serde_json::json!({})).for_actor(actor)
    }
}

impl JobHandler for AuditVerifyJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            job.progress(0, 1, None).await?;
            let outcome = crate::audit::verify(&core.db, core.crypto.chain()).await?;
            job.progress(1, 1, None).await?;
            Ok(Some(serde_json::to_string(&outcome)?))
        })
    }
}

/// The handlers core itself provides. The app adds those of other areas.
pub fn builtin_registry() -> Registry {
    Registry::new().with(AuditVerifyJob)
}

/// How many jobs wait to run (for `/metrics`; also a cheap database check for `/healthz`).
pub async fn queue_depth(core: &Core) -> Result<i64> {
    repo::queue_depth(&core.db).await
}

/// Enqueues a job of `kind` unless one was enqueued in the last 24 hours (the daily schedule;
/// safe to call from every node, often).
pub async fn enqueue_daily(core: &Core, kind: &str) -> Result<bool> {
    let mut tx = core.db.begin().await?;
    let since = now() - 86_400;
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM job WHERE kind = $1 AND created_at >= $2")
            .bind(kind.to_string())
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
    if recent > 0 {
        return Ok(false);
    }
    enqueue(
        &mut tx,
        crate::jobs::JobSpec::new(kind, serde_json::json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
