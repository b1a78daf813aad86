//! What protects the forms citizens send without an account (consultations; job-board and
//! business-idea submissions) from floods and scripts, without showing an image that a blind
//! or older reader could not read:
//!
//! - a **question in words** ("七加二等于几？") answered in digits or Chinese numerals; its
//!   token is signed with the deployment's key (any node checks it), expires after half an hour
//!   and is accepted once on this node;
//! - a **honeypot**: a field hidden from people (and from screen readers) that scripts fill;
//! - a **flood limit** per address: a burst of a few forms, then one every few minutes
//!   ([`crate::WebConfig::forms_per_hour`]).
//!
//! A form page shows [`Challenge::issue`]'s question and token, and the honeypot field
//! [`HONEYPOT`]; its handler calls [`admit`] first and [`check`] before it writes anything.

use std::collections::HashMap;
use std::sync::Mutex;

use chuangye_core::FieldError;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::FormData;

/// The field people never see; a form that fills it is refused.
pub const HONEYPOT: &str = "website";
/// The form fields of the challenge.
pub const TOKEN_FIELD: &str = "challenge";
pub const ANSWER_FIELD: &str = "answer";

/// How long a question may be answered.
const VALID_SECS: i64 = 30 * 60;

/// A question to show on a form, and the token that goes back with the answer.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub question: String,
    pub token: String,
}

const ZH_DIGITS: [&str; 19] = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
    "十四", "十五", "十六", "十七", "十八",
];
const EN_DIGITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

fn mac(st: &AppState, exp: i64, nonce: &str, answer: u32) -> String {
    st.core
        .crypto
        .index()
        .index("form_challenge", &format!("{exp}.{nonce}.{answer}"))
}

impl Challenge {
    /// A new question in the reader's language (two numbers from one to nine to add).
    pub fn issue(st: &AppState, lang: Lang) -> Challenge {
        use rand::Rng;
        let mut rng = rand::rng();
        let (a, b): (usize, usize) = (rng.random_range(1..=9), rng.random_range(1..=9));
        let question = match lang {
            Lang::En => format!("What is {} plus {}?", EN_DIGITS[a], EN_DIGITS[b]),
            Lang::ZhHant => format!("{}加{}等於幾？", ZH_DIGITS[a], ZH_DIGITS[b]),
            _ => format!("{}加{}等于几？", ZH_DIGITS[a], ZH_DIGITS[b]),
        };
        let exp = chuangye_core::db::now() + VALID_SECS;
        let nonce = hex::encode(rng.random::<[u8; 12]>());
        let token = format!("{exp}.{nonce}.{}", mac(st, exp, &nonce, (a + b) as u32));
        Challenge { question, token }
    }
}

/// A typed answer as a number: digits (half or full width) or Chinese numerals up to 十八.
fn parse_answer(typed: &str) -> Option<u32> {
    let t: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let t = t.replace('拾', "十").replace(['两', '兩'], "二");
    ZH_DIGITS.iter().position(|d| *d == t).map(|n| n as u32)
}

/// Tokens already answered on this node (until they expire): a token is good once here. (Each
/// node keeps its own, so a solved token could be sent once more to each other node; the flood
/// limit is what holds a script back.)
#[derive(Default)]
pub struct UsedTokens(Mutex<Used>);

#[derive(Default)]
pub struct Used {
    nonces: HashMap<String, i64>,
    /// The size at which expired tokens are next swept out (doubles with the live ones, so a
    /// sweep costs little per token).
    sweep_at: usize,
}

impl UsedTokens {
    fn take(&self, nonce: &str, exp: i64, now: i64) -> bool {
        let mut u = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if u.nonces.len() >= u.sweep_at.max(10_000) {
            u.nonces.retain(|_, e| *e > now);
            u.sweep_at = u.nonces.len() * 2;
        }
        u.nonces.insert(nonce.to_string(), exp).is_none()
    }
}

/// Checks the honeypot and the answer of a submitted form; the error is at the answer field
/// (a filled honeypot reads the same as a wrong answer: a script learns nothing).
pub fn check(st: &AppState, form: &FormData) -> Result<(), FieldError> {
    let wrong = || FieldError::new(ANSWER_FIELD, "form.challenge_wrong");
    if !form.get(HONEYPOT).is_empty() {
        return Err(wrong());
    }
    let token = form.get(TOKEN_FIELD);
    let mut parts = token.splitn(3, '.');
    let (Some(exp), Some(nonce), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(FieldError::new(ANSWER_FIELD, "form.challenge_expired"));
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return Err(FieldError::new(ANSWER_FIELD, "form.challenge_expired"));
    };
    let now = chuangye_core::db::now();
    if exp <= now || exp > now + VALID_SECS {
        return Err(FieldError::new(ANSWER_FIELD, "form.challenge_expired"));
    }
    let typed = form.get(ANSWER_FIELD);
    if typed.is_empty() {
        return Err(FieldError::new(ANSWER_FIELD, "form.challenge_empty"));
    }
    let answer = parse_answer(&typed).ok_or_else(wrong)?;
    if !constant_eq(&mac(st, exp, nonce, answer), sig) {
        return Err(wrong());
    }
    if !st.used_tokens.take(nonce, exp, now) {
        return Err(FieldError::new(ANSWER_FIELD, "form.challenge_expired"));
    }
    Ok(())
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What the per-address limits count by: an IPv4 address, or the /64 network of an IPv6 one
/// (one subscriber holds a whole /64 and could otherwise change address at will).
pub fn limit_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.to_string(),
    }
}

/// Lets a form from this address through, or refuses it (429) when the address has sent more
/// than its share.
pub fn admit(st: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    st.form_limiter
        .check_key(&limit_key(&ctx.ip))
        .map_err(|_| AppError::TooManyRequests)
}

/// Lets a lookup-code attempt from this address through (a burst of ten, then one every
/// thirty seconds), so codes cannot be tried by the million.
pub fn admit_lookup(st: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    st.lookup_limiter
        .check_key(&limit_key(&ctx.ip))
        .map_err(|_| AppError::TooManyRequests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_in_digits_and_numerals() {
        assert_eq!(parse_answer(" 12 "), Some(12));
        assert_eq!(parse_answer("１２"), Some(12));
        assert_eq!(parse_answer("十二"), Some(12));
        assert_eq!(parse_answer("九"), Some(9));
        assert_eq!(parse_answer("两"), Some(2));
        assert_eq!(parse_answer("twelve"), None);
        assert_eq!(parse_answer("<script>"), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        assert_eq!(
            limit_key("2001:db8:1:2:aaaa::1"),
            limit_key("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(limit_key("2001:db8:1:2::1"), limit_key("2001:db8:1:3::1"));
        assert_eq!(limit_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(limit_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(limit_key("unknown"), "unknown");
    }

    #[test]
    fn a_token_is_good_once() {
        let used = UsedTokens::default();
        assert!(used.take("n1", 100, 50));
        assert!(!used.take("n1", 100, 50));
        assert!(used.take("n2", 100, 50));
    }
}
