//! The telephone of a region's labour-security service point (`region.hotline`): the number
//! the portal gives when a poster on the job board keeps their contact for staff (the nearest
//! region up the tree that has one). Set by the system administrator where regions are
//! managed, with the same permission as renaming, scope in SQL and an audit row.

use super::{Actor, Permission, repo};
use crate::audit::{self, Entry};
use crate::error::Checks;
use crate::{Core, Error, Result};

pub const HOTLINE_MIN: usize = 5;
pub const HOTLINE_MAX: usize = 20;

/// A hotline as typed, in the form it is stored: full-width digits and signs made half-width,
/// runs of spaces made one, trimmed. `None` when blank (the region has no hotline); an error
/// at the `hotline` field unless it is digits, spaces, hyphens and parentheses, 5 to 20
/// characters with at least 5 digits (`0374-1234567`, `(0374) 123 4567`, `12345`).
pub fn check_hotline(typed: &str) -> Result<Option<String>> {
    let half: String = typed
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' | '–' => '-',
            '（' => '(',
            '）' => ')',
            '\u{3000}' | '\t' => ' ',
            c => c,
        })
        .collect();
    let s = half.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Ok(None);
    }
    let n = s.chars().count();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'));
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let mut checks = Checks::default();
    if !allowed || !(HOTLINE_MIN..=HOTLINE_MAX).contains(&n) || digits < HOTLINE_MIN {
        checks.add("hotline", "org.region.hotline_invalid");
    }
    checks.finish()?;
    Ok(Some(s))
}

/// Sets the hotline of a region in force in the actor's scope (blank clears it); the number
/// stored.
pub async fn set_region_hotline(
    core: &Core,
    actor: &Actor,
    code: &str,
    typed: &str,
) -> Result<Option<String>> {
    actor.require(Permission::RegionManage)?;
    let hotline = check_hotline(typed)?;
    let mut tx = core.db.begin().await?;
    let before = repo::region_hotline(&mut tx, &actor.scope, code)
        .await?
        .ok_or(Error::NotFound)?;
    if !repo::region_set_hotline(&mut tx, &actor.scope, code, hotline.as_deref()).await? {
        return Err(Error::field("hotline", "org.region.already_retired"));
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("region.hotline", "region", code)
            .before(serde_json::json!({ "hotline": before }))
            .after(serde_json::json!({ "hotline": hotline })),
    )
    .await?;
    tx.commit().await?;
    Ok(hotline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(typed: &str) -> Option<String> {
        check_hotline(typed).unwrap()
    }

    fn bad(typed: &str) -> bool {
        matches!(check_hotline(typed), Err(Error::Invalid(v)) if v[0].field == "hotline" && v[0].key == "org.region.hotline_invalid")
    }

    #[test]
    fn landlines_short_numbers_and_full_width_input_are_accepted() {
        assert_eq!(ok("0374-1234567").as_deref(), Some("0374-1234567"));
        assert_eq!(ok(" 12345 ").as_deref(), Some("12345"));
        assert_eq!(
            ok("（０３７４）　１２３　４５６７").as_deref(),
            Some("(0374) 123 4567")
        );
        assert_eq!(ok("0374  5101234").as_deref(), Some("0374 5101234"));
        assert_eq!(ok("   "), None, "blank clears");
    }

    #[test]
    fn anything_but_digits_spaces_hyphens_and_parentheses_is_refused() {
        assert!(bad("1234"), "too short");
        assert!(bad("(((-)))"), "no digits");
        assert!(bad("12-3-4"), "fewer than five digits");
        assert!(bad(&"1".repeat(21)), "too long");
        assert!(bad("0374-123456 ext 8"));
        assert!(bad("+86 374 1234567"));
        assert!(bad("<script>12345"));
        assert!(bad("12345\u{0}"));
    }
}
