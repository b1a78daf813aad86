//! Configuration: command-line flags and `CHUANGYE_*` environment variables over a TOML file
//! over the documented defaults. `chuangye config example` prints every setting.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Settings read from the TOML file; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub max_connections: Option<u32>,
    pub no_demo: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub login_per_minute: Option<u32>,
    pub forms_per_hour: Option<u32>,
    pub public_per_second: Option<u32>,
    pub public_url: Option<String>,
    pub log_format: Option<String>,
    pub worker: Option<bool>,
}

/// The effective settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: String,
    pub data: PathBuf,
    pub database_url: String,
    pub max_connections: u32,
    pub no_demo: bool,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub login_per_minute: u32,
    pub forms_per_hour: u32,
    pub public_per_second: u32,
    pub public_url: Option<String>,
    pub log_format: String,
    pub worker: bool,
}

pub const EXAMPLE: &str = r#"# chuangye configuration (TOML). Every setting can also be given as a flag or an
# environment variable; flags and variables win over this file.
# Load it with --config FILE or CHUANGYE_CONFIG=FILE (default: ./chuangye.toml if present).

# Address to listen on.                               --addr / CHUANGYE_ADDR
addr = "127.0.0.1:8080"
# Data directory: SQLite database, key file, stored files.   --data / CHUANGYE_DATA
data = "./data"
# Database: sqlite:PATH (default: sqlite:<data>/chuangye.db) or
# postgres://USER:PASSWORD@HOST:PORT/DB.               --database-url / CHUANGYE_DATABASE_URL
# database_url = "postgres://app:app@127.0.0.1:5432/chuangye"
# Connection pool size (SQLite uses at most 8).        CHUANGYE_MAX_CONNECTIONS
max_connections = 16
# Do not build the demo deployment on an empty database.   --no-demo / CHUANGYE_NO_DEMO
no_demo = false
# Mark cookies Secure (serve over HTTPS).              CHUANGYE_SECURE_COOKIES
secure_cookies = false
# Trust X-Forwarded-For (only behind your own proxy / load balancer).   CHUANGYE_TRUST_PROXY
trust_proxy = false
# Login attempts per minute from one address.          CHUANGYE_LOGIN_PER_MINUTE
login_per_minute = 20
# Public forms (questions, job-board and idea submissions) from one address per hour,
# after a first burst of five.                          CHUANGYE_FORMS_PER_HOUR
forms_per_hour = 10
# Public pages, search and public API requests per second from one address (bursts of
# four times as many); 0 turns the limit off.           CHUANGYE_PUBLIC_PER_SECOND
public_per_second = 50
# The portal's address for citizens, e.g. "https://cy.example.gov.cn": feeds and the sitemap
# name pages by it (default: the address each request came to).   CHUANGYE_PUBLIC_URL
# public_url = "https://cy.example.gov.cn"
# Log format: "text" or "json".                        CHUANGYE_LOG_FORMAT
log_format = "text"
# Run the job worker inside `serve` (turn off on nodes where `chuangye worker` runs).   CHUANGYE_WORKER
worker = true

# The data key (SM4 field encryption, blind indexes, audit chain) is read from
# CHUANGYE_DATA_KEY (base64 or hex of 32 bytes) or from <data>/keys/data.key, which is
# created on first start. BACK IT UP: without it the personal data cannot be read.
"#;

pub struct Overrides {
    pub config: Option<PathBuf>,
    pub addr: Option<String>,
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub no_demo: bool,
}

fn env_bool(name: &str) -> Option<bool> {
    std::env::var(name).ok().map(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn env_u32(name: &str) -> anyhow::Result<Option<u32>> {
    match std::env::var(name) {
        Ok(v) => Ok(Some(v.trim().parse().map_err(|_| {
            anyhow::anyhow!("{name} must be a whole number, got `{v}`")
        })?)),
        Err(_) => Ok(None),
    }
}

/// A public address as configured: `http(s)://host[:port]`, without a trailing slash.
fn public_url(u: &str) -> anyhow::Result<String> {
    let u = u.trim().trim_end_matches('/');
    let host = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or("");
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !ok {
        anyhow::bail!("public_url must be http(s)://host[:port] without a path, got `{u}`");
    }
    Ok(u.to_string())
}

pub fn load(o: Overrides) -> anyhow::Result<Config> {
    let path = o.config.clone().or_else(|| {
        let p = Path::new("chuangye.toml");
        p.exists().then(|| p.to_path_buf())
    });
    let file: FileConfig = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                anyhow::anyhow!(
                    "配置文件 {} 无法读取 / cannot read config file: {e}",
                    p.display()
                )
            })?;
            toml::from_str(&text).map_err(|e| {
                anyhow::anyhow!("配置文件 {} 有误 / invalid config file: {e}", p.display())
            })?
        }
        None => FileConfig::default(),
    };
    let data = o
        .data
        .or(file.data)
        .unwrap_or_else(|| PathBuf::from("./data"));
    let database_url = o
        .database_url
        .or(file.database_url)
        .unwrap_or_else(|| format!("sqlite:{}", data.join("chuangye.db").display()));
    let log_format = std::env::var("CHUANGYE_LOG_FORMAT")
        .ok()
        .or(file.log_format)
        .unwrap_or_else(|| "text".into());
    if log_format != "text" && log_format != "json" {
        anyhow::bail!("log_format must be \"text\" or \"json\", got `{log_format}`");
    }
    Ok(Config {
        addr: o
            .addr
            .or(file.addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into()),
        data,
        database_url,
        max_connections: env_u32("CHUANGYE_MAX_CONNECTIONS")?
            .or(file.max_connections)
            .unwrap_or(16),
        no_demo: o.no_demo || file.no_demo.unwrap_or(false),
        secure_cookies: env_bool("CHUANGYE_SECURE_COOKIES")
            .or(file.secure_cookies)
            .unwrap_or(false),
        trust_proxy: env_bool("CHUANGYE_TRUST_PROXY")
            .or(file.trust_proxy)
            .unwrap_or(false),
        login_per_minute: env_u32("CHUANGYE_LOGIN_PER_MINUTE")?
            .or(file.login_per_minute)
            .unwrap_or(20),
        forms_per_hour: env_u32("CHUANGYE_FORMS_PER_HOUR")?
            .or(file.forms_per_hour)
            .unwrap_or(10),
        public_per_second: env_u32("CHUANGYE_PUBLIC_PER_SECOND")?
            .or(file.public_per_second)
            .unwrap_or(50),
        public_url: match std::env::var("CHUANGYE_PUBLIC_URL")
            .ok()
            .or(file.public_url)
        {
            Some(u) => Some(public_url(&u)?),
            None => None,
        },
        log_format,
        worker: env_bool("CHUANGYE_WORKER").or(file.worker).unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_public_url_is_an_origin_without_a_path() {
        assert_eq!(
            super::public_url("https://cy.example.gov.cn/").unwrap(),
            "https://cy.example.gov.cn"
        );
        assert!(super::public_url("http://10.1.2.3:8080").is_ok());
        for bad in [
            "cy.example.gov.cn",
            "https://",
            "https://a/b",
            "javascript:alert(1)",
        ] {
            assert!(super::public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_example_config_parses() {
        let f: super::FileConfig = toml::from_str(super::EXAMPLE).unwrap();
        assert_eq!(f.addr.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(f.login_per_minute, Some(20));
    }

    #[test]
    fn an_unknown_setting_is_refused() {
        assert!(toml::from_str::<super::FileConfig>("adress = \"x\"").is_err());
    }
}
