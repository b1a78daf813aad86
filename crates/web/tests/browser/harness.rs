//! The browser side of the tests: chromedriver as a child process (killed, with every Chromium
//! process it started, when the guard is dropped), a headless Chromium session, and [`Page`], a
//! few waiting and asserting helpers over fantoccini.
//!
//! Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`); `CHROME_BIN` and
//! `CHROMEDRIVER` override their paths. Without them the tests are skipped with a loud message,
//! except under CI (`CI` set), where that is a failure.

use std::future::Future;
use std::io::Write as _;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any wait lasts before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// The browser window: a desktop, or a phone (390 × 844 CSS pixels).
#[derive(Clone, Copy, Debug)]
pub enum Viewport {
    Desktop,
    Phone,
}

impl Viewport {
    fn window_size(self) -> &'static str {
        match self {
            Viewport::Desktop => "--window-size=1280,900",
            Viewport::Phone => "--window-size=390,844",
        }
    }
}

struct Tools {
    chrome: PathBuf,
    driver: PathBuf,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Chromium and chromedriver, or `None` (after saying so) when the test is to be skipped.
fn tools() -> Option<Tools> {
    let path = |var: &str, default: &str| {
        PathBuf::from(
            std::env::var(var)
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default.to_string()),
        )
    };
    let tools = Tools {
        chrome: path("CHROME_BIN", "/usr/bin/chromium"),
        driver: path("CHROMEDRIVER", "/usr/bin/chromedriver"),
    };
    let missing: Vec<String> = [&tools.chrome, &tools.driver]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(tools);
    }
    let msg = format!(
        "browser tests need chromium and chromium-driver (apt-get install chromium chromium-driver, \
         or set CHROME_BIN / CHROMEDRIVER); not found: {}",
        missing.join(", ")
    );
    if in_ci() {
        panic!("{msg}. CI is set, so a missing browser is a failure, not a skip.");
    }
    // Straight to stderr: the test harness captures eprintln! of passing tests.
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n**********\nSKIPPED: {msg}\n**********\n"
        );
    });
    None
}

/// A running chromedriver. Dropping it ends chromedriver and every Chromium process it
/// started: they all live in the process group it was started in. Its log is kept in
/// `$CARGO_TARGET_TMPDIR` when the test fails.
struct Chromedriver {
    child: Child,
    url: String,
    log: PathBuf,
    keep_log: bool,
}

impl Chromedriver {
    async fn start(tools: &Tools) -> Chromedriver {
        let mut last = String::new();
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let log =
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("chromedriver-{port}.log"));
            let child = Command::new(&tools.driver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", tools.driver.display()));
            let mut driver = Chromedriver {
                child,
                url: format!("http://127.0.0.1:{port}"),
                log,
                keep_log: false,
            };
            match driver.wait_ready().await {
                Ok(()) => return driver,
                Err(e) => last = e,
            }
        }
        panic!("chromedriver did not start: {last}");
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status}"));
            }
            if let Ok(r) = http.get(format!("{}/status", self.url)).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("no answer on {} within 10 s", self.url))
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (`process_group(0)`); Chromium is in it too.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_log && !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A headless Chromium behind its own chromedriver.
pub struct Browser {
    client: Client,
    driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and Chromium, or returns `None` when the test is skipped.
    pub async fn launch(viewport: Viewport) -> Option<Browser> {
        let tools = tools()?;
        let driver = Chromedriver::start(&tools).await;
        let profile = tempfile::tempdir().expect("profile dir");
        let mut options = json!({
            "binary": tools.chrome.display().to_string(),
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                viewport.window_size(),
                format!("--user-data-dir={}", profile.path().display()),
            ],
            // The users read Chinese: their browsers ask for it, and so does this one.
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        });
        if let Viewport::Phone = viewport {
            // Headless Chromium never makes a window narrower than 500 px, whatever
            // --window-size says; device metrics give the page a real phone viewport.
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0}});
        }
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        // Two crypto providers are compiled in (see Cargo.toml), so choose one; chromedriver
        // is plain HTTP on localhost anyway. An error means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "open a Chromium session through chromedriver: {e} (log: {})",
                    driver.log.display()
                )
            });
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Runs `body` on a page of the site at `base`. The session is closed and chromedriver
    /// ended whether `body` passes or panics; a panic is then passed on.
    pub async fn run<F, Fut>(self, base: &str, body: F)
    where
        F: FnOnce(Page) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let page = Page {
            client: self.client.clone(),
            base: base.to_string(),
            log_url: format!("{}/session/{session}/se/log", self.driver.url),
        };
        let outcome = tokio::spawn(body(page)).await;
        let _ = self.client.close().await;
        let mut driver = self.driver;
        driver.keep_log = outcome.is_err();
        if driver.keep_log {
            eprintln!("chromedriver log: {}", driver.log.display());
        }
        drop(driver);
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(p) => std::panic::resume_unwind(p),
                Err(e) => panic!("browser test task failed: {e}"),
            }
        }
    }
}

/// The open tab, with the helpers the tests use. Every helper fails the test with a message
/// naming what it waited for and where the browser was.
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    base: String,
    log_url: String,
}

impl Page {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The current path and query, e.g. `/login?next=/admin`.
    pub async fn location(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the current path (without the query) is `path`.
    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(url) = self.client.current_url().await
                && url.path() == path
                && self.ready().await
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "expected to arrive at {path}, but the browser is at {}",
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ready(&self) -> bool {
        self.client
            .execute("return document.readyState", vec![])
            .await
            .is_ok_and(|v| v == json!("complete"))
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => panic!("no element {css} at {}: {e}", self.location().await),
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        el.text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// Waits until the text of `css` contains `needle` (the page may reload meanwhile).
    pub async fn wait_text(&self, css: &str, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && el.text().await.is_ok_and(|t| t.contains(needle))
            {
                return;
            }
            if Instant::now() > deadline {
                panic!("{css} never said {needle:?} at {}", self.location().await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The `lang` attribute of `<html>`.
    pub async fn lang(&self) -> String {
        self.client
            .execute("return document.documentElement.lang", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Waits until `<html lang>` is `lang` and the page has loaded.
    pub async fn wait_lang(&self, lang: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.lang().await != lang || !self.ready().await {
            if Instant::now() > deadline {
                panic!(
                    "expected <html lang=\"{lang}\">, found {:?} at {}",
                    self.lang().await,
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Runs a script that returns a value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
    }

    /// The element that has the keyboard focus.
    pub async fn focused(&self) -> Element {
        self.client.active_element().await.expect("active element")
    }

    /// Saves a PNG of the viewport under the test target's temporary directory.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// Errors the browser reported since the last call: console errors, CSP violations,
    /// failed loads.
    pub async fn console_errors(&self) -> Vec<String> {
        let r = reqwest::Client::new()
            .post(&self.log_url)
            .json(&json!({"type": "browser"}))
            .send()
            .await
            .expect("read the browser log from chromedriver");
        let v: Value = r.json().await.expect("browser log");
        v["value"]
            .as_array()
            .unwrap_or_else(|| panic!("browser log is not a list: {v}"))
            .iter()
            .filter(|e| e["level"] == json!("SEVERE"))
            .filter_map(|e| e["message"].as_str().map(str::to_string))
            .collect()
    }

    /// Fails when the browser reported an error since the last check.
    pub async fn assert_clean_console(&self) {
        let errors = self.console_errors().await;
        assert!(
            errors.is_empty(),
            "the browser reported errors (at {}):\n{}",
            self.location().await,
            errors.join("\n")
        );
    }
}
