//! The status page of a job, for the user who started it; it refreshes itself while running.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chuangye_core::jobs::{self, JobView};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Shell, render};

#[derive(Template)]
#[template(path = "admin/job.html")]
pub struct JobPage {
    pub s: Shell,
    pub job: JobView,
    pub running: bool,
    /// Named figures from the result (e.g. rows imported), translated.
    pub figures: Vec<(String, String)>,
    /// A file the job produced (e.g. an import's error report).
    pub report_file: Option<String>,
    /// Problems that stopped the job, in the user's language.
    pub problems: Vec<String>,
    /// Files the job made (generated reports, packs): (id, name).
    pub files: Vec<(String, String)>,
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let job = jobs::get(&st.core, ctx.actor()?, &id).await?;
    let running = job.status == "queued" || job.status == "running";
    let s = Shell::new(&st, &ctx, "job.title").await?;
    let parsed: serde_json::Value = job
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let mut figures = Vec::new();
    for key in ["imported", "unchanged", "refused", "elsewhere"] {
        if let Some(n) = parsed.get(key).and_then(|v| v.as_u64()) {
            figures.push((ctx.t(&format!("job.figure.{key}")), n.to_string()));
        }
    }
    if let Some(c) = parsed.get("committed").and_then(|v| v.as_bool()) {
        figures.push((
            ctx.t("job.figure.committed"),
            ctx.t(if c { "common.yes" } else { "common.no" }),
        ));
    }
    let report_file = parsed
        .get("report_file")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let problems = parsed
        .get("error")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let files = parsed
        .get("files")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    Some((
                        f.get("id")?.as_str()?.to_string(),
                        f.get("name")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    render(&JobPage {
        files,
        s,
        job,
        running,
        figures,
        report_file,
        problems,
    })
}
