//! Region codes: the level prefixes a document is indexed under, and how a caller's region
//! prefix becomes an exact filter.
//!
//! Codes are 12 digits: province 2, city 4, county 6, township 9, village 12. A document is
//! indexed under the prefix of each level (`41`, `4110`, `411002`, `411002001`,
//! `411002001001`), so a subtree at a level boundary is one term lookup. A prefix given padded
//! with zero levels (`411002000000`, or the 6-digit `411000`) means the same subtree as its
//! significant part (`411002`, `4110`). Any other digit prefix is a range over the codes.

/// Lengths of the significant prefixes of a 12-digit region code.
const LEVELS: [usize; 5] = [2, 4, 6, 9, 12];

/// The prefixes of `code` at each level boundary it reaches (a 12-digit code has five).
pub(crate) fn level_prefixes(code: &str) -> impl Iterator<Item = &str> {
    LEVELS.iter().filter_map(move |&n| code.get(..n))
}

/// How a region prefix filters documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegionFilter {
    /// No filter (blank prefix).
    All,
    /// Documents indexed under this level prefix.
    Level(String),
    /// Documents whose code starts with these digits (not a level boundary).
    Digits(String),
    /// Nothing can match (the prefix is not digits).
    Nothing,
}

/// Reads a caller's region prefix: trims it, drops padded zero levels, picks the filter.
pub(crate) fn region_filter(prefix: &str) -> RegionFilter {
    let p = prefix.trim();
    if p.is_empty() {
        return RegionFilter::All;
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return RegionFilter::Nothing;
    }
    let p = significant(p);
    if LEVELS.contains(&p.len()) {
        RegionFilter::Level(p.to_owned())
    } else {
        RegionFilter::Digits(p.to_owned())
    }
}

/// Strips trailing all-zero levels from a digit prefix at a level boundary: `411002000000` →
/// `411002`, `410000` → `41`. Stops at the province.
fn significant(mut p: &str) -> &str {
    while let Some(i) = LEVELS.iter().position(|&n| n == p.len()) {
        let Some(&shorter) = i.checked_sub(1).and_then(|j| LEVELS.get(j)) else {
            break;
        };
        if !p.as_bytes()[shorter..].iter().all(|&b| b == b'0') {
            break;
        }
        p = &p[..shorter];
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_indexed_under_each_level() {
        let levels: Vec<&str> = level_prefixes("411002001001").collect();
        assert_eq!(
            levels,
            ["41", "4110", "411002", "411002001", "411002001001"]
        );
    }

    #[test]
    fn padded_prefixes_mean_their_significant_part() {
        let level = |s: &str| RegionFilter::Level(s.to_owned());
        assert_eq!(region_filter("411002000000"), level("411002"));
        assert_eq!(region_filter("411002001000"), level("411002001"));
        assert_eq!(region_filter("411000"), level("4110"));
        assert_eq!(region_filter("410000000000"), level("41"));
        assert_eq!(region_filter(" 411002001 "), level("411002001"));
        assert_eq!(region_filter("411002001001"), level("411002001001"));
    }

    #[test]
    fn other_prefixes_are_digit_ranges_blank_or_nothing() {
        assert_eq!(
            region_filter("4110020"),
            RegionFilter::Digits("4110020".into())
        );
        assert_eq!(region_filter("  "), RegionFilter::All);
        assert_eq!(region_filter("41*"), RegionFilter::Nothing);
    }
}
