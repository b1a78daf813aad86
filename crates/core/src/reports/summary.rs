//! The work summary (工作总结汇报) of a region for a year, quarter or month: its figures are
//! gathered from the kept indicator values (no ledger scan), then poured into the template to
//! make a [`Document`] that renders as DOCX and PDF.

use std::collections::HashMap;

use chuangye_docs::chart::format_value;
use chuangye_docs::{BarChart, Block, Document, Table};

use super::template::{Facet, Line, Piece, Slot, Template};
use crate::indicators::model::change_percent;
use crate::indicators::{Indicator, Period, repo, target};
use crate::org::Actor;
use crate::{Core, Result};

/// One indicator's figures for the report's region.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    pub value: i64,
    pub last_year: i64,
    pub target: Option<i64>,
}

/// Everything a report says, gathered once.
#[derive(Clone, Debug)]
pub struct Figures {
    pub region_code: String,
    pub region_name: String,
    pub period: Period,
    pub year: i32,
    pub today: time::Date,
    pub catalogue: Vec<Indicator>,
    pub figures: HashMap<String, Figure>,
    /// Each child region's name and totals.
    pub children: Vec<(String, HashMap<String, i64>)>,
    /// Entrepreneurs in the register by category code, largest first.
    pub categories: Vec<(String, i64)>,
}

/// The period as people write it: "2025年", "2025年第二季度", "2025年4月".
pub fn period_label(p: &Period) -> String {
    let (y, m1) = (&p.from[..4], p.from[5..7].parse::<u8>().unwrap_or(1));
    let m2 = p.to[5..7].parse::<u8>().unwrap_or(12);
    match (m1, m2) {
        (1, 12) => format!("{y}年"),
        (a, b) if a == b => format!("{y}年{a}月"),
        (a, _) => {
            let q = ["一", "二", "三", "四"][usize::from((a - 1) / 3).min(3)];
            format!("{y}年第{q}季度")
        }
    }
}

fn date_label(d: time::Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// "2025年12月底" for a period that is over, today's date while it runs.
fn as_of_label(p: &Period, today: time::Date) -> String {
    let this_month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    if p.to < this_month {
        format!("{}年{}月底", &p.to[..4], p.to[5..7].trim_start_matches('0'))
    } else {
        date_label(today)
    }
}

/// What the children of a region are called.
fn child_kind(region: &str) -> &'static str {
    match crate::org::level_of(region) {
        Some(1) => "市（州）",
        Some(2) => "县（市、区）",
        Some(3) => "街道（乡镇）",
        _ => "社区（村）",
    }
}

/// Gathers a region's figures for a period, within the actor's scope.
pub async fn gather(core: &Core, actor: &Actor, region: &str, period: &str) -> Result<Figures> {
    let (mut c, region_name, period) = super::open(core, actor, region, period).await?;
    let year: i32 = period.from[..4].parse().unwrap_or(2000);
    let catalogue = repo::catalogue(&mut c).await?;
    let now = repo::totals(&mut c, &catalogue, region, &period).await?;
    let before = repo::totals(&mut c, &catalogue, region, &period.year_before()).await?;
    let targets = target::targets_of(&mut c, &[region.to_string()], year).await?;
    let figures = catalogue
        .iter()
        .map(|i| {
            let f = Figure {
                value: now.get(&i.code).map_or(0, |v| v.0),
                last_year: before.get(&i.code).map_or(0, |v| v.0),
                target: targets.get(&(region.to_string(), i.code.clone())).copied(),
            };
            (i.code.clone(), f)
        })
        .collect();
    let children = repo::children(&mut c, &catalogue, region, &period)
        .await?
        .into_iter()
        .map(|(_, name, values)| (name, values))
        .collect();
    let categories = repo::categories(&mut c, region).await?;
    Ok(Figures {
        categories,
        region_code: region.to_string(),
        region_name,
        period,
        year,
        today: crate::ledger::model::today(),
        catalogue,
        figures,
        children,
    })
}

