//! SM4-GCM field encryption of personal data.
//!
//! Stored form: `"v1:" + base64(nonce[12] || ciphertext || tag[16])`, with the
//! caller's context string (e.g. `"person.id_number"`) as associated data, so
//! a value copied into another column does not decrypt there.

use std::fmt;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use sm4::Sm4;

use super::key::{DataKey, LABEL_FIELD_ENCRYPTION};

/// SM4 in Galois/Counter Mode with a 96-bit nonce and 128-bit tag.
type Sm4Gcm = AesGcm<Sm4, U12>;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a stored value could not be decrypted. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The value does not start with a known version prefix ("v1:").
    #[error("stored value is not in a known encrypted format (expected the \"v1:\" prefix)")]
    UnknownFormat,
    /// The value has the prefix but is not valid base64 or is too short.
    #[error("stored encrypted value is malformed (bad base64 or too short)")]
    Malformed,
    /// The tag did not verify: wrong key, wrong context, or altered data.
    #[error("decryption failed: wrong data key, wrong context, or the stored value was altered")]
    Authentication,
    /// Decrypted bytes are not UTF-8 text.
    #[error("decrypted value is not valid UTF-8")]
    NotUtf8,
}

/// Encrypts and decrypts text fields with SM4-GCM under the field-encryption
/// sub-key (first 16 bytes of HMAC-SM3(master, "chuangye/field-encryption/v1")).
#[derive(Clone)]
pub struct FieldCipher {
    aead: Sm4Gcm,
}

impl FieldCipher {
    /// A cipher for `key`'s field-encryption sub-key.
    #[must_use]
    pub fn new(key: &DataKey) -> Self {
        let subkey = key.subkey(LABEL_FIELD_ENCRYPTION);
        let mut sm4_key = [0u8; 16];
        sm4_key.copy_from_slice(&subkey[..16]);
        Self {
            aead: Sm4Gcm::new(&sm4_key.into()),
        }
    }

    /// Encrypt `plaintext`, binding it to `context` (authenticated, not
    /// stored). Each call uses a fresh random nonce, so equal plaintexts give
    /// different outputs; use a blind index to search.
    ///
    /// # Panics
    /// Only for inputs over SM4-GCM's limit of about 64 GiB.
    #[must_use]
    pub fn encrypt(&self, context: &str, plaintext: &str) -> String {
        let mut nonce = Nonce::<U12>::default();
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("SM4-GCM fails only for inputs over 64 GiB");
        let mut raw = Vec::with_capacity(NONCE_LEN + sealed.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&sealed);
        let mut out = String::with_capacity(PREFIX.len() + raw.len().div_ceil(3) * 4);
        out.push_str(PREFIX);
        STANDARD.encode_string(&raw, &mut out);
        out
    }

