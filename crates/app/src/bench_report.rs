//! `bench report` and `bench approval` on a generated city: the work summary of the root and of
//! sub-districts, from the kept figures to both files stored (what the report job does); and an
//! entry's approval until the root's total shows it.

use std::time::Instant;

use chuangye_core::files::{self, FileRules, Upload};
use chuangye_core::indicators::entry::{self, Decision};
use chuangye_core::indicators::{Period, repo};
use chuangye_core::org::Actor;
use chuangye_core::reports::job::{render, summary_document};

use crate::bench::{Report, open};

/// The deployment's root and a sample of its sub-districts (those with businesses).
async fn regions(core: &chuangye_core::Core) -> anyhow::Result<(String, Vec<String>)> {
    let root = chuangye_core::org::service::root_region(core)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no deployment here: run `bench generate` first"))?;
    let scope = chuangye_core::org::RegionScope::of(&root);
    let communities: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT region_code FROM business WHERE region_code BETWEEN $1 AND $2 ORDER BY region_code",
    )
    .bind(scope.lo)
    .bind(scope.hi)
    .fetch_all(core.db.pool())
    .await?;
    anyhow::ensure!(!communities.is_empty(), "no businesses below {root}");
    Ok((root, communities))
}

/// Times the summary of the root and of sub-districts for `year`: figures, the document, DOCX
/// and PDF rendered together, both files stored in one transaction.
pub async fn report(cli: &crate::Cli, runs: usize, year: i32) -> anyhow::Result<()> {
    let core = open(cli).await?;
    let (root, communities) = regions(&core).await?;
    let actor = Actor::system(&root, "bench");
    let mut subdistricts: Vec<String> = communities
        .iter()
        .map(|c| format!("{}000", &c[..9]))
        .collect();
    subdistricts.dedup();
    println!(
        "work summary of {root} for {year}: engine {}; {runs} runs per series after 1 warm-up",
        core.db.engine().as_str()
    );
    let mut report = Report { rows: Vec::new() };
    for (label, list) in [
        ("report, root", vec![root.clone()]),
        ("report, sub-district", subdistricts),
    ] {
        let mut ms = Vec::new();
        let mut sizes = (0, 0);
        for i in 0..=runs {
            let region = &list[i % list.len()];
            let t = Instant::now();
            let (stem, doc) = summary_document(&core, &actor, region, &year.to_string()).await?;
            let (docx, pdf) = render(doc).await?;
            let mut tx = core.db.begin().await?;
            for (name, bytes) in [
                (format!("{stem}.docx"), &docx),
                (format!("{stem}.pdf"), &pdf),
            ] {
                files::store_generated(
                    &core,
                    &mut tx,
                    &actor,
                    Upload {
                        bytes,
                        original_name: &name,
                        owner_entity: "bench",
                        owner_id: "report",
                        region_code: region,
                        rules: &FileRules::GENERATED,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            if i > 0 {
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            sizes = (docx.len(), pdf.len());
        }
        report.add(
            label,
            ms,
            format!("DOCX {} KB, PDF {} KB", sizes.0 / 1024, sizes.1 / 1024),
        );
    }
    core.db.close().await;
    Ok(())
}

async fn root_total(
    c: &mut sqlx::AnyConnection,
    root: &str,
    period: &Period,
    code: &str,
) -> anyhow::Result<i64> {
    let cat = repo::catalogue(&mut *c).await?;
    Ok(repo::totals(c, &cat, root, period)
        .await?
        .get(code)
        .map_or(0, |v| v.0))
}

/// Times approving a community's entry by its sub-district until the root's total for the
/// month includes it; each entry is reopened afterwards so the run leaves the figures as found.
pub async fn approval(cli: &crate::Cli, runs: usize) -> anyhow::Result<()> {
    let core = open(cli).await?;
    let (root, communities) = regions(&core).await?;
    let today = chuangye_core::ledger::model::today();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let period = Period::parse(&month).expect("this month");
    let code = "publicity_events";
    println!(
        "approval of {code} for {month} until the total of {root} shows it: engine {}; {runs} runs",
        core.db.engine().as_str()
    );
    let mut ms = Vec::new();
    for (i, community) in communities.iter().cycle().take(runs).enumerate() {
        let own = Actor::system(community, "bench");
        let value = (i % 7 + 1) as i64;
        entry::save(
            &core,
            &own,
            community,
            &month,
            &[(code.to_string(), value.to_string())],
        )
        .await?;
        let id = entry::entries_of(&core, &own, community, &month)
            .await?
            .into_iter()
            .find(|e| e.indicator_code == code)
            .ok_or_else(|| anyhow::anyhow!("the entry was not saved"))?
            .id;
        let parent = Actor::system(&format!("{}000", &community[..9]), "bench");
        let mut c = core.db.pool().acquire().await?;
        let before = root_total(&mut c, &root, &period, code).await?;
        let t = Instant::now();
        entry::decide(&core, &parent, &id, Decision::Approve, "").await?;
        let after = root_total(&mut c, &root, &period, code).await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(
            after == before + value,
            "root total {before} + {value} ≠ {after}"
        );
        drop(c);
        entry::decide(&core, &parent, &id, Decision::Reopen, "bench").await?;
    }
    let mut report = Report { rows: Vec::new() };
    report.add("approval → root total", ms, String::new());
    core.db.close().await;
    Ok(())
}
