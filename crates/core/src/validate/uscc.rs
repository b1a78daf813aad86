//! 统一社会信用代码 (unified social credit code) as defined by GB 32100-2015.
//!
//! 18 characters from a 31-character set (digits and upper-case letters
//! without I, O, Z, S and V); the last one is a check character over the
//! first 17. Only the form is checked here: registration authority, type and
//! region parts are not interpreted.
//!
//! A wrong check character is *not* an error: codes printed on old licences
//! or typed by registration offices occasionally fail the check yet are the
//! real codes, so the caller shows [`USCC_CHECK_WARNING_KEY`] as a warning
//! that a permitted user may override with a reason.

use serde::{Deserialize, Serialize};

/// The characters a code may contain, in order of their value (0–30).
pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Translation key of the warning shown when the check character does not
/// match. Placeholder: `%{expected}`.
pub const USCC_CHECK_WARNING_KEY: &str = "validate.uscc.check_mismatch";

/// Weights of the first 17 characters (3^i mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A code of valid form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Uscc {
    /// The trimmed, upper-case code.
    pub normalized: String,
    pub check: UsccCheck,
}

/// Outcome of the check-character comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UsccCheck {
    Valid,
    /// The last character should have been `expected`.
    Mismatch {
        expected: char,
    },
}

impl UsccCheck {
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }
}

/// Why a code was refused. Checked in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("unified social credit code is empty")]
    Empty,
    #[error("unified social credit code must have 18 characters")]
    Length,
    #[error(
        "unified social credit code contains a character outside 0-9 and A-Y without I, O, S, V, Z"
    )]
    Charset,
}

impl UsccError {
    /// Translation key of the message shown to the user (no placeholders).
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Empty => "validate.uscc.empty",
            Self::Length => "validate.uscc.length",
            Self::Charset => "validate.uscc.charset",
        }
    }
}

/// Parses a unified social credit code: trims surrounding whitespace and
/// upper-cases letters. A wrong check character is reported in
/// [`Uscc::check`], not as an error.
pub fn parse_uscc(input: &str) -> Result<Uscc, UsccError> {
    let normalized = input.trim().to_ascii_uppercase();
    if normalized.is_empty() {
        return Err(UsccError::Empty);
    }
    if normalized.chars().count() != 18 {
        return Err(UsccError::Length);
    }
    let values = normalized
        .chars()
        .map(value_of)
        .collect::<Option<Vec<u32>>>()
        .ok_or(UsccError::Charset)?;

    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let expected_value = (31 - sum % 31) % 31;
    let check = if values[17] == expected_value {
        UsccCheck::Valid
    } else {
        UsccCheck::Mismatch {
            expected: char::from(USCC_CHARSET.as_bytes()[expected_value as usize]),
        }
    };
    Ok(Uscc { normalized, check })
}

