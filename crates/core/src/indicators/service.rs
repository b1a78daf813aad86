//! The dashboard of a region: its figures for a year against the year before, one indicator's
//! monthly trend, and its children ranked — all within the actor's scope.

use serde::Serialize;

use super::model::{Indicator, Period};
use super::repo;
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// One figure card.
#[derive(Clone, Debug, Serialize)]
pub struct Card {
    pub indicator: Indicator,
    pub value: i64,
    pub last_year: i64,
    /// Per cent on the same period of last year.
    pub change: Option<f64>,
    /// When the figure last changed (unix seconds); none while it is zero.
    pub as_of: Option<i64>,
    /// The year's target, its completion (per cent) and whether the region is behind the pace.
    pub target: Option<i64>,
    pub completion: Option<f64>,
    pub alert: Option<super::target::Alert>,
}

/// A child region's figures, in the order of the cards.
#[derive(Clone, Debug, Serialize)]
pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub values: Vec<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub region_code: String,
    pub region_name: String,
    pub year: i32,
    pub cards: Vec<Card>,
    /// The indicator of the trend and the ranking.
    pub selected: String,
    pub trend: Vec<i64>,
    pub trend_last_year: Vec<i64>,
    pub children: Vec<ChildRow>,
    /// Entrepreneurs in the register by category code, largest first.
    pub categories: Vec<(String, i64)>,
}

impl Dashboard {
    /// The children by the selected indicator, largest first.
    pub fn ranking(&self) -> Vec<(&str, i64)> {
        let i = self
            .cards
            .iter()
            .position(|c| c.indicator.code == self.selected)
            .unwrap_or(0);
        let mut r: Vec<(&str, i64)> = self
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.values.get(i).copied().unwrap_or(0)))
            .collect();
        r.sort_by_key(|x| std::cmp::Reverse(x.1));
        r
    }
}

/// The dashboard of `region` (the actor's own by default) for `year`. A region outside the
/// actor's scope answers as if it did not exist.
pub async fn dashboard(
    core: &Core,
    actor: &Actor,
    region: Option<&str>,
    year: i32,
    indicator: Option<&str>,
) -> Result<Dashboard> {
    actor.require(Permission::IndicatorView)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::field("year", "indicator.year_invalid"));
    }
    let region = region
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&actor.region_code)
        .to_string();
    if !actor.scope.contains(&region) {
        return Err(Error::NotFound);
    }
    let mut c = core.db.pool().acquire().await?;
    let region_name = crate::org::repo::region_get(&mut c, &actor.scope, &region)
        .await?
        .ok_or(Error::NotFound)?
        .name;
    let catalogue = repo::catalogue(&mut c).await?;
    let period = Period::year(year);
    let now = repo::totals(&mut c, &catalogue, &region, &period).await?;
    let before = repo::totals(&mut c, &catalogue, &region, &period.year_before()).await?;
    let targets = super::target::targets_of(&mut c, std::slice::from_ref(&region), year).await?;
    // Derived figures always; entered ones once something was entered or targeted.
    let shown: Vec<Indicator> = catalogue
        .iter()
        .filter(|i| {
            i.is_derived()
                || now.contains_key(&i.code)
                || before.contains_key(&i.code)
                || targets.contains_key(&(region.clone(), i.code.clone()))
        })
        .cloned()
        .collect();
    let pace = super::target::expected_pace(year, crate::ledger::model::today());
    let cards: Vec<Card> = shown
        .into_iter()
        .map(|indicator| {
            let (value, as_of) = now.get(&indicator.code).copied().unwrap_or((0, 0));
            let last_year = before.get(&indicator.code).map_or(0, |v| v.0);
            let target = targets
                .get(&(region.clone(), indicator.code.clone()))
                .copied();
            let (completion, alert) = super::target::judge(value, target.unwrap_or(0), pace);
            Card {
                change: indicator.change(value, last_year),
                as_of: (as_of > 0).then_some(as_of),
                indicator,
                value,
                last_year,
                target,
                completion,
                alert,
            }
        })
        .collect();
    let selected = indicator
        .filter(|s| cards.iter().any(|c| c.indicator.code == *s))
        .or_else(|| cards.first().map(|c| c.indicator.code.as_str()))
        .unwrap_or_default()
        .to_string();
    let (trend, trend_last_year) = match cards.iter().find(|c| c.indicator.code == selected) {
        Some(card) => (
            repo::monthly(&mut c, &card.indicator, &region, year).await?,
            repo::monthly(&mut c, &card.indicator, &region, year - 1).await?,
        ),
        None => (vec![0; 12], vec![0; 12]),
    };
    let children = repo::children(&mut c, &catalogue, &region, &period)
        .await?
        .into_iter()
        .map(|(code, name, values)| ChildRow {
            values: cards
                .iter()
                .map(|card| values.get(&card.indicator.code).copied().unwrap_or(0))
                .collect(),
            code,
            name,
        })
        .collect();
    let categories = repo::categories(&mut c, &region).await?;
    Ok(Dashboard {
        categories,
        region_code: region,
        region_name,
        year,
        cards,
        selected,
        trend,
        trend_last_year,
        children,
    })
}

