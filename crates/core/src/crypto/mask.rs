//! Display masking of personal data: one pattern per kind of value, used
//! everywhere a value is shown to someone who may not see it in full.
//!
//! Works on characters, not bytes. Surrounding whitespace is dropped; each
//! hidden character becomes one `*`. A value too short to keep anything
//! without revealing all of it is masked entirely.

const MASK: char = '*';

/// Keep the first `head` and last `tail` characters, `*` for the rest; all
/// `*` when there would be nothing left to hide.
fn mask_middle(value: &str, head: usize, tail: usize) -> String {
    let value = value.trim();
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= head + tail {
        return MASK.to_string().repeat(n);
    }
    let mut out = String::with_capacity(value.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n(MASK, n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Resident ID number: first 6 (region) and last 4 kept.
/// `"11010519491231002X"` → `"110105********002X"`.
#[must_use]
pub fn mask_id_number(value: &str) -> String {
    mask_middle(value, 6, 4)
}

/// Phone number: first 3 and last 4 kept. `"13800138000"` → `"138****8000"`.
#[must_use]
pub fn mask_phone(value: &str) -> String {
    mask_middle(value, 3, 4)
}

/// Personal name: first character kept. `"张三丰"` → `"张**"`,
/// `"张三"` → `"张*"`; a one-character name is masked entirely.
#[must_use]
pub fn mask_name(value: &str) -> String {
    mask_middle(value, 1, 0)
}

/// Bank account or card number: last 4 kept.
/// `"6222021234567890123"` → `"***************0123"`.
#[must_use]
pub fn mask_bank_account(value: &str) -> String {
    mask_middle(value, 0, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_number_keeps_first_six_and_last_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        // Old 15-digit numbers follow the same rule.
        assert_eq!(mask_id_number("110105491231002"), "110105*****1002");
    }

    #[test]
    fn phone_keeps_first_three_and_last_four() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("010-12345678"), "010*****5678");
    }

    #[test]
    fn name_keeps_the_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("张"), "*");
    }

    #[test]
    fn bank_account_keeps_the_last_four() {
        assert_eq!(
            mask_bank_account("6222021234567890123"),
            "***************0123"
        );
        assert_eq!(mask_bank_account("12345"), "*2345");
    }

    #[test]
    fn masking_counts_characters_not_bytes() {
        // Full-width digits are 3 bytes each in UTF-8.
        assert_eq!(mask_phone("１３８００１３８０００"), "１３８****８０００");
        assert_eq!(mask_name("阿卜杜热合曼"), "阿*****");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(mask_phone(" 13800138000\n"), "138****8000");
        assert_eq!(mask_name("  张三 "), "张*");
    }

    #[test]
    fn short_values_are_masked_entirely() {
        assert_eq!(mask_id_number("1101051949"), "**********");
        assert_eq!(mask_id_number("12"), "**");
        assert_eq!(mask_phone("1380013"), "*******");
        assert_eq!(mask_bank_account("1234"), "****");
        assert_eq!(mask_bank_account("1"), "*");
    }

    #[test]
    fn empty_values_stay_empty() {
        for mask in [mask_id_number, mask_phone, mask_name, mask_bank_account] {
            assert_eq!(mask(""), "");
            assert_eq!(mask("   "), "");
        }
    }

    #[test]
    fn masking_never_panics_and_never_reveals_a_short_value() {
        let long = "x".repeat(1000);
        let samples = [
            "a",
            "ab",
            "张",
            "张三",
            "😀",
            "😀😀😀😀😀😀😀😀😀😀😀",
            "\u{301}e",
            "１２３",
            "a\u{0}b",
            "11010519491231002X",
            long.as_str(),
        ];
        for s in samples {
            for mask in [mask_id_number, mask_phone, mask_name, mask_bank_account] {
                let masked = mask(s);
                assert_eq!(masked.chars().count(), s.trim().chars().count(), "{s:?}");
                if s.chars().count() > 1 {
                    assert_ne!(masked, s, "{s:?} was not masked at all");
                }
            }
        }
    }
}
