//! What citizens read: the published questions and answers of a region and below, one by its
//! address, and the monthly statistics every service point is measured by (received, answered,
//! answered on time).

use chuangye_search::Doc;

use super::model::Consultation;
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
/// in China time: received by the month asked (one counting pass in the database), answered
/// and on time by the month answered (the counts the triggers keep for the indicator, so the
/// page and the dashboard always agree).
pub async fn monthly_stats(core: &Core, region: &str, months: u32) -> Result<Vec<MonthStats>> {
    let today = crate::ledger::model::today();
    let mut firsts: Vec<time::Date> = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..months.max(1) {
        firsts.push(time::Date::from_calendar_date(y, m, 1).unwrap_or(today));
        (y, m) = if m == time::Month::January {
            (y - 1, time::Month::December)
        } else {
            (y, m.previous())
        };
    }
    let next_month = {
        let (y, m) = (today.year(), today.month());
        let (y, m) = if m == time::Month::December {
            (y + 1, time::Month::January)
        } else {
            (y, m.next())
        };
        time::Date::from_calendar_date(y, m, 1).unwrap_or(today)
    };
    let start = |d: time::Date| {
        d.midnight()
            .assume_offset(time::macros::offset!(+8))
            .unix_timestamp()
    };
    // Oldest first: [first month, …, this month, next month).
    let mut bounds: Vec<i64> = firsts.iter().rev().map(|d| start(*d)).collect();
    bounds.push(start(next_month));
    let month_of = |d: &time::Date| format!("{:04}-{:02}", d.year(), u8::from(d.month()));
    let window = (month_of(firsts.last().unwrap_or(&today)), month_of(&today));
    let mut c = core.db.pool().acquire().await?;
    let received = repo::asked_in(&mut c, &RegionScope::of(region), &bounds).await?;
    let window = (window.0.as_str(), window.1.as_str());
    let answered = repo::kept_months(&mut c, "consultations_answered", region, window).await?;
    let on_time =
        repo::kept_months(&mut c, "consultations_answered_on_time", region, window).await?;
    let kept = |rows: &[(String, i64)], month: &str| {
        rows.iter()
            .filter(|(m, _)| m == month)
            .map(|(_, v)| *v)
            .sum::<i64>()
    };
    Ok(firsts
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let month = month_of(d);
            MonthStats {
                received: received.get(firsts.len() - 1 - k).copied().unwrap_or(0),
                answered: kept(&answered, &month),
                on_time: kept(&on_time, &month),
                month,
            }
        })
        .collect())
}
