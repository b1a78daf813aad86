//! Pure validation and normalisation of the codes that citizens, companies
//! and offices type into the platform: identity numbers (GB 11643), unified
//! social credit codes (GB 32100), mainland mobile numbers, administrative
//! region codes and the GB/T 4754-2017 industry classification.
//!
//! This module owns the *form* of these values only. It does no I/O, reads
//! no clock (callers pass `today`), and never decides whether a code exists
//! or is within a user's scope — that is checked against the database
//! elsewhere. Errors carry no text for users: each has a `message_key()`
//! into the `validate.*` entries of `crates/web/locales/validate.yml`.
//!
//! Message keys and the `%{name}` placeholders the caller must fill:
//!
//! | key                                     | placeholders  |
//! |-----------------------------------------|---------------|
//! | `validate.id_number.empty`              | —             |
//! | `validate.id_number.length`             | —             |
//! | `validate.id_number.charset`            | —             |
//! | `validate.id_number.province`           | —             |
//! | `validate.id_number.birth_date`         | —             |
//! | `validate.id_number.future_birth_date`  | —             |
//! | `validate.id_number.check_digit`        | `%{expected}` (the correct check character) |
//! | `validate.uscc.empty`                   | —             |
//! | `validate.uscc.length`                  | —             |
//! | `validate.uscc.charset`                 | —             |
//! | `validate.uscc.check_mismatch` (warning, [`USCC_CHECK_WARNING_KEY`]) | `%{expected}` (the computed check character) |
//! | `validate.mobile.empty`                 | —             |
//! | `validate.mobile.charset`               | —             |
//! | `validate.mobile.length`                | —             |
//! | `validate.mobile.format`                | —             |
//! | `validate.region_code.empty`            | —             |
//! | `validate.region_code.charset`          | —             |
//! | `validate.region_code.length`           | —             |
//!
//! [`IdNumberError::message_args`] returns the placeholder values for the
//! identity number; for the USCC warning use `expected` from
//! [`UsccCheck::Mismatch`].

pub mod id_number;
pub mod industry;
pub mod mobile;
pub mod region_code;
pub mod uscc;

pub use id_number::{IdNumber, IdNumberError, Sex, parse_id_number};
pub use industry::{Industry, IndustryLevel, divisions, divisions_of, industry, sections};
pub use mobile::{MobileError, normalize_mobile};
pub use region_code::{
    RegionCodeError, level_of, normalize_region_code, significant_prefix, subtree_range,
};
pub use uscc::{USCC_CHARSET, USCC_CHECK_WARNING_KEY, Uscc, UsccCheck, UsccError, parse_uscc};

/// Every message key this module can produce, for checking that each one
/// has a translation (see the table above for placeholders).
pub const MESSAGE_KEYS: &[&str] = &[
    "validate.id_number.empty",
    "validate.id_number.length",
    "validate.id_number.charset",
    "validate.id_number.province",
    "validate.id_number.birth_date",
    "validate.id_number.future_birth_date",
    "validate.id_number.check_digit",
    "validate.uscc.empty",
    "validate.uscc.length",
    "validate.uscc.charset",
    USCC_CHECK_WARNING_KEY,
    "validate.mobile.empty",
    "validate.mobile.charset",
    "validate.mobile.length",
    "validate.mobile.format",
    "validate.region_code.empty",
    "validate.region_code.charset",
    "validate.region_code.length",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_keys_list_every_key_the_errors_produce() {
        let produced = [
            IdNumberError::Empty.message_key(),
            IdNumberError::Length.message_key(),
            IdNumberError::Charset.message_key(),
            IdNumberError::Province.message_key(),
            IdNumberError::BirthDate.message_key(),
            IdNumberError::FutureBirthDate.message_key(),
            IdNumberError::CheckDigit { expected: '0' }.message_key(),
            UsccError::Empty.message_key(),
            UsccError::Length.message_key(),
            UsccError::Charset.message_key(),
            USCC_CHECK_WARNING_KEY,
            MobileError::Empty.message_key(),
            MobileError::Charset.message_key(),
            MobileError::Length.message_key(),
            MobileError::Format.message_key(),
            RegionCodeError::Empty.message_key(),
            RegionCodeError::Charset.message_key(),
            RegionCodeError::Length.message_key(),
        ];
        assert_eq!(produced.as_slice(), MESSAGE_KEYS);
    }
}
