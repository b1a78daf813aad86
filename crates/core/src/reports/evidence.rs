//! The evidence pack (佐证材料) of one indicator for the evaluation team: the region's and each
//! child's figure with its source and period, every monthly entry below the region with its
//! state and attached files — as one xlsx, and a zip holding that xlsx and the attachments.

use std::io::Write;

use chuangye_sheets::{Column, SheetSpec, XlsxWriter};

use super::summary::period_label;
use crate::indicators::{Indicator, Period, repo};
use crate::org::{Actor, RegionScope};
use crate::{Core, Error, Result};

/// One attachment of an entry.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attachment {
    pub entry_id: String,
    pub file_id: String,
    pub original_name: String,
    pub sha: String,
}

/// An entry below the region, with its region's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EntryLine {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub month: String,
    pub value: i64,
    pub state: String,
    pub on_time: i64,
    pub entered_at: i64,
    pub decided_at: Option<i64>,
}

/// What the pack holds.
pub struct Pack {
    pub indicator: Indicator,
    pub region_name: String,
    pub period: Period,
    /// (region name, code, value), the region itself last.
    pub figures: Vec<(String, String, i64)>,
    pub entries: Vec<EntryLine>,
    pub attachments: Vec<Attachment>,
}

fn source_text(i: &Indicator) -> &'static str {
    match i.source.as_str() {
        "ledger" => "创业台账实时汇总（系统内可查看每条记录）",
        "portal" => "全民创业网群众咨询实时汇总（系统内可查看每条咨询）",
        "entered" => "各级按月填报，经上一级审核锁定",
        _ => "调查统计",
    }
}

fn state_text(s: &str) -> &'static str {
    match s {
        "approved" => "已审核",
        "returned" => "已退回",
        "reopened" => "已解锁修改",
        _ => "待审核",
    }
}

fn when(t: Option<i64>) -> String {
    t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|d| {
            let d = d.to_offset(time::macros::offset!(+8));
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                d.year(),
                u8::from(d.month()),
                d.day(),
                d.hour(),
                d.minute()
            )
        })
        .unwrap_or_default()
}

/// Where an attachment goes inside the zip.
pub fn zip_path(e: &EntryLine, a: &Attachment) -> String {
    let clean = |s: &str| crate::files::sanitize_name(s).replace(['/', '\\'], "_");
    format!(
        "附件/{}/{}/{}-{}",
        clean(&e.region_name),
        e.month,
        &a.file_id[a.file_id.len().saturating_sub(6)..],
        clean(&a.original_name)
    )
}

/// Gathers the pack of `indicator` for `region` over `period`, within the actor's scope.
pub async fn gather(
    core: &Core,
    actor: &Actor,
    region: &str,
    indicator: &str,
    period: &str,
) -> Result<Pack> {
    let (mut c, region_name, period) = super::open(core, actor, region, period).await?;
    let indicator = repo::catalogue(&mut c)
        .await?
        .into_iter()
        .find(|i| i.code == indicator)
        .ok_or_else(|| Error::field("indicator", "report.indicator_unknown"))?;
    let mut figures: Vec<(String, String, i64)> =
        repo::children(&mut c, std::slice::from_ref(&indicator), region, &period)
            .await?
            .into_iter()
            .map(|(code, name, v)| (name, code, *v.get(&indicator.code).unwrap_or(&0)))
            .collect();
    let own = repo::totals(&mut c, std::slice::from_ref(&indicator), region, &period).await?;
    figures.push((
        region_name.clone(),
        region.to_string(),
        own.get(&indicator.code).map_or(0, |v| v.0),
    ));
    let below = RegionScope::of(region);
    let entries: Vec<EntryLine> = sqlx::query_as(
        "SELECT e.id, e.region_code, r.name AS region_name, e.month, e.value, e.state, \
         CAST(e.on_time AS BIGINT) AS on_time, CAST(e.entered_at AS BIGINT) AS entered_at, \
         CAST(e.decided_at AS BIGINT) AS decided_at \
         FROM indicator_entry e JOIN region r ON r.code = e.region_code \
         WHERE e.indicator_code = $1 AND e.region_code BETWEEN $2 AND $3 AND e.month BETWEEN $4 AND $5 \
         ORDER BY e.region_code, e.month",
    )
    .bind(indicator.code.clone())
    .bind(below.lo.clone())
    .bind(below.hi.clone())
    .bind(period.from.clone())
    .bind(period.to.clone())
    .fetch_all(&mut *c)
    .await?;
    let attachments: Vec<Attachment> = sqlx::query_as(
        "SELECT e.id AS entry_id, f.id AS file_id, f.original_name, f.sha \
         FROM indicator_entry e JOIN file f ON f.owner_entity = 'indicator_entry' AND f.owner_id = e.id \
         WHERE e.indicator_code = $1 AND e.region_code BETWEEN $2 AND $3 AND e.month BETWEEN $4 AND $5 \
         ORDER BY e.region_code, e.month, f.created_at",
    )
    .bind(indicator.code.clone())
    .bind(below.lo)
    .bind(below.hi)
    .bind(period.from.clone())
    .bind(period.to.clone())
    .fetch_all(&mut *c)
    .await?;
    Ok(Pack {
        indicator,
        region_name,
        period,
        figures,
        entries,
        attachments,
    })
}