/// Value (0–30) of a character of [`USCC_CHARSET`].
fn value_of(c: char) -> Option<u32> {
    USCC_CHARSET
        .chars()
        .position(|x| x == c)
        .and_then(|p| u32::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    #[test]
    fn gb32100_sample_code_is_valid() {
        let uscc = parse_uscc("91350100M000100Y43").expect("valid form");
        assert_eq!(uscc.normalized, "91350100M000100Y43");
        assert_eq!(uscc.check, UsccCheck::Valid);
    }

    #[test]
    fn published_company_codes_are_valid() {
        // Huawei Technologies Co., Ltd. and Shenzhen Tencent Computer Systems.
        for code in ["914403001922038216", "91440300708461136T"] {
            assert_eq!(
                parse_uscc(code).expect("valid form").check,
                UsccCheck::Valid
            );
        }
    }

    #[test]
    fn lower_case_and_whitespace_are_normalised() {
        let uscc = parse_uscc("  91440300708461136t\n").expect("valid form");
        assert_eq!(uscc.normalized, "91440300708461136T");
        assert_eq!(uscc.check, UsccCheck::Valid);
    }

    #[test]
    fn wrong_check_character_is_a_mismatch_not_an_error() {
        let uscc = parse_uscc("91350100M000100Y44").expect("valid form");
        assert_eq!(uscc.normalized, "91350100M000100Y44");
        assert_eq!(uscc.check, UsccCheck::Mismatch { expected: '3' });
        assert!(!uscc.check.is_valid());

        let uscc = parse_uscc("914403001922038210").expect("valid form");
        assert_eq!(uscc.check, UsccCheck::Mismatch { expected: '6' });
    }

    #[test]
    fn empty_input_is_refused() {
        assert_eq!(parse_uscc(""), Err(UsccError::Empty));
        assert_eq!(parse_uscc(" \t "), Err(UsccError::Empty));
    }

    #[test]
    fn codes_of_other_lengths_are_refused() {
        assert_eq!(parse_uscc("91350100M000100Y4"), Err(UsccError::Length));
        assert_eq!(parse_uscc("91350100M000100Y433"), Err(UsccError::Length));
        // The 15-digit business licence numbers that preceded the USCC.
        assert_eq!(parse_uscc("110108000000016"), Err(UsccError::Length));
    }

    #[test]
    fn letters_i_o_s_v_z_are_refused() {
        for bad in ['I', 'O', 'S', 'V', 'Z', 'i', 'o'] {
            let code = format!("91350100M000100{bad}43");
            assert_eq!(parse_uscc(&code), Err(UsccError::Charset), "{code}");
        }
    }

    #[test]
    fn punctuation_and_full_width_characters_are_refused() {
        assert_eq!(parse_uscc("91350100-000100Y43"), Err(UsccError::Charset));
        assert_eq!(parse_uscc("91350100Ｍ000100Y43"), Err(UsccError::Charset));
        assert_eq!(parse_uscc("91350100 000100Y43"), Err(UsccError::Charset));
    }

    #[test]
    fn every_error_has_a_distinct_message_key() {
        let keys = [
            UsccError::Empty.message_key(),
            UsccError::Length.message_key(),
            UsccError::Charset.message_key(),
            USCC_CHECK_WARNING_KEY,
        ];
        for (i, k) in keys.iter().enumerate() {
            assert!(k.starts_with("validate.uscc."));
            assert!(!keys[..i].contains(k));
        }
    }

    /// Independent oracle: weights 3^i mod 31, check = (31 - S mod 31) mod 31.
    fn oracle_check(body: &[char]) -> char {
        let charset: Vec<char> = CHARSET.chars().collect();
        let mut weight = 1u32;
        let mut sum = 0u32;
        for c in body {
            let v = charset.iter().position(|x| x == c).unwrap_or(0) as u32;
            sum += v * weight;
            weight = weight * 3 % 31;
        }
        charset[((31 - sum % 31) % 31) as usize]
    }

    fn body() -> impl Strategy<Value = Vec<char>> {
        prop::collection::vec(
            prop::sample::select(CHARSET.chars().collect::<Vec<_>>()),
            17,
        )
    }

    proptest! {
        #[test]
        fn code_with_correct_check_character_is_valid(body in body()) {
            let code: String = body.iter().chain([&oracle_check(&body)]).collect();
            let uscc = parse_uscc(&code).expect("valid form");
            prop_assert_eq!(uscc.check, UsccCheck::Valid);
            prop_assert_eq!(uscc.normalized, code);
        }

        #[test]
        fn any_single_character_substitution_is_detected(
            body in body(),
            pos in 0usize..18,
            replacement in prop::sample::select(CHARSET.chars().collect::<Vec<_>>()),
        ) {
            let mut code: Vec<char> = body.clone();
            code.push(oracle_check(&body));
            prop_assume!(code[pos] != replacement);
            code[pos] = replacement;
            let uscc = parse_uscc(&code.iter().collect::<String>()).expect("valid form");
            prop_assert_eq!(uscc.check, UsccCheck::Mismatch { expected: oracle_check(&code[..17]) });
        }

        #[test]
        fn case_does_not_change_the_outcome(body in body()) {
            let code: String = body.iter().chain([&oracle_check(&body)]).collect();
            prop_assert_eq!(parse_uscc(&code.to_lowercase()), parse_uscc(&code));
        }

        #[test]
        fn arbitrary_input_never_panics(input in ".{0,24}") {
            let _ = parse_uscc(&input);
        }
    }
}
