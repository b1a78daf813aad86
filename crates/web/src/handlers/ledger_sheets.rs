//! Excel in and out for the ledger: the templates and imports of the person, business and visit
//! registers (one page and one job shape for all three), and the exports of the filtered lists.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuangye_core::ledger::import::{self, Kind, Mode};
use chuangye_core::ledger::repo::{BusinessFilter, PersonFilter};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, Shell, form_result, render, render_form, see_other};

/// An xlsx download.
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                chuangye_core::files::content_disposition(name),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// What the pages say about each register: its list (for the way back), its name.
struct About {
    list: &'static str,
    list_key: &'static str,
    title_key: &'static str,
    hint_key: &'static str,
    template_name: &'static str,
}

fn about(kind: Kind) -> About {
    match kind {
        Kind::Persons => About {
            list: "/ledger/persons",
            list_key: "nav.persons",
            title_key: "ledger.import.title",
            hint_key: "ledger.import.hint",
            template_name: "创业人员台账导入模板.xlsx",
        },
        Kind::Businesses => About {
            list: "/ledger/businesses",
            list_key: "nav.businesses",
            title_key: "ledger.import.title_businesses",
            hint_key: "ledger.import.hint_businesses",
            template_name: "创业实体台账导入模板.xlsx",
        },
        Kind::Visits => About {
            list: "/ledger/persons",
            list_key: "nav.persons",
            title_key: "ledger.import.title_visits",
            hint_key: "ledger.import.hint_visits",
            template_name: "走访台账导入模板.xlsx",
        },
    }
}

async fn template(st: &AppState, kind: Kind) -> AppResult<Response> {
    let bytes = kind.template(&st.core).await?;
    Ok(xlsx_response(about(kind).template_name, bytes))
}

/// The blank registers to fill in, with notes and drop-down lists.
pub async fn person_template(State(st): State<AppState>) -> AppResult<Response> {
    template(&st, Kind::Persons).await
}

pub async fn business_template(State(st): State<AppState>) -> AppResult<Response> {
    template(&st, Kind::Businesses).await
}

pub async fn visit_template(State(st): State<AppState>) -> AppResult<Response> {
    template(&st, Kind::Visits).await
}

/// The filtered lists as xlsx (masked unless the actor may unmask; audited).
pub async fn person_export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(f): Query<PersonFilter>,
) -> AppResult<Response> {
    let bytes = import::export_persons(&st.core, ctx.actor()?, &f).await?;
    Ok(xlsx_response("创业人员台账.xlsx", bytes))
}

pub async fn business_export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(f): Query<BusinessFilter>,
) -> AppResult<Response> {
    let bytes = import::export_businesses(&st.core, ctx.actor()?, &f).await?;
    Ok(xlsx_response("创业实体台账.xlsx", bytes))
}

#[derive(Template)]
#[template(path = "ledger/import.html")]
pub struct ImportPage {
    pub s: Shell,
    pub errors: Errors,
    /// `persons`, `businesses` or `visits`: the paths of the template and the form.
    pub kind: &'static str,
    pub hint_key: &'static str,
}

async fn import_shell(st: &AppState, ctx: &Ctx, kind: Kind) -> AppResult<Shell> {
    let a = about(kind);
    Ok(Shell::new(st, ctx, a.title_key)
        .await?
        .crumb(a.list, ctx.t(a.list_key))
        .crumb("", ctx.t(a.title_key)))
}

async fn import_page(st: &AppState, ctx: &Ctx, kind: Kind, errors: Errors) -> AppResult<Response> {
    let page = ImportPage {
        s: import_shell(st, ctx, kind).await?,
        errors,
        kind: kind.as_str(),
        hint_key: about(kind).hint_key,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_form(&page, true)
    }
}

pub async fn person_import_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    import_page(&st, &ctx, Kind::Persons, Errors::default()).await
}

pub async fn business_import_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    import_page(&st, &ctx, Kind::Businesses, Errors::default()).await
}

pub async fn visit_import_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    import_page(&st, &ctx, Kind::Visits, Errors::default()).await
}

/// Takes the upload (multipart; the CSRF token travels in the query string) and starts the job.
async fn import_start(
    st: &AppState,
    ctx: &Ctx,
    kind: Kind,
    mut mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let a = ctx.actor()?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut mode = Mode::AllOrNothing;
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::Invalid(vec![
                        chuangye_core::FieldError::new("file", "files.too_large").arg("max_mb", 30),
                    ])
                })?;
                file = Some((name, bytes.to_vec()));
            }
            Some("mode") => {
                let valid_only = field.text().await.unwrap_or_default() == "valid_only";
                mode = if valid_only {
                    Mode::ValidOnly
                } else {
                    Mode::AllOrNothing
                };
            }
            _ => {}
        }
    }
    let result = match file.filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) => {
            import::start_import(&st.core, a, kind, &bytes, &name, mode, ctx.lang.locale()).await
        }
        None => Err(chuangye_core::Error::field("file", "files.empty")),
    };
    match form_result(ctx.lang, result)? {
        Ok(job) => Ok(see_other(&format!("/admin/jobs/{job}"))),
        Err(errors) => import_page(st, ctx, kind, errors).await,
    }
}

pub async fn person_import(
    State(st): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    import_start(&st, &ctx, Kind::Persons, mp).await
}

pub async fn business_import(
    State(st): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    import_start(&st, &ctx, Kind::Businesses, mp).await
}

pub async fn visit_import(
    State(st): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    import_start(&st, &ctx, Kind::Visits, mp).await
}
