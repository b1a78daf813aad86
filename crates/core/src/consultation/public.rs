//! What citizens read: the published questions and answers of a region and below, one by its
//! address, and the monthly statistics every service point is measured by (received, answered,
//! answered on time).

use chuangye_search::Doc;

use super::model::{self, Consultation};
use super::repo;
use crate::org::RegionScope;
use crate::{Core, Error, Result};

/// Questions per public page.
pub const PAGE: i64 = 20;

/// A page of a region's published questions and answers, and how many there are.
pub async fn list(core: &Core, region: &str, page: i64) -> Result<(Vec<Consultation>, i64)> {
    let scope = RegionScope::of(region);
    let mut c = core.db.pool().acquire().await?;
    let offset = (page.max(1) - 1) * PAGE;
    let rows = repo::public_page(&mut c, &scope, offset, PAGE).await?;
    let total = repo::public_count(&mut c, &scope).await?;
    Ok((rows, total))
}

/// One published question and its answer.
pub async fn get(core: &Core, id: &str) -> Result<Consultation> {
    let mut c = core.db.pool().acquire().await?;
    repo::get(&mut c, id)
        .await?
        .filter(Consultation::is_public)
        .ok_or(Error::NotFound)
}

/// The search document of a published question.
pub fn doc_of(q: &Consultation) -> Doc {
    let mut body = q.question.clone();
    if let Some(a) = &q.answer {
        body.push('\n');
        body.push_str(a);
    }
    Doc {
        id: q.id.clone(),
        kind: "qa".into(),
        region_code: q.region_code.clone(),
        title: q.title(),
        body,
        published_at: q.answered_at.unwrap_or(q.updated_at),
        url: format!("/portal/qa/{}", q.id),
    }
}

/// One month's figures of a region and below.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
}

impl MonthStats {
    /// Answered on time as a share of answered, in tenths of a per cent; `None` over nothing.
    pub fn on_time_permille(&self) -> Option<i64> {
        (self.answered > 0).then(|| (self.on_time * 1000 + self.answered / 2) / self.answered)
    }
}

/// The last `months` months (this one included, newest first) of a region and below, counted
/// in China time: received by the month asked, answered and on time by the month answered.
pub async fn monthly_stats(core: &Core, region: &str, months: u32) -> Result<Vec<MonthStats>> {
    let today = crate::ledger::model::today();
    let mut out: Vec<MonthStats> = Vec::new();
    let (mut y, mut m) = (today.year(), u8::from(today.month()));
    for _ in 0..months.max(1) {
        out.push(MonthStats {
            month: format!("{y:04}-{m:02}"),
            ..Default::default()
        });
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    let first = out
        .last()
        .map(|s| format!("{}-01", s.month))
        .unwrap_or_default();
    let from = crate::ledger::model::parse_date(&first)
        .map(|d| {
            d.midnight()
                .assume_offset(time::macros::offset!(+8))
                .unix_timestamp()
        })
        .unwrap_or(0);
    let mut c = core.db.pool().acquire().await?;
    let rows = repo::since(&mut c, &RegionScope::of(region), from).await?;
    let month_of = |t: i64| {
        let d = model::china_date(t);
        format!("{:04}-{:02}", d.year(), u8::from(d.month()))
    };
    for (asked_at, answered_at, due_on, state) in rows {
        if let Some(s) = out.iter_mut().find(|s| s.month == month_of(asked_at)) {
            s.received += 1;
        }
        let Some(at) = answered_at.filter(|_| state == model::state::ANSWERED) else {
            continue;
        };
        if let Some(s) = out.iter_mut().find(|s| s.month == month_of(at)) {
            s.answered += 1;
            if crate::ledger::model::fmt_date(model::china_date(at)) <= due_on {
                s.on_time += 1;
            }
        }
    }
    Ok(out)
}

/// The regions a question may be sent to — the deployment's, in force — in tree order:
/// (code, name, level).
pub async fn regions(core: &Core) -> Result<Vec<(String, String, i64)>> {
    let Some(root) = crate::org::service::root_region(core).await? else {
        return Ok(Vec::new());
    };
    let scope = RegionScope::of(&root);
    let mut c = core.db.pool().acquire().await?;
    Ok(sqlx::query_as(
        "SELECT code, name, CAST(level AS BIGINT) FROM region WHERE code BETWEEN $1 AND $2 AND valid_to IS NULL \
         ORDER BY code LIMIT 5000",
    )
    .bind(scope.lo)
    .bind(scope.hi)
    .fetch_all(&mut *c)
    .await?)
}