fn err(e: chuangye_sheets::SheetError) -> Error {
    Error::Other(anyhow::anyhow!("{e}"))
}

impl Pack {
    /// A file name stem: "兴华区2025年城镇新增就业佐证材料".
    pub fn stem(&self) -> String {
        format!(
            "{}{}{}佐证材料",
            self.region_name,
            period_label(&self.period),
            self.indicator.name
        )
    }

    /// The list: figures by region, then the entries with their attachments.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let i = &self.indicator;
        let spec = SheetSpec::new(
            self.stem(),
            vec![
                Column::new("region", "地区").width(22.0),
                Column::new("code", "区划代码").width(16.0),
                Column::new("period", "期间").width(16.0),
                Column::new("indicator", "指标").width(20.0),
                Column::new("value", "数值").width(12.0),
                Column::new("unit", "单位").width(8.0),
                Column::new("source", "来源").width(36.0),
                Column::new("state", "状态").width(12.0),
                Column::new("on_time", "按时报送").width(10.0),
                Column::new("entered", "填报时间").width(18.0),
                Column::new("decided", "审核时间").width(18.0),
                Column::new("files", "附件（压缩包内路径）").width(60.0),
            ],
        );
        let mut w = XlsxWriter::new(&spec).map_err(err)?;
        let label = period_label(&self.period);
        for (name, code, value) in &self.figures {
            w.push_row(&[
                name.clone(),
                code.clone(),
                label.clone(),
                i.name.clone(),
                i.show(*value),
                i.unit.clone(),
                source_text(i).to_string(),
                "汇总".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ])
            .map_err(err)?;
        }
        for e in &self.entries {
            let files: Vec<String> = self
                .attachments
                .iter()
                .filter(|a| a.entry_id == e.id)
                .map(|a| zip_path(e, a))
                .collect();
            w.push_row(&[
                e.region_name.clone(),
                e.region_code.clone(),
                e.month.clone(),
                i.name.clone(),
                e.value.to_string(),
                i.unit.clone(),
                "按月填报".to_string(),
                state_text(&e.state).to_string(),
                if e.on_time != 0 { "是" } else { "否" }.to_string(),
                when(Some(e.entered_at)),
                when(e.decided_at),
                files.join("\n"),
            ])
            .map_err(err)?;
        }
        w.finish().map_err(err)
    }

    /// The zip: the list and every attachment, read from the files store.
    pub fn zip(&self, core: &Core, list: &[u8]) -> Result<Vec<u8>> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let io = |e: zip::result::ZipError| Error::Other(anyhow::anyhow!("zip: {e}"));
        z.start_file(format!("{}.xlsx", self.stem()), opts)
            .map_err(io)?;
        z.write_all(list).map_err(|e| Error::Other(e.into()))?;
        let mut seen = std::collections::HashSet::new();
        for e in &self.entries {
            for a in self.attachments.iter().filter(|a| a.entry_id == e.id) {
                let path = zip_path(e, a);
                if !seen.insert(path.clone()) {
                    continue;
                }
                let bytes = std::fs::read(core.data_dir.join(crate::files::relative_path(&a.sha)))
                    .map_err(|e| Error::Other(anyhow::anyhow!("attachment {}: {e}", a.file_id)))?;
                z.start_file(path, opts).map_err(io)?;
                z.write_all(&bytes).map_err(|e| Error::Other(e.into()))?;
            }
        }
        Ok(z.finish().map_err(io)?.into_inner())
    }
}
