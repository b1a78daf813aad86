//! 统计用区划代码 (statistical division codes): 12 digits, read as
//! province (2) + city (2) + county (2) + township (3) + village (3).
//!
//! Only the form is checked here; whether a code exists or is within a
//! user's scope is for the database to decide. The helpers below expect a
//! code already returned by [`normalize_region_code`]; for any other input
//! they do not panic but their result is meaningless.

/// Why a region code was refused. Checked in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("region code is empty")]
    Empty,
    #[error("region code may contain only digits")]
    Charset,
    #[error("region code must have 2, 4, 6, 9 or 12 digits")]
    Length,
}

impl RegionCodeError {
    /// Translation key of the message shown to the user (no placeholders).
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Empty => "validate.region_code.empty",
            Self::Charset => "validate.region_code.charset",
            Self::Length => "validate.region_code.length",
        }
    }
}

/// Lengths of the significant prefix at levels 1 to 5.
const PREFIX_LENGTHS: [usize; 5] = [2, 4, 6, 9, 12];

/// Returns the 12-digit form of a region code: surrounding whitespace is
/// ignored, and a 2, 4, 6 or 9 digit prefix is padded on the right with
/// zeros.
pub fn normalize_region_code(input: &str) -> Result<String, RegionCodeError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(RegionCodeError::Empty);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegionCodeError::Charset);
    }
    if !PREFIX_LENGTHS.contains(&s.len()) {
        return Err(RegionCodeError::Length);
    }
    Ok(format!("{s:0<12}"))
}

/// Level of a 12-digit code: 1 province, 2 city, 3 county, 4 township,
/// 5 village — the deepest part that is not all zeros.
pub fn level_of(code12: &str) -> u8 {
    let nonzero = |from: usize, to: usize| {
        code12
            .as_bytes()
            .get(from..to)
            .is_some_and(|part| part.iter().any(|&b| b != b'0'))
    };
    if nonzero(9, 12) {
        5
    } else if nonzero(6, 9) {
        4
    } else if nonzero(4, 6) {
        3
    } else if nonzero(2, 4) {
        2
    } else {
        1
    }
}

/// The significant prefix of a 12-digit code: 2, 4, 6, 9 or 12 digits
/// according to [`level_of`].
pub fn significant_prefix(code12: &str) -> &str {
    let len = PREFIX_LENGTHS[usize::from(level_of(code12)) - 1];
    code12.get(..len).unwrap_or(code12)
}

