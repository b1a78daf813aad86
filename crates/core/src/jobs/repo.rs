//! All SQL of the jobs queue. The claim is the one place where the engines differ:
//! PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.

use serde::Serialize;

use super::{JobSpec, STALE_AFTER_SECS, percent, status};
use crate::Result;
use crate::db::{Db, Engine, Tx, new_id, now};

/// A job as its creator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobView {
    pub id: String,
    pub kind: String,
    /// queued | running | done | failed
    pub status: String,
    pub progress: i64,
    pub progress_total: i64,
    /// 0..=100
    pub percent: i64,
    /// The last progress message, or the error of the last failed attempt.
    pub message: Option<String>,
    /// What the handler returned (often JSON).
    pub result: Option<String>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    kind: String,
    status: String,
    progress: i64,
    progress_total: i64,
    message: Option<String>,
    result: Option<String>,
    attempts: i64,
    max_attempts: i64,
    run_at: i64,
    created_at: i64,
    finished_at: Option<i64>,
}

impl From<JobRow> for JobView {
    fn from(r: JobRow) -> JobView {
        JobView {
            percent: percent(&r.status, r.progress, r.progress_total),
            id: r.id,
            kind: r.kind,
            status: r.status,
            progress: r.progress,
            progress_total: r.progress_total,
            message: r.message,
            result: r.result,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: r.run_at,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

const VIEW_COLUMNS: &str = "id, kind, status, progress, progress_total, message, result, \
     attempts, max_attempts, run_at, created_at, finished_at";

/// A job a worker has just claimed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub created_by: Option<String>,
    pub region_code: Option<String>,
}

pub(super) async fn insert(tx: &mut Tx, spec: &JobSpec) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO job (id, kind, payload, status, attempts, max_attempts, run_at, \
         progress, progress_total, created_by, region_code, created_at) \
         VALUES ($1,$2,$3,$4,0,$5,$6,0,0,$7,$8,$9)",
    )
    .bind(id.clone())
    .bind(spec.kind.clone())
    .bind(spec.payload.to_string())
    .bind(status::QUEUED)
    .bind(spec.max_attempts.max(1))
    .bind(spec.run_at)
    .bind(spec.created_by.clone())
    .bind(spec.region_code.clone())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

const CLAIM_POSTGRES: &str = "UPDATE job SET status = 'running', locked_by = $1, locked_at = $2, \
     attempts = attempts + 1, message = NULL \
     WHERE id = (SELECT id FROM job WHERE status = 'queued' AND run_at <= $2 \
     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, payload, attempts, max_attempts, created_by, region_code";

const CLAIM_SQLITE: &str = "UPDATE job SET status = 'running', locked_by = $1, locked_at = $2, \
     attempts = attempts + 1, message = NULL \
     WHERE id = (SELECT id FROM job WHERE status = 'queued' AND run_at <= $2 \
     ORDER BY run_at, id LIMIT 1) \
     RETURNING id, kind, payload, attempts, max_attempts, created_by, region_code";

/// Takes back jobs of dead workers, then claims the next ready job for `worker`, if any.
pub(super) async fn claim(db: &Db, worker: &str, at: i64) -> Result<Option<Claimed>> {
    let mut tx = db.begin().await?;
    // A job whose worker stopped sending heartbeats is queued again, unless it has used up
    // its attempts (a job that kills its worker must not kill every worker in turn).
    sqlx::query(
        "UPDATE job SET \
         status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
         finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $1 END, \
         message = '工作进程中断 / the worker stopped while running this job', locked_by = NULL, locked_at = NULL \
         WHERE status = 'running' AND locked_at < $2",
    )
    .bind(at)
    .bind(at - STALE_AFTER_SECS)
    .execute(&mut *tx)
    .await?;
    let sql = match db.engine() {
        Engine::Postgres => CLAIM_POSTGRES,
        Engine::Sqlite => CLAIM_SQLITE,
    };
    let job = sqlx::query_as::<_, Claimed>(sql)
        .bind(worker.to_string())
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(job)
}

/// Proves the worker is alive, so a long job is not taken for a dead one.
pub(super) async fn heartbeat(db: &Db, id: &str, worker: &str) -> Result<()> {
    sqlx::query("UPDATE job SET locked_at = $1 WHERE id = $2 AND locked_by = $3")
        .bind(now())
        .bind(id.to_string())
        .bind(worker.to_string())
        .execute(db.pool())
        .await?;
    Ok(())
}

pub(super) async fn progress(
    db: &Db,
    id: &str,
    worker: &str,
    done: i64,
    total: i64,
    message: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE job SET progress = $1, progress_total = $2, message = $3, locked_at = $4 \
         WHERE id = $5 AND locked_by = $6",
    )
    .bind(done)
    .bind(total)
    .bind(message.map(str::to_string))
    .bind(now())
    .bind(id.to_string())
    .bind(worker.to_string())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The attempt succeeded. Only the worker that holds the job may finish it.
pub(super) async fn succeed(db: &Db, id: &str, worker: &str, result: Option<String>) -> Result<()> {
    sqlx::query(
        "UPDATE job SET status = 'done', result = $1, finished_at = $2, \
         progress = CASE WHEN progress_total > 0 THEN progress_total ELSE progress END, \
         locked_by = NULL, locked_at = NULL WHERE id = $3 AND locked_by = $4",
    )
    .bind(result)
    .bind(now())
    .bind(id.to_string())
    .bind(worker.to_string())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The attempt failed: queue it again at `retry_at`, or, with `None`, fail it for good.
pub(super) async fn fail(
    db: &Db,
    id: &str,
    worker: &str,
    message: &str,
    retry_at: Option<i64>,
) -> Result<()> {
    let q = match retry_at {
        Some(at) => sqlx::query(
            "UPDATE job SET status = 'queued', run_at = $1, message = $2, \
             locked_by = NULL, locked_at = NULL WHERE id = $3 AND locked_by = $4",
        )
        .bind(at),
        None => sqlx::query(
            "UPDATE job SET status = 'failed', finished_at = $1, message = $2, \
             locked_by = NULL, locked_at = NULL WHERE id = $3 AND locked_by = $4",
        )
        .bind(now()),
    };
    q.bind(message.to_string())
        .bind(id.to_string())
        .bind(worker.to_string())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// One job, only if `user_id` created it.
pub(super) async fn get_for_creator(db: &Db, user_id: &str, id: &str) -> Result<Option<JobView>> {
    let sql = format!("SELECT {VIEW_COLUMNS} FROM job WHERE id = $1 AND created_by = $2");
    let row = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(user_id.to_string())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(JobView::from))
}

/// The newest jobs `user_id` created.
pub(super) async fn list_for_creator(db: &Db, user_id: &str, limit: i64) -> Result<Vec<JobView>> {
    let sql = format!(
        "SELECT {VIEW_COLUMNS} FROM job WHERE created_by = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
        .bind(user_id.to_string())
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(JobView::from).collect())
}

/// Jobs waiting to run, ready or not.
pub(super) async fn queue_depth(db: &Db) -> Result<i64> {
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM job WHERE status = 'queued'")
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}
