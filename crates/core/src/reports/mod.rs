//! Reports (read model over every area): the generated work summary (工作总结汇报) as DOCX and
//! PDF from an editable text template, and the evidence pack for the evaluation team. Both are
//! jobs with progress; their files are kept through `files` and offered on the job's page.
//!
//! Owns: `report_template`. Uses: indicators, files, jobs, audit; chuangye-docs to render.

pub mod evidence;
pub mod job;
pub mod repo;
pub mod summary;
pub mod template;

pub use job::{register, start_evidence, start_summary};

use crate::audit::{self, Entry};
use crate::db::{new_id, now};
use crate::org::{Actor, Permission};
use crate::{Core, Result};

/// What every report starts with: the actor may read figures, the period parses, the region
/// is in scope; a connection, the region's name and the period.
pub(crate) async fn open(
    core: &Core,
    actor: &Actor,
    region: &str,
    period: &str,
) -> Result<(crate::db::Conn, String, crate::indicators::Period)> {
    actor.require(Permission::IndicatorView)?;
    let period = crate::indicators::Period::parse(period)
        .ok_or_else(|| crate::Error::field("period", "report.period_invalid"))?;
    if !actor.scope.contains(region) {
        return Err(crate::Error::NotFound);
    }
    let mut c = core.db.pool().acquire().await?;
    let name = crate::org::repo::region_get(&mut c, &actor.scope, region)
        .await?
        .ok_or(crate::Error::NotFound)?
        .name;
    Ok((c, name, period))
}

/// The template text that applies to the actor's region, and whether it is the built-in one.
pub async fn template_text(core: &Core, region: &str) -> Result<(String, bool)> {
    let mut c = core.db.pool().acquire().await?;
    Ok(match repo::applying(&mut c, region).await? {
        Some(s) => (s.body, false),
        None => (template::DEFAULT.to_string(), true),
    })
}

/// The checked template for a region's report.
pub async fn template_for(core: &Core, region: &str) -> Result<template::Template> {
    let (body, _) = template_text(core, region).await?;
    let mut c = core.db.pool().acquire().await?;
    let catalogue = crate::indicators::repo::catalogue(&mut c).await?;
    template::parse(&body, &catalogue)
}

/// Saves a new version of the actor's region's template, refusing one that does not parse
/// (an unknown placeholder, an unclosed brace); audited.
pub async fn save_template(core: &Core, actor: &Actor, body: &str) -> Result<()> {
    actor.require(Permission::ReportTemplate)?;
    let body = body.replace("\r\n", "\n");
    {
        let mut c = core.db.pool().acquire().await?;
        let catalogue = crate::indicators::repo::catalogue(&mut c).await?;
        template::parse(&body, &catalogue)?;
    }
    let saved = repo::Saved {
        id: new_id(),
        region_code: actor.region_code.clone(),
        body,
        created_at: now(),
    };
    let mut tx = core.db.begin().await?;
    repo::insert(&mut tx, &saved, actor.user_id.as_deref()).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("report.template_save", "report_template", &saved.id).after(
            serde_json::json!({"region": saved.region_code, "chars": saved.body.chars().count()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
