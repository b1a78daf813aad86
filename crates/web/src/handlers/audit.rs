//! The audit administrator's viewer: filters, keyset pages, CSV export, chain verification.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chuangye_core::audit::{self, AuditFilter, AuditRow};
use chuangye_core::jobs;
use serde::Deserialize;

use super::PAGE_SIZE;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Shell, render, see_other};

/// The viewer's query: dates as `YYYY-MM-DD` (China time).
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub before: Option<i64>,
}

fn day_start(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() - 8 * 3600)
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        let o = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        AuditFilter {
            username: o(&self.username),
            action: o(&self.action),
            entity: o(&self.entity),
            entity_id: o(&self.entity_id),
            from: day_start(&self.from),
            to: day_start(&self.to).map(|t| t + 86400),
            before_seq: self.before,
        }
    }

    /// The query string of this filter, for the next-page and export links.
    pub fn qs(&self) -> String {
        serde_urlencoded::to_string([
            ("username", &self.username),
            ("action", &self.action),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("from", &self.from),
            ("to", &self.to),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub s: Shell,
    pub q: AuditQuery,
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub next: Option<i64>,
    pub can_export: bool,
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let (rows, total) = audit::list(&st.core.db, &q.filter(), PAGE_SIZE).await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    render(&AuditPage {
        s: Shell::new(&st, &ctx, "nav.audit").await?,
        q,
        rows,
        total,
        next,
        can_export: a.can(chuangye_core::org::Permission::AuditExport),
    })
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Exports the filtered log as CSV (UTF-8 with BOM, so Excel reads the Chinese). The export
/// itself is audited.
pub async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut f = q.filter();
    let mut out =
        String::from("\u{feff}seq,time,username,ip,action,entity,entity_id,before,after,hash\n");
    loop {
        let (rows, _) = audit::list(&st.core.db, &f, 1000).await?;
        for r in &rows {
            let line = [
                r.seq.to_string(),
                ctx.lang.datetime(r.at),
                r.username.clone(),
                r.ip.clone(),
                r.action.clone(),
                r.entity.clone(),
                r.entity_id.clone(),
                r.before_json.clone().unwrap_or_default(),
                r.after_json.clone().unwrap_or_default(),
                r.hash.clone(),
            ]
            .iter()
            .map(|s| csv_field(s))
            .collect::<Vec<_>>()
            .join(",");
            out.push_str(&line);
            out.push('\n');
        }
        match rows.last() {
            Some(last) if rows.len() == 1000 => f.before_seq = Some(last.seq),
            _ => break,
        }
    }
    let mut tx = st
        .core
        .db
        .begin()
        .await
        .map_err(chuangye_core::Error::from)?;
    audit::record(
        &mut tx,
        st.core.crypto.chain(),
        a,
        audit::Entry::new("audit.export", "audit_log", "*").after(q.qs()),
    )
    .await?;
    tx.commit().await.map_err(chuangye_core::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"".to_string(),
            ),
        ],
        out,
    )
        .into_response())
}

/// Starts a verification of the whole chain as a job and shows its progress.
pub async fn verify(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut tx = st
        .core
        .db
        .begin()
        .await
        .map_err(chuangye_core::Error::from)?;
    let spec = jobs::AuditVerifyJob::spec(a);
    let id = jobs::enqueue(&mut tx, spec).await?;
    audit::record(
        &mut tx,
        st.core.crypto.chain(),
        a,
        audit::Entry::new("audit.verify", "job", &id),
    )
    .await?;
    tx.commit().await.map_err(chuangye_core::Error::from)?;
    Ok(see_other(&format!("/admin/jobs/{id}")))
}
