//! Monthly data entry of entered indicators for the actor's region, and the approvals page of
//! the level above (approve, return with a reason, reopen for correction).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chuangye_core::indicators::entry::{self, Decision, EntryRow};
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, FormData, Shell, form_result, render, render_form, see_other};

/// One line of the entry form.
pub struct Line {
    pub code: String,
    /// The input's name, `value_<code>` (the field errors are keyed by it).
    pub field: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub state: String,
    pub due_on: String,
    pub locked: bool,
    pub reason: String,
    /// The saved entry's id, and its evidence files (id, name).
    pub entry_id: String,
    pub files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "indicators/entry.html")]
pub struct EntryPage {
    pub s: Shell,
    pub month: String,
    pub region_name: String,
    pub lines: Vec<Line>,
    pub errors: Errors,
    pub saved: bool,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    pub saved: Option<String>,
}

fn this_month() -> String {
    let d = chuangye_core::ledger::model::today();
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

use super::indicators::name_of;

async fn entry_page(
    st: &AppState,
    ctx: &Ctx,
    month: String,
    typed: Option<&FormData>,
    errors: Errors,
    saved: bool,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let rows = entry::entries_of(&st.core, a, &a.region_code, &month)
        .await
        .unwrap_or_default();
    let mut c = st.conn().await?;
    let entered = entry::entered_indicators(&mut c).await?;
    drop(c);
    let mut files = std::collections::HashMap::new();
    for r in &rows {
        let list = chuangye_core::files::list_for(&st.core, a, "indicator_entry", &r.id).await?;
        files.insert(
            r.id.clone(),
            list.into_iter()
                .map(|f| (f.id, f.original_name))
                .collect::<Vec<_>>(),
        );
    }
    let lines = entered
        .into_iter()
        .map(|(i, due_day)| {
            let row: Option<&EntryRow> = rows.iter().find(|r| r.indicator_code == i.code);
            let value = typed
                .map(|f| f.get(&format!("value_{}", i.code)))
                .or_else(|| row.map(|r| r.value.to_string()))
                .unwrap_or_default();
            Line {
                name: name_of(ctx, &i.code, &i.name),
                unit: i.unit.clone(),
                value,
                state: row.map(|r| r.state.clone()).unwrap_or_default(),
                due_on: row.map(|r| r.due_on.clone()).unwrap_or_else(|| {
                    entry::due_on(&month, u8::try_from(due_day).unwrap_or(10))
                        .map(chuangye_core::ledger::model::fmt_date)
                        .unwrap_or_default()
                }),
                locked: row.is_some_and(|r| r.state == "approved"),
                reason: row.and_then(|r| r.reason.clone()).unwrap_or_default(),
                entry_id: row.map(|r| r.id.clone()).unwrap_or_default(),
                files: row
                    .and_then(|r| files.get(&r.id).cloned())
                    .unwrap_or_default(),
                field: format!("value_{}", i.code),
                code: i.code,
            }
        })
        .collect();
    let page = EntryPage {
        s: Shell::new(st, ctx, "nav.indicator_entry").await?,
        region_name: a.region_name.clone(),
        month,
        lines,
        saved,
        errors,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_form(&page, true)
    }
}

pub async fn entry_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let month = q
        .month
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(this_month);
    entry_page(&st, &ctx, month, None, Errors::default(), q.saved.is_some()).await
}

pub async fn entry_save(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let month = form.get("month");
    let values: Vec<(String, String)> = form
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("value_").map(|c| (c.to_string(), v.clone())))
        .collect();
    let result = entry::save(&st.core, a, &a.region_code, &month, &values).await;
    match form_result(ctx.lang, result)? {
        // Saved, so `month` passed the check (YYYY-MM).
        Ok(_) => Ok(see_other(&format!(
            "/indicators/entry?month={month}&saved=1"
        ))),
        Err(errors) => entry_page(&st, &ctx, month, Some(&form), errors, false).await,
    }
}

#[derive(Template)]
#[template(path = "indicators/approvals.html")]
pub struct ApprovalsPage {
    pub s: Shell,
    pub rows: Vec<(EntryRow, String)>,
    pub approved: Vec<(EntryRow, String)>,
}

pub async fn approvals(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let a = ctx.actor()?;
    let rows = entry::below(&st.core, a, "submitted").await?;
    let approved = entry::below(&st.core, a, "approved").await?;
    let mut c = st.conn().await?;
    let catalogue = chuangye_core::indicators::repo::catalogue(&mut c).await?;
    drop(c);
    let named = |rows: Vec<EntryRow>| -> Vec<(EntryRow, String)> {
        rows.into_iter()
            .map(|r| {
                let official = catalogue
                    .iter()
                    .find(|i| i.code == r.indicator_code)
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                let name = name_of(&ctx, &r.indicator_code, &official);
                (r, name)
            })
            .collect()
    };
    render(&ApprovalsPage {
        s: Shell::new(&st, &ctx, "nav.indicator_approvals").await?,
        rows: named(rows),
        approved: named(approved),
    })
}

async fn decide(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    d: Decision,
    form: &FormData,
) -> AppResult<Response> {
    match entry::decide(&st.core, ctx.actor()?, id, d, &form.get("reason")).await {
        Ok(()) => Ok(see_other("/indicators/approvals")),
        Err(chuangye_core::Error::Invalid(v)) => Err(AppError::Invalid(v)),
        Err(e) => Err(e.into()),
    }
}

pub async fn approve(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    decide(&st, &ctx, &id, Decision::Approve, &form).await
}

pub async fn send_back(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    decide(&st, &ctx, &id, Decision::Return, &form).await
}

pub async fn reopen(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    decide(&st, &ctx, &id, Decision::Reopen, &form).await
}

