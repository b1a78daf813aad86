//! chuangye web: the back office (HTML forms over askama templates), the JSON API `/api/v1`,
//! and the operational endpoints. Every route is declared once in [`routes::table`] with the
//! access it requires; the router and the access-matrix test are both built from that table.

rust_i18n::i18n!("locales", fallback = "zh-CN");

pub mod cache;
pub mod charts;
pub mod ctx;
pub mod error;
pub mod handlers;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod public_form;
pub mod routes;
pub mod statics;

use std::sync::Arc;

use chuangye_core::Core;

pub use routes::{Access, RouteSpec, router, table};

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Login attempts per minute allowed from one address.
    pub login_per_minute: u32,
    /// Public forms (questions, job-board and idea submissions) one address may send in an
    /// hour, after a first burst of five (1 to 3600).
    pub forms_per_hour: u32,
    /// The portal's address for citizens (`https://host`, no trailing slash): feeds and the
    /// sitemap name pages by it, so an item keeps one identity however the site is reached.
    /// Without it, the address the request came to.
    pub public_url: Option<String>,
    /// Public pages, search and public API calls per second from one address (a burst of
    /// four times as many); 0 turns the limit off.
    pub public_per_second: u32,
    /// Where the data key came from: "env", "file" or "created" (shown to the security admin).
    pub key_source: String,
    pub key_file: Option<String>,
    pub key_file_private: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            login_per_minute: 20,
            forms_per_hour: 10,
            public_url: None,
            public_per_second: 50,
            key_source: "env".to_string(),
            key_file: None,
            key_file_private: true,
        }
    }
}

type KeyedLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Shared state of every handler: one reference-counted pointer, cheap to clone (axum clones
/// the state for every layer and extractor of every request).
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

impl std::ops::Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

pub struct AppInner {
    pub core: Core,
    pub config: Arc<WebConfig>,
    pub login_limiter: Arc<KeyedLimiter>,
    /// Public forms per address.
    pub form_limiter: Arc<KeyedLimiter>,
    /// Lookup-code attempts per address.
    pub lookup_limiter: Arc<KeyedLimiter>,
    /// Public pages per address; none when turned off.
    pub public_limiter: Option<Arc<KeyedLimiter>>,
    /// Challenge tokens answered on this node.
    pub used_tokens: public_form::UsedTokens,
    pub metrics: Arc<metrics::Metrics>,
    pub caches: Arc<cache::Caches>,
    /// Whether this is the demo deployment (the login page then says so).
    pub demo: bool,
}

impl AppState {
    /// A connection from the pool, its failure an error page.
    pub async fn conn(&self) -> Result<chuangye_core::db::Conn, error::AppError> {
        self.core
            .db
            .pool()
            .acquire()
            .await
            .map_err(|e| chuangye_core::Error::from(e).into())
    }

    /// Builds the state and starts the cache watcher (call inside the tokio runtime).
    pub async fn new(core: Core, config: WebConfig) -> AppState {
        let demo = {
            match core.db.pool().acquire().await {
                Ok(mut c) => chuangye_core::org::repo::setting_get(&mut c, "demo")
                    .await
                    .ok()
                    .flatten()
                    .is_some(),
                Err(_) => false,
            }
        };
        let caches = Arc::new(cache::Caches::default());
        cache::Caches::watch(Arc::downgrade(&caches), core.clone()).await;
        let st = AppState::with(core, config, caches, demo);
        st.forget_quiet_addresses();
        st
    }

    /// Once a minute, forgets the addresses the limiters no longer hold back (their memory
    /// would otherwise grow with every address ever seen).
    fn forget_quiet_addresses(&self) {
        let weak = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                let Some(st) = weak.upgrade() else { return };
                st.login_limiter.retain_recent();
                st.form_limiter.retain_recent();
                st.lookup_limiter.retain_recent();
                if let Some(l) = &st.public_limiter {
                    l.retain_recent();
                }
            }
        });
    }

    fn with(core: Core, config: WebConfig, caches: Arc<cache::Caches>, demo: bool) -> AppState {
        let per_min = std::num::NonZeroU32::new(config.login_per_minute.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        let nz = |n: u32| std::num::NonZeroU32::new(n.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        // Five forms at once, then one every (3600 / forms_per_hour) seconds.
        let form_period =
            std::time::Duration::from_secs(3600 / u64::from(config.forms_per_hour.max(1)));
        let form_quota = governor::Quota::with_period(form_period)
            .unwrap_or(governor::Quota::per_hour(nz(10)))
            .allow_burst(nz(5));
        let public_limiter = (config.public_per_second > 0).then(|| {
            let q = governor::Quota::per_second(nz(config.public_per_second))
                .allow_burst(nz(config.public_per_second.saturating_mul(4)));
            Arc::new(governor::RateLimiter::keyed(q))
        });
        AppState(Arc::new(AppInner {
            core,
            login_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                per_min,
            ))),
            form_limiter: Arc::new(governor::RateLimiter::keyed(form_quota)),
            lookup_limiter: Arc::new(governor::RateLimiter::keyed(
                governor::Quota::with_period(std::time::Duration::from_secs(30))
                    .unwrap_or(governor::Quota::per_minute(nz(2)))
                    .allow_burst(nz(10)),
            )),
            public_limiter,
            used_tokens: public_form::UsedTokens::default(),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            caches,
            demo,
        }))
    }
}
