//! Integration tests of the command-line program: every test runs the real `chuangye` binary
//! (`CARGO_BIN_EXE_chuangye`) in a temporary directory of its own, with its data directory
//! inside it, and looks at exit codes, output, the files left behind and the SQLite database.
//!
//! These tests use SQLite files only — the binary's own default (`sqlite:<data>/chuangye.db`).
//! That is enough for the behaviour of the command line; PostgreSQL is covered by the core and
//! web suites (`TEST_DATABASE_URL`). Each run gets a clean environment: every `CHUANGYE_*`
//! variable of the test process is removed and the current directory is the test's own, so no
//! `./chuangye.toml` is picked up.
//!
//! Nothing here is timed. Waiting for the server means reading its output up to the line it
//! prints once it listens; the only clock is a generous guard against a hung process.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use sqlx::{Connection, SqliteConnection};

const BIN: &str = env!("CARGO_BIN_EXE_chuangye");

/// A valid data key that no test database was created with (bytes 0..32 as hex).
const OTHER_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The three administrators `init --admin boss` creates.
const ADMINS: [&str; 3] = ["boss", "boss-sec", "boss-audit"];

// ---------------------------------------------------------------------------------------------
// Running the binary

/// One finished run of the binary.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    #[track_caller]
    fn assert_ok(self) -> Run {
        assert!(self.status.success(), "expected success, got {self}");
        self
    }

    #[track_caller]
    fn assert_failed(self) -> Run {
        assert!(
            !self.status.success() && self.code().is_some(),
            "expected a failure exit code, got {self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// A temporary directory that is the current directory of every run, with `data/` inside.
struct Deployment {
    dir: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Deployment {
        Deployment {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    fn db_file(&self) -> PathBuf {
        self.data().join("chuangye.db")
    }

    fn key_file(&self) -> PathBuf {
        self.data().join("keys").join("data.key")
    }

    /// `chuangye --data <data> ARGS…` with a clean environment plus `env`.
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.path())
            .stdin(Stdio::null())
            .arg("--data")
            .arg(self.data())
            .args(args);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CHUANGYE_") {
                cmd.env_remove(&name);
            }
        }
        cmd.env_remove("RUST_LOG");
        cmd.envs(env.iter().copied());
        cmd
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self
            .command(args, env)
            .output()
            .expect("run the chuangye binary");
        Run {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// `init --root 360900 --admin boss` (宜春市), which must succeed.
    fn init_yichun(&self) -> Run {
        self.run(&["init", "--root", "360900", "--admin", "boss"])
            .assert_ok()
    }

    /// Starts `serve` on a free local port and waits for the line it prints once it listens.
    fn serve(&self, args: &[&str], env: &[(&str, &str)]) -> Started {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut full = vec!["--addr", addr.as_str()];
        full.extend_from_slice(args);
        full.push("serve");
        let mut child = self
            .command(&full, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chuangye serve");
        let stderr = drain(child.stderr.take().expect("stderr"));
        // Every stdout line goes through the channel; the reader keeps draining after the
        // server is up so that its log output can never fill the pipe.
        let (tx, rx) = mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            stdout: String::new(),
            stderr: Some(stderr),
            _reader: reader,
        };
        loop {
            match rx.recv_timeout(Duration::from_secs(300)) {
                Ok(line) => {
                    let listening = line.contains("listening on http://");
                    server.stdout.push_str(&line);
                    server.stdout.push('\n');
                    if listening {
                        return Started::Listening(server);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Stdout closed before the server listened: it has exited.
                    let status = server.child.wait().expect("wait for chuangye serve");
                    let stderr = server.stderr.take().expect("stderr").join().unwrap();
                    return Started::Exited(Run {
                        status,
                        stdout: std::mem::take(&mut server.stdout),
                        stderr,
                    });
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "chuangye serve neither listened nor exited; stdout so far:\n{}",
                        server.stdout
                    )
                }
            }
        }
    }

    /// Opens the deployment's SQLite file directly (no server or command may be running).
    fn sql<T>(&self, f: impl AsyncFnOnce(&mut SqliteConnection) -> T) -> T {
        let url = format!("sqlite:{}", self.db_file().display());
        block_on(async move {
            let mut c = SqliteConnection::connect(&url)
                .await
                .expect("open the SQLite file");
            let out = f(&mut c).await;
            c.close().await.expect("close the SQLite file");
            out
        })
    }

    fn scalar(&self, sql: &'static str) -> i64 {
        self.sql(async |c| {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(c)
                .await
                .expect(sql)
        })
    }

    fn usernames(&self) -> Vec<String> {
        self.sql(async |c| {
            sqlx::query_scalar("SELECT username FROM app_user ORDER BY username")
                .fetch_all(c)
                .await
                .expect("users")
        })
    }

    /// What the data directory holds, as relative paths (empty if it does not exist).
    fn data_files(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries {
                let p = e.expect("dir entry").path();
                out.push(p.strip_prefix(root).unwrap().display().to_string());
                if p.is_dir() {
                    walk(root, &p, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.data(), &self.data(), &mut out);
        out.sort();
        out
    }
}

enum Started {
    Listening(Server),
    Exited(Run),
}

impl Started {
    #[track_caller]
    fn listening(self) -> Server {
        match self {
            Started::Listening(s) => s,
            Started::Exited(run) => panic!("chuangye serve exited: {run}"),
        }
    }

    #[track_caller]
    fn exited(self) -> Run {
        match self {
            Started::Listening(s) => panic!(
                "chuangye serve started although it should have refused; stdout:\n{}",
                s.stdout
            ),
            Started::Exited(run) => run,
        }
    }
}

/// A running `chuangye serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// Everything printed up to and including the "listening on" line.
    stdout: String,
    stderr: Option<JoinHandle<String>>,
    _reader: JoinHandle<()>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

/// Whether a word has the shape of the product's generated passwords, e.g. `Cy-4821-kpmz`.
fn is_password(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 12
        && word.starts_with("Cy-")
        && b[3..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..].iter().all(u8::is_ascii_lowercase)
}

/// The (username, password) rows of a printed credential table.
fn credentials(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [user, _role, pw, ..] if is_password(pw) => {
                    Some((user.to_string(), pw.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

fn passwords_in(text: &str) -> Vec<&str> {
    text.split_whitespace().filter(|w| is_password(w)).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. config example

#[test]
fn config_example_prints_every_setting_and_exits_0() {
    let d = Deployment::new();
    let run = d.run(&["config", "example"]).assert_ok();
    for setting in [
        "addr =",
        "data =",
        "database_url =",
        "max_connections =",
        "no_demo =",
        "secure_cookies =",
        "trust_proxy =",
        "login_per_minute =",
        "log_format =",
        "worker =",
        "CHUANGYE_DATA_KEY",
    ] {
        assert!(
            run.stdout.contains(setting),
            "`{setting}` missing from:\n{}",
            run.stdout
        );
    }
    assert!(
        d.data_files().is_empty() && !d.data().exists(),
        "config example touched the data directory"
    );
}

#[test]
fn the_printed_config_example_is_accepted_as_a_config_file() {
    let d = Deployment::new();
    let example = d.run(&["config", "example"]).assert_ok().stdout;
    std::fs::write(d.path().join("example.toml"), example).unwrap();
    let run = d
        .run(&["--config", "example.toml", "audit", "verify"])
        .assert_ok();
    assert!(run.stdout.contains("audit chain intact"), "{run}");
}

// ---------------------------------------------------------------------------------------------
// 2. database URL

#[test]
fn a_malformed_database_url_fails_naming_the_url_and_creates_nothing_in_the_data_dir() {
    for url in ["mysql://x", "sqlite:", "postgres://"] {
        let d = Deployment::new();
        let run = d
            .run(&["--database-url", url, "audit", "verify"])
            .assert_failed();
        assert!(
            run.stderr.contains("invalid database URL") || run.stderr.contains("数据库地址无效"),
            "{run}"
        );
        assert!(run.stderr.contains(&format!("`{url}`")), "{run}");
        assert_eq!(d.data_files(), Vec::<String>::new(), "{url}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. init

#[test]
fn init_with_an_unknown_root_fails_clearly_and_leaves_no_users_so_a_later_init_succeeds() {
    let d = Deployment::new();
    let run = d
        .run(&["init", "--root", "999999", "--admin", "boss"])
        .assert_failed();
    assert!(run.stderr.contains("999999"), "{run}");
    assert!(
        run.stderr.contains("No region with this code") && run.stderr.contains("未找到该区划代码"),
        "{run}"
    );
    assert!(passwords_in(&run.stdout).is_empty(), "{run}");
    assert_eq!(d.usernames(), Vec::<String>::new());
    assert_eq!(d.scalar("SELECT COUNT(*) FROM region"), 0);

    let run = d.init_yichun();
    assert_eq!(
        credentials(&run.stdout).keys().collect::<Vec<_>>(),
        ["boss", "boss-audit", "boss-sec"],
        "{run}"
    );
}

#[test]
fn init_of_yichun_prints_one_time_passwords_for_the_three_admins_and_builds_its_region_tree() {
    let d = Deployment::new();
    let run = d.init_yichun();
    let creds = credentials(&run.stdout);
    for admin in ADMINS {
        assert!(creds.contains_key(admin), "no password for {admin}: {run}");
    }
    assert_eq!(creds.len(), 3, "{run}");
    let distinct: std::collections::BTreeSet<_> = creds.values().collect();
    assert_eq!(distinct.len(), 3, "passwords repeat: {run}");

    let mut users = d.usernames();
    users.sort();
    assert_eq!(users, ["boss", "boss-audit", "boss-sec"]);
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM app_user WHERE must_change_password = 0"),
        0,
        "one-time passwords must be changed at first login"
    );
    // 宜春市: the city, 10 counties, 219 townships, 2794 communities and villages.
    let levels: Vec<(i64, i64)> = d.sql(async |c| {
        sqlx::query_as("SELECT level, COUNT(*) FROM region GROUP BY level ORDER BY level")
            .fetch_all(c)
            .await
            .unwrap()
    });
    assert_eq!(levels, [(2, 1), (3, 10), (4, 219), (5, 2794)]);
    let root: (String, Option<String>) = d.sql(async |c| {
        sqlx::query_as("SELECT name, parent_code FROM region WHERE code = '360900000000'")
            .fetch_one(c)
            .await
            .unwrap()
    });
    assert_eq!(root, ("宜春市".to_string(), None));
}

#[test]
fn a_second_init_refuses_because_the_database_already_holds_a_deployment() {
    let d = Deployment::new();
    d.init_yichun();
    let run = d
        .run(&["init", "--root", "360981", "--admin", "other"])
        .assert_failed();
    assert!(run.stderr.contains("already holds a deployment"), "{run}");
    assert!(passwords_in(&run.stdout).is_empty(), "{run}");
    let mut users = d.usernames();
    users.sort();
    assert_eq!(users, ["boss", "boss-audit", "boss-sec"]);
}

// ---------------------------------------------------------------------------------------------
// 4. region init

#[test]
fn region_init_completes_a_county_and_is_idempotent() {
    let d = Deployment::new();
    d.init_yichun();
    // Take the villages of one township of 丰城市 (360981) out of the tree, as if the tree had
    // been loaded incompletely.
    let removed = d.sql(async |c| {
        sqlx::query("DELETE FROM region WHERE parent_code = '360981101000'")
            .execute(c)
            .await
            .unwrap()
            .rows_affected()
    });
    assert!(removed > 0, "360981101000 has no villages?");

    let run = d.run(&["region", "init", "360981"]).assert_ok();
    assert!(
        run.stdout.contains(&format!("{removed} regions added")),
        "{run}"
    );
    let run = d.run(&["region", "init", "360981"]).assert_ok();
    assert!(run.stdout.contains(" 0 regions added"), "{run}");
    assert_eq!(d.scalar("SELECT COUNT(*) FROM region"), 1 + 10 + 219 + 2794);
    d.run(&["audit", "verify"]).assert_ok();
}

#[test]
fn region_init_before_init_is_refused_so_that_init_still_works() {
    let d = Deployment::new();
    let run = d.run(&["region", "init", "360981"]).assert_failed();
    assert!(run.stderr.contains("chuangye init"), "{run}");
    assert_eq!(d.scalar("SELECT COUNT(*) FROM region"), 0);
    d.init_yichun();
}

// ---------------------------------------------------------------------------------------------
// 5. audit verify

#[test]
fn audit_verify_passes_on_an_intact_chain_and_names_the_first_tampered_row() {
    let d = Deployment::new();
    d.init_yichun();
    d.run(&[
        "user",
        "add",
        "zhangsan",
        "--name",
        "张三",
        "--region",
        "360902001000",
        "--role",
        "service_staff",
    ])
    .assert_ok();
    let run = d.run(&["audit", "verify"]).assert_ok();
    assert!(run.stdout.contains("audit chain intact"), "{run}");
    let rows = d.scalar("SELECT COUNT(*) FROM audit_log");
    assert!(rows >= 3, "only {rows} audit rows");

    // The schema refuses UPDATE on audit_log (trigger audit_log_append_only), as an attacker
    // with the database file would find. Drop the trigger, then rewrite row 2 in place.
    let refused = d.sql(async |c| {
        sqlx::query("UPDATE audit_log SET after_json = '{}' WHERE seq = 2")
            .execute(c)
            .await
            .is_err()
    });
    assert!(refused, "the append-only trigger let an UPDATE through");
    d.sql(async |c| {
        sqlx::query("DROP TRIGGER audit_log_append_only")
            .execute(&mut *c)
            .await
            .unwrap();
        let n = sqlx::query(
            "UPDATE audit_log SET after_json = '{\"forged\":true}', username = 'mallory' \
             WHERE seq = 2",
        )
        .execute(&mut *c)
        .await
        .unwrap()
        .rows_affected();
        assert_eq!(n, 1);
    });

    let run = d.run(&["audit", "verify"]);
    assert_eq!(run.code(), Some(1), "{run}");
    assert!(run.stdout.contains("broken at row 2 "), "{run}");
    assert!(run.stdout.contains("第 2 行"), "{run}");
}

#[test]
fn audit_verify_detects_a_forged_row_appended_to_the_chain() {
    let d = Deployment::new();
    d.init_yichun();
    // No trigger forbids INSERT: append a row that links to the real last hash but carries a
    // hash the forger had to make up without the data key.
    let forged = d.sql(async |c| {
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_one(&mut *c)
                .await
                .unwrap();
        sqlx::query(
            "INSERT INTO audit_log (seq, at, username, ip, action, entity, entity_id, \
             prev_hash, hash) VALUES ($1, 0, 'mallory', '127.0.0.1', 'user.create', \
             'app_user', 'x', $2, $3)",
        )
        .bind(seq + 1)
        .bind(hash)
        .bind("0".repeat(64))
        .execute(&mut *c)
        .await
        .unwrap();
        seq + 1
    });
    let run = d.run(&["audit", "verify"]);
    assert_eq!(run.code(), Some(1), "{run}");
    assert!(
        run.stdout.contains(&format!("broken at row {forged} ")),
        "{run}"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. the data key

#[cfg(unix)]
#[test]
fn the_key_file_created_on_first_start_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let d = Deployment::new();
    let run = d.init_yichun();
    assert!(run.stderr.contains("a new data key was created"), "{run}");
    let mode = std::fs::metadata(d.key_file())
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
}

#[test]
fn an_existing_database_without_its_key_file_refuses_to_start_and_creates_no_key() {
    let d = Deployment::new();
    d.init_yichun();
    let key = std::fs::read_to_string(d.key_file()).unwrap();
    std::fs::remove_file(d.key_file()).unwrap();

    let run = d.serve(&["--no-demo"], &[]).exited().assert_failed();
    assert!(run.stderr.contains("CHUANGYE_DATA_KEY"), "{run}");
    assert!(run.stderr.contains("missing"), "{run}");
    assert!(!d.key_file().exists(), "a new key file was created");
    let run = d.run(&["audit", "verify"]).assert_failed();
    assert!(run.stderr.contains("CHUANGYE_DATA_KEY"), "{run}");
    assert!(!d.key_file().exists(), "a new key file was created");

    // The right key given in CHUANGYE_DATA_KEY opens the database again.
    d.run_env(&["audit", "verify"], &[("CHUANGYE_DATA_KEY", key.trim())])
        .assert_ok();
    assert!(!d.key_file().exists());
}

#[test]
fn a_different_data_key_fails_with_the_fingerprint_mismatch() {
    let d = Deployment::new();
    d.init_yichun();
    let key = std::fs::read_to_string(d.key_file()).unwrap();
    let env = [("CHUANGYE_DATA_KEY", OTHER_KEY)];

    let run = d.serve(&["--no-demo"], &env).exited().assert_failed();
    assert!(
        run.stderr
            .contains("the data key does not match this database"),
        "{run}"
    );
    assert!(run.stderr.contains("fingerprint"), "{run}");
    let run = d.run_env(&["audit", "verify"], &env).assert_failed();
    assert!(run.stderr.contains("fingerprint"), "{run}");

    // The same with the key file gone; and the key file, when there, is left alone.
    assert_eq!(std::fs::read_to_string(d.key_file()).unwrap(), key);
    std::fs::remove_file(d.key_file()).unwrap();
    let run = d.run_env(&["audit", "verify"], &env).assert_failed();
    assert!(run.stderr.contains("fingerprint"), "{run}");
    assert!(!d.key_file().exists());
}

// ---------------------------------------------------------------------------------------------
// 7. backup and restore

#[test]
fn restore_of_a_backup_undoes_later_changes_and_keeps_the_audit_chain_intact() {
    let d = Deployment::new();
    d.init_yichun();
    let backup = d.path().join("backup.db");
    let b = backup.to_str().unwrap();
    let run = d.run(&["backup", b]).assert_ok();
    assert!(run.stdout.contains("backed up"), "{run}");
    assert!(backup.is_file());

    d.run(&[
        "user",
        "add",
        "zhangsan",
        "--name",
        "张三",
        "--region",
        "360902001000",
        "--role",
        "service_staff",
    ])
    .assert_ok();
    assert!(d.usernames().contains(&"zhangsan".to_string()));

    let run = d.run(&["restore", b]).assert_ok();
    assert!(run.stdout.contains("restored"), "{run}");
    let mut users = d.usernames();
    users.sort();
    assert_eq!(users, ["boss", "boss-audit", "boss-sec"]);
    let run = d.run(&["audit", "verify"]).assert_ok();
    assert!(run.stdout.contains("audit chain intact"), "{run}");
    // The restored deployment takes changes again, and the chain still holds after them.
    d.run(&[
        "user",
        "add",
        "lisi",
        "--name",
        "李四",
        "--region",
        "360902001000",
        "--role",
        "service_staff",
    ])
    .assert_ok();
    d.run(&["audit", "verify"]).assert_ok();
    assert!(!d.data().join("chuangye.db.restoring").exists());
}

#[test]
fn backup_refuses_an_existing_target_file() {
    let d = Deployment::new();
    d.init_yichun();
    let target = d.path().join("taken.db");
    std::fs::write(&target, "keep me").unwrap();
    let run = d.run(&["backup", target.to_str().unwrap()]).assert_failed();
    assert!(run.stderr.contains("already exists"), "{run}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
}

#[test]
fn restore_refuses_a_file_that_is_not_a_chuangye_backup_and_keeps_the_database() {
    let d = Deployment::new();
    d.init_yichun();
    let junk = d.path().join("junk.db");
    std::fs::write(
        &junk,
        "not a database, just text that is long enough to be read",
    )
    .unwrap();
    let run = d.run(&["restore", junk.to_str().unwrap()]).assert_failed();
    assert!(
        run.stderr.contains("is not a valid chuangye backup"),
        "{run}"
    );
    let missing = d.path().join("missing.db");
    let run = d
        .run(&["restore", missing.to_str().unwrap()])
        .assert_failed();
    assert!(run.stderr.contains("cannot open the backup"), "{run}");
    assert!(!missing.exists(), "restore created the backup file it read");
    assert_eq!(d.usernames().len(), 3);
    d.run(&["audit", "verify"]).assert_ok();
}

// ---------------------------------------------------------------------------------------------
// 8. API tokens and the JSON API of a served deployment

#[test]
fn a_token_from_token_create_authenticates_the_api_of_the_running_server() {
    let d = Deployment::new();
    d.init_yichun();
    let run = d.run(&["token", "create", "boss"]).assert_ok();
    let token = run.stdout.trim().to_string();
    assert!(
        token.starts_with("cy_") && !token.contains(char::is_whitespace),
        "token create should print just the token: {run}"
    );
    let run = d.run(&["token", "create", "nobody"]).assert_failed();
    assert!(run.stderr.contains("username"), "{run}");

    let server = d.serve(&["--no-demo"], &[]).listening();
    block_on(async {
        let http = reqwest::Client::new();
        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);

        let me = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        let body: serde_json::Value = me.json().await.unwrap();
        assert_eq!(body["username"], "boss", "{body}");
        assert_eq!(body["region_code"], "360900000000", "{body}");

        let wrong = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(format!("{token}x"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_problem(wrong, 401).await;

        let none = http.get(server.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(none.status(), 401);

        // 北京市东城区 lies outside the deployment (宜春市).
        let outside = http
            .get(server.url("/api/v1/regions/110101000000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(outside.status(), 404);
        assert_problem(outside, 404).await;

        let inside = http
            .get(server.url("/api/v1/regions/360981000000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(inside.status(), 200);
        let body: serde_json::Value = inside.json().await.unwrap();
        assert_eq!(body["name"], "丰城市", "{body}");
    });
}

async fn assert_problem(r: reqwest::Response, status: u16) {
    let ct = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
}

#[test]
fn the_openapi_document_of_the_running_server_lists_the_api_paths() {
    let d = Deployment::new();
    // An empty database with --no-demo: the server says how to initialise and builds nothing.
    let server = d.serve(&["--no-demo"], &[]).listening();
    assert!(server.stdout.contains("chuangye init"), "{}", server.stdout);
    assert!(passwords_in(&server.stdout).is_empty(), "{}", server.stdout);
    let doc: serde_json::Value = block_on(async {
        let r = reqwest::get(server.url("/api/v1/openapi.json"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    });
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/units",
    ] {
        assert!(paths.contains_key(p), "{p} missing from {:?}", paths.keys());
    }
    drop(server);
    assert_eq!(d.usernames(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// 9. the demo deployment

#[test]
fn the_first_serve_on_an_empty_database_builds_the_demo_and_prints_its_accounts_once() {
    let d = Deployment::new();
    let first = d.serve(&[], &[]).listening();
    let creds = credentials(&first.stdout);
    for user in ["office", "sysadmin", "secadmin", "auditor"] {
        assert!(
            creds.contains_key(user),
            "no password for {user}:\n{}",
            first.stdout
        );
    }
    let health = block_on(async { reqwest::get(first.url("/healthz")).await.unwrap().status() });
    assert_eq!(health, 200);
    drop(first);

    let second = d.serve(&[], &[]).listening();
    assert!(passwords_in(&second.stdout).is_empty(), "{}", second.stdout);
    assert!(!second.stdout.contains("sysadmin"), "{}", second.stdout);
    for pw in creds.values() {
        assert!(!second.stdout.contains(pw.as_str()), "{}", second.stdout);
    }
    drop(second);
    assert!(d.usernames().contains(&"sysadmin".to_string()));
}

#[test]
fn the_region_init_benchmark_runs_and_reports_its_figures() {
    let d = Deployment::new();
    let run = d
        .run(&["bench", "region-init", "411002", "--runs", "1"])
        .assert_ok();
    assert!(run.stdout.contains("120 rows"), "{}", run.stdout);
    assert!(
        run.stdout.contains("region init 411002 on sqlite: runs=1"),
        "{}",
        run.stdout
    );
}
