//! Counters exposed at `/metrics` in the Prometheus text format.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub errors_5xx: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub csrf_rejected: AtomicU64,
}

impl Metrics {
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, extra: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
            ));
        };
        counter(
            "chuangye_http_requests_total",
            "HTTP requests handled.",
            self.requests.load(Ordering::Relaxed),
        );
        counter(
            "chuangye_http_errors_5xx_total",
            "Responses with a 5xx status.",
            self.errors_5xx.load(Ordering::Relaxed),
        );
        counter(
            "chuangye_logins_total",
            "Successful logins.",
            self.logins_ok.load(Ordering::Relaxed),
        );
        counter(
            "chuangye_login_failures_total",
            "Failed logins.",
            self.logins_failed.load(Ordering::Relaxed),
        );
        counter(
            "chuangye_csrf_rejected_total",
            "Requests refused for a missing or wrong CSRF token.",
            self.csrf_rejected.load(Ordering::Relaxed),
        );
        for (name, help, v) in extra {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"
            ));
        }
        out
    }
}
