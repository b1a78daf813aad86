//! The daily sweep of reply deadlines: a question due within a working day is marked reminded
//! (its service point's queue shows it first, flagged); one past its deadline goes up to the
//! service point of the region above, and again every two working days while it stays
//! unanswered, up to the campaign office.

use super::model;
use super::repo;
use crate::audit::{self, Entry};
use crate::db::now;
use crate::jobs::{JobCtx, JobHandler};
use crate::org::{Actor, RegionScope};
use crate::{Core, Result};

/// Marks and escalates as of `today`; returns (reminded, escalated).
pub async fn process(core: &Core, today: time::Date) -> Result<(u64, u64)> {
    let fmt = crate::ledger::model::fmt_date;
    let today_s = fmt(today);
    let soon = fmt(crate::workdays::add_working_days(today, 1));
    let root = crate::org::service::root_region(core).await?;
    let t = now();
    let mut tx = core.db.begin().await?;
    let due = repo::open_due_by(&mut tx, &soon).await?;
    let (mut reminded, mut escalated) = (0u64, 0u64);
    for (id, _region, handler, due_on, reminded_at, escalated_at) in due {
        if due_on >= today_s {
            if reminded_at.is_none() {
                repo::mark_reminded(&mut tx, &id, t).await?;
                reminded += 1;
            }
            continue;
        }
        let again = escalated_at.is_none_or(|e| {
            crate::workdays::working_days_between(model::china_date(e), today)
                >= i64::from(model::ESCALATE_AGAIN_AFTER)
        });
        let at_top = root.as_deref().is_none_or(|r| r == handler)
            || !root
                .as_deref()
                .is_some_and(|r| RegionScope::of(r).contains(&handler));
        if !again || at_top {
            continue;
        }
        if let Some(up) = crate::portal::repo::parent_of(&mut tx, &handler).await?
            && repo::escalate(&mut tx, &id, (&handler, &up), t).await?
        {
            escalated += 1;
        }
    }
    if reminded + escalated > 0 {
        let system = Actor::system("000000000000", "job");
        audit::record(
            &mut tx,
            core.crypto.chain(),
            &system,
            Entry::new("consultation.deadlines", "consultation", "*")
                .after(serde_json::json!({"reminded": reminded, "escalated": escalated})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((reminded, escalated))
}

/// Daily: consultation reminders and escalations.
pub struct DeadlinesJob;

impl DeadlinesJob {
    pub const KIND: &'static str = "consultation.deadlines";
}

impl JobHandler for DeadlinesJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }
    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let (r, e) = process(core, crate::ledger::model::today()).await?;
            job.progress(1, 1, None).await?;
            Ok(Some(format!("{{\"reminded\":{r},\"escalated\":{e}}}")))
        })
    }
}

/// Adds the consultation jobs to a registry.
pub fn register(registry: crate::jobs::Registry) -> crate::jobs::Registry {
    registry.with(DeadlinesJob)
}
