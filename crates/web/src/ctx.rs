//! The request context: language, client address, session or token, CSRF. Resolved once per
//! request by [`resolve`] and read by handlers through the [`Ctx`] extractor.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use chuangye_core::auth::{self, Session, SessionState};
use chuangye_core::org::Actor;
use rand::RngCore;

use crate::AppState;
use crate::cache::CachedAuth;
use crate::error::{AppError, PendingError};
use crate::i18n::Lang;
use crate::metrics::Metrics;

pub const SESSION_COOKIE: &str = "cy_session";
pub const CSRF_COOKIE: &str = "cy_csrf";
pub const LANG_COOKIE: &str = "cy_lang";
/// The largest form body read while checking its CSRF token.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub ip: String,
    pub session: Option<Session>,
    /// The actor, from the session or (for the API) a bearer token.
    pub actor: Option<Actor>,
    /// The token to put in forms.
    pub csrf: String,
    /// The session cookie named a session that has timed out.
    pub expired: bool,
    pub path: String,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(AppError::Internal("request context missing".into()))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static("x=; Path=/"))
}

fn random_token() -> String {
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(f) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(last) = f.rsplit(',').next()
    {
        // The address our own proxy appended: the rightmost entry.
        return last.trim().to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let first = accept
        .split(',')
        .next()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("");
    match first.trim().to_ascii_lowercase().as_str() {
        l if l.starts_with("en") => Lang::En,
        "zh-tw" | "zh-hk" | "zh-mo" | "zh-hant" => Lang::ZhHant,
        _ => Lang::ZhHans,
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Paths a user who must change their password may still reach.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/account/password"
        || path == "/logout"
        || path.starts_with("/static/")
        || path.starts_with("/lang/")
}

/// The middleware that builds [`Ctx`], checks CSRF on every state change, and enforces the
/// forced password change.
pub async fn resolve(State(st): State<AppState>, req: Request, next: Next) -> Response {
    Metrics::inc(&st.metrics.requests);
    let path = req.uri().path().to_string();
    let ip = client_ip(&req, st.config.trust_proxy);
    let lang = lang_of(req.headers());
    let mut ctx = Ctx {
        lang,
        ip: ip.clone(),
        session: None,
        actor: None,
        csrf: String::new(),
        expired: false,
        path: path.clone(),
    };

    // API clients authenticate with a bearer token.
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    if let Some(tok) = bearer.filter(|_| is_api(&path)) {
        match token_actor(&st, tok.trim(), &ip).await {
            Ok(Some(a)) => ctx.actor = Some(a),
            Ok(None) => return AppError::Unauthenticated.into_response_for(&ctx),
            Err(e) => return AppError::from(e).into_response_for(&ctx),
        }
    } else if let Some(tok) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        match session_of(&st, &tok, &ip).await {
            Ok(Ok(s)) => {
                ctx.actor = Some(s.actor.clone());
                ctx.csrf = s.csrf.clone();
                ctx.session = Some(s);
            }
            Ok(Err(SessionState::Expired)) => ctx.expired = true,
            Ok(Err(SessionState::Unknown)) => {}
            Err(e) => return AppError::from(e).into_response_for(&ctx),
        }
    }
    let mut new_csrf_cookie = None;
    if ctx.session.is_none() {
        ctx.csrf = match cookie(req.headers(), CSRF_COOKIE) {
            Some(c) if c.len() >= 16 => c.to_string(),
            _ => {
                let t = random_token();
                new_csrf_cookie = Some(t.clone());
                t
            }
        };
    }

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if unsafe_method && !(is_api(&path) && ctx.session.is_none()) {
        let (ok, rebuilt) = check_csrf(req, &ctx.csrf, new_csrf_cookie.is_some()).await;
        req = rebuilt;
        if !ok {
            Metrics::inc(&st.metrics.csrf_rejected);
            return AppError::Csrf.into_response_for(&ctx);
        }
    }

    if let Some(a) = &ctx.actor
        && a.must_change_password
        && ctx.session.is_some()
        && !allowed_before_password_change(&path)
    {
        return Redirect::to("/account/password").into_response();
    }

    req.extensions_mut().insert(ctx.clone());
    let mut resp = next.run(req).await;
    if unsafe_method {
        // A state change may have changed what cached actors and regions say.
        st.caches.clear();
    }
    if let Some(PendingError(e)) = resp.extensions_mut().remove::<PendingError>() {
        resp = e.into_response_for(&ctx);
    }
    if resp.status().is_server_error() {
        Metrics::inc(&st.metrics.errors_5xx);
    }
    if let Some(t) = new_csrf_cookie {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &t, None, st.config.secure_cookies),
        );
    }
    resp
}

