//! A running server over a fresh demo deployment, and an HTTP client that keeps cookies.

use std::net::SocketAddr;

use chuangye_core::testing::TestDb;
use chuangye_core::{Core, demo};
use chuangye_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = "Test-Pass-2024";

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub base: String,
    _server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// The demo deployment (许昌市魏都区), every demo password set to [`PASSWORD`].
    pub async fn demo() -> TestApp {
        Self::demo_with(WebConfig::default()).await
    }

    pub async fn demo_with(config: WebConfig) -> TestApp {
        let db = TestDb::new().await;
        demo::build_demo_with(
            &db.core,
            Some(PASSWORD),
            chuangye_core::ledger::generate::Scale::NONE,
        )
        .await
        .expect("demo deployment");
        let state = AppState::new(db.core.clone(), config).await;
        let app = chuangye_web::router(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        TestApp {
            db,
            state,
            base: format!("http://{addr}"),
            _server: server,
        }
    }

    pub fn core(&self) -> &Core {
        &self.db.core
    }

    pub fn client(&self) -> Browser {
        Browser {
            http: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A client logged in as a demo user.
    pub async fn login(&self, username: &str) -> Browser {
        let b = self.client();
        let r = b.login(username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed"
        );
        b
    }

    /// The id of a demo user.
    pub async fn user_id(&self, username: &str) -> String {
        let mut c = self.core().db.pool().acquire().await.unwrap();
        chuangye_core::org::repo::user_by_name(&mut c, username)
            .await
            .unwrap()
            .unwrap()
            .id
    }
}

/// A cookie-keeping client that follows no redirects, so tests see every status.
pub struct Browser {
    pub http: Client,
    pub base: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// The CSRF token of the current session (or the anonymous cookie), read from a page.
    pub async fn csrf(&self) -> String {
        let (_, html) = self.text("/login").await;
        let (_, html2) = if html.contains("name=\"_csrf\"") {
            (StatusCode::OK, html)
        } else {
            self.text("/admin").await
        };
        extract_csrf(&html2).expect("csrf token on page")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        let token = self.csrf().await;
        self.http
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("_csrf", &token),
            ])
            .send()
            .await
            .expect("POST /login")
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let r = self.get("/admin").await;
        let html = match r.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(to) => self.text(to).await.1,
            None => r.text().await.unwrap_or_default(),
        };
        let token = extract_csrf(&html).unwrap_or_default();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("_csrf", &token));
        self.http
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let j = html[i..].find('"')?;
    Some(html[i..i + j].to_string())
}
