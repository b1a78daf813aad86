//! Types and pure rules of the job board: the kinds of record, the trades, the states an entry
//! goes through, how a poster's contact is shown, expiry, and the checks on what is typed.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::Checks;
use crate::portal::model::{opt, text};

/// The records of the job board and the project library, each its own table. They share the
/// life of an entry (review, publication, return, withdrawal) and the search index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// 用工信息: an employer's vacancies (`job_posting`).
    Job,
    /// 劳务信息: workers or a labour agency offering labour (`labour_supply`).
    Labour,
    /// 创业项目: a business idea (`business_idea`).
    Idea,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Job, Kind::Labour, Kind::Idea];

    /// The name in URLs, search documents and message keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Job => "job",
            Kind::Labour => "labour",
            Kind::Idea => "idea",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn table(self) -> &'static str {
        match self {
            Kind::Job => "job_posting",
            Kind::Labour => "labour_supply",
            Kind::Idea => "business_idea",
        }
    }

    /// The public address of a record.
    pub fn url(self, id: &str) -> String {
        let list = match self {
            Kind::Job => "jobs",
            Kind::Labour => "labour",
            Kind::Idea => "ideas",
        };
        format!("/portal/{list}/{id}")
    }

    /// The SQL giving `staff` or `public` for who entered a row.
    pub(crate) fn origin_sql(self) -> &'static str {
        match self {
            // A citizen's idea is the public's only as submitted (version 1); once staff have
            // changed it, it is reviewed as theirs (by the level above, returned not rejected).
            Kind::Idea => {
                "CASE WHEN e.source = 'solicited' AND e.version = 1 THEN 'public' ELSE 'staff' END"
            }
            _ => "e.origin",
        }
    }
}

/// The trades (工种) postings and supply are filed under, in menu order; names are in the
/// locales (`board.trade.<code>`).
pub const TRADES: &[&str] = &[
    "general_worker",
    "operator",
    "construction",
    "electrician",
    "welder",
    "mechanic",
    "driver",
    "delivery",
    "cook",
    "waiter",
    "sales",
    "cashier",
    "security",
    "cleaning",
    "domestic",
    "care",
    "farming",
    "office",
    "technician",
    "other",
];

/// A trade's Simplified Chinese name, for the search index (pages take names from the locales).
pub fn trade_name_zh(code: &str) -> &'static str {
    match code {
        "general_worker" => "普工",
        "operator" => "操作工",
        "construction" => "建筑工",
        "electrician" => "电工",
        "welder" => "焊工",
        "mechanic" => "维修工",
        "driver" => "驾驶员",
        "delivery" => "快递配送员",
        "cook" => "厨师",
        "waiter" => "餐厅服务员",
        "sales" => "销售",
        "cashier" => "收银员",
        "security" => "保安",
        "cleaning" => "保洁",
        "domestic" => "家政服务员",
        "care" => "养老护理员",
        "farming" => "农业工人",
        "office" => "文员",
        "technician" => "技术员",
        _ => "其他",
    }
}

/// Where an entry is in its life.
pub mod state {
    /// Submitted (by a community's staff, or by the public), waiting for its reviewer.
    pub const REVIEW: &str = "review";
    /// Sent back to the community that entered it, with a reason; editable again.
    pub const RETURNED: &str = "returned";
    /// Public from `published_at` until it expires.
    pub const PUBLISHED: &str = "published";
    /// A public submission refused, with a reason; final.
    pub const REJECTED: &str = "rejected";
    /// Taken down; its address answers 410 with a notice.
    pub const WITHDRAWN: &str = "withdrawn";
}

/// Who entered an entry.
pub mod origin {
    /// Staff in the back office.
    pub const STAFF: &str = "staff";
    /// An employer, worker or citizen through a public form.
    pub const PUBLIC: &str = "public";
}

/// How the poster lets the public see the contact.
pub mod visibility {
    /// Name and number shown.
    pub const PUBLIC: &str = "public";
    /// Surname only and the number masked (138****5678).
    pub const MASKED: &str = "masked";
    /// Not shown: the public is sent to the region's service point.
    pub const STAFF: &str = "staff";
    pub const ALL: &[&str] = &[PUBLIC, MASKED, STAFF];
}

