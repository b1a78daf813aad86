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
