//! Imports run as jobs (`ledger.import_persons`, `…_businesses`, `…_visits`), as the user who
//! started them, with progress visible on the job's page.

use std::marker::PhantomData;

use serde::Deserialize;

use super::{Businesses, ImportOptions, Kind, Mode, Persons, Register, Translate, Visits, import};
use crate::audit::{self, Entry};
use crate::db::new_id;
use crate::jobs::{JobCtx, JobHandler};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// The job that imports one register: payload `{file_id, mode, lang, membership_id}`.
pub struct ImportJob<R> {
    translate: Translate,
    register: PhantomData<fn() -> R>,
}

#[derive(Deserialize)]
struct ImportPayload {
    file_id: String,
    mode: Mode,
    lang: String,
    membership_id: Option<String>,
}

fn job_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Persons => "ledger.import_persons",
        Kind::Businesses => "ledger.import_businesses",
        Kind::Visits => "ledger.import_visits",
    }
}

fn kind_of<R: Register>() -> Kind {
    Kind::parse(R::NAME).expect("every register has a kind")
}

impl<R: Register> JobHandler for ImportJob<R> {
    fn kind(&self) -> &'static str {
        job_kind(kind_of::<R>())
    }

    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let p: ImportPayload = job.parse()?;
            let actor = job.actor(core, p.membership_id.as_deref()).await?;
            let (_, path) = crate::files::get(core, &actor, &p.file_id).await?;
            let bytes = tokio::fs::read(&path).await?;
            let opts = ImportOptions {
                mode: p.mode,
                lang: p.lang.clone(),
                translate: self.translate.clone(),
            };
            let outcome =
                import::<R, _, _>(core, &actor, &bytes, "upload", &opts, |d, t| async move {
                    let _ = job.progress(d as i64, t as i64, None).await;
                })
                .await;
            match outcome {
                Ok(o) => Ok(Some(serde_json::to_string(&o)?)),
                // A file that is not a register is the user's mistake: report it, don't retry.
                Err(Error::Invalid(v)) => Ok(Some(
                    serde_json::json!({ "error": v.iter().map(|f| (self.translate)(&p.lang, f)).collect::<Vec<_>>() })
                        .to_string(),
                )),
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        })
    }
}

fn handler<R: Register>(translate: &Translate) -> ImportJob<R> {
    ImportJob {
        translate: translate.clone(),
        register: PhantomData,
    }
}

/// The import job kinds, with the translator for their reports.
pub fn register(registry: crate::jobs::Registry, translate: Translate) -> crate::jobs::Registry {
    registry
        .with(handler::<Persons>(&translate))
        .with(handler::<Businesses>(&translate))
        .with(handler::<Visits>(&translate))
}

/// Stores an upload for an import and enqueues the job in the same transaction.
pub async fn start_import(
    core: &Core,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
    mode: Mode,
    lang: &str,
) -> Result<String> {
    actor.require(Permission::LedgerImport)?;
    let mut tx = core.db.begin().await?;
    let region = actor.region_code.clone();
    let meta = crate::files::store(
        core,
        &mut tx,
        actor,
        crate::files::Upload {
            bytes,
            original_name: file_name,
            owner_entity: "import",
            owner_id: &new_id(),
            region_code: &region,
            rules: &crate::files::FileRules::SPREADSHEETS,
        },
    )
    .await?;
    let spec = crate::jobs::JobSpec::new(
        job_kind(kind),
        serde_json::json!({ "file_id": meta.id, "mode": mode, "lang": lang, "membership_id": actor.membership_id }),
    )
    .for_actor(actor)
    .max_attempts(1);
    let id = crate::jobs::enqueue(&mut tx, spec).await?;
    let action = format!("{}.import_start", kind_of_entity(kind));
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(&action, "job", &id)
            .after(serde_json::json!({"file": meta.id, "name": file_name})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn kind_of_entity(kind: Kind) -> &'static str {
    match kind {
        Kind::Persons => Persons::ENTITY,
        Kind::Businesses => Businesses::ENTITY,
        Kind::Visits => Visits::ENTITY,
    }
}
