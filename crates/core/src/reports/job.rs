//! Reports run as jobs, as the user who asked, with progress on the job's page:
//! `reports.summary` renders the work summary as DOCX and PDF, `reports.evidence` builds an
//! indicator's evidence pack as xlsx and zip. Their files are kept with `files`, owned by the
//! job, in the report's region; the job's result lists them.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::{evidence, summary};
use crate::audit::{self, Entry};
use crate::files::{self, FileRules, Upload};
use crate::jobs::{JobCtx, JobHandler, JobSpec};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

pub const SUMMARY: &str = "reports.summary";
pub const EVIDENCE: &str = "reports.evidence";

#[derive(Serialize, Deserialize)]
struct Payload {
    region: String,
    period: String,
    #[serde(default)]
    indicator: Option<String>,
    membership_id: Option<String>,
}

/// A file a job produced, as listed in its result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Produced {
    pub id: String,
    pub name: String,
}

/// Checks the request before queueing, so that a bad period or region is answered at its
/// field at once rather than as a failed job.
async fn start(core: &Core, actor: &Actor, kind: &str, payload: Payload) -> Result<String> {
    actor.require(Permission::IndicatorView)?;
    if crate::indicators::Period::parse(&payload.period).is_none() {
        return Err(Error::field("period", "report.period_invalid"));
    }
    if !actor.scope.contains(&payload.region) {
        return Err(Error::NotFound);
    }
    let mut tx = core.db.begin().await?;
    let spec = JobSpec::new(
        kind,
        serde_json::to_value(&payload).map_err(anyhow::Error::from)?,
    )
    .for_actor(actor)
    .max_attempts(2);
    let id = crate::jobs::enqueue(&mut tx, spec).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(&format!("{kind}_start"), "job", &id).after(&payload),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues the work summary of `region` for `period` ("2025", "2025-Q3").
pub async fn start_summary(
    core: &Core,
    actor: &Actor,
    region: &str,
    period: &str,
) -> Result<String> {
    // A template that no longer parses (an indicator was retired) is reported now.
    super::template_for(core, region).await?;
    let payload = Payload {
        region: region.trim().to_string(),
        period: period.trim().to_string(),
        indicator: None,
        membership_id: actor.membership_id.clone(),
    };
    start(core, actor, SUMMARY, payload).await
}

/// Queues the evidence pack of one indicator.
pub async fn start_evidence(
    core: &Core,
    actor: &Actor,
    region: &str,
    indicator: &str,
    period: &str,
) -> Result<String> {
    let mut c = core.db.pool().acquire().await?;
    if !crate::indicators::repo::catalogue(&mut c)
        .await?
        .iter()
        .any(|i| i.code == indicator)
    {
        return Err(Error::field("indicator", "report.indicator_unknown"));
    }
    drop(c);
    let payload = Payload {
        region: region.trim().to_string(),
        period: period.trim().to_string(),
        indicator: Some(indicator.to_string()),
        membership_id: actor.membership_id.clone(),
    };
    start(core, actor, EVIDENCE, payload).await
}

/// Keeps the produced files in one transaction and lists them.
async fn keep(
    core: &Core,
    actor: &Actor,
    job: &JobCtx,
    region: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<String> {
    let mut tx = core.db.begin().await?;
    let mut out = Vec::new();
    for (name, bytes) in &files {
        let meta = files::store_generated(
            core,
            &mut tx,
            actor,
            Upload {
                bytes,
                original_name: name,
                owner_entity: "job",
                owner_id: &job.id,
                region_code: region,
                rules: &FileRules::GENERATED,
            },
        )
        .await?;
        out.push(Produced {
            id: meta.id,
            name: meta.original_name,
        });
    }
    tx.commit().await?;
    Ok(serde_json::json!({ "files": out }).to_string())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Other(anyhow::anyhow!("renderer stopped: {e}")))?
}

fn render_err(e: chuangye_docs::Error) -> Error {
    Error::Other(anyhow::anyhow!("{e}"))
}

/// The summary of a region as a document, and the file name stem for it.
pub async fn summary_document(
    core: &Core,
    actor: &Actor,
    region: &str,
    period: &str,
) -> Result<(String, chuangye_docs::Document)> {
    let figures = summary::gather(core, actor, region, period).await?;
    let template = super::template_for(core, region).await?;
    let stem = format!(
        "{}{}工作总结汇报",
        figures.region_name,
        summary::period_label(&figures.period)
    );
    Ok((stem, figures.document(&template)))
}

/// Renders a document as DOCX and PDF at once, on blocking threads.
pub async fn render(doc: chuangye_docs::Document) -> Result<(Vec<u8>, Vec<u8>)> {
    let d = doc.clone();
    let docx = blocking(move || chuangye_docs::docx(&d).map_err(render_err));
    let pdf = blocking(move || chuangye_docs::pdf(&doc).map_err(render_err));
    tokio::try_join!(docx, pdf)
}

pub struct SummaryJob;
pub struct EvidenceJob;

impl JobHandler for SummaryJob {
    fn kind(&self) -> &'static str {
        SUMMARY
    }

    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let p: Payload = job.parse()?;
            let actor = job.actor(core, p.membership_id.as_deref()).await?;
            let _ = job.progress(0, 3, Some("汇总指标")).await;
            let (stem, doc) = summary_document(core, &actor, &p.region, &p.period)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let _ = job.progress(1, 3, Some("生成 Word 和 PDF 文档")).await;
            let (docx, pdf) = render(doc).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let _ = job.progress(2, 3, Some("保存文件")).await;
            let files = vec![(format!("{stem}.docx"), docx), (format!("{stem}.pdf"), pdf)];
            Ok(Some(
                keep(core, &actor, job, &p.region, files)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ))
        })
    }
}

impl JobHandler for EvidenceJob {
    fn kind(&self) -> &'static str {
        EVIDENCE
    }

    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let p: Payload = job.parse()?;
            let actor = job.actor(core, p.membership_id.as_deref()).await?;
            let indicator = p.indicator.clone().unwrap_or_default();
            let _ = job.progress(0, 3, Some("汇总指标和附件")).await;
            let pack = evidence::gather(core, &actor, &p.region, &indicator, &p.period)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let _ = job.progress(1, 3, Some("生成清单和压缩包")).await;
            let core2 = core.clone();
            let stem = pack.stem();
            let (list, zip) = blocking(move || {
                let list = pack.xlsx()?;
                let zip = pack.zip(&core2, &list)?;
                Ok((list, zip))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let _ = job.progress(2, 3, Some("保存文件")).await;
            let files = vec![(format!("{stem}.xlsx"), list), (format!("{stem}.zip"), zip)];
            Ok(Some(
                keep(core, &actor, job, &p.region, files)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ))
        })
    }
}

/// The report job kinds.
pub fn register(registry: crate::jobs::Registry) -> crate::jobs::Registry {
    registry.with(SummaryJob).with(EvidenceJob)
}