/// The actor of an API token, from the cache or the database.
async fn token_actor(st: &AppState, token: &str, ip: &str) -> chuangye_core::Result<Option<Actor>> {
    let key = auth::token_hash(token);
    if let Some(hit) = st.caches.auth.get(&key) {
        let mut a = hit.actor;
        a.ip = ip.to_string();
        return Ok(Some(a));
    }
    let seen = st.caches.auth.generation();
    let actor = auth::actor_from_token(&st.core, token, ip).await?;
    if let Some(a) = &actor {
        let entry = CachedAuth {
            actor: a.clone(),
            csrf: String::new(),
            last_seen: i64::MAX,
            user_id: a.user_id.clone().unwrap_or_default(),
            membership_id: a.membership_id.clone(),
        };
        st.caches.auth.insert(seen, key, entry);
    }
    Ok(actor)
}

async fn idle_secs(st: &AppState) -> chuangye_core::Result<i64> {
    if let Some(v) = st.caches.idle_secs.get(&()) {
        return Ok(v);
    }
    let seen = st.caches.idle_secs.generation();
    let v = auth::idle_timeout_secs(&st.core).await?;
    st.caches.idle_secs.insert(seen, (), v);
    Ok(v)
}

/// The session of a cookie, from the cache or the database, with the idle timeout enforced
/// and `last_seen` kept current either way.
async fn session_of(
    st: &AppState,
    token: &str,
    ip: &str,
) -> chuangye_core::Result<Result<Session, SessionState>> {
    let key = auth::token_hash(token);
    if let Some(hit) = st.caches.auth.get(&key) {
        let now = chuangye_core::db::now();
        if now - hit.last_seen > idle_secs(st).await? {
            // Another node may have seen this session since: ask the database.
            st.caches.auth.remove(&key);
            return auth::resume(&st.core, token, ip).await;
        }
        let mut last_seen = hit.last_seen;
        if now - hit.last_seen > auth::TOUCH_AFTER_SECS {
            auth::touch_session(&st.core, &key, now).await?;
            last_seen = now;
            let seen = st.caches.auth.generation();
            st.caches.auth.insert(
                seen,
                key.clone(),
                CachedAuth {
                    last_seen,
                    ..hit.clone()
                },
            );
        }
        let mut actor = hit.actor;
        actor.ip = ip.to_string();
        return Ok(Ok(Session {
            actor,
            csrf: hit.csrf,
            id_hash: key,
            last_seen,
        }));
    }
    let seen = st.caches.auth.generation();
    let r = auth::resume(&st.core, token, ip).await?;
    if let Ok(s) = &r {
        let entry = CachedAuth {
            actor: s.actor.clone(),
            csrf: s.csrf.clone(),
            last_seen: s.last_seen,
            user_id: s.actor.user_id.clone().unwrap_or_default(),
            membership_id: s.actor.membership_id.clone(),
        };
        st.caches.auth.insert(seen, key, entry);
    }
    Ok(r)
}

/// Compares the token sent (header, form field `_csrf`, or query `_csrf` for uploads) with the
/// expected one. Returns the request with its body restored.
async fn check_csrf(req: Request, expected: &str, fresh: bool) -> (bool, Request) {
    if fresh || expected.is_empty() {
        return (false, req);
    }
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return (constant_eq(h, expected), req);
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if ctype.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return (false, Request::from_parts(parts, Body::empty()));
        };
        let sent = form_urlencoded_value(&bytes, "_csrf");
        let ok = sent.is_some_and(|s| constant_eq(&s, expected));
        return (ok, Request::from_parts(parts, Body::from(bytes)));
    }
    let q = req
        .uri()
        .query()
        .map(|q| form_urlencoded_value(q.as_bytes(), "_csrf"))
        .unwrap_or(None);
    (q.is_some_and(|s| constant_eq(&s, expected)), req)
}

fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A plain status response for the few places that need one.
pub fn status(code: StatusCode) -> Response {
    code.into_response()
}