pub const NAME_MAX: usize = 60;
pub const CONTACT_NAME_MAX: usize = 30;
pub const BODY_MAX: usize = 2_000;
pub const HEAD_COUNT_MAX: i64 = 10_000;
pub const PAY_MAX: i64 = 1_000_000;
/// How far ahead an entry may be valid.
pub const VALID_DAYS_MAX: i64 = 366;

/// A job posting or a labour supply entry, as stored (the job's fields empty on supply).
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub employer: Option<String>,
    pub position: Option<String>,
    pub trade: String,
    pub head_count: i64,
    pub pay_min: Option<i64>,
    pub pay_max: Option<i64>,
    /// A posting's requirements, or the supply's description.
    pub body: String,
    pub contact_name: String,
    #[serde(skip)]
    pub contact_cipher: String,
    pub contact_masked: String,
    pub contact_visibility: String,
    pub valid_until: String,
    pub expire_at: i64,
    pub origin: String,
    pub state: String,
    pub version: i64,
    pub published_at: Option<i64>,
    pub return_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Entry {
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Job)
    }

    /// Public now: published, its time come, not past the day it is valid until.
    pub fn is_public(&self, now: i64) -> bool {
        self.state == state::PUBLISHED
            && self.published_at.is_some_and(|t| t <= now)
            && self.expire_at > now
    }

    /// The title shown in lists and search: a posting's position, or the supply's trade code
    /// (the page shows its name).
    pub fn title(&self) -> String {
        match (&self.position, &self.employer) {
            (Some(p), Some(e)) => format!("{p} · {e}"),
            (Some(p), None) => p.clone(),
            _ => self.trade.clone(),
        }
    }
}

/// The first second after `valid_until` (a `YYYY-MM-DD` day, China time).
pub fn expire_at_of(valid_until: time::Date) -> i64 {
    let next = valid_until.next_day().unwrap_or(valid_until);
    next.midnight().assume_utc().unix_timestamp() - 8 * 3600
}

/// A region and the regions above it, by significant digits, nearest first: community,
/// sub-district, district, city, province (as far as the code goes). Empty for a bad code.
pub fn ancestors(code: &str) -> Vec<String> {
    if crate::org::level_of(code).is_none() {
        return Vec::new();
    }
    let prefix = crate::org::significant_prefix(code);
    [12, 9, 6, 4, 2]
        .into_iter()
        .filter(|n| *n <= prefix.len())
        .map(|n| format!("{:0<12}", &prefix[..n]))
        .collect()
}

/// The widening circles suggested matches are looked for in: the region itself and below, its
/// parent's subtree (the neighbours), the district, the city.
pub fn rings(code: &str) -> Vec<crate::org::RegionScope> {
    let mut out: Vec<crate::org::RegionScope> = Vec::new();
    for a in ancestors(code) {
        let s = crate::org::RegionScope::of(&a);
        if crate::org::significant_prefix(&a).len() >= 4 && out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

/// What the public sees of a poster's contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "visibility", rename_all = "snake_case")]
pub enum Contact {
    /// The poster chose to show it.
    Public { name: String, phone: String },
    /// Surname and masked number.
    Masked { name: String, phone: String },
    /// Ask the service point of the region (its hotline when it has one).
    Staff {
        service_point: String,
        hotline: Option<String>,
    },
}

/// A person's surname for a masked contact: the first character and a mask for the rest.
pub fn surname_only(name: &str) -> String {
    crate::crypto::mask_name(name)
}

/// What staff, employers and workers type into a posting or supply form (all text).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EntryInput {
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub trade: String,
    #[serde(default)]
    pub head_count: String,
    #[serde(default)]
    pub pay_min: String,
    #[serde(default)]
    pub pay_max: String,
    /// A posting's requirements, or the supply's description.
    #[serde(default)]
    pub body: String,
    /// A region code; blank in the back office means the staff member's own region.
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub contact_name: String,
    /// Blank when editing keeps the stored number.
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_visibility: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_until: String,
}

/// The input after checking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checked {
    pub employer: Option<String>,
    pub position: Option<String>,
    pub trade: String,
    pub head_count: i64,
    pub pay_min: Option<i64>,
    pub pay_max: Option<i64>,
    pub body: String,
    pub region_code: Option<String>,
    pub contact_name: String,
    /// The normalised mobile number, when one was typed.
    pub contact_phone: Option<String>,
    pub contact_visibility: String,
    pub valid_until: String,
    pub expire_at: i64,
}

