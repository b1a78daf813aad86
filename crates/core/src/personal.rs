//! Personal data fields (ID numbers, phone numbers): validated and normalised, stored
//! SM4-encrypted with a keyed SM3 blind index for exact lookup and de-duplication, shown masked
//! (one pattern per kind, everywhere), and revealed in full only to an actor holding
//! `personal.unmask` — every reveal writes an audit row.
//!
//! Owns: nothing in the database; areas store the three columns `<field>_cipher`,
//! `<field>_index`, `<field>_masked`. Uses: crypto, validate, audit, org.

use serde::Serialize;

use crate::audit::{self, Entry};
use crate::crypto::{Crypto, mask_id_number, mask_phone};
use crate::org::{Actor, Permission};
use crate::validate::{IdNumber, normalize_mobile, parse_id_number};
use crate::{Core, Error, FieldError, Result};

/// The kinds of personal data; the name is the encryption context and the index domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    IdNumber,
    Phone,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::IdNumber => "id_number",
            Kind::Phone => "phone",
        }
    }

    pub fn mask(self, normalized: &str) -> String {
        match self {
            Kind::IdNumber => mask_id_number(normalized),
            Kind::Phone => mask_phone(normalized),
        }
    }
}

/// How a personal value is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sealed {
    #[serde(skip)]
    pub cipher: String,
    #[serde(skip)]
    pub index: String,
    pub masked: String,
}

fn seal(crypto: &Crypto, kind: Kind, normalized: &str) -> Sealed {
    Sealed {
        cipher: crypto.cipher().encrypt(kind.as_str(), normalized),
        index: crypto.index().index(kind.as_str(), normalized),
        masked: kind.mask(normalized),
    }
}

/// Validates a mobile number and seals its normalised form; the error is at `field`.
pub fn seal_phone(crypto: &Crypto, field: &str, raw: &str) -> Result<Sealed, FieldError> {
    let n = normalize_mobile(raw).map_err(|e| FieldError::new(field, e.message_key()))?;
    Ok(seal(crypto, Kind::Phone, &n))
}

/// Validates an ID number (GB 11643) and seals its normalised 18-character form.
pub fn seal_id_number(
    crypto: &Crypto,
    field: &str,
    raw: &str,
    today: time::Date,
) -> Result<(Sealed, IdNumber), FieldError> {
    let id = parse_id_number(raw, today).map_err(|e| {
        let mut fe = FieldError::new(field, e.message_key());
        for (k, v) in e.message_args() {
            fe = fe.arg(k, v);
        }
        fe
    })?;
    Ok((seal(crypto, Kind::IdNumber, &id.normalized), id))
}

/// The blind index of a value typed by a user, for exact lookup; `None` if it is not valid.
pub fn lookup_index(crypto: &Crypto, kind: Kind, raw: &str) -> Option<String> {
    let normalized = match kind {
        Kind::Phone => normalize_mobile(raw).ok()?,
        Kind::IdNumber => {
            parse_id_number(raw, time::OffsetDateTime::now_utc().date())
                .ok()?
                .normalized
        }
    };
    Some(crypto.index().index(kind.as_str(), &normalized))
}

/// Decrypts a stored value for an actor allowed to see it in full, recording the reveal in
/// the audit log (inside `tx`, so the reveal and its record stand or fall together).
pub async fn reveal(
    core: &Core,
    tx: &mut crate::db::Tx,
    actor: &Actor,
    kind: Kind,
    entity: &str,
    entity_id: &str,
    cipher: &str,
) -> Result<String> {
    actor.require(Permission::PersonalUnmask)?;
    let plain = core
        .crypto
        .cipher()
        .decrypt(kind.as_str(), cipher)
        .map_err(|e| {
            Error::Other(anyhow::anyhow!(
                "cannot decrypt {entity}.{}: {e}",
                kind.as_str()
            ))
        })?;
    audit::record(
        tx,
        core.crypto.chain(),
        actor,
        Entry::new("personal.unmask", entity, entity_id)
            .after(serde_json::json!({ "field": kind.as_str(), "masked": kind.mask(&plain) })),
    )
    .await?;
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DataKey;

    fn crypto() -> Crypto {
        Crypto::new(&DataKey::generate())
    }

    #[test]
    fn a_phone_is_sealed_normalised_and_masked() {
        let c = crypto();
        let s = seal_phone(&c, "phone", "+86 138-0013-8000").unwrap();
        assert_eq!(s.masked, "138****8000");
        assert!(!s.cipher.contains("13800138000"));
        assert_eq!(
            c.cipher().decrypt("phone", &s.cipher).unwrap(),
            "13800138000"
        );
        assert_eq!(lookup_index(&c, Kind::Phone, "13800138000"), Some(s.index));
    }

    #[test]
    fn the_same_number_has_the_same_index_but_a_different_ciphertext() {
        let c = crypto();
        let a = seal_phone(&c, "phone", "13800138000").unwrap();
        let b = seal_phone(&c, "phone", "138 0013 8000").unwrap();
        assert_eq!(a.index, b.index);
        assert_ne!(a.cipher, b.cipher);
    }

    #[test]
    fn an_id_number_is_upgraded_sealed_and_masked() {
        let c = crypto();
        let today = time::macros::date!(2026 - 11 - 26);
        let (s, id) = seal_id_number(&c, "id_number", "11010519491231002x", today).unwrap();
        assert_eq!(id.normalized, "11010519491231002X");
        assert_eq!(s.masked, "110105********002X");
        let (s15, _) = seal_id_number(&c, "id_number", "110105491231002", today).unwrap();
        assert_eq!(
            s15.index, s.index,
            "the 15-digit form finds the same person"
        );
    }

    #[test]
    fn a_wrong_check_digit_is_an_error_at_the_field() {
        let e = seal_id_number(
            &crypto(),
            "idno",
            "110105194912310021",
            time::macros::date!(2026 - 11 - 26),
        )
        .unwrap_err();
        assert_eq!(e.field, "idno");
        assert_eq!(e.key, "validate.id_number.check_digit");
        assert!(e.args.iter().any(|(k, v)| k == "expected" && v == "X"));
    }

    #[test]
    fn indexes_of_different_kinds_differ_for_the_same_digits() {
        let c = crypto();
        assert_ne!(
            c.index().index("phone", "13800138000"),
            c.index().index("id_number", "13800138000")
        );
    }
}
