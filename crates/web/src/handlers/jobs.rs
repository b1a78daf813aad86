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
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let job = jobs::get(&st.core, ctx.actor()?, &id).await?;
    let running = job.status == "queued" || job.status == "running";
    let s = Shell::new(&st, &ctx, "job.title").await?;
    render(&JobPage { s, job, running })
}
