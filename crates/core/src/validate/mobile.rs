//! Mainland China mobile numbers (11 digits, `1[3-9]` followed by 9 digits).

/// Why a mobile number was refused. Checked in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("mobile number is empty")]
    Empty,
    #[error(
        "mobile number may contain only digits, spaces, hyphens, parentheses and a leading +86"
    )]
    Charset,
    #[error("mobile number must have 11 digits")]
    Length,
    #[error("not a mainland China mobile number")]
    Format,
}

impl MobileError {
    /// Translation key of the message shown to the user (no placeholders).
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Empty => "validate.mobile.empty",
            Self::Charset => "validate.mobile.charset",
            Self::Length => "validate.mobile.length",
            Self::Format => "validate.mobile.format",
        }
    }
}

/// Characters dropped before anything else: whitespace (including the
/// ideographic space), hyphens and ASCII or full-width parentheses.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '(' | ')' | '（' | '）')
}

/// Returns the 11-digit form of a mainland China mobile number.
///
/// Separators are removed first; then a country prefix `+86`, `0086` or
/// `86` is dropped when exactly 11 digits follow it. Any other `+` prefix
/// (a foreign number) is refused as [`MobileError::Format`].
pub fn normalize_mobile(input: &str) -> Result<String, MobileError> {
    let compact: String = input.chars().filter(|&c| !is_separator(c)).collect();
    if compact.is_empty() {
        return Err(MobileError::Empty);
    }
    let (digits, explicit_prefix) = match compact.strip_prefix('+') {
        Some(rest) => match rest.strip_prefix("86") {
            Some(national) => (national, true),
            None if rest.chars().all(|c| c.is_ascii_digit()) => {
                return Err(MobileError::Format);
            }
            None => return Err(MobileError::Charset),
        },
        None => (compact.as_str(), false),
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(MobileError::Charset);
    }
    let national = if explicit_prefix {
        digits
    } else {
        match (
            digits.len(),
            digits.strip_prefix("0086"),
            digits.strip_prefix("86"),
        ) {
            (15, Some(rest), _) | (13, _, Some(rest)) => rest,
            _ => digits,
        }
    };
    if national.len() != 11 {
        return Err(MobileError::Length);
    }
    let bytes = national.as_bytes();
    if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
        return Err(MobileError::Format);
    }
    Ok(national.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_eleven_digit_number_is_returned_unchanged() {
        assert_eq!(
            normalize_mobile("13812345678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("19912345678").as_deref(),
            Ok("19912345678")
        );
    }

    #[test]
    fn spaces_hyphens_and_parentheses_are_stripped() {
        assert_eq!(
            normalize_mobile(" 138 1234 5678 ").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("138-1234-5678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("(138)1234-5678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("（138）1234\u{3000}5678").as_deref(),
            Ok("13812345678")
        );
    }

    #[test]
    fn country_prefixes_are_removed() {
        assert_eq!(
            normalize_mobile("+8613812345678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("+86 138 1234 5678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("(+86) 138-1234-5678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("008613812345678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("0086 138 1234 5678").as_deref(),
            Ok("13812345678")
        );
        assert_eq!(
            normalize_mobile("8613812345678").as_deref(),
            Ok("13812345678")
        );
    }

    #[test]
    fn prefix_86_is_kept_when_not_followed_by_eleven_digits() {
        // 12 digits starting with 86: not a prefix, and too long.
        assert_eq!(normalize_mobile("861381234567"), Err(MobileError::Length));
        // +86 followed by 10 digits.
        assert_eq!(normalize_mobile("+861381234567"), Err(MobileError::Length));
        // 0086 followed by 10 digits.
        assert_eq!(normalize_mobile("00861381234567"), Err(MobileError::Length));
    }

    #[test]
    fn empty_or_separator_only_input_is_refused_as_empty() {
        assert_eq!(normalize_mobile(""), Err(MobileError::Empty));
        assert_eq!(normalize_mobile(" - ( ) "), Err(MobileError::Empty));
    }

    #[test]
    fn letters_and_other_punctuation_are_refused_as_charset() {
        assert_eq!(normalize_mobile("1381234567a"), Err(MobileError::Charset));
        assert_eq!(normalize_mobile("138.1234.5678"), Err(MobileError::Charset));
        assert_eq!(
            normalize_mobile("138１２３４５６７８"),
            Err(MobileError::Charset)
        );
        assert_eq!(normalize_mobile("138+12345678"), Err(MobileError::Charset));
        assert_eq!(normalize_mobile("+abc"), Err(MobileError::Charset));
    }

    #[test]
    fn numbers_of_wrong_length_are_refused() {
        assert_eq!(normalize_mobile("1381234567"), Err(MobileError::Length));
        assert_eq!(normalize_mobile("138123456789"), Err(MobileError::Length));
    }

    #[test]
    fn landline_and_foreign_numbers_are_refused_as_format() {
        // Beijing landline with area code: 11 digits but not a mobile.
        assert_eq!(normalize_mobile("010-12345678"), Err(MobileError::Format));
        // 1[0-2] prefixes are not mobile ranges.
        assert_eq!(normalize_mobile("12812345678"), Err(MobileError::Format));
        assert_eq!(normalize_mobile("11012345678"), Err(MobileError::Format));
        // Foreign country code.
        assert_eq!(
            normalize_mobile("+1 415 555 0100"),
            Err(MobileError::Format)
        );
        // 86 prefix followed by something that is not a mobile.
        assert_eq!(normalize_mobile("8623812345678"), Err(MobileError::Format));
    }

    #[test]
    fn every_error_has_a_distinct_message_key() {
        let keys = [
            MobileError::Empty.message_key(),
            MobileError::Charset.message_key(),
            MobileError::Length.message_key(),
            MobileError::Format.message_key(),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert!(k.starts_with("validate.mobile."));
            assert!(!keys[..i].contains(k));
        }
    }

    fn decorate(number: &str, prefix: &str, separator: &str) -> String {
        format!(
            "{prefix}{separator}{}{separator}{}{separator}{}",
            &number[..3],
            &number[3..7],
            &number[7..]
        )
    }

    proptest! {
        #[test]
        fn decorated_valid_numbers_normalise_to_the_bare_number(
            number in "1[3-9][0-9]{9}",
            prefix in prop::sample::select(vec!["", "+86", "0086", "86", "(+86)"]),
            separator in prop::sample::select(vec!["", " ", "-", "  ", " - "]),
        ) {
            let input = decorate(&number, prefix, separator);
            prop_assert_eq!(normalize_mobile(&input), Ok(number));
        }

        #[test]
        fn normalised_output_is_eleven_digits_starting_1_3_to_9(input in "[0-9 +()-]{0,20}") {
            if let Ok(out) = normalize_mobile(&input) {
                prop_assert_eq!(out.len(), 11);
                prop_assert!(out.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(out.starts_with('1'));
                prop_assert!((b'3'..=b'9').contains(&out.as_bytes()[1]));
                prop_assert_eq!(normalize_mobile(&out), Ok(out.clone()));
            }
        }

        #[test]
        fn arbitrary_input_never_panics(input in ".{0,24}") {
            let _ = normalize_mobile(&input);
        }
    }
}
