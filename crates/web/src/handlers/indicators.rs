//! The dashboard (统计看板): a region's figures for a year against the year before, a monthly
//! trend and its children ranked (SVG drawn here), each child a link one level down; the table
//! as xlsx.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuangye_core::indicators::{self, Dashboard};
use serde::Deserialize;

use crate::AppState;
use crate::charts;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Shell, render};

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    pub region: Option<String>,
    pub year: Option<String>,
    pub indicator: Option<String>,
}

#[derive(Template)]
#[template(path = "indicators/dashboard.html")]
pub struct DashboardPage {
    pub s: Shell,
    pub d: Dashboard,
    /// Each card's name in the user's language.
    pub names: Vec<String>,
    pub trend_svg: String,
    pub ranking_svg: String,
    /// Entrepreneurs by category: the chart, and (code, label, count) for the links below it.
    pub categories_svg: String,
    pub categories: Vec<(String, String, i64)>,
    pub years: Vec<i32>,
}

impl DashboardPage {
    pub fn as_of(&self, t: &Option<i64>) -> String {
        t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t + 8 * 3600).ok())
            .map(|d| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    d.year(),
                    u8::from(d.month()),
                    d.day(),
                    d.hour(),
                    d.minute()
                )
            })
            .unwrap_or_else(|| "—".into())
    }
    pub fn percent(&self, c: &Option<f64>) -> String {
        c.map(|c| format!("{c:.1}%")).unwrap_or_else(|| "—".into())
    }
    pub fn alert(&self, a: &chuangye_core::indicators::target::Alert) -> &'static str {
        match a {
            chuangye_core::indicators::target::Alert::Yellow => "yellow",
            chuangye_core::indicators::target::Alert::Red => "red",
        }
    }
    /// The ledger list behind a card's figure, if it has one.
    pub fn behind(&self, code: &str) -> Option<String> {
        indicators::service::rows_behind(code, &self.d.region_code, self.d.year)
    }
    /// The change on last year: per cent, or percentage points for a rate.
    pub fn change(&self, c: &indicators::service::Card) -> String {
        let unit = if c.indicator.is_rate() {
            self.s.t("indicator.points")
        } else {
            "%".into()
        };
        c.change
            .map(|v| format!("{v:+.1}{unit}"))
            .unwrap_or_else(|| "—".into())
    }
}

fn this_year() -> i32 {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).year()
}

/// An indicator's name in the user's language: the catalogue's own for indicators added as data.
pub(crate) fn name_of(ctx: &Ctx, code: &str, official: &str) -> String {
    let key = format!("indicator.name.{code}");
    let t = ctx.t(&key);
    if t == key { official.to_string() } else { t }
}

async fn load(st: &AppState, ctx: &Ctx, q: &DashboardQuery) -> AppResult<Dashboard> {
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => this_year(),
        Some(y) => y.parse().map_err(|_| {
            AppError::from(chuangye_core::Error::field(
                "year",
                "indicator.year_invalid",
            ))
        })?,
    };
    Ok(indicators::dashboard(
        &st.core,
        ctx.actor()?,
        q.region.as_deref(),
        year,
        q.indicator.as_deref(),
    )
    .await?)
}

pub async fn dashboard(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let d = load(&st, &ctx, &q).await?;
    let names: Vec<String> = d
        .cards
        .iter()
        .map(|c| name_of(&ctx, &c.indicator.code, &c.indicator.name))
        .collect();
    let selected_name = d
        .cards
        .iter()
        .zip(&names)
        .find(|(c, _)| c.indicator.code == d.selected)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let months: Vec<String> = (1..=12)
        .map(|m| {
            ctx.t("indicator.month_label")
                .replace("%{m}", &m.to_string())
        })
        .collect();
    // This year's line stops at the current month (the months to come are not zeros).
    let now = time::OffsetDateTime::now_utc() + time::Duration::hours(8);
    let shown = if d.year == now.year() {
        usize::from(u8::from(now.month()))
    } else {
        12
    };
    // Charts plot a rate in whole per cent (the cards and the table give the decimal).
    let selected_card = d.cards.iter().find(|c| c.indicator.code == d.selected);
    let plot = |v: &i64| {
        selected_card
            .map_or(Some(*v as f64), |c| c.indicator.number(*v))
            .map_or(0, |n| n.round() as i64)
    };
    let trend: Vec<i64> = d.trend[..shown.min(d.trend.len())]
        .iter()
        .map(plot)
        .collect();
    let trend_last_year: Vec<i64> = d.trend_last_year.iter().map(plot).collect();
    let ranking: Vec<(&str, i64)> = d
        .ranking()
        .into_iter()
        .map(|(n, v)| (n, plot(&v)))
        .collect();
    let this = d.year.to_string();
    let last = (d.year - 1).to_string();
    let trend_svg = charts::months(
        &format!("{selected_name} · {}", ctx.t("indicator.trend")),
        &months,
        &[
            (this.as_str(), "this-year", &trend),
            (last.as_str(), "last-year", &trend_last_year),
        ],
    );
    let ranking_svg = charts::bars(
        &format!("{selected_name} · {}", ctx.t("indicator.ranking")),
        &ranking,
    );
    let categories: Vec<(String, String, i64)> = d
        .categories
        .iter()
        .map(|(code, n)| (code.clone(), ctx.t(&format!("ledger.category.{code}")), *n))
        .collect();
    let bars: Vec<(&str, i64)> = categories.iter().map(|c| (c.1.as_str(), c.2)).collect();
    let categories_svg = charts::bars(&ctx.t("indicator.categories"), &bars);
    let s = Shell::new(&st, &ctx, "nav.dashboard").await?;
    let y = this_year();
    render(&DashboardPage {
        s,
        categories_svg,
        categories,
        names,
        trend_svg,
        ranking_svg,
        years: (y - 5..=y).rev().collect(),
        d,
    })
}

/// The dashboard's table (the children × the indicators) as xlsx.
pub async fn dashboard_export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let d = load(&st, &ctx, &q).await?;
    let names: Vec<String> = d
        .cards
        .iter()
        .map(|c| {
            format!(
                "{}（{}）",
                name_of(&ctx, &c.indicator.code, &c.indicator.name),
                c.indicator.unit
            )
        })
        .collect();
    let bytes = indicators::service::table_xlsx(&d, &ctx.t("indicator.region"), &names)?;
    Ok(super::ledger_sheets::xlsx_response(
        &format!("{}{}年指标.xlsx", d.region_name, d.year),
        bytes,
    ))
}