// ------------------------------------------------------------------ targets

/// One region's line of the targets form.
pub struct TargetLine {
    pub code: String,
    pub name: String,
    /// (input name, value) per indicator, in the columns' order.
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "indicators/targets.html")]
pub struct TargetsPage {
    pub s: Shell,
    pub year: i32,
    pub columns: Vec<String>,
    pub lines: Vec<TargetLine>,
    pub errors: Errors,
    pub saved: bool,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<String>,
    pub saved: Option<String>,
}

fn this_year() -> i32 {
    chuangye_core::ledger::model::today().year()
}

async fn targets_page(
    st: &AppState,
    ctx: &Ctx,
    year: i32,
    typed: Option<&FormData>,
    errors: Errors,
    saved: bool,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    // Rates take no yearly target (see `target::set`).
    let catalogue: Vec<_> = chuangye_core::indicators::repo::catalogue(&mut c)
        .await?
        .into_iter()
        .filter(|i| !i.is_rate())
        .collect();
    // The actor's own region, then the regions directly below it.
    let mut regions: Vec<(String, String)> = vec![(a.region_code.clone(), a.region_name.clone())];
    regions.extend(
        chuangye_core::org::repo::region_children(&mut c, &a.scope, &a.region_code, false)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name)),
    );
    let codes: Vec<String> = regions.iter().map(|r| r.0.clone()).collect();
    let targets = chuangye_core::indicators::target::targets_of(&mut c, &codes, year).await?;
    drop(c);
    let lines = regions
        .into_iter()
        .map(|(code, name)| TargetLine {
            cells: catalogue
                .iter()
                .map(|i| {
                    let field = format!("t_{code}_{}", i.code);
                    let value = typed.map(|f| f.get(&field)).unwrap_or_else(|| {
                        targets
                            .get(&(code.clone(), i.code.clone()))
                            .map(i64::to_string)
                            .unwrap_or_default()
                    });
                    (field, value)
                })
                .collect(),
            code,
            name,
        })
        .collect();
    let page = TargetsPage {
        s: Shell::new(st, ctx, "nav.indicator_targets").await?,
        year,
        columns: catalogue
            .iter()
            .map(|i| format!("{}（{}）", name_of(ctx, &i.code, &i.name), i.unit))
            .collect(),
        lines,
        errors,
        saved,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_form(&page, true)
    }
}

pub async fn targets_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = q
        .year
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or_else(this_year);
    targets_page(&st, &ctx, year, None, Errors::default(), q.saved.is_some()).await
}

pub async fn targets_save(
    State(st): State<AppState>,
    ctx: Ctx,
    form: FormData,
) -> AppResult<Response> {
    use chuangye_core::indicators::target::{self, TargetInput};
    let year: i32 = form.get("year").parse().unwrap_or(0);
    let inputs: Vec<TargetInput> = form
        .0
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix("t_")?;
            let (region, indicator) = rest.split_once('_')?;
            Some(TargetInput {
                region: region.to_string(),
                indicator: indicator.to_string(),
                value: v.clone(),
            })
        })
        .collect();
    let result = target::set(&st.core, ctx.actor()?, year, &inputs).await;
    match form_result(ctx.lang, result)? {
        Ok(_) => Ok(see_other(&format!(
            "/indicators/targets?year={year}&saved=1"
        ))),
        Err(errors) => targets_page(&st, &ctx, year, Some(&form), errors, false).await,
    }
}

#[derive(Deserialize, Default)]
pub struct AttachQuery {
    pub month: Option<String>,
}

/// Attaches an evidence file to one of the region's entries (multipart; the CSRF token travels
/// in the query string), then shows the month's form again.
pub async fn attach(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<AttachQuery>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let month = q
        .month
        .filter(|m| chuangye_core::indicators::Period::parse(m).is_some_and(|p| p.from == p.to))
        .unwrap_or_else(this_month);
    let result = match crate::pages::read_upload(mp, 20).await? {
        Some((name, bytes)) => entry::attach(&st.core, a, &id, &bytes, &name)
            .await
            .map(|_| ()),
        None => Err(chuangye_core::Error::field("file", "files.empty")),
    };
    match form_result(ctx.lang, result)? {
        Ok(()) => Ok(see_other(&format!("/indicators/entry?month={month}"))),
        Err(errors) => entry_page(&st, &ctx, month, None, errors, false).await,
    }
}

#[derive(Template)]
#[template(path = "indicators/entries.html")]
pub struct EntriesPage {
    pub s: Shell,
    pub name: String,
    pub region: String,
    pub year: i32,
    pub rows: Vec<EntryRow>,
}

#[derive(Deserialize, Default)]
pub struct EntriesQuery {
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub region: String,
    pub year: Option<i32>,
}

/// The monthly entries behind an entered figure: every region's value, state and timeliness.
pub async fn entries(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<EntriesQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let year = q.year.unwrap_or_else(this_year);
    let region = Some(q.region.trim().to_string())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| a.region_code.clone());
    let mut c = st.conn().await?;
    let indicator = entry::entered_indicators(&mut c)
        .await?
        .into_iter()
        .map(|(i, _)| i)
        .find(|i| q.indicator.is_empty() || i.code == q.indicator)
        .ok_or(AppError::NotFound)?;
    drop(c);
    let period = chuangye_core::indicators::Period::year(year);
    let rows = entry::entries_below(&st.core, a, &indicator.code, &region, &period).await?;
    render(&EntriesPage {
        s: Shell::new(&st, &ctx, "indicator.entries").await?,
        name: name_of(&ctx, &indicator.code, &indicator.name),
        region,
        year,
        rows,
    })
}
