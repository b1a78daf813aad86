//! Types and pure rules of business ideas: categories, sources, the checks on what is typed.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::board::model::{amount, phone};
use crate::error::Checks;
use crate::portal::model::{clean_html, opt, plain_text, text};

/// The categories ideas are filed under, in menu order (names in the locales,
/// `idea.category.<code>`).
pub const CATEGORIES: &[&str] = &[
    "agriculture",
    "processing",
    "retail",
    "catering",
    "services",
    "e_commerce",
    "tourism",
    "culture",
    "technology",
    "handicraft",
    "other",
];

/// Where an idea comes from.
pub mod source {
    /// 推介: entered by staff.
    pub const RECOMMENDED: &str = "recommended";
    /// 征集: sent by a citizen through the portal.
    pub const SOLICITED: &str = "solicited";
}

pub const TITLE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 20_000;
/// Investment in ten thousand yuan (万元).
pub const INVEST_MAX: i64 = 100_000;

/// A business idea, as stored (description already cleaned; the contact only masked).
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Idea {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    pub category: String,
    pub invest_min: Option<i64>,
    pub invest_max: Option<i64>,
    pub description: String,
    pub source: String,
    pub submitter_name: Option<String>,
    pub contact_masked: Option<String>,
    pub state: String,
    pub version: i64,
    pub published_at: Option<i64>,
    pub return_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Idea {
    /// Public now: published and its time come.
    pub fn is_public(&self, now: i64) -> bool {
        self.state == crate::board::model::state::PUBLISHED
            && self.published_at.is_some_and(|t| t <= now)
    }

    /// Who sent a solicited idea, as the public sees it: the surname only.
    pub fn submitter_public(&self) -> Option<String> {
        self.submitter_name
            .as_deref()
            .map(crate::board::model::surname_only)
    }
}

/// What staff or a citizen types into the idea form.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct IdeaInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub invest_min: String,
    #[serde(default)]
    pub invest_max: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub region_code: String,
    /// Solicited ideas: who sends it.
    #[serde(default)]
    pub submitter_name: String,
    /// Solicited ideas: an optional mobile number for staff to call back.
    #[serde(default)]
    pub contact_phone: String,
}

/// The input after checking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checked {
    pub title: String,
    pub category: String,
    pub invest_min: Option<i64>,
    pub invest_max: Option<i64>,
    pub description: String,
    pub region_code: Option<String>,
    pub submitter_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// Checks an idea as typed; every problem at its field. `solicited` asks for the sender's name.
pub fn check(input: &IdeaInput, solicited: bool) -> Result<Checked> {
    let mut checks = Checks::default();
    let title = text(&input.title);
    if title.is_empty() {
        checks.add("title", "portal.title_missing");
    }
    if title.chars().count() > TITLE_MAX {
        checks.add("title", "portal.too_long");
    }
    let category = text(&input.category);
    if !CATEGORIES.contains(&category.as_str()) {
        checks.add("category", "idea.category_invalid");
    }
    let invest_min = amount(&mut checks, "invest_min", &input.invest_min, INVEST_MAX);
    let invest_max = amount(&mut checks, "invest_max", &input.invest_max, INVEST_MAX);
    if let (Some(l), Some(h)) = (invest_min, invest_max)
        && h < l
    {
        checks.add("invest_max", "board.pay_order");
    }
    let description = clean_html(&input.description);
    if plain_text(&description).trim().is_empty() {
        checks.add("description", "board.description_missing");
    }
    if description.chars().count() > DESCRIPTION_MAX {
        checks.add("description", "portal.too_long");
    }
    let region_code = opt(&input.region_code);
    if region_code
        .as_deref()
        .is_some_and(|r| crate::org::level_of(r).is_none())
    {
        checks.add("region_code", "board.region_unknown");
    }
    let submitter_name = if solicited {
        let n = text(&input.submitter_name);
        if n.is_empty() {
            checks.add("submitter_name", "board.contact_name_missing");
        }
        if n.chars().count() > crate::board::model::CONTACT_NAME_MAX {
            checks.add("submitter_name", "portal.too_long");
        }
        Some(n)
    } else {
        None
    };
    let contact_phone = if solicited {
        phone(&mut checks, "contact_phone", &input.contact_phone, true)
    } else {
        None
    };
    checks.finish()?;
    Ok(Checked {
        title,
        category,
        invest_min,
        invest_max,
        description,
        region_code,
        submitter_name,
        contact_phone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solicited_idea_needs_its_sender_and_a_valid_number_if_any() {
        let input = IdeaInput {
            title: "社区果蔬直供".into(),
            category: "retail".into(),
            invest_min: "5".into(),
            invest_max: "3".into(),
            description: "<script>x</script>".into(),
            contact_phone: "123".into(),
            ..Default::default()
        };
        let crate::Error::Invalid(errs) = check(&input, true).unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "invest_max",
                "description",
                "submitter_name",
                "contact_phone"
            ]
        );
    }

    #[test]
    fn a_description_is_cleaned_typed_text_becomes_paragraphs() {
        let input = IdeaInput {
            title: "乡村民宿".into(),
            category: "tourism".into(),
            description: "利用闲置农房<b onclick=x>改造</b>\n\n投资小".into(),
            ..Default::default()
        };
        let c = check(&input, false).unwrap();
        assert!(!c.description.contains("onclick"), "{}", c.description);
        assert_eq!(c.submitter_name, None);
    }
}
