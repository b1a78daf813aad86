//! The jobs queue: enqueue in the caller's transaction, claim, retry with backoff, progress
//! for the creator only, stale jobs taken back, the worker loop.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chuangye_core::audit::{self, Entry};
use chuangye_core::db::now;
use chuangye_core::jobs::{
    self, AuditVerifyJob, JobCtx, JobHandler, JobSpec, JobView, Registry, Worker,
};
use chuangye_core::org::Actor;
use chuangye_core::{Core, Error};
use futures_util::future::BoxFuture;
use tokio::sync::Notify;

use crate::{COMMUNITY, county_admin, user, weidu};

/// Counts its runs, per job id.
#[derive(Clone, Default)]
struct Counter {
    runs: Arc<Mutex<HashMap<String, usize>>>,
}

impl Counter {
    fn total(&self) -> usize {
        self.runs.lock().unwrap().values().sum()
    }
}

impl JobHandler for Counter {
    fn kind(&self) -> &'static str {
        "test.count"
    }
    fn run<'a>(
        &'a self,
        _: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            *self.runs.lock().unwrap().entry(job.id.clone()).or_default() += 1;
            Ok(Some(format!("ran attempt {}", job.attempt)))
        })
    }
}

/// Always fails.
struct Fails(Arc<AtomicUsize>);

impl JobHandler for Fails {
    fn kind(&self) -> &'static str {
        "test.fail"
    }
    fn run<'a>(
        &'a self,
        _: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            self.0.fetch_add(1, Ordering::SeqCst);
            anyhow::bail!("短信网关无响应 (attempt {})", job.attempt)
        })
    }
}

/// Panics on its first attempt, succeeds on the next.
struct PanicsOnce;

impl JobHandler for PanicsOnce {
    fn kind(&self) -> &'static str {
        "test.panic"
    }
    fn run<'a>(
        &'a self,
        _: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            assert!(job.attempt > 1, "the handler fell over");
            Ok(None)
        })
    }
}

/// Reports progress, then waits for the test to let it finish.
struct Gate {
    reached: Arc<Notify>,
    release: Arc<Notify>,
}

impl JobHandler for Gate {
    fn kind(&self) -> &'static str {
        "test.gate"
    }
    fn run<'a>(
        &'a self,
        _: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            job.progress(2, 4, Some("已发送 2 条，共 4 条")).await?;
            self.reached.notify_one();
            self.release.notified().await;
            job.progress(4, 4, Some("全部发送")).await?;
            Ok(Some(r#"{"sent":4}"#.to_string()))
        })
    }
}

async fn enqueue(core: &Core, spec: JobSpec) -> String {
    let mut tx = core.db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, spec).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Moves a queued job's time to now, as if its backoff had passed.
async fn make_due(core: &Core, id: &str) {
    sqlx::query("UPDATE job SET run_at = $1 WHERE id = $2")
        .bind(now() - 1)
        .bind(id.to_string())
        .execute(core.db.pool())
        .await
        .unwrap();
}