    /// Decrypt a value produced by [`encrypt`](Self::encrypt) with the same
    /// `context`.
    ///
    /// # Errors
    /// [`CipherError`]: unknown format, malformed, or failed authentication
    /// (wrong key, wrong context, tampering).
    pub fn decrypt(&self, context: &str, stored: &str) -> Result<String, CipherError> {
        let encoded = stored
            .strip_prefix(PREFIX)
            .ok_or(CipherError::UnknownFormat)?;
        let raw = STANDARD
            .decode(encoded)
            .map_err(|_| CipherError::Malformed)?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(CipherError::Malformed);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::<U12>::try_from(nonce).map_err(|_| CipherError::Malformed)?;
        let plain = self
            .aead
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Authentication)?;
        String::from_utf8(plain).map_err(|_| CipherError::NotUtf8)
    }

    /// Whether `stored` looks like a value from [`encrypt`](Self::encrypt)
    /// (has a known version prefix). Does not check that it decrypts.
    #[must_use]
    pub fn is_encrypted(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

impl fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldCipher")
            .field("algorithm", &"SM4-GCM")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm4::cipher::{Array, BlockCipherEncrypt};

    fn cipher() -> FieldCipher {
        FieldCipher::new(&DataKey::generate())
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn sm4_block_cipher_matches_the_standard_vector() {
        // GB/T 32907-2016, example 1: key = plaintext.
        let key = unhex("0123456789abcdeffedcba9876543210");
        let sm4 = Sm4::new_from_slice(&key).unwrap();
        let mut block = Array::try_from(key.as_slice()).unwrap();
        sm4.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn sm4_gcm_matches_the_rfc_8998_test_vector() {
        // RFC 8998, Appendix A.1 (SM4-GCM test vectors).
        let key = unhex("0123456789ABCDEFFEDCBA9876543210");
        let iv = unhex("00001234567800000000ABCD");
        let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plaintext = unhex(concat!(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB",
            "CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD",
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF",
            "EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        ));
        let ciphertext = concat!(
            "17F399F08C67D5EE19D0DC9969C4BB7D",
            "5FD46FD3756489069157B282BB200735",
            "D82710CA5C22F0CCFA7CBF93D496AC15",
            "A56834CBCF98C397B4024A2691233B8D",
        );
        let tag = "83DE3541E4C2B58177E065A9BF7B62EC";

        let aead = Sm4Gcm::new_from_slice(&key).unwrap();
        let nonce = Nonce::<U12>::try_from(iv.as_slice()).unwrap();
        let sealed = aead
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(&sealed),
            format!("{ciphertext}{tag}"),
            "ciphertext || tag"
        );
        let opened = aead
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(opened, plaintext);
    }

    #[test]
    fn encrypted_value_round_trips() {
        let c = cipher();
        for text in ["11010519491231002X", "张三丰", "", "line\nbreak \u{1F600}"] {
            let stored = c.encrypt("person.id_number", text);
            assert_eq!(c.decrypt("person.id_number", &stored).unwrap(), text);
        }
    }

    #[test]
    fn encrypted_value_has_version_prefix_and_fixed_overhead() {
        let stored = cipher().encrypt("ctx", "13800138000");
        assert!(stored.starts_with("v1:"));
        assert!(FieldCipher::is_encrypted(&stored));
        assert!(!FieldCipher::is_encrypted("13800138000"));
        let raw = STANDARD.decode(&stored[3..]).unwrap();
        assert_eq!(raw.len(), NONCE_LEN + "13800138000".len() + TAG_LEN);
        assert!(!stored.contains("13800138000"));
    }

    #[test]
    fn encrypting_the_same_value_twice_gives_different_outputs() {
        let c = cipher();
        assert_ne!(c.encrypt("ctx", "same"), c.encrypt("ctx", "same"));
    }

    #[test]
    fn decrypting_with_wrong_context_fails() {
        let c = cipher();
        let stored = c.encrypt("person.id_number", "11010519491231002X");
        assert_eq!(
            c.decrypt("person.phone", &stored),
            Err(CipherError::Authentication)
        );
    }

    #[test]
    fn decrypting_with_wrong_key_fails() {
        let stored = cipher().encrypt("ctx", "secret");
        assert_eq!(
            cipher().decrypt("ctx", &stored),
            Err(CipherError::Authentication)
        );
    }

    #[test]
    fn same_key_gives_interoperable_ciphers() {
        let key = DataKey::generate();
        let stored = FieldCipher::new(&key).encrypt("ctx", "secret");
        let again = DataKey::from_encoded(&key.encode()).unwrap();
        assert_eq!(
            FieldCipher::new(&again).decrypt("ctx", &stored).unwrap(),
            "secret"
        );
    }

    #[test]
    fn decrypting_a_tampered_value_fails() {
        let c = cipher();
        let stored = c.encrypt("ctx", "secret value");
        let raw = STANDARD.decode(&stored[3..]).unwrap();
        // Flip one bit in the nonce, the ciphertext and the tag in turn.
        for i in [0, NONCE_LEN + 1, raw.len() - 1] {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let tampered = format!("v1:{}", STANDARD.encode(&bad));
            assert_eq!(
                c.decrypt("ctx", &tampered),
                Err(CipherError::Authentication),
                "byte {i}"
            );
        }
        // Truncation.
        let truncated = format!("v1:{}", STANDARD.encode(&raw[..raw.len() - 1]));
        assert_eq!(
            c.decrypt("ctx", &truncated),
            Err(CipherError::Authentication)
        );
    }

    #[test]
    fn malformed_stored_values_are_errors_not_panics() {
        let c = cipher();
        assert_eq!(c.decrypt("ctx", ""), Err(CipherError::UnknownFormat));
        assert_eq!(
            c.decrypt("ctx", "plain text"),
            Err(CipherError::UnknownFormat)
        );
        assert_eq!(c.decrypt("ctx", "v2:AAAA"), Err(CipherError::UnknownFormat));
        assert_eq!(c.decrypt("ctx", "v1:"), Err(CipherError::Malformed));
        assert_eq!(c.decrypt("ctx", "v1:!!!!"), Err(CipherError::Malformed));
        let short = format!("v1:{}", STANDARD.encode([0u8; NONCE_LEN + TAG_LEN - 1]));
        assert_eq!(c.decrypt("ctx", &short), Err(CipherError::Malformed));
    }

    #[test]
    fn debug_output_does_not_reveal_the_key() {
        let debug = format!("{:?}", cipher());
        assert_eq!(debug, r#"FieldCipher { algorithm: "SM4-GCM", .. }"#);
    }
}
