//! Types and pure rules of consultations: the categories, the states a question goes through,
//! the checks on what a citizen types, the lookup code and the reply deadline.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::Checks;

/// What citizens ask about, in form order.
pub const CATEGORIES: &[&str] = &[
    "policy", "loan", "training", "licence", "premises", "jobs", "other",
];

/// Where a question is in its life.
pub mod state {
    /// Waiting for the service point's answer.
    pub const OPEN: &str = "open";
    pub const ANSWERED: &str = "answered";
    /// Not a question (advertising, abuse, a duplicate): closed with a reason, never public.
    pub const DISMISSED: &str = "dismissed";
}

pub const QUESTION_MIN: usize = 5;
pub const QUESTION_MAX: usize = 1000;
pub const NAME_MAX: usize = 20;
pub const ANSWER_MAX: usize = 5000;
pub const REASON_MAX: usize = 200;

/// Working days a service point has to answer, unless the campaign office sets otherwise.
pub const DEFAULT_REPLY_DAYS: u32 = 5;
pub const MAX_REPLY_DAYS: u32 = 30;
/// Working days after an escalation before a still unanswered question goes up again.
pub const ESCALATE_AGAIN_AFTER: u32 = 2;

/// One consultation as staff see it (the contact only masked).
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Consultation {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub handler_code: String,
    pub handler_name: String,
    pub category: String,
    pub question: String,
    pub asker_name: Option<String>,
    pub contact_masked: Option<String>,
    pub is_private: i64,
    pub state: String,
    pub asked_at: i64,
    pub due_on: String,
    pub reminded_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub escalations: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub published: i64,
    pub dismiss_reason: Option<String>,
    pub updated_at: i64,
}

impl Consultation {
    /// Past its deadline without an answer on `today` (`YYYY-MM-DD`).
    pub fn is_late(&self, today: &str) -> bool {
        self.state == state::OPEN && self.due_on.as_str() < today
    }

    /// Answered on or before its deadline (China time).
    pub fn answered_on_time(&self) -> bool {
        self.answered_at
            .is_some_and(|t| crate::ledger::model::fmt_date(china_date(t)) <= self.due_on)
    }

    /// On the public Q&A page.
    pub fn is_public(&self) -> bool {
        self.state == state::ANSWERED && self.published == 1
    }

    /// A short title for lists: the question's first words.
    pub fn title(&self) -> String {
        title_of(&self.question)
    }
}

/// The first 30 characters of a question, with an ellipsis when cut.
pub fn title_of(question: &str) -> String {
    let first_line = question.lines().next().unwrap_or("").trim();
    let mut t: String = first_line.chars().take(30).collect();
    if first_line.chars().count() > 30 || question.trim().lines().nth(1).is_some() {
        t.push('…');
    }
    t
}

/// The date in China of a unix time.
pub fn china_date(t: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(t)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::macros::offset!(+8))
        .date()
}

/// What a citizen types into the form (all text, checked by [`check`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AskInput {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    /// "1" when the asker does not want the question published.
    #[serde(default)]
    pub private: String,
}

/// The input after checking (the region's existence is the service's to confirm).
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    pub category: String,
    pub region: String,
    pub question: String,
    pub name: Option<String>,
    /// The mobile number as typed; sealed by the service.
    pub contact: Option<String>,
    pub private: bool,
}

/// Text as typed without control characters (line breaks kept), trimmed.
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace("\r\n", "\n")
        .trim()
        .to_string()
}

/// Checks the form; every error at its field.
pub fn check(input: &AskInput) -> Result<Asked> {
    let mut checks = Checks::default();
    if !CATEGORIES.contains(&input.category.as_str()) {
        checks.add("category", "consultation.category_invalid");
    }
    let region = input.region.trim().to_string();
    if region.len() != 12 || !region.bytes().all(|b| b.is_ascii_digit()) {
        checks.add("region", "consultation.region_invalid");
    }
    let question = clean_text(&input.question);
    let n = question.chars().count();
    if n < QUESTION_MIN {
        checks.add("question", "consultation.question_short");
    } else if n > QUESTION_MAX {
        checks.add("question", "consultation.question_long");
    }
    let name = clean_text(&input.name).replace('\n', " ");
    if name.chars().count() > NAME_MAX {
        checks.add("name", "consultation.name_long");
    }
    let contact = input.contact.trim().to_string();
    if !contact.is_empty()
        && let Err(e) = crate::validate::normalize_mobile(&contact)
    {
        checks.add("contact", e.message_key());
    }
    checks.finish()?;
    Ok(Asked {
        category: input.category.clone(),
        region,
        question,
        name: (!name.is_empty()).then_some(name),
        contact: (!contact.is_empty()).then_some(contact),
        private: input.private == "1" || input.private == "on" || input.private == "true",
    })
}