async fn view(core: &Core, creator: &Actor, id: &str) -> JobView {
    jobs::get(core, creator, id)
        .await
        .expect("the creator sees the job")
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_never_runs() {
    let t = weidu().await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let mut tx = t.core.db.begin().await.unwrap();
    jobs::enqueue(&mut tx, JobSpec::new("test.count", serde_json::json!({})))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(!worker.run_once().await.unwrap());
    assert_eq!(counter.total(), 0);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_committed_job_runs_once_and_keeps_its_result() {
    let t = weidu().await;
    let me = user(&t, "zhang.san", COMMUNITY).await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({"n": 1})).for_actor(&me),
    )
    .await;
    assert_eq!(view(&t.core, &me, &id).await.status, "queued");
    assert_eq!(jobs::queue_depth(&t.core).await.unwrap(), 1);
    assert!(worker.run_once().await.unwrap());
    assert!(!worker.run_once().await.unwrap(), "nothing else is ready");
    assert_eq!(jobs::queue_depth(&t.core).await.unwrap(), 0);
    assert_eq!(counter.total(), 1);
    let v = view(&t.core, &me, &id).await;
    assert_eq!((v.status.as_str(), v.attempts, v.percent), ("done", 1, 100));
    assert_eq!(v.result.as_deref(), Some("ran attempt 1"));
    assert!(v.finished_at.is_some());
    let mine = jobs::list_mine(&t.core, &me, 10).await.unwrap();
    assert_eq!(mine.into_iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
}

#[tokio::test]
async fn a_job_is_not_run_before_its_time() {
    let t = weidu().await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({})).run_at(now() + 3600),
    )
    .await;
    assert!(!worker.run_once().await.unwrap());
    make_due(&t.core, &id).await;
    assert!(worker.run_once().await.unwrap());
    assert_eq!(counter.total(), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_fails() {
    let t = weidu().await;
    let me = user(&t, "li.si", COMMUNITY).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let worker = Worker::new(t.core.clone(), Registry::new().with(Fails(runs.clone())));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.fail", serde_json::json!({}))
            .for_actor(&me)
            .max_attempts(3),
    )
    .await;

    for attempt in 1..=2_i64 {
        let before = now();
        assert!(worker.run_once().await.unwrap());
        let v = view(&t.core, &me, &id).await;
        assert_eq!((v.status.as_str(), v.attempts), ("queued", attempt));
        assert!(
            v.message
                .as_deref()
                .unwrap()
                .contains(&format!("短信网关无响应 (attempt {attempt})"))
        );
        let wait = jobs::backoff_secs(attempt);
        assert!(
            v.run_at >= before + wait && v.run_at <= now() + wait,
            "attempt {attempt}"
        );
        assert!(v.finished_at.is_none());
        assert!(
            !worker.run_once().await.unwrap(),
            "not again before the backoff has passed"
        );
        make_due(&t.core, &id).await;
    }
    assert!(worker.run_once().await.unwrap());
    let v = view(&t.core, &me, &id).await;
    assert_eq!((v.status.as_str(), v.attempts), ("failed", 3));
    assert!(v.message.as_deref().unwrap().contains("attempt 3"));
    assert!(v.finished_at.is_some());
    make_due(&t.core, &id).await;
    assert!(
        !worker.run_once().await.unwrap(),
        "a failed job is never run again"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_job_of_an_unknown_kind_fails_at_once() {
    let t = weidu().await;
    let me = user(&t, "wang.wu", COMMUNITY).await;
    let worker = Worker::new(t.core.clone(), jobs::builtin_registry());
    let id = enqueue(
        &t.core,
        JobSpec::new("sms.send", serde_json::json!({})).for_actor(&me),
    )
    .await;
    assert!(worker.run_once().await.unwrap());
    let v = view(&t.core, &me, &id).await;
    assert_eq!((v.status.as_str(), v.attempts), ("failed", 1));
    assert!(v.message.unwrap().contains("unknown job kind `sms.send`"));
}

#[tokio::test]
async fn a_panicking_job_is_retried_and_the_worker_carries_on() {
    let t = weidu().await;
    let me = user(&t, "zhao.liu", COMMUNITY).await;
    let worker = Worker::new(t.core.clone(), Registry::new().with(PanicsOnce));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.panic", serde_json::json!({})).for_actor(&me),
    )
    .await;
    assert!(worker.run_once().await.unwrap());
    let v = view(&t.core, &me, &id).await;
    assert_eq!(v.status, "queued");
    assert!(v.message.unwrap().contains("the handler fell over"));
    make_due(&t.core, &id).await;
    assert!(worker.run_once().await.unwrap());
    assert_eq!(view(&t.core, &me, &id).await.status, "done");
}

#[tokio::test]
async fn progress_is_visible_to_the_creator_only() {
    let t = weidu().await;
    let creator = user(&t, "creator", COMMUNITY).await;
    let colleague = user(&t, "colleague", COMMUNITY).await;
    let (reached, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let gate = Gate {
        reached: reached.clone(),
        release: release.clone(),
    };
    let worker = Worker::new(t.core.clone(), Registry::new().with(gate));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.gate", serde_json::json!({})).for_actor(&creator),
    )
    .await;

    let running = tokio::spawn(async move { worker.run_once().await });
    tokio::time::timeout(Duration::from_secs(10), reached.notified())
        .await
        .expect("the job started");
    let v = view(&t.core, &creator, &id).await;
    assert_eq!(
        (v.status.as_str(), v.progress, v.progress_total, v.percent),
        ("running", 2, 4, 50)
    );
    assert_eq!(v.message.as_deref(), Some("已发送 2 条，共 4 条"));
    for other in [&colleague, &county_admin()] {
        assert!(matches!(
            jobs::get(&t.core, other, &id).await,
            Err(Error::NotFound)
        ));
        assert!(
            jobs::list_mine(&t.core, other, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    release.notify_one();
    assert!(running.await.unwrap().unwrap());
    let v = view(&t.core, &creator, &id).await;
    assert_eq!((v.status.as_str(), v.progress, v.percent), ("done", 4, 100));
    assert_eq!(v.message.as_deref(), Some("全部发送"));
    assert_eq!(v.result.as_deref(), Some(r#"{"sent":4}"#));
    assert!(matches!(
        jobs::get(&t.core, &colleague, &id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        jobs::get(&t.core, &creator, "no-such-job").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_stale_running_job_is_requeued() {
    let t = weidu().await;
    let me = user(&t, "sun.qi", COMMUNITY).await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let stale = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({})).for_actor(&me),
    )
    .await;
    let busy = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({})).for_actor(&me),
    )
    .await;
    // A worker claimed both and then died; one long ago, one a minute ago (still alive).
    for (id, ago) in [(&stale, jobs::STALE_AFTER_SECS + 60), (&busy, 60)] {
        sqlx::query("UPDATE job SET status = 'running', locked_by = 'dead-worker', locked_at = $1, attempts = 1 WHERE id = $2")
            .bind(now() - ago)
            .bind(id.clone())
            .execute(t.core.db.pool())
            .await
            .unwrap();
    }
    assert!(worker.run_once().await.unwrap());
    assert!(
        !worker.run_once().await.unwrap(),
        "a job with a live worker is left alone"
    );
    let v = view(&t.core, &me, &stale).await;
    assert_eq!((v.status.as_str(), v.attempts), ("done", 2));
    assert_eq!(counter.runs.lock().unwrap().get(&stale), Some(&1));
    assert_eq!(view(&t.core, &me, &busy).await.status, "running");
}

#[tokio::test]
async fn a_stale_job_that_used_up_its_attempts_fails() {
    let t = weidu().await;
    let me = user(&t, "zhou.ba", COMMUNITY).await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({}))
            .for_actor(&me)
            .max_attempts(2),
    )
    .await;
    sqlx::query("UPDATE job SET status = 'running', locked_by = 'dead-worker', locked_at = $1, attempts = 2 WHERE id = $2")
        .bind(now() - jobs::STALE_AFTER_SECS - 1)
        .bind(id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    assert!(!worker.run_once().await.unwrap());
    let v = view(&t.core, &me, &id).await;
    assert_eq!(v.status, "failed");
    assert!(v.finished_at.is_some());
    assert_eq!(counter.total(), 0);
}

#[tokio::test]
async fn the_audit_verify_job_reports_an_intact_chain() {
    let t = weidu().await;
    let auditor = user(&t, "auditor", COMMUNITY).await;
    let mut tx = t.core.db.begin().await.unwrap();
    audit::record(
        &mut tx,
        t.core.crypto.chain(),
        &county_admin(),
        Entry::new("test.write", "thing", "1"),
    )
    .await
    .unwrap();
    let id = jobs::enqueue(&mut tx, AuditVerifyJob::spec(&auditor))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();

    let worker = Worker::new(t.core.clone(), jobs::builtin_registry());
    assert!(worker.run_once().await.unwrap());
    let v = view(&t.core, &auditor, &id).await;
    assert_eq!(
        (v.kind.as_str(), v.status.as_str()),
        ("audit.verify", "done")
    );
    assert_eq!((v.progress, v.progress_total, v.percent), (1, 1, 100));
    let result: serde_json::Value = serde_json::from_str(v.result.as_deref().unwrap()).unwrap();
    assert_eq!(result, serde_json::json!({"Intact": {"rows": rows}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_run_each_job_exactly_once() {
    let t = weidu().await;
    let counter = Counter::default();
    let registry = Arc::new(Registry::new().with(counter.clone()));
    let mut tx = t.core.db.begin().await.unwrap();
    for i in 0..24 {
        jobs::enqueue(
            &mut tx,
            JobSpec::new("test.count", serde_json::json!({ "i": i })),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut handles = Vec::new();
    for _ in 0..3 {
        let worker = Worker::new(t.core.clone(), registry.clone());
        handles.push(tokio::spawn(async move {
            let mut n = 0;
            while worker.run_once().await.unwrap() {
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    assert_eq!(total, 24);
    {
        let runs = counter.runs.lock().unwrap();
        assert_eq!(runs.len(), 24);
        assert!(runs.values().all(|n| *n == 1));
    }
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job WHERE status = 'done'")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(done, 24);
}

#[tokio::test]
async fn the_worker_loop_runs_jobs_until_shut_down() {
    let t = weidu().await;
    let me = user(&t, "wu.jiu", COMMUNITY).await;
    let counter = Counter::default();
    let worker = Worker::new(t.core.clone(), Registry::new().with(counter.clone()));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let looping = tokio::spawn(worker.run(shutdown));
    let id = enqueue(
        &t.core,
        JobSpec::new("test.count", serde_json::json!({})).for_actor(&me),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while view(&t.core, &me, &id).await.status != "done" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never ran the job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), looping)
        .await
        .expect("the worker stopped")
        .unwrap();
    assert_eq!(counter.total(), 1);
}