/// The dashboard's table — each child's figures, then the region's own — as xlsx, with the
/// column headers given (translated by the caller).
pub fn table_xlsx(d: &Dashboard, region_header: &str, names: &[String]) -> Result<Vec<u8>> {
    use chuangye_sheets::{Column, SheetSpec, XlsxWriter};
    let err = |e: chuangye_sheets::SheetError| Error::Other(anyhow::anyhow!("{e}"));
    let mut columns = vec![Column::new("region", region_header).width(20.0)];
    columns.extend(
        names
            .iter()
            .map(|n| Column::new("value", n.as_str()).width(16.0)),
    );
    let spec = SheetSpec::new(format!("{} {}", d.region_name, d.year), columns);
    let mut w = XlsxWriter::new(&spec).map_err(err)?;
    for row in &d.children {
        let mut cells = vec![row.name.clone()];
        cells.extend(
            row.values
                .iter()
                .zip(&d.cards)
                .map(|(v, c)| c.indicator.show(*v)),
        );
        w.push_row(&cells).map_err(err)?;
    }
    let mut total = vec![d.region_name.clone()];
    total.extend(d.cards.iter().map(|c| c.indicator.show(c.value)));
    w.push_row(&total).map_err(err)?;
    w.finish().map_err(err)
}

/// Where the rows behind a figure are listed: the ledger's own lists filtered to the region and
/// year for derived figures, the monthly entries for entered ones.
pub fn rows_behind(code: &str, region: &str, year: i32) -> Option<String> {
    // Codes are catalogue codes ([a-z_]), regions 12 digits: nothing to escape.
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let businesses = |kind: &str| {
        format!(
            "/ledger/businesses?region={region}{kind}&registered_from={from}&registered_to={to}&sort=registered"
        )
    };
    match code {
        "new_private_enterprises" => Some(businesses("&kind=private")),
        "new_individual_businesses" => Some(businesses("&kind=individual")),
        "new_cooperatives" => Some(businesses("&kind=coop")),
        "jobs_driven" => Some(businesses("")),
        "new_entrepreneurs" => Some(format!(
            "/ledger/persons?region={region}&created_from={from}&created_to={to}&sort=created"
        )),
        "visits_made" => Some(format!(
            "/ledger/visits?region={region}&from={from}&to={to}"
        )),
        "needs_closed" | "needs_closed_on_time" | "needs_on_time_rate" => Some(format!(
            "/ledger/needs/closed?region={region}&from={from}&to={to}"
        )),
        "consultations_answered"
        | "consultations_answered_on_time"
        | "consultations_on_time_rate" => Some(format!(
            "/consultations?queue=all&region={region}&from={from}&to={to}&state=answered"
        )),
        // Entered figures open the monthly entries of the region and below.
        _ => Some(format!(
            "/indicators/entries?indicator={code}&region={region}&year={year}"
        )),
    }
}