/// The alphabet of lookup codes: no 0/O, 1/I/L, so a code read aloud or copied by hand is
/// not mistaken.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 12;

/// A new lookup code, `XXXX-XXXX-XXXX` (31^12, about 2^59 codes: with lookups limited per
/// address, far beyond guessing).
pub fn new_lookup_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut s = String::with_capacity(CODE_LEN + 1);
    for i in 0..CODE_LEN {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char);
    }
    s
}

/// A code as typed, in the form it is stored under: upper case, without spaces or dashes.
/// `None` if it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let s: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == CODE_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// The reply deadline of a question asked on `asked_on`.
pub fn due_on(asked_on: time::Date, reply_days: u32) -> time::Date {
    crate::workdays::add_working_days(asked_on, reply_days)
}

/// Checks the replier's answer.
pub fn check_answer(answer: &str) -> Result<String> {
    let a = clean_text(answer);
    let mut checks = Checks::default();
    if a.chars().count() < 2 {
        checks.add("answer", "consultation.answer_empty");
    } else if a.chars().count() > ANSWER_MAX {
        checks.add("answer", "consultation.answer_long");
    }
    checks.finish()?;
    Ok(a)
}

/// Checks a reason (dismissing), required.
pub fn check_reason(reason: &str) -> Result<String> {
    let r = clean_text(reason).replace('\n', " ");
    let mut checks = Checks::default();
    if r.is_empty() {
        checks.add("reason", "consultation.reason_empty");
    } else if r.chars().count() > REASON_MAX {
        checks.add("reason", "consultation.reason_long");
    }
    checks.finish()?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AskInput {
        AskInput {
            category: "loan".into(),
            region: "411002001001".into(),
            question: "创业担保贷款需要什么材料？".into(),
            ..Default::default()
        }
    }

    fn fields(e: crate::Error) -> Vec<String> {
        match e {
            crate::Error::Invalid(v) => v.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_question_passes() {
        let a = check(&input()).unwrap();
        assert_eq!(a.category, "loan");
        assert!(!a.private);
        assert_eq!(a.contact, None);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let bad = AskInput {
            category: "<script>".into(),
            region: "41100'".into(),
            question: "短".into(),
            name: "名".repeat(30),
            contact: "12345".into(),
            private: String::new(),
        };
        assert_eq!(
            fields(check(&bad).unwrap_err()),
            ["category", "region", "question", "name", "contact"]
        );
    }

    #[test]
    fn control_characters_are_dropped_but_lines_kept() {
        let mut i = input();
        i.question = "第一行\u{0}\u{7}\r\n第二行内容".into();
        assert_eq!(check(&i).unwrap().question, "第一行\n第二行内容");
    }

    #[test]
    fn lookup_codes_read_back_however_typed() {
        let code = new_lookup_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalize_code(&typed), Some(code.replace('-', "")));
        assert_eq!(
            normalize_code("ABCDE-FGHI0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalize_code("ABC"), None);
    }

    #[test]
    fn the_deadline_skips_weekends_and_holidays() {
        // Friday 2026-09-25 + 5 working days: the National Day holiday (Oct 1–7) intervenes.
        let d = due_on(time::macros::date!(2026 - 09 - 25), 5);
        assert!(d > time::macros::date!(2026 - 10 - 07), "{d}");
        // Monday + 5 working days is the next Monday.
        assert_eq!(
            due_on(time::macros::date!(2026 - 11 - 23), 5),
            time::macros::date!(2026 - 11 - 30)
        );
    }

    #[test]
    fn titles_are_cut_at_thirty_characters() {
        assert_eq!(title_of("短问题"), "短问题");
        assert_eq!(title_of(&"问".repeat(40)).chars().count(), 31);
        assert_eq!(title_of("第一行\n第二行"), "第一行…");
    }
}
