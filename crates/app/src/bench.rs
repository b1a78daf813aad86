//! `chuangye bench …`: rerunnable measurements of the figures the issues name. Each prints
//! every run and the minimum, median and maximum; docs/PERFORMANCE.md records the results.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chuangye_core::crypto::{Crypto, DataKey};
use chuangye_core::db::{Db, DbConfig, Engine};
use chuangye_core::org::Actor;
use chuangye_core::{Core, demo};

pub fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let med = ms[ms.len() / 2];
    println!(
        "{label}: runs={} min={:.1} ms median={:.1} ms max={:.1} ms",
        ms.len(),
        ms[0],
        med,
        ms[ms.len() - 1]
    );
}

/// Times building the region tree of `code` into a fresh database, `runs` times.
pub async fn region_init(
    code: &str,
    runs: usize,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    let mut load_ms = Vec::new();
    let mut total_ms = Vec::new();
    for i in 0..runs {
        let dir = tempdir()?;
        let (cfg, cleanup) = match database_url {
            Some(url) if url.starts_with("postgres") => {
                let schema = format!("bench_{}_{}", std::process::id(), i);
                let admin = Db::connect(&DbConfig::new(url)).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(admin.pool())
                    .await?;
                let mut c = DbConfig::new(url);
                c.schema = Some(schema.clone());
                (c, Some((admin, schema)))
            }
            _ => (
                DbConfig::new(format!("sqlite:{}", dir.join("bench.db").display())),
                None,
            ),
        };
        let db = Db::connect(&cfg).await?;
        db.migrate().await?;
        let core = Core::new(db, Crypto::new(&DataKey::generate()), dir.clone());
        let t0 = Instant::now();
        let rows = chuangye_core::org::region_table::load_subtree(code)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let t1 = Instant::now();
        let added = demo::init_regions(&core, &Actor::system(&rows[0].code, "bench"), code)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let t2 = Instant::now();
        println!(
            "run {}: {} rows, table read {:.1} ms, region init (read + insert {added}) {:.1} ms",
            i + 1,
            rows.len(),
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3
        );
        load_ms.push((t1 - t0).as_secs_f64() * 1e3);
        total_ms.push((t2 - t1).as_secs_f64() * 1e3);
        core.db.close().await;
        if let Some((admin, schema)) = cleanup {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(admin.pool())
                .await?;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let engine = if database_url.is_some_and(|u| u.starts_with("postgres")) {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    summary(&format!("table read {code}"), load_ms);
    summary(
        &format!("region init {code} on {}", engine.as_str()),
        total_ms,
    );
    Ok(())
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!(
        "chuangye-bench-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(data: &Path, addr: &str) -> anyhow::Result<Server> {
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .args([
            "--data",
            &data.display().to_string(),
            "--addr",
            addr,
            "serve",
        ])
        .env_remove("CHUANGYE_DATABASE_URL")
        .env("CHUANGYE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(Server(child))
}

/// One HTTP/1.0 GET; true on a 200 answer.
fn healthy(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\nHost: bench\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(s.read(&mut buf), Ok(n) if n >= 12 && &buf[9..12] == b"200")
}

fn wait_healthy(addr: &str, limit: Duration) -> anyhow::Result<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if healthy(addr) {
            return Ok(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    anyhow::bail!("server did not answer /healthz within {limit:?}")
}

/// Times process start to the first answered request, with the demo deployment already built.
pub fn startup(runs: usize, port: u16) -> anyhow::Result<()> {
    let dir = tempdir()?;
    let addr = format!("127.0.0.1:{port}");
    {
        let _first = spawn(&dir, &addr)?;
        let d = wait_healthy(&addr, Duration::from_secs(60))?;
        println!(
            "first start (builds the demo deployment): {:.1} ms",
            d.as_secs_f64() * 1e3
        );
    }
    let mut ms = Vec::new();
    for i in 0..runs {
        std::thread::sleep(Duration::from_millis(200));
        let t0 = Instant::now();
        let _s = spawn(&dir, &addr)?;
        wait_healthy(&addr, Duration::from_secs(30))?;
        let d = t0.elapsed().as_secs_f64() * 1e3;
        println!("run {}: {d:.1} ms", i + 1);
        ms.push(d);
    }
    summary("start-up to first answered request", ms);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

// ------------------------------------------------------------------ the ledger at city scale

/// Opens the deployment the CLI points at (`--data`, `--database-url`, configuration file).
pub(crate) async fn open(cli: &crate::Cli) -> anyhow::Result<Core> {
    let cfg = crate::config::load(crate::config::Overrides {
        config: cli.config.clone(),
        addr: cli.addr.clone(),
        data: cli.data.clone(),
        database_url: cli.database_url.clone(),
        no_demo: true,
    })?;
    Ok(crate::startup::open(&cfg).await?.core)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// `bench generate`: a large city's ledger into the configured database. On an empty database
/// the region tree of `root` is loaded first (default 360900 宜春市) and becomes the
/// deployment's root; on a deployed one the ledger goes below its root (or `root`, inside it).
pub async fn generate(
    cli: &crate::Cli,
    root: Option<&str>,
    scale: chuangye_core::ledger::generate::Scale,
    seed: u64,
) -> anyhow::Result<()> {
    use chuangye_core::org::service as org;
    let t0 = Instant::now();
    let core = open(cli).await?;
    let root = match org::root_region(&core).await? {
        Some(deployed) => {
            let r = match root {
                Some(r) => chuangye_core::org::region_table::normalize_root(r)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                None => deployed.clone(),
            };
            anyhow::ensure!(
                chuangye_core::org::RegionScope::of(&deployed).contains(&r),
                "{r} is outside this deployment ({deployed})"
            );
            r
        }
        None => {
            let r = chuangye_core::org::region_table::normalize_root(root.unwrap_or("360900"))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let system = Actor::system(&r, "bench");
            let n = demo::init_regions(&core, &system, &r)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            org::set_root_region(&core, &system, &r)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("region tree of {r}: {n} regions ({:.1} s)", secs(t0));
            r
        }
    };
    println!(
        "generating {} persons, {} businesses, {} visits, {} needs below {root} on {} (seed {seed})",
        scale.persons,
        scale.businesses,
        scale.visits,
        scale.needs,
        core.db.engine().as_str()
    );
    let start = Instant::now();
    let mut last = Instant::now();
    let mut phase = String::new();
    let mut phase_start = Instant::now();
    let counts = chuangye_core::ledger::generate::generate(
        &core,
        &root,
        scale,
        seed,
        |p: &str, done: u64, total: u64| {
            if p != phase {
                if !phase.is_empty() {
                    println!("  {phase} done in {:.1} s", secs(phase_start));
                }
                phase = p.to_string();
                phase_start = Instant::now();
            }
            if last.elapsed() >= Duration::from_secs(5) || done == total {
                last = Instant::now();
                let rate = done as f64 / secs(phase_start).max(1e-9);
                println!(
                    "  {p}: {done}/{total} ({:.0}/s, {:.1} s since start)",
                    rate,
                    secs(start)
                );
            }
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !phase.is_empty() {
        println!("  {phase} done in {:.1} s", secs(phase_start));
    }
    let took = secs(start);
    println!("{counts:?}");
    println!(
        "generated in {took:.1} s ({:.0} rows/s)",
        (counts.persons
            + counts.categories
            + counts.businesses
            + counts.status_rows
            + counts.jobs_rows
            + counts.links
            + counts.visits
            + counts.needs) as f64
            / took
    );
    core.db.close().await;
    Ok(())
}

/// p50, p95 and max of a series, in milliseconds.
pub(crate) fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[(((ms.len() as f64) * q).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.95), ms[ms.len() - 1])
}

pub(crate) struct Report {
    pub(crate) rows: Vec<(String, f64, f64, f64, String)>,
}

impl Report {
    pub(crate) fn add(&mut self, label: &str, ms: Vec<f64>, note: String) {
        let (p50, p95, max) = percentiles(ms);
        println!("{label:<58} p50 {p50:>7.2}  p95 {p95:>7.2}  max {max:>7.2} ms   {note}");
        self.rows.push((label.to_string(), p50, p95, max, note));
    }
}

/// `bench ledger`: list pages and record pages over a generated ledger, through the core
/// functions the handlers call (repo::person_list / business_list with a pooled connection,
/// service::person_record / business_record). Each series runs `runs` times after 3 warm-up
/// runs, each run on a randomly chosen community / sub-district and filter value.
pub async fn ledger(cli: &crate::Cli, runs: usize, root: Option<&str>) -> anyhow::Result<()> {
    use chuangye_core::ledger::generate::Rng;
    use chuangye_core::ledger::model;
    use chuangye_core::ledger::repo::{self, BusinessFilter, PersonFilter};
    use chuangye_core::ledger::service;
    let core = open(cli).await?;
    let root = match root {
        Some(r) => chuangye_core::org::region_table::normalize_root(r)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        None => chuangye_core::org::service::root_region(&core)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no deployment here: run `bench generate` first"))?,
    };
    let actor = Actor::system(&root, "bench");
    let scope = actor.scope.clone();
    let pool = core.db.pool().clone();
    let communities: Vec<String> = sqlx::query_scalar(
        "SELECT region_code FROM ledger_count WHERE entity = 'person' AND facet = '' AND value = '' AND n > 0 \
         AND region_code BETWEEN $1 AND $2 ORDER BY region_code",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_all(&pool)
    .await?;
    anyhow::ensure!(!communities.is_empty(), "no persons below {root}");
    let mut subdistricts: Vec<String> = communities
        .iter()
        .map(|c| format!("{}000", &c[..9]))
        .collect();
    subdistricts.dedup();
    let (persons, businesses): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM person), (SELECT COUNT(*) FROM business)")
            .fetch_one(&pool)
            .await?;
    println!(
        "{persons} persons, {businesses} businesses; {} communities and {} sub-districts with persons below {root}; engine {}; {runs} runs per series",
        communities.len(),
        subdistricts.len(),
        core.db.engine().as_str()
    );
    let mut rng = Rng::new(0xBE7C);
    let mut report = Report { rows: Vec::new() };
    let mut counties: Vec<String> = communities
        .iter()
        .map(|c| format!("{}000000", &c[..6]))
        .collect();
    counties.dedup();
    let levels: [(&str, Vec<String>); 4] = [
        ("community", communities.clone()),
        ("sub-district", subdistricts.clone()),
        ("county", counties),
        ("root", vec![root.clone()]),
    ];
    let categories: Vec<&str> = model::CATEGORY.iter().map(|(c, _)| *c).collect();

    // Person lists.
    for (level, regions) in &levels {
        for sort in ["name", "created"] {
            for filtered in [false, true] {
                let mut ms = Vec::new();
                let mut shown = 0i64;
                for i in 0..runs + 3 {
                    let region = rng.pick(regions).clone();
                    let f = PersonFilter {
                        region: Some(region),
                        category: filtered.then(|| rng.pick(&categories).to_string()),
                        sort: Some(sort.to_string()),
                        ..Default::default()
                    };
                    let t = Instant::now();
                    let mut c = pool.acquire().await?;
                    let (rows, total, _) =
                        repo::person_list(&mut c, &scope, &f, true, None, 50).await?;
                    drop(c);
                    if std::env::var("BENCH_SLOW").is_ok() && t.elapsed().as_millis() > 15 {
                        eprintln!("slow {:?} {:?} total {total:?}", t.elapsed(), f);
                    }
                    if i >= 3 {
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                        shown = shown.max(total.n());
                    }
                    std::hint::black_box(rows);
                }
                report.add(
                    &format!(
                        "persons, {level}, {}sorted by {sort}",
                        if filtered { "one category, " } else { "" }
                    ),
                    ms,
                    format!("largest total {shown}"),
                );
            }
        }
    }
    // The next page at the root, and filters the maintained counts do not cover.
    {
        let mut ms = Vec::new();
        for i in 0..runs + 3 {
            let f = PersonFilter {
                category: Some(rng.pick(&categories).to_string()),
                ..Default::default()
            };
            let mut c = pool.acquire().await?;
            let (_, _, next) = repo::person_list(&mut c, &scope, &f, true, None, 50).await?;
            let f2 = PersonFilter { after: next, ..f };
            let t = Instant::now();
            let (rows, _, _) = repo::person_list(&mut c, &scope, &f2, true, None, 50).await?;
            drop(c);
            if i >= 3 {
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            std::hint::black_box(rows);
        }
        report.add("persons, root, one category, page 2", ms, String::new());
    }
    for (label, two) in [
        ("persons, sub-district, category + education", false),
        (
            "persons, root, category + education (total estimated)",
            true,
        ),
    ] {
        let mut ms = Vec::new();
        for i in 0..runs.min(30) + 3 {
            let f = PersonFilter {
                region: Some(if two {
                    root.clone()
                } else {
                    rng.pick(&subdistricts).clone()
                }),
                category: Some(rng.pick(&categories).to_string()),
                education: Some(rng.pick(model::EDUCATION).0.to_string()),
                ..Default::default()
            };
            let t = Instant::now();
            let mut c = pool.acquire().await?;
            let (rows, total, _) = repo::person_list(&mut c, &scope, &f, true, None, 50).await?;
            drop(c);
            if std::env::var("BENCH_SLOW").is_ok() && t.elapsed().as_millis() > 15 {
                eprintln!("slow {:?} {:?} total {total:?}", t.elapsed(), f);
            }
            if i >= 3 {
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            std::hint::black_box(rows);
        }
        report.add(label, ms, String::new());
    }

    // Business lists.
    let kinds = ["individual", "private", "coop"];
    let statuses = ["operating", "suspended", "deregistered"];
    for (level, regions) in &levels {
        for sort in ["name", "registered"] {
            for filtered in [false, true] {
                let mut ms = Vec::new();
                for i in 0..runs + 3 {
                    let f = BusinessFilter {
                        region: Some(rng.pick(regions).clone()),
                        kind: filtered.then(|| rng.pick(&kinds).to_string()),
                        status: None,
                        sort: Some(sort.to_string()),
                        ..Default::default()
                    };
                    let f = if filtered && rng.chance(0.5) {
                        BusinessFilter {
                            kind: None,
                            status: Some(rng.pick(&statuses).to_string()),
                            ..f
                        }
                    } else {
                        f
                    };
                    let t = Instant::now();
                    let mut c = pool.acquire().await?;
                    let (rows, _, _) = repo::business_list(&mut c, &scope, &f, 50).await?;
                    drop(c);
                    if std::env::var("BENCH_SLOW").is_ok() && t.elapsed().as_millis() > 15 {
                        eprintln!("slow {:?} {:?}", t.elapsed(), f);
                    }
                    if i >= 3 {
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    std::hint::black_box(rows);
                }
                report.add(
                    &format!(
                        "businesses, {level}, {}sorted by {sort}",
                        if filtered { "kind or status, " } else { "" }
                    ),
                    ms,
                    String::new(),
                );
            }
        }
    }

    // Record pages for random records.
    let sample = |table: &'static str, n: usize, rng: &mut Rng| {
        let picks: Vec<String> = (0..n).map(|_| rng.pick(&communities).clone()).collect();
        let pool = pool.clone();
        async move {
            let mut ids = Vec::new();
            for region in picks {
                let sql = format!("SELECT id FROM {table} WHERE region_code = $1 ORDER BY id");
                let in_region: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(region)
                    .fetch_all(&pool)
                    .await?;
                if let Some(id) = in_region.get(ids.len() * 7919 % in_region.len().max(1)) {
                    ids.push(id.clone());
                }
            }
            anyhow::Ok(ids)
        }
    };
    let person_ids = sample("person", runs + 3, &mut rng).await?;
    let business_ids = sample("business", runs + 3, &mut rng).await?;
    let mut ms = Vec::new();
    let mut visits = 0;
    for (i, id) in person_ids.iter().enumerate() {
        let t = Instant::now();
        let r = service::person_record(&core, &actor, id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if i >= 3 {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            visits = visits.max(r.visits.len());
        }
    }
    report.add("person record page", ms, format!("up to {visits} visits"));
    let mut ms = Vec::new();
    for (i, id) in business_ids.iter().enumerate() {
        let t = Instant::now();
        let r = service::business_record(&core, &actor, id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if i >= 3 {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        std::hint::black_box(r);
    }
    report.add("business record page", ms, String::new());
    let worst = |county: bool| {
        report
            .rows
            .iter()
            .filter(|r| county || !r.0.contains("county"))
            .map(|r| r.2)
            .fold(0.0, f64::max)
    };
    println!(
        "worst p95 of the list (community, sub-district, root) and record pages: {:.2} ms; counties included: {:.2} ms",
        worst(false),
        worst(true)
    );
    core.db.close().await;
    Ok(())
}

/// Times `indicators::dashboard` (what the dashboard page reads) for the root, random
/// sub-districts and random communities of the generated city.
pub async fn dashboard(cli: &crate::Cli, runs: usize, year: Option<i32>) -> anyhow::Result<()> {
    use chuangye_core::ledger::generate::Rng;
    let core = open(cli).await?;
    let root = chuangye_core::org::service::root_region(&core)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no deployment here: run `bench generate` first"))?;
    let actor = Actor::system(&root, "bench");
    let year =
        year.unwrap_or_else(|| (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).year());
    let communities: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT region_code FROM business WHERE region_code BETWEEN $1 AND $2 ORDER BY region_code",
    )
    .bind(actor.scope.lo.clone())
    .bind(actor.scope.hi.clone())
    .fetch_all(core.db.pool())
    .await?;
    anyhow::ensure!(!communities.is_empty(), "no businesses below {root}");
    let mut subdistricts: Vec<String> = communities
        .iter()
        .map(|c| format!("{}000", &c[..9]))
        .collect();
    subdistricts.dedup();
    println!(
        "dashboard of {root} for {year}: {} communities, {} sub-districts; engine {}; {runs} runs per series",
        communities.len(),
        subdistricts.len(),
        core.db.engine().as_str()
    );
    let mut rng = Rng::new(0xDA5B);
    let mut report = Report { rows: Vec::new() };
    for (label, regions) in [
        ("dashboard, root", vec![root.clone()]),
        ("dashboard, sub-district", subdistricts),
        ("dashboard, community", communities),
    ] {
        let mut ms = Vec::new();
        let mut children = 0;
        for i in 0..runs + 3 {
            let region = rng.pick(&regions).clone();
            let t = Instant::now();
            let d = chuangye_core::indicators::dashboard(&core, &actor, Some(&region), year, None)
                .await?;
            if i >= 3 {
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            children = children.max(d.children.len());
            std::hint::black_box(d);
        }
        report.add(label, ms, format!("up to {children} children"));
    }
    let worst = report.rows.iter().map(|r| r.2).fold(0.0, f64::max);
    println!("worst p95 of the dashboards: {worst:.2} ms");
    core.db.close().await;
    Ok(())
}