/// Inclusive range `(lowest, highest)` of the 12-digit codes in the subtree
/// of `code12`, the code itself included: its significant prefix padded
/// with zeros and with nines. Suitable for `code BETWEEN lowest AND highest`
/// on a fixed-width text column.
pub fn subtree_range(code12: &str) -> (String, String) {
    let prefix = significant_prefix(code12);
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepted_lengths_are_padded_to_twelve_digits() {
        assert_eq!(normalize_region_code("11").as_deref(), Ok("110000000000"));
        assert_eq!(normalize_region_code("4403").as_deref(), Ok("440300000000"));
        assert_eq!(
            normalize_region_code("440305").as_deref(),
            Ok("440305000000")
        );
        assert_eq!(
            normalize_region_code("440305001").as_deref(),
            Ok("440305001000")
        );
        assert_eq!(
            normalize_region_code("440305001002").as_deref(),
            Ok("440305001002")
        );
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(
            normalize_region_code(" 440305\n").as_deref(),
            Ok("440305000000")
        );
    }

    #[test]
    fn empty_input_is_refused() {
        assert_eq!(normalize_region_code(""), Err(RegionCodeError::Empty));
        assert_eq!(normalize_region_code("  "), Err(RegionCodeError::Empty));
    }

    #[test]
    fn non_digits_are_refused() {
        assert_eq!(
            normalize_region_code("44-03"),
            Err(RegionCodeError::Charset)
        );
        assert_eq!(
            normalize_region_code("44 03"),
            Err(RegionCodeError::Charset)
        );
        assert_eq!(
            normalize_region_code("４４０３"),
            Err(RegionCodeError::Charset)
        );
        assert_eq!(
            normalize_region_code("-4403"),
            Err(RegionCodeError::Charset)
        );
    }

    #[test]
    fn other_lengths_are_refused() {
        for bad in [
            "1",
            "110",
            "11010",
            "1101051",
            "11010500",
            "1101050010",
            "11010500100",
            "1101050010020",
        ] {
            assert_eq!(
                normalize_region_code(bad),
                Err(RegionCodeError::Length),
                "{bad}"
            );
        }
    }

    #[test]
    fn level_is_the_deepest_non_zero_part() {
        assert_eq!(level_of("110000000000"), 1);
        assert_eq!(level_of("440300000000"), 2);
        assert_eq!(level_of("440305000000"), 3);
        assert_eq!(level_of("440305001000"), 4);
        assert_eq!(level_of("440305001002"), 5);
        // A zero township part does not hide a village part.
        assert_eq!(level_of("440305000002"), 5);
        // Municipal districts: city part zero, county part set.
        assert_eq!(level_of("110005000000"), 3);
    }

    #[test]
    fn significant_prefix_has_the_length_of_its_level() {
        assert_eq!(significant_prefix("110000000000"), "11");
        assert_eq!(significant_prefix("440300000000"), "4403");
        assert_eq!(significant_prefix("440305000000"), "440305");
        assert_eq!(significant_prefix("440305001000"), "440305001");
        assert_eq!(significant_prefix("440305001002"), "440305001002");
    }

    #[test]
    fn subtree_range_pads_the_prefix_with_zeros_and_nines() {
        assert_eq!(
            subtree_range("440300000000"),
            ("440300000000".to_string(), "440399999999".to_string())
        );
        assert_eq!(
            subtree_range("110000000000"),
            ("110000000000".to_string(), "119999999999".to_string())
        );
        assert_eq!(
            subtree_range("440305001000"),
            ("440305001000".to_string(), "440305001999".to_string())
        );
        assert_eq!(
            subtree_range("440305001002"),
            ("440305001002".to_string(), "440305001002".to_string())
        );
    }

    #[test]
    fn helpers_do_not_panic_on_unnormalised_input() {
        for odd in [
            "",
            "4",
            "4403",
            "44030500100299",
            "四四〇三",
            "4403０5000000",
        ] {
            let _ = level_of(odd);
            let _ = significant_prefix(odd);
            let _ = subtree_range(odd);
        }
    }

    #[test]
    fn every_error_has_a_distinct_message_key() {
        let keys = [
            RegionCodeError::Empty.message_key(),
            RegionCodeError::Charset.message_key(),
            RegionCodeError::Length.message_key(),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert!(k.starts_with("validate.region_code."));
            assert!(!keys[..i].contains(k));
        }
    }

    proptest! {
        #[test]
        fn normalising_the_significant_prefix_gives_back_the_code(code in "[0-9]{12}") {
            let prefix = significant_prefix(&code);
            prop_assert_eq!(normalize_region_code(prefix), Ok(code.clone()));
        }

        #[test]
        fn normalised_codes_are_twelve_digits_and_stable(input in "[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}") {
            let code = normalize_region_code(&input).expect("valid form");
            prop_assert_eq!(code.len(), 12);
            prop_assert!(code.starts_with(&input));
            prop_assert_eq!(normalize_region_code(&code), Ok(code.clone()));
        }

        #[test]
        fn subtree_range_contains_the_code_and_its_descendants(code in "[0-9]{12}", tail in "[0-9]{10}") {
            let (low, high) = subtree_range(&code);
            prop_assert!(low <= code && code <= high);
            prop_assert_eq!(&low, &code);
            // Any code sharing the significant prefix lies in the range.
            let prefix = significant_prefix(&code);
            let descendant = format!("{prefix}{}", &tail[..12 - prefix.len()]);
            prop_assert!(low <= descendant && descendant <= high);
        }

        #[test]
        fn child_subtree_lies_within_parent_subtree(code in "[0-9]{12}") {
            let level = usize::from(level_of(&code));
            prop_assume!(level > 1);
            let parent_len = PREFIX_LENGTHS[level - 2];
            let parent = format!("{:0<12}", &code[..parent_len]);
            prop_assert!(level_of(&parent) < level as u8);
            let (plow, phigh) = subtree_range(&parent);
            let (low, high) = subtree_range(&code);
            prop_assert!(plow <= low && high <= phigh);
        }

        #[test]
        fn arbitrary_input_never_panics(input in ".{0,16}") {
            if let Ok(code) = normalize_region_code(&input) {
                let _ = subtree_range(&code);
            }
            let _ = level_of(&input);
            let _ = significant_prefix(&input);
            let _ = subtree_range(&input);
        }
    }
}