impl Checked {
    /// The lowest pay the pay filter compares with: the top of the range, else its bottom.
    pub fn pay_floor(&self) -> i64 {
        self.pay_max.or(self.pay_min).unwrap_or(0)
    }
}

fn length(checks: &mut Checks, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        checks.add(field, "portal.too_long");
    }
}

/// A whole number typed in a field (half-width or full-width digits, thousands separators).
pub fn parse_count(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// An optional whole number in `0..=max`, errors at `field`.
pub(crate) fn amount(checks: &mut Checks, field: &str, raw: &str, max: i64) -> Option<i64> {
    let raw = text(raw);
    if raw.is_empty() {
        return None;
    }
    match parse_count(&raw) {
        Some(v) if v <= max => Some(v),
        _ => {
            checks.add(field, "board.amount_invalid");
            None
        }
    }
}

/// A `valid until` day from today to a year ahead, and its expiry second.
pub(crate) fn valid_until(
    checks: &mut Checks,
    raw: &str,
    today: time::Date,
) -> Option<(String, i64)> {
    let raw = text(raw);
    if raw.is_empty() {
        checks.add("valid_until", "board.valid_until_missing");
        return None;
    }
    let Some(d) = crate::ledger::model::parse_date(&raw) else {
        checks.add("valid_until", "portal.date_invalid");
        return None;
    };
    if d < today {
        checks.add("valid_until", "board.valid_until_past");
        return None;
    }
    if (d - today).whole_days() > VALID_DAYS_MAX {
        checks.add("valid_until", "board.valid_until_far");
        return None;
    }
    Some((crate::ledger::model::fmt_date(d), expire_at_of(d)))
}

/// A mobile number typed into `field`: required unless `optional`; normalised.
pub(crate) fn phone(checks: &mut Checks, field: &str, raw: &str, optional: bool) -> Option<String> {
    if raw.trim().is_empty() && optional {
        return None;
    }
    match crate::validate::normalize_mobile(raw) {
        Ok(n) => Some(n),
        Err(e) => {
            checks.add(field, e.message_key());
            None
        }
    }
}

/// Checks a posting or supply entry as typed; every problem at its field, in one answer.
/// `phone_optional` when editing (a blank number keeps the stored one).
pub fn check(
    kind: Kind,
    input: &EntryInput,
    today: time::Date,
    phone_optional: bool,
) -> Result<Checked> {
    let mut checks = Checks::default();
    let job = kind == Kind::Job;
    let (employer, position) = if job {
        let employer = text(&input.employer);
        if employer.is_empty() {
            checks.add("employer", "board.employer_missing");
        }
        length(&mut checks, "employer", &employer, NAME_MAX);
        let position = text(&input.position);
        if position.is_empty() {
            checks.add("position", "board.position_missing");
        }
        length(&mut checks, "position", &position, NAME_MAX);
        (Some(employer), Some(position))
    } else {
        (None, None)
    };
    let trade = text(&input.trade);
    if !TRADES.contains(&trade.as_str()) {
        checks.add("trade", "board.trade_invalid");
    }
    let head_count = match parse_count(&input.head_count) {
        Some(n) if (1..=HEAD_COUNT_MAX).contains(&n) => n,
        _ => {
            checks.add("head_count", "board.head_count_invalid");
            0
        }
    };
    let (pay_min, pay_max) = if job {
        let lo = amount(&mut checks, "pay_min", &input.pay_min, PAY_MAX);
        let hi = amount(&mut checks, "pay_max", &input.pay_max, PAY_MAX);
        if let (Some(l), Some(h)) = (lo, hi)
            && h < l
        {
            checks.add("pay_max", "board.pay_order");
        }
        (lo, hi)
    } else {
        (None, None)
    };
    let body = input
        .body
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string();
    if !job && body.is_empty() {
        checks.add("body", "board.description_missing");
    }
    length(&mut checks, "body", &body, BODY_MAX);
    let region_code = opt(&input.region_code);
    if region_code
        .as_deref()
        .is_some_and(|r| crate::org::level_of(r).is_none())
    {
        checks.add("region_code", "board.region_unknown");
    }
    let contact_name = text(&input.contact_name);
    if contact_name.is_empty() {
        checks.add("contact_name", "board.contact_name_missing");
    }
    length(&mut checks, "contact_name", &contact_name, CONTACT_NAME_MAX);
    let contact_phone = phone(
        &mut checks,
        "contact_phone",
        &input.contact_phone,
        phone_optional,
    );
    let contact_visibility = text(&input.contact_visibility);
    if !visibility::ALL.contains(&contact_visibility.as_str()) {
        checks.add("contact_visibility", "board.visibility_invalid");
    }
    let until = valid_until(&mut checks, &input.valid_until, today);
    checks.finish()?;
    let (valid_until, expire_at) = until.unwrap_or_default();
    Ok(Checked {
        employer,
        position,
        trade,
        head_count,
        pay_min,
        pay_max,
        body,
        region_code,
        contact_name,
        contact_phone,
        contact_visibility,
        valid_until,
        expire_at,
    })
}

/// A keyword typed into a public filter: without control characters, at most 50 characters,
/// in Simplified script (a Traditional reader copies words from converted pages, while the
/// records are stored as staff typed them); `None` when blank.
pub fn keyword(typed: &str) -> Option<String> {
    let k: String = typed
        .chars()
        .filter(|c| !c.is_control())
        .take(50)
        .collect::<String>()
        .trim()
        .to_string();
    Some(crate::portal::search::fold(&k)).filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> time::Date {
        time::macros::date!(2026 - 05 - 01)
    }

    fn job() -> EntryInput {
        EntryInput {
            employer: "许昌某服装厂".into(),
            position: "缝纫工".into(),
            trade: "operator".into(),
            head_count: "１0".into(),
            pay_min: "3,500".into(),
            pay_max: "5000".into(),
            contact_name: "王丽".into(),
            contact_phone: "138 0013 8000".into(),
            contact_visibility: "masked".into(),
            valid_until: "2026-06-30".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_posting_is_checked_and_normalised() {
        let c = check(Kind::Job, &job(), today(), false).unwrap();
        assert_eq!(c.head_count, 10);
        assert_eq!((c.pay_min, c.pay_max), (Some(3500), Some(5000)));
        assert_eq!(c.contact_phone.as_deref(), Some("13800138000"));
        assert_eq!(c.pay_floor(), 5000);
        // The end of 30 June, China time.
        assert_eq!(
            c.expire_at,
            time::macros::datetime!(2026-06-30 16:00 UTC).unix_timestamp()
        );
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let bad = EntryInput {
            employer: String::new(),
            trade: "astronaut".into(),
            head_count: "0".into(),
            pay_min: "6000".into(),
            pay_max: "5000".into(),
            contact_phone: "12345".into(),
            contact_visibility: "everyone".into(),
            valid_until: "2026-04-30".into(),
            ..job()
        };
        let crate::Error::Invalid(errs) = check(Kind::Job, &bad, today(), false).unwrap_err()
        else {
            panic!()
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "employer",
                "trade",
                "head_count",
                "pay_max",
                "contact_phone",
                "contact_visibility",
                "valid_until"
            ]
        );
    }

    #[test]
    fn supply_has_no_job_fields_and_needs_a_description() {
        let e = check(Kind::Labour, &job(), today(), false).unwrap_err();
        let crate::Error::Invalid(errs) = e else {
            panic!()
        };
        assert_eq!(errs[0].field, "body");
        let mut i = job();
        i.body = "电焊工3名，持证上岗".into();
        let c = check(Kind::Labour, &i, today(), false).unwrap();
        assert_eq!((c.employer, c.pay_min), (None, None));
    }

    #[test]
    fn matches_widen_from_the_community_to_the_city() {
        let r: Vec<String> = rings("411002001001").into_iter().map(|s| s.lo).collect();
        assert_eq!(
            r,
            [
                "411002001001",
                "411002001000",
                "411002000000",
                "411000000000"
            ]
        );
        assert_eq!(ancestors("411002000000").len(), 3);
        assert!(rings("bad").is_empty());
    }

    #[test]
    fn a_masked_contact_keeps_the_surname_only() {
        assert_eq!(surname_only("王丽"), "王*");
    }

    #[test]
    fn a_blank_phone_is_kept_when_editing() {
        let mut i = job();
        i.contact_phone = String::new();
        assert!(check(Kind::Job, &i, today(), true).is_ok());
        assert!(check(Kind::Job, &i, today(), false).is_err());
    }
}
