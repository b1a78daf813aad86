//! The back office's home page: who I am, where I act, what I can open.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuangye_core::org::repo;
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::{Shell, render};

#[derive(Template)]
#[template(path = "admin/home.html")]
pub struct HomePage {
    pub s: Shell,
    pub region_code: String,
    pub regions_below: i64,
    pub permissions: Vec<String>,
    /// Citizens' questions waiting at the actor's service point, for those who answer them.
    pub consultations: Option<chuangye_core::consultation::repo::Waiting>,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    pub notice: String,
}

pub async fn home(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HomeQuery>,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut c = st.conn().await?;
    let regions_below = repo::region_count(&mut c, &a.scope).await?;
    let mut s = Shell::new(&st, &ctx, "home.title").await?;
    if q.notice == "password_changed" {
        s.notice = Some(ctx.t("password.changed"));
    }
    let permissions = a
        .permissions
        .iter()
        .map(|p| ctx.t(&format!("perm.{}", p.as_str())))
        .collect();
    let consultations = if a.can(chuangye_core::org::Permission::ConsultationReply) {
        Some(chuangye_core::consultation::service::waiting(&st.core, a).await?)
    } else {
        None
    };
    render(&HomePage {
        s,
        consultations,
        region_code: a.region_code.clone(),
        regions_below,
        permissions,
    })
}
