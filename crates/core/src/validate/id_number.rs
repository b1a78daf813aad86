//! 公民身份号码 (citizen identity number) as defined by GB 11643-1999.
//!
//! An 18-character number is 6 digits of address code, 8 digits of birth
//! date (YYYYMMDD), 3 digits of sequence (odd for men, even for women) and
//! one check character computed with ISO 7064 MOD 11-2 (`0`–`9` or `X`).
//! The old 15-digit numbers (6 address + YYMMDD + 3 sequence, all born in
//! the 1900s) are upgraded to the 18-character form.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Weights of the first 17 digits (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum modulo 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// A syntactically valid identity number.
///
/// `Debug` masks the number and hides the birth date so that the value can
/// appear in logs without leaking personal information; use the fields
/// directly when the full value is needed.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// The 18-character form, with an upper-case `X` check character.
    pub normalized: String,
    pub birth_date: Date,
    pub sex: Sex,
}

impl IdNumber {
    /// The number with the birth date hidden, e.g. `110105********002X`.
    pub fn masked(&self) -> String {
        let head = self.normalized.get(..6).unwrap_or_default();
        let tail = self.normalized.get(14..).unwrap_or_default();
        format!("{head}********{tail}")
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdNumber")
            .field("normalized", &self.masked())
            .field("birth_date", &format_args!("<hidden>"))
            .field("sex", &self.sex)
            .finish()
    }
}

/// Sex recorded in the 17th digit (odd: male, even: female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// Why an identity number was refused. Checked in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("identity number is empty")]
    Empty,
    #[error("identity number must have 18 characters (or 15 digits in the old format)")]
    Length,
    #[error("identity number may contain only digits, and X as the last character")]
    Charset,
    #[error("identity number does not start with a valid province code")]
    Province,
    #[error("identity number contains an impossible birth date")]
    BirthDate,
    #[error("identity number contains a birth date in the future")]
    FutureBirthDate,
    #[error("identity number check character is wrong, expected {expected}")]
    CheckDigit { expected: char },
}

impl IdNumberError {
    /// Translation key of the message shown to the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Empty => "validate.id_number.empty",
            Self::Length => "validate.id_number.length",
            Self::Charset => "validate.id_number.charset",
            Self::Province => "validate.id_number.province",
            Self::BirthDate => "validate.id_number.birth_date",
            Self::FutureBirthDate => "validate.id_number.future_birth_date",
            Self::CheckDigit { .. } => "validate.id_number.check_digit",
        }
    }

    /// Values for the `%{name}` placeholders of [`Self::message_key`].
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::CheckDigit { expected } => vec![("expected", expected.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Earliest birth date accepted.
const MIN_BIRTH_DATE: Date = time::macros::date!(1900 - 01 - 01);

/// Parses and normalises an identity number.
///
/// Surrounding whitespace is ignored and a lower-case `x` is accepted.
/// `today` is the current date in the office's time zone (China Standard
/// Time); birth dates after it are refused.
pub fn parse_id_number(input: &str, today: Date) -> Result<IdNumber, IdNumberError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(IdNumberError::Empty);
    }
    let len = s.chars().count();
    if len != 15 && len != 18 {
        return Err(IdNumberError::Length);
    }
    if !s.is_ascii() {
        return Err(IdNumberError::Charset);
    }
    // ASCII from here on, so byte indices are character indices.
    let bytes = s.as_bytes();
    let (body, given_check): (Vec<u8>, Option<u8>) = if len == 18 {
        let last = bytes[17].to_ascii_uppercase();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
            return Err(IdNumberError::Charset);
        }
        (bytes[..17].to_vec(), Some(last))
    } else {
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::Charset);
        }
        let mut body = Vec::with_capacity(17);
        body.extend_from_slice(&bytes[..6]);
        body.extend_from_slice(b"19");
        body.extend_from_slice(&bytes[6..]);
        (body, None)
    };

    if !is_province_code(number(&body[..2])) {
        return Err(IdNumberError::Province);
    }

    let birth_date = birth_date(&body[6..14]).ok_or(IdNumberError::BirthDate)?;
    if birth_date > today {
        return Err(IdNumberError::FutureBirthDate);
    }

    let expected = check_char(&body);
    if given_check.is_some_and(|given| given != expected) {
        return Err(IdNumberError::CheckDigit {
            expected: char::from(expected),
        });
    }

    let sex = if (body[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    let mut normalized = String::with_capacity(18);
    normalized.extend(body.iter().map(|&b| char::from(b)));
    normalized.push(char::from(expected));
    Ok(IdNumber {
        normalized,
        birth_date,
        sex,
    })
}

/// Province-level codes of GB/T 2260 (including 71 Taiwan, 81 Hong Kong and
/// 82 Macao, which appear on residence permits).
fn is_province_code(code: u32) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

/// The value of a run of ASCII digits (at most 8, so no overflow).
fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'))
}

