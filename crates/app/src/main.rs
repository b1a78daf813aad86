//! `chuangye`: the one binary. `serve` (the default) runs the web server and job worker;
//! the other subcommands set up and administer a deployment.

mod bench;
mod bench_import;
mod bench_report;
mod commands;
mod config;
mod startup;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// mimalloc: the server allocates many small, short-lived objects from many threads; glibc's
/// allocator was a third of the CPU time under load (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "chuangye",
    version,
    about = "创业型城市创建工作平台 / entrepreneurial-city campaign platform"
)]
pub struct Cli {
    /// TOML configuration file (default: ./chuangye.toml if present).
    #[arg(long, env = "CHUANGYE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "CHUANGYE_ADDR", global = true)]
    pub addr: Option<String>,
    /// Data directory (default ./data).
    #[arg(long, env = "CHUANGYE_DATA", global = true)]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://… (default sqlite:<data>/chuangye.db).
    #[arg(long, env = "CHUANGYE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Do not build the demo deployment on an empty database.
    #[arg(long, env = "CHUANGYE_NO_DEMO", global = true)]
    pub no_demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (and the job worker). The default.
    Serve,
    /// Run only the job worker (for extra nodes).
    Worker,
    /// Set up a real, empty deployment for a city or county.
    Init {
        /// Root region code (4/6/12 digits), e.g. 360900 for 宜春市.
        #[arg(long)]
        root: String,
        /// User name of the system administrator (NAME-sec and NAME-audit are created too).
        #[arg(long)]
        admin: String,
    },
    /// Region tree commands.
    Region {
        #[command(subcommand)]
        cmd: RegionCmd,
    },
    /// User commands.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// API token commands.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Audit log commands.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Write an online, consistent copy of the SQLite database to FILE.
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore { file: PathBuf },
    /// Benchmarks (see docs/PERFORMANCE.md).
    Bench {
        #[command(subcommand)]
        cmd: BenchCmd,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// The portal's search index.
    Search {
        #[command(subcommand)]
        cmd: SearchCmd,
    },
}

#[derive(Subcommand, Debug)]
pub enum SearchCmd {
    /// Rebuild the search index from the published items (stop the server first: one process
    /// holds the index).
    Reindex,
}

#[derive(Subcommand, Debug)]
pub enum RegionCmd {
    /// Build (or complete) the region tree below CODE from the shipped official table.
    Init { code: String },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Give a user a new one-time password (also for the security and audit administrators).
    ResetPassword { username: String },
    /// Add a user with one membership; prints a one-time password.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// Region code of the membership.
        #[arg(long)]
        region: String,
        /// Role codes (repeatable), e.g. --role campaign_office.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a personal access token for USERNAME and print it once.
    Create {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Verify the hash chain; names the first broken row and exits 1 if any.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Time `region init CODE` into a fresh database (SQLite, or --database-url postgres://…).
    RegionInit {
        #[arg(default_value = "360900")]
        code: String,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time importing and exporting a person register of N rows (SQLite, temporary directory).
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
    },
    /// Generate a large city's ledger into the configured database (--data / --database-url);
    /// on an empty database the region tree of --root is loaded first.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 800_000)]
        businesses: u64,
        #[arg(long, default_value_t = 5_000_000)]
        visits: u64,
        /// Needs raised at visits (default: one visit in ten).
        #[arg(long)]
        needs: Option<u64>,
        /// Root region (default 360900 宜春市; on a deployed database, its root).
        #[arg(long)]
        root: Option<String>,
        #[arg(long, default_value_t = 3)]
        seed: u64,
    },
    /// Time the ledger's list and record pages over a generated ledger (p50/p95/max).
    Ledger {
        #[arg(long, default_value_t = 100)]
        runs: usize,
        /// Region whose lists are measured (default: the deployment's root).
        #[arg(long)]
        root: Option<String>,
    },
    /// Time the dashboard (figures, trend, children) of the root, sub-districts and communities
    /// over a generated ledger (p50/p95/max).
    Dashboard {
        #[arg(long, default_value_t = 100)]
        runs: usize,
        /// Year shown (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Time the work summary (figures, DOCX and PDF, both stored) of the root and of
    /// sub-districts over a generated ledger (p50/p95/max).
    Report {
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Year reported (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Time an entry's approval until the root's total shows it (p50/p95/max).
    Approval {
        #[arg(long, default_value_t = 100)]
        runs: usize,
    },
    /// Time searches over N generated portal documents in a fresh on-disk index (p50/p95/p99).
    Search {
        #[arg(long, default_value_t = 200_000)]
        docs: usize,
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
    /// Time process start to the first answered request (demo deployment already built).
    Startup {
        #[arg(long, default_value_t = 10)]
        runs: usize,
        #[arg(long, default_value_t = 18181)]
        port: u16,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Print every setting with its default.
    Example,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The benchmarks that work on the configured deployment; everything else in `commands`.
async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match &cli.command {
        Some(Command::Bench {
            cmd:
                BenchCmd::Generate {
                    persons,
                    businesses,
                    visits,
                    needs,
                    root,
                    seed,
                },
        }) => {
            let scale = chuangye_core::ledger::generate::Scale {
                persons: *persons,
                businesses: *businesses,
                visits: *visits,
                needs: needs.unwrap_or(visits / 10),
            };
            bench::generate(&cli, root.as_deref(), scale, *seed).await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            cmd: BenchCmd::Ledger { runs, root },
        }) => {
            bench::ledger(&cli, (*runs).max(1), root.as_deref()).await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            cmd: BenchCmd::Dashboard { runs, year },
        }) => {
            bench::dashboard(&cli, (*runs).max(1), *year).await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            cmd: BenchCmd::Report { runs, year },
        }) => {
            let year = year.unwrap_or_else(|| chuangye_core::ledger::model::today().year());
            bench_report::report(&cli, (*runs).max(1), year).await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            cmd: BenchCmd::Approval { runs },
        }) => {
            bench_report::approval(&cli, (*runs).max(1)).await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            cmd: BenchCmd::Search { docs, queries },
        }) => {
            let r = chuangye_core::portal::search::bench::bench(*docs, (*queries).max(1))?;
            println!(
                "search over {} documents ({} MB index, built in {:.1} s), {} queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                r.n_docs,
                r.index_bytes / 1_000_000,
                r.build_secs,
                r.queries,
                r.p50_ms,
                r.p95_ms,
                r.p99_ms,
                r.max_ms
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(Command::Search {
            cmd: SearchCmd::Reindex,
        }) => {
            let core = bench::open(&cli).await?;
            let n = chuangye_core::portal::index::reindex(&core, |n| eprint!("\r{n}")).await?;
            eprintln!();
            println!("已重建搜索索引 / search index rebuilt: {n}");
            Ok(std::process::ExitCode::SUCCESS)
        }
        _ => commands::run(cli).await,
    }
}
