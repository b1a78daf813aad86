//! Types and pure rules of the ledger: the coded values, input checks, deadlines.

use serde::{Deserialize, Serialize};

/// A coded value: stored code, Chinese label (the UI translates `ledger.<family>.<code>`).
pub type Code = (&'static str, &'static str);

pub const EDUCATION: &[Code] = &[
    ("primary", "小学及以下"),
    ("junior", "初中"),
    ("senior", "高中/中专"),
    ("college", "大专"),
    ("bachelor", "本科"),
    ("postgraduate", "研究生"),
];
pub const HOUSEHOLD: &[Code] = &[("urban", "城镇"), ("rural", "农村")];
/// Person categories (several per person). Party membership is kept apart: it is shown only
/// with the `party.view` permission.
pub const CATEGORY: &[Code] = &[
    ("graduate", "高校毕业生"),
    ("returnee", "返乡农民工"),
    ("hardship", "就业困难人员"),
    ("laid_off", "下岗失业人员"),
    ("veteran", "退役军人"),
    ("disabled", "残疾人"),
    ("poverty", "脱贫人口"),
];
pub const BUSINESS_KIND: &[Code] = &[
    ("private", "私营企业"),
    ("individual", "个体工商户"),
    ("coop", "农民专业合作社"),
    ("other", "其他"),
];
pub const STATUS: &[Code] = &[
    ("operating", "在营"),
    ("suspended", "停业"),
    ("deregistered", "注销"),
    ("moved_out", "迁出"),
];
pub const LINK_ROLE: &[Code] = &[
    ("owner", "负责人"),
    ("partner", "合伙人"),
    ("shareholder", "股东"),
];
pub const VISIT_METHOD: &[Code] = &[("home", "上门"), ("phone", "电话"), ("walk_in", "来访")];
/// The five helps (五帮).
pub const NEED_KIND: &[Code] = &[
    ("project", "帮项目申报"),
    ("funding", "帮资金筹集"),
    ("licence", "帮证件办理"),
    ("operation", "帮解决经营困难"),
    ("planning", "帮规划发展"),
];
pub const NEED_STATE: &[Code] = &[
    ("open", "待受理"),
    ("accepted", "已受理"),
    ("resolved", "已解决"),
    ("unresolvable", "无法解决"),
];

/// Working days a unit has to answer a need, unless the visit says otherwise.
pub const NEED_DEFAULT_DAYS: u32 = 5;
/// Reminder this many working days before the deadline.
pub const NEED_REMIND_DAYS_BEFORE: u32 = 1;

pub fn is_code(list: &[Code], v: &str) -> bool {
    list.iter().any(|(c, _)| *c == v)
}

pub fn label(list: &[Code], v: &str) -> &'static str {
    list.iter()
        .find(|(c, _)| *c == v)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// Which need transitions are allowed.
pub fn need_transition_ok(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("open", "accepted")
            | ("open", "resolved")
            | ("open", "unresolvable")
            | ("accepted", "resolved")
            | ("accepted", "unresolvable")
    )
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt).ok()
}

pub fn fmt_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn today() -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date()
}

/// Money typed as yuan ("12.5", "1,000", "3万") to fen.
pub fn parse_yuan_to_fen(s: &str) -> Option<i64> {
    let t = s.trim().replace([',', '，', ' '], "");
    if t.is_empty() {
        return Some(0);
    }
    let (num, factor) = match t.strip_suffix('万') {
        Some(n) => (n.to_string(), 10_000.0),
        None => (t.trim_end_matches('元').to_string(), 1.0),
    };
    let v: f64 = num.parse().ok()?;
    if !v.is_finite() || !(0.0..=1e13).contains(&v) {
        return None;
    }
    Some((v * factor * 100.0).round() as i64)
}

pub fn fen_to_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Months after registration at which a survival check falls due.
pub const SURVIVAL_MONTHS: [i64; 2] = [6, 12];

/// The date `months` after `d` (clamped to the month's last day).
pub fn add_months(d: time::Date, months: i64) -> time::Date {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let (y, m) = ((total / 12) as i32, (total % 12 + 1) as u8);
    let month = time::Month::try_from(m).unwrap_or(time::Month::January);
    let last = month.length(y);
    time::Date::from_calendar_date(y, month, d.day().min(last)).unwrap_or(d)
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PersonInput {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub education: String,
    pub household: String,
    pub categories: Vec<String>,
    pub party_member: bool,
    pub region_code: String,
    pub address: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BusinessInput {
    pub name: String,
    pub kind: String,
    pub uscc: String,
    /// Why a USCC whose check character fails is right (needs `ledger.override`).
    pub uscc_override_reason: String,
    pub industry: String,
    pub registered_on: String,
    pub region_code: String,
    pub address: String,
    /// Registered capital as typed (yuan).
    pub capital: String,
    pub jobs: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_yuan_becomes_fen() {
        assert_eq!(parse_yuan_to_fen("12.5"), Some(1250));
        assert_eq!(parse_yuan_to_fen("1,000"), Some(100_000));
        assert_eq!(parse_yuan_to_fen("3万"), Some(3_000_000));
        assert_eq!(parse_yuan_to_fen(""), Some(0));
        assert_eq!(parse_yuan_to_fen("-1"), None);
        assert_eq!(parse_yuan_to_fen("abc"), None);
        assert_eq!(fen_to_yuan(1250), "12.50");
    }

    #[test]
    fn six_months_after_the_end_of_august_is_the_end_of_february() {
        let d = time::macros::date!(2024 - 08 - 31);
        assert_eq!(add_months(d, 6), time::macros::date!(2025 - 02 - 28));
        assert_eq!(add_months(d, 12), time::macros::date!(2025 - 08 - 31));
    }

    #[test]
    fn a_closed_need_cannot_be_reopened() {
        assert!(need_transition_ok("open", "accepted"));
        assert!(need_transition_ok("accepted", "resolved"));
        assert!(!need_transition_ok("resolved", "open"));
        assert!(!need_transition_ok("unresolvable", "accepted"));
    }
}
