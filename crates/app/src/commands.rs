//! The subcommands.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use chuangye_core::audit::{self, VerifyOutcome};
use chuangye_core::crypto::KeySource;
use chuangye_core::db::Engine;
use chuangye_core::org::{Actor, service};
use chuangye_core::{Core, demo, jobs};
use chuangye_web::{AppState, WebConfig};

use crate::config::{self, Config, Overrides};
use crate::startup::{self, Opened};
use crate::{AuditCmd, BenchCmd, Cli, Command, ConfigCmd, RegionCmd, TokenCmd, UserCmd};

fn init_logs(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHUANGYE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt().with_env_filter(filter);
    let b = b
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = if cfg.log_format == "json" {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Config {
        cmd: ConfigCmd::Example,
    }) = &cli.command
    {
        print!("{}", config::EXAMPLE);
        return Ok(ExitCode::SUCCESS);
    }
    match &cli.command {
        Some(Command::Bench {
            cmd: BenchCmd::RegionInit { code, runs },
        }) => {
            crate::bench::region_init(code, *runs, cli.database_url.as_deref()).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Bench {
            cmd: BenchCmd::Import { rows },
        }) => {
            crate::bench_import::run(*rows).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Bench {
            cmd: BenchCmd::Startup { runs, port },
        }) => {
            let (runs, port) = (*runs, *port);
            tokio::task::spawn_blocking(move || crate::bench::startup(runs, port)).await??;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let cfg = config::load(Overrides {
        config: cli.config.clone(),
        addr: cli.addr.clone(),
        data: cli.data.clone(),
        database_url: cli.database_url.clone(),
        no_demo: cli.no_demo,
    })?;
    init_logs(&cfg);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cfg).await,
        Command::Worker => worker(cfg).await,
        Command::Init { root, admin } => init(cfg, &root, &admin).await,
        Command::Region {
            cmd: RegionCmd::Init { code },
        } => region_init(cfg, &code).await,
        Command::User {
            cmd:
                UserCmd::Add {
                    username,
                    name,
                    region,
                    roles,
                },
        } => user_add(cfg, username, name, region, roles).await,
        Command::User {
            cmd: UserCmd::ResetPassword { username },
        } => user_reset_password(cfg, &username).await,
        Command::Token {
            cmd: TokenCmd::Create { username, name },
        } => token_create(cfg, &username, &name).await,
        Command::Audit {
            cmd: AuditCmd::Verify,
        } => audit_verify(cfg).await,
        Command::Backup { file } => backup(cfg, &file).await,
        Command::Restore { file } => restore(cfg, &file).await,
        Command::Config { .. } | Command::Bench { .. } | Command::Search { .. } => {
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn root_actor(core: &Core, who: &str) -> anyhow::Result<Actor> {
    let root = service::root_region(core)
        .await?
        .context("尚未初始化部署，请先运行 chuangye init / no deployment yet: run `chuangye init --root CODE --admin NAME`")?;
    Ok(Actor::system(&root, who))
}

fn print_credentials(title: &str, creds: &[demo::Credential]) {
    println!("\n{title}");
    println!("用户名       角色               密码             姓名");
    for c in creds {
        println!(
            "{:<12} {:<18} {:<16} {}",
            c.username, c.role, c.password, c.display_name
        );
    }
    println!();
}

async fn serve(cfg: Config) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let Opened {
        core,
        key_source,
        key_file,
    } = startup::open(&cfg).await?;
    if demo::is_half_set_up(&core).await? {
        anyhow::bail!(
            "上次初始化未完成 / a previous set-up of this database did not finish: start again with an empty data directory (or database)"
        );
    }
    if !demo::is_deployed(&core).await? {
        if cfg.no_demo {
            println!(
                "数据库为空。请运行 `chuangye init --root CODE --admin NAME` 初始化部署。\nThe database is empty: run `chuangye init --root CODE --admin NAME`."
            );
        } else {
            let creds = demo::build_demo(&core, None).await?;
            print_credentials(
                &format!(
                    "已创建演示部署：许昌市魏都区。登录 http://{}/login ，演示账号如下（仅显示这一次）：\nDemo deployment built (许昌市魏都区). Log in at http://{}/login with these demo accounts (shown once):",
                    cfg.addr, cfg.addr
                ),
                &creds,
            );
        }
    }
    let key_file_s = key_file.display().to_string();
    let web = WebConfig {
        secure_cookies: cfg.secure_cookies,
        trust_proxy: cfg.trust_proxy,
        login_per_minute: cfg.login_per_minute,
        forms_per_hour: cfg.forms_per_hour,
        public_per_second: cfg.public_per_second,
        public_url: cfg.public_url.clone(),
        key_source: match key_source {
            KeySource::Env => "env",
            KeySource::File => "file",
            KeySource::Created(_) => "created",
        }
        .to_string(),
        key_file: (!matches!(key_source, KeySource::Env)).then(|| key_file_s.clone()),
        key_file_private: startup::key_private(&key_file),
    };
    let state = AppState::new(core.clone(), web).await;
    let app = chuangye_web::router(state);
    let listener = tokio::net::TcpListener::bind(&cfg.addr)
        .await
        .with_context(|| format!("无法监听 / cannot listen on {}", cfg.addr))?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    if cfg.worker {
        spawn_scheduler(core.clone());
    }
    // Each serving node keeps its own search index current.
    let follower = tokio::spawn(chuangye_core::portal::index::follow(
        core.clone(),
        rx.clone(),
    ));
    let worker = cfg
        .worker
        .then(|| tokio::spawn(jobs::Worker::new(core.clone(), registry()).run(rx.clone())));
    tracing::info!(addr = %cfg.addr, engine = core.db.engine().as_str(), startup_ms = started.elapsed().as_millis() as u64, "listening");
    println!("chuangye 已启动 / listening on http://{}", cfg.addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = tx.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    let _ = follower.await;
    core.db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn worker(cfg: Config) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(jobs::Worker::new(core.clone(), registry()).run(rx));
    println!("chuangye worker 已启动 / worker running");
    shutdown_signal().await;
    let _ = tx.send(true);
    let _ = handle.await;
    Ok(ExitCode::SUCCESS)
}

/// A core error as a message for the operator: field errors are translated from the catalogue
/// (Chinese / English), with the catalogue key kept for reference.
fn core_error(e: chuangye_core::Error) -> anyhow::Error {
    use chuangye_web::i18n::Lang;
    match e {
        chuangye_core::Error::Invalid(v) => anyhow::anyhow!(
            "{}",
            v.iter()
                .map(|f| format!(
                    "{}: {} / {} ({})",
                    f.field,
                    Lang::ZhHans.field_error(f),
                    Lang::En.field_error(f),
                    f.key
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn init(cfg: Config, root: &str, admin: &str) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    if demo::is_deployed(&core).await? {
        anyhow::bail!("数据库中已有部署 / this database already holds a deployment");
    }
    let creds = demo::init_deployment(&core, root, admin)
        .await
        .map_err(core_error)
        .with_context(|| {
            format!("无法初始化部署 / cannot set up the deployment (--root {root})")
        })?;
    print_credentials(
        "部署已初始化。以下一次性密码首次登录后必须修改 / Deployment ready. One-time passwords (must be changed at first login):",
        &creds,
    );
    Ok(ExitCode::SUCCESS)
}

async fn region_init(cfg: Config, code: &str) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    let started = std::time::Instant::now();
    // Only on a deployment: on an empty database the imported tree would count as one (its root
    // becomes the deployment's root) without any administrators, and `init` would then refuse.
    let actor = root_actor(&core, "cli").await?;
    let added = demo::init_regions(&core, &actor, code)
        .await
        .map_err(core_error)
        .with_context(|| format!("无法导入区划 / cannot import the regions of {code}"))?;
    println!(
        "已导入 {added} 个区划 / {added} regions added in {} ms",
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

async fn user_add(
    cfg: Config,
    username: String,
    name: String,
    region: String,
    roles: Vec<String>,
) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    let actor = root_actor(&core, "cli").await?;
    let password = demo::random_password();
    let region_code = chuangye_core::validate::normalize_region_code(&region)
        .map_err(|e| anyhow::anyhow!("--region: {e}"))?;
    let input = service::NewUser {
        username: username.clone(),
        display_name: name,
        password: password.clone(),
        region_code,
        unit_id: None,
        roles,
        phone: None,
        is_demo: false,
        must_change_password: true,
    };
    service::create_user(&core, &actor, &input)
        .await
        .map_err(core_error)?;
    println!("用户 {username} 已创建，一次性密码 / user created, one-time password: {password}");
    Ok(ExitCode::SUCCESS)
}

async fn token_create(cfg: Config, username: &str, name: &str) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    let actor = root_actor(&core, "cli").await?;
    let token = chuangye_core::auth::create_token(&core, &actor, username, name)
        .await
        .map_err(core_error)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(cfg: Config) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    match audit::verify(&core.db, core.crypto.chain()).await? {
        VerifyOutcome::Intact { rows } => {
            println!("审计日志完整 / audit chain intact: {rows} rows");
            Ok(ExitCode::SUCCESS)
        }
        VerifyOutcome::Broken { seq, reason } => {
            println!("审计日志在第 {seq} 行被破坏 / audit chain broken at row {seq} ({reason})");
            Ok(ExitCode::from(1))
        }
    }
}

async fn backup(cfg: Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    if core.db.engine() == Engine::Postgres {
        anyhow::bail!(
            "PostgreSQL: use pg_dump -Fc (see docs/OPERATIONS.md); `chuangye backup` copies SQLite databases"
        );
    }
    if file.exists() {
        anyhow::bail!("{} 已存在 / already exists", file.display());
    }
    let path = file
        .to_str()
        .context("backup path must be UTF-8")?
        .replace('\'', "''");
    sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'")))
        .execute(core.db.pool())
        .await?;
    println!("已备份到 / backed up to {}", file.display());
    Ok(ExitCode::SUCCESS)
}

async fn restore(cfg: Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let target = cfg
        .database_url
        .strip_prefix("sqlite:")
        .context(
            "restore copies SQLite databases; for PostgreSQL use pg_restore (docs/OPERATIONS.md)",
        )?
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    // Check the backup is a chuangye database before touching anything. One plain read-only
    // connection: `Db::connect` would switch the file to WAL, which a read-only open refuses.
    let not_valid = || {
        anyhow::anyhow!(
            "{} 不是有效的 chuangye 备份 / is not a valid chuangye backup",
            file.display()
        )
    };
    let mut probe = {
        use sqlx::Connection;
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .read_only(true);
        sqlx::SqliteConnection::connect_with(&opts)
            .await
            .with_context(|| {
                format!(
                    "备份文件无法打开 / cannot open the backup {}",
                    file.display()
                )
            })?
    };
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut probe)
        .await
        .map_err(|_| not_valid())?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'setting'",
    )
    .fetch_one(&mut probe)
    .await
    .map_err(|_| not_valid())?;
    if ok != "ok" || tables == 0 {
        return Err(not_valid());
    }
    sqlx::Connection::close(probe).await?;
    let tmp = format!("{target}.restoring");
    std::fs::copy(file, &tmp)?;
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{target}{ext}"));
    }
    std::fs::rename(&tmp, &target)?;
    println!("已从 {} 恢复 / restored", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM from a service manager: finish what is running, then stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn user_reset_password(cfg: Config, username: &str) -> anyhow::Result<ExitCode> {
    let Opened { core, .. } = startup::open(&cfg).await?;
    let actor = root_actor(&core, "cli").await?;
    let mut c = core.db.pool().acquire().await?;
    let user = chuangye_core::org::repo::user_by_name(&mut c, username)
        .await?
        .with_context(|| format!("没有该用户 / no such user: {username}"))?;
    drop(c);
    let password = demo::random_password();
    chuangye_core::auth::reset_password(&core, &actor, &user.id, &password)
        .await
        .map_err(core_error)?;
    println!("用户 {username} 的一次性密码 / one-time password: {password}");
    Ok(ExitCode::SUCCESS)
}

/// Every job kind of the product.
fn registry() -> jobs::Registry {
    use chuangye_web::i18n::Lang;
    let translate: chuangye_core::ledger::import::Translate =
        std::sync::Arc::new(|lang: &str, e: &chuangye_core::FieldError| {
            Lang::parse(lang).unwrap_or_default().field_error(e)
        });
    let r = chuangye_core::ledger::followup::register(jobs::builtin_registry());
    let r = chuangye_core::reports::register(r);
    let r = chuangye_core::consultation::deadlines::register(r);
    chuangye_core::ledger::import::register(r, translate)
}

/// Enqueues the daily jobs (need and consultation deadlines, survival checks) once a day; every node may run it.
fn spawn_scheduler(core: chuangye_core::Core) {
    tokio::spawn(async move {
        loop {
            let daily = chuangye_core::ledger::followup::DAILY.iter().copied();
            for kind in daily.chain([chuangye_core::consultation::deadlines::DeadlinesJob::KIND]) {
                if let Err(e) = jobs::enqueue_daily(&core, kind).await {
                    tracing::warn!(kind, error = %e, "could not schedule job");
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
}