impl Figures {
    fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.catalogue.iter().find(|i| i.code == code)
    }

    fn figure(&self, code: &str) -> Figure {
        self.figures.get(code).cloned().unwrap_or_default()
    }

    /// A figure as written in the text: grouped digits, a rate with one decimal and "%".
    fn written(&self, code: &str, v: i64) -> String {
        match self.indicator(code) {
            Some(i) if i.is_rate() => i.number(v).map_or("—".into(), |n| format!("{n:.1}%")),
            _ => format_value(v as f64),
        }
    }

    /// A figure as a chart's bar (a rate in per cent, none as zero).
    fn plotted(&self, code: &str, v: i64) -> f64 {
        self.indicator(code)
            .map_or(Some(v as f64), |i| i.number(v))
            .unwrap_or(0.0)
    }

    fn change_text(&self, code: &str, f: &Figure) -> String {
        let rate = self.indicator(code).is_some_and(Indicator::is_rate);
        let change = match self.indicator(code) {
            Some(i) => i.change(f.value, f.last_year),
            None => change_percent(f.value, f.last_year),
        };
        let unit = if rate { "个百分点" } else { "%" };
        match change {
            None => "—".into(),
            Some(p) if p > 0.0 => format!("{}{p:.1}{unit}", if rate { "提高" } else { "增长" }),
            Some(p) if p < 0.0 => format!("下降{:.1}{unit}", -p),
            Some(_) => "持平".into(),
        }
    }

    /// The text a placeholder stands for.
    pub fn text_of(&self, slot: &Slot) -> String {
        match slot {
            Slot::Region => self.region_name.clone(),
            Slot::Period => period_label(&self.period),
            Slot::Year => self.year.to_string(),
            Slot::AsOf => as_of_label(&self.period, self.today),
            Slot::Today => date_label(self.today),
            Slot::ChildCount => self.children.len().to_string(),
            Slot::ChildKind => child_kind(&self.region_code).to_string(),
            Slot::Figure(code, facet) => {
                let f = self.figure(code);
                match facet {
                    Facet::Value => self.written(code, f.value),
                    Facet::LastYear => self.written(code, f.last_year),
                    Facet::Target => f.target.map_or("—".into(), |t| format_value(t as f64)),
                    Facet::Completion => target::judge(f.value, f.target.unwrap_or(0), 1.0)
                        .0
                        .map_or("—".into(), |p| format!("{p:.1}%")),
                    Facet::Change => self.change_text(code, &f),
                }
            }
        }
    }

    fn fill(&self, pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Slot(s) => self.text_of(s),
            })
            .collect()
    }

    fn table(&self, codes: &[String], n: usize) -> Table {
        let mut head = vec!["地区".to_string()];
        head.extend(codes.iter().map(|c| match self.indicator(c) {
            Some(i) => format!("{}（{}）", i.name, i.unit),
            None => c.clone(),
        }));
        let mut rows: Vec<Vec<String>> = self
            .children
            .iter()
            .map(|(name, values)| {
                let mut r = vec![name.clone()];
                r.extend(
                    codes
                        .iter()
                        .map(|c| self.written(c, *values.get(c).unwrap_or(&0))),
                );
                r
            })
            .collect();
        let mut total = vec![if self.children.is_empty() {
            self.region_name.clone()
        } else {
            "合计".to_string()
        }];
        total.extend(codes.iter().map(|c| self.written(c, self.figure(c).value)));
        rows.push(total);
        Table {
            caption: format!(
                "表{n}　{}{}主要指标",
                self.region_name,
                period_label(&self.period)
            ),
            head,
            rows,
        }
    }

    fn chart(&self, code: &str, n: usize) -> BarChart {
        let (name, unit) = self
            .indicator(code)
            .map_or((code.to_string(), String::new()), |i| {
                (i.name.clone(), i.unit.clone())
            });
        let mut bars: Vec<(String, f64)> = self
            .children
            .iter()
            .map(|(child, values)| {
                let v = *values.get(code).unwrap_or(&0);
                (child.clone(), self.plotted(code, v))
            })
            .collect();
        bars.sort_by(|a, b| b.1.total_cmp(&a.1));
        BarChart {
            title: format!("图{n}　各{}{}", child_kind(&self.region_code), name),
            bars,
            unit,
        }
    }

    fn categories_chart(&self, n: usize) -> BarChart {
        let label = |code: &str| {
            crate::ledger::model::CATEGORY
                .iter()
                .find(|c| c.0 == code)
                .map_or(code.to_string(), |c| c.1.to_string())
        };
        BarChart {
            title: format!("图{n}　在册创业人员（按类别）"),
            bars: self
                .categories
                .iter()
                .map(|(code, v)| (label(code), *v as f64))
                .collect(),
            unit: "人".into(),
        }
    }

    /// The report: the template filled with these figures.
    pub fn document(&self, t: &Template) -> Document {
        let (mut tables, mut charts) = (0, 0);
        let mut blocks = Vec::new();
        for line in &t.lines {
            match line {
                Line::Heading(p) => blocks.push(Block::Heading(self.fill(p))),
                Line::Paragraph(p) => blocks.push(Block::Paragraph(self.fill(p))),
                Line::Table(codes) => {
                    tables += 1;
                    blocks.push(Block::Table(self.table(codes, tables)));
                }
                // A region without children has nothing to rank.
                Line::Chart(code) if !self.children.is_empty() => {
                    charts += 1;
                    blocks.push(Block::Chart(self.chart(code, charts)));
                }
                Line::Chart(_) => {}
                Line::Categories if !self.categories.is_empty() => {
                    charts += 1;
                    blocks.push(Block::Chart(self.categories_chart(charts)));
                }
                Line::Categories => {}
            }
        }
        Document {
            title: self.fill(&t.title),
            subtitle: Some(format!(
                "（数据截至{}）",
                as_of_label(&self.period, self.today)
            )),
            lang: "zh-CN".into(),
            blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_read_as_people_write_them() {
        assert_eq!(period_label(&Period::parse("2025").unwrap()), "2025年");
        assert_eq!(
            period_label(&Period::parse("2025-Q2").unwrap()),
            "2025年第二季度"
        );
        assert_eq!(
            period_label(&Period::parse("2025-04").unwrap()),
            "2025年4月"
        );
    }

    #[test]
    fn a_period_that_is_over_ends_at_its_last_month() {
        let p = Period::parse("2025").unwrap();
        assert_eq!(as_of_label(&p, date!(2026 - 03 - 02)), "2025年12月底");
        assert_eq!(as_of_label(&p, date!(2025 - 11 - 26)), "2025年11月26日");
    }

    #[test]
    fn children_are_named_by_level() {
        assert_eq!(child_kind("411000000000"), "县（市、区）");
        assert_eq!(child_kind("411002000000"), "街道（乡镇）");
        assert_eq!(child_kind("411002001000"), "社区（村）");
    }
}
