//! `chuangye bench import`: import and export of a large person register, end to end, with the
//! time and the process's peak memory (VmHWM) — the figures of issue 3.

use std::sync::Arc;
use std::time::Instant;

use chuangye_core::crypto::{Crypto, DataKey};
use chuangye_core::db::{Db, DbConfig};
use chuangye_core::ledger::import::{
    ImportOptions, Mode, export_persons, import_persons, person_spec,
};
use chuangye_core::ledger::repo::PersonFilter;
use chuangye_core::org::Actor;
use chuangye_core::{Core, demo};

/// Peak resident memory of this process so far, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn id_number(county: &str, seq: u64) -> String {
    let body = format!(
        "{county}{:04}{:02}{:02}{:03}",
        1960 + seq % 45,
        1 + seq % 12,
        1 + (seq / 12) % 28,
        seq % 997
    );
    let w = [7u32, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(w)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Builds an xlsx register of `rows` valid, distinct persons over the communities of `root`.
pub fn make_register(rows: u64, communities: &[String], county: &str) -> anyhow::Result<Vec<u8>> {
    let mut w = chuangye_sheets::XlsxWriter::new(&person_spec())?;
    let edu = ["本科", "大专", "高中/中专", "初中"];
    let cats = ["高校毕业生", "返乡农民工", "", "退役军人、就业困难人员"];
    let mut used = std::collections::HashSet::new();
    let mut seq = 0u64;
    let mut written = 0u64;
    while written < rows {
        seq += 1;
        let idn = id_number(county, seq);
        if !used.insert(idn.clone()) {
            continue;
        }
        let i = written as usize;
        w.push_row(&[
            format!("测试{}", written + 1),
            idn,
            format!("139{:08}", written % 100_000_000),
            edu[i % edu.len()].to_string(),
            if i.is_multiple_of(3) {
                "农村"
            } else {
                "城镇"
            }
            .to_string(),
            cats[i % cats.len()].to_string(),
            communities[i % communities.len()].clone(),
            format!("幸福路 {} 号", i % 500 + 1),
        ])?;
        written += 1;
    }
    Ok(w.finish()?)
}

pub async fn run(rows: u64) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("chuangye-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(&DbConfig::new(format!(
        "sqlite:{}",
        dir.join("bench.db").display()
    )))
    .await?;
    db.migrate().await?;
    let core = Core::new(db, Crypto::new(&DataKey::generate()), dir.clone());
    let root = demo::DEMO_ROOT;
    let actor = Actor::system(root, "bench");
    demo::ensure_roles(&core).await?;
    demo::init_regions(&core, &actor, root).await?;
    let mut c = core.db.pool().acquire().await?;
    let communities: Vec<String> =
        chuangye_core::org::repo::communities_in_scope(&mut c, &actor.scope)
            .await?
            .into_iter()
            .map(|(code, _)| code)
            .collect();
    drop(c);
    let t = Instant::now();
    let file = make_register(rows, &communities, &root[..6])?;
    println!(
        "register of {rows} rows written: {:.2} s, {:.1} MiB",
        t.elapsed().as_secs_f64(),
        file.len() as f64 / 1048576.0
    );
    let rss_before = peak_rss_mib();
    let opts = ImportOptions {
        mode: Mode::AllOrNothing,
        lang: "zh-CN".into(),
        translate: Arc::new(|_: &str, e: &chuangye_core::FieldError| e.key.clone()),
    };
    let t = Instant::now();
    let out = import_persons(&core, &actor, &file, "bench.xlsx", &opts, |_, _| async {}).await?;
    let import_s = t.elapsed().as_secs_f64();
    println!(
        "import: {} imported, {} refused in {import_s:.2} s; peak RSS {:.0} MiB (before import {:.0} MiB, register held in memory)",
        out.imported,
        out.refused,
        peak_rss_mib(),
        rss_before
    );
    let t = Instant::now();
    let again = import_persons(&core, &actor, &file, "bench.xlsx", &opts, |_, _| async {}).await?;
    println!(
        "re-import: {} imported, {} unchanged in {:.2} s",
        again.imported,
        again.unchanged,
        t.elapsed().as_secs_f64()
    );
    let mut masked = actor.clone();
    masked
        .permissions
        .remove(&chuangye_core::org::Permission::PersonalUnmask);
    let t = Instant::now();
    let x = export_persons(&core, &masked, &PersonFilter::default()).await?;
    println!(
        "export (masked): {rows} rows, {:.1} MiB in {:.2} s",
        x.len() as f64 / 1048576.0,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let x = export_persons(&core, &actor, &PersonFilter::default()).await?;
    println!(
        "export (unmasked, decrypting): {:.1} MiB in {:.2} s; peak RSS {:.0} MiB",
        x.len() as f64 / 1048576.0,
        t.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    core.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