/// A real calendar date from YYYYMMDD, not before [`MIN_BIRTH_DATE`].
fn birth_date(yyyymmdd: &[u8]) -> Option<Date> {
    let year = i32::try_from(number(&yyyymmdd[..4])).ok()?;
    let month = Month::try_from(u8::try_from(number(&yyyymmdd[4..6])).ok()?).ok()?;
    let day = u8::try_from(number(&yyyymmdd[6..8])).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    (date >= MIN_BIRTH_DATE).then_some(date)
}

/// Check character of the first 17 digits.
fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 15);

    fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        parse_id_number(input, TODAY)
    }

    #[test]
    fn gb11643_sample_number_is_accepted() {
        let id = parse("11010519491231002X").expect("valid");
        assert_eq!(id.normalized, "11010519491231002X");
        assert_eq!(id.birth_date, date!(1949 - 12 - 31));
        assert_eq!(id.sex, Sex::Female);
    }

    #[test]
    fn lower_case_x_is_normalised_to_upper_case() {
        let id = parse("11010519491231002x").expect("valid");
        assert_eq!(id.normalized, "11010519491231002X");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let id = parse(" \t11010519491231002X\u{3000}\n").expect("valid");
        assert_eq!(id.normalized, "11010519491231002X");
    }

    #[test]
    fn odd_seventeenth_digit_means_male() {
        // 44030419900101001 -> check digit 1 (computed by hand).
        let id = parse("440304199001010011").expect("valid");
        assert_eq!(id.sex, Sex::Male);
        assert_eq!(id.birth_date, date!(1990 - 01 - 01));
    }

    #[test]
    fn even_seventeenth_digit_means_female() {
        let id = parse("44030419900101002X").expect("valid");
        assert_eq!(id.sex, Sex::Female);
    }

    #[test]
    fn leap_day_birth_date_is_accepted() {
        let id = parse("320583198002291235").expect("valid");
        assert_eq!(id.birth_date, date!(1980 - 02 - 29));
    }

    #[test]
    fn birth_on_first_day_of_1900_is_accepted() {
        let id = parse("650102190001010032").expect("valid");
        assert_eq!(id.birth_date, date!(1900 - 01 - 01));
    }

    #[test]
    fn birth_date_equal_to_today_is_accepted() {
        let id = parse_id_number("510108200012314561", date!(2000 - 12 - 31)).expect("valid");
        assert_eq!(id.birth_date, date!(2000 - 12 - 31));
    }

    #[test]
    fn fifteen_digit_number_is_upgraded_with_computed_check_digit() {
        let id = parse("110105491231002").expect("valid");
        assert_eq!(id.normalized, "11010519491231002X");
        assert_eq!(id.birth_date, date!(1949 - 12 - 31));
        assert_eq!(id.sex, Sex::Female);

        let id = parse("440304900101001").expect("valid");
        assert_eq!(id.normalized, "440304199001010011");
        assert_eq!(id.sex, Sex::Male);
    }

    #[test]
    fn id_number_with_wrong_check_digit_is_refused() {
        assert_eq!(
            parse("110105194912310021"),
            Err(IdNumberError::CheckDigit { expected: 'X' })
        );
        assert_eq!(
            parse("44030419900101001X"),
            Err(IdNumberError::CheckDigit { expected: '1' })
        );
    }

    #[test]
    fn empty_or_blank_input_is_refused_as_empty() {
        assert_eq!(parse(""), Err(IdNumberError::Empty));
        assert_eq!(parse("   "), Err(IdNumberError::Empty));
    }

    #[test]
    fn numbers_of_other_lengths_are_refused() {
        assert_eq!(parse("11010519491231002"), Err(IdNumberError::Length));
        assert_eq!(parse("11010519491231002X1"), Err(IdNumberError::Length));
        assert_eq!(parse("1101051949123"), Err(IdNumberError::Length));
    }

    #[test]
    fn letters_or_misplaced_x_are_refused_as_charset() {
        assert_eq!(parse("1101051949123100X2"), Err(IdNumberError::Charset));
        assert_eq!(parse("11010519491231002Y"), Err(IdNumberError::Charset));
        assert_eq!(parse("11010549123100X"), Err(IdNumberError::Charset));
        assert_eq!(parse("110105 49123100"), Err(IdNumberError::Charset));
    }

    #[test]
    fn full_width_digits_are_refused_as_charset() {
        assert_eq!(
            parse("１１０１０５１９４９１２３１００２Ｘ"),
            Err(IdNumberError::Charset)
        );
    }

    #[test]
    fn unknown_province_code_is_refused() {
        // Check digits computed by hand so that only the province is wrong.
        assert_eq!(parse("000000199001010018"), Err(IdNumberError::Province));
        assert_eq!(parse("160105194912310029"), Err(IdNumberError::Province));
        assert_eq!(parse("900105194912310027"), Err(IdNumberError::Province));
    }

    #[test]
    fn every_listed_province_code_is_accepted() {
        let accepted: Vec<u32> = (0..100).filter(|&c| is_province_code(c)).collect();
        let listed = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
            51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
        ];
        assert_eq!(accepted, listed);
    }

    #[test]
    fn impossible_birth_dates_are_refused() {
        // 1900 was not a leap year; check digits computed by hand.
        assert_eq!(parse("110105190002290017"), Err(IdNumberError::BirthDate));
        // Month 13.
        assert_eq!(parse("110105199013010018"), Err(IdNumberError::BirthDate));
        // Day 00.
        assert_eq!(parse("110105199001000015"), Err(IdNumberError::BirthDate));
        // April 31st.
        assert_eq!(parse("110105199004310019"), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn birth_dates_before_1900_are_refused() {
        assert_eq!(parse("110105189912310015"), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn birth_dates_after_today_are_refused() {
        assert_eq!(
            parse_id_number("510108200012314561", date!(2000 - 12 - 30)),
            Err(IdNumberError::FutureBirthDate)
        );
    }

    #[test]
    fn masked_form_hides_the_birth_date() {
        let id = parse("11010519491231002X").expect("valid");
        assert_eq!(id.masked(), "110105********002X");
        let debug = format!("{id:?}");
        assert!(!debug.contains("19491231"), "{debug}");
        assert!(!debug.contains("1949"), "{debug}");
    }

    #[test]
    fn every_error_has_a_distinct_message_key() {
        let errors = [
            IdNumberError::Empty,
            IdNumberError::Length,
            IdNumberError::Charset,
            IdNumberError::Province,
            IdNumberError::BirthDate,
            IdNumberError::FutureBirthDate,
            IdNumberError::CheckDigit { expected: 'X' },
        ];
        let mut keys: Vec<&str> = errors.iter().map(IdNumberError::message_key).collect();
        assert!(keys.iter().all(|k| k.starts_with("validate.id_number.")));
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), errors.len());
        assert_eq!(
            IdNumberError::CheckDigit { expected: 'X' }.message_args(),
            vec![("expected", "X".to_string())]
        );
    }

    /// Independent oracle: check value = (12 - S mod 11) mod 11 with weights
    /// 2^(17-i) mod 11, value 10 written as X.
    fn oracle_check(body: &str) -> char {
        let sum: u32 = body
            .chars()
            .enumerate()
            .map(|(i, c)| c.to_digit(10).unwrap_or(0) * (2u32.pow(17 - i as u32) % 11))
            .sum();
        match (12 - sum % 11) % 11 {
            10 => 'X',
            v => char::from_digit(v, 10).unwrap_or('?'),
        }
    }

    prop_compose! {
        fn valid_body()(
            province in prop::sample::select(vec![11u32, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65, 71, 81, 82]),
            area in 0u32..10_000,
            days in 0i64..45_000,
            seq in 0u32..1000,
        ) -> (String, Date) {
            let birth = MIN_BIRTH_DATE + time::Duration::days(days);
            let body = format!(
                "{province:02}{area:04}{:04}{:02}{:02}{seq:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day()
            );
            (body, birth)
        }
    }

    proptest! {
        #[test]
        fn any_number_with_correct_check_character_is_accepted((body, birth) in valid_body()) {
            let full = format!("{body}{}", oracle_check(&body));
            let id = parse(&full).expect("valid");
            prop_assert_eq!(&id.normalized, &full);
            prop_assert_eq!(id.birth_date, birth);
            let seventeenth = body.as_bytes()[16] - b'0';
            prop_assert_eq!(id.sex, if seventeenth % 2 == 1 { Sex::Male } else { Sex::Female });
        }

        #[test]
        fn any_other_check_character_is_refused_naming_the_right_one(
            (body, _) in valid_body(),
            wrong in prop::sample::select("0123456789X".chars().collect::<Vec<_>>()),
        ) {
            let right = oracle_check(&body);
            prop_assume!(wrong != right);
            prop_assert_eq!(
                parse(&format!("{body}{wrong}")),
                Err(IdNumberError::CheckDigit { expected: right })
            );
        }

        #[test]
        fn old_fifteen_digit_form_parses_like_its_eighteen_character_form((body, _) in valid_body()) {
            prop_assume!(body[6..8] == *"19");
            let old = format!("{}{}", &body[..6], &body[8..]);
            let full = format!("{body}{}", oracle_check(&body));
            prop_assert_eq!(parse(&old), parse(&full));
        }

        #[test]
        fn normalised_output_parses_to_itself((body, _) in valid_body()) {
            let full = format!("{body}{}", oracle_check(&body)).to_lowercase();
            let once = parse(&full).expect("valid");
            let twice = parse(&once.normalized).expect("valid");
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn arbitrary_input_never_panics(input in ".{0,24}") {
            let _ = parse(&input);
        }

        #[test]
        fn arbitrary_digit_strings_never_panic(input in "[0-9xX]{15,18}") {
            let _ = parse(&input);
        }
    }
}
