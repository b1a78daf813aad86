//! Cryptography for personal data: SM4-GCM field encryption, SM3 and
//! HMAC-SM3 blind indexes and audit-chain hashing, data-key handling, and
//! display masking.
//!
//! Every key is derived from one 32-byte [`DataKey`] with
//! HMAC-SM3(master, label), one label per purpose, so a key used for one job
//! never serves another. Lose the data key and the encrypted data is gone:
//! [`load_key`] refuses to invent a new key for an existing database.
//!
//! This module depends on nothing else in the project; the rest of the
//! project reaches it through [`Crypto`] and the functions re-exported here.

mod cipher;
mod index;
mod key;
mod mask;

use std::sync::Arc;

pub use cipher::{CipherError, FieldCipher};
pub use index::{BlindIndexer, ChainHasher, hmac_sm3, sm3_hex};
pub use key::{DATA_KEY_ENV, DataKey, KeyError, KeySource, key_file_is_private, load_key};
pub use mask::{mask_bank_account, mask_id_number, mask_name, mask_phone};

/// Everything derived from the data key, ready to use. Cloning is cheap (one
/// reference count) and shares the same keys.
#[derive(Clone)]
pub struct Crypto {
    inner: Arc<Inner>,
}

struct Inner {
    cipher: FieldCipher,
    index: BlindIndexer,
    chain: ChainHasher,
    fingerprint: String,
}

impl Crypto {
    /// Derive the field cipher, blind indexer, chain hasher and fingerprint
    /// from `key`.
    #[must_use]
    pub fn new(key: &DataKey) -> Self {
        Self {
            inner: Arc::new(Inner {
                cipher: FieldCipher::new(key),
                index: BlindIndexer::new(key),
                chain: ChainHasher::new(key),
                fingerprint: key.fingerprint(),
            }),
        }
    }

    /// SM4-GCM encryption of fields.
    #[must_use]
    pub fn cipher(&self) -> &FieldCipher {
        &self.inner.cipher
    }

    /// Blind indexes for searching encrypted fields.
    #[must_use]
    pub fn index(&self) -> &BlindIndexer {
        &self.inner.index
    }

    /// Audit-log hash chain.
    #[must_use]
    pub fn chain(&self) -> &ChainHasher {
        &self.inner.chain
    }

    /// The key's fingerprint (see [`DataKey::fingerprint`]).
    #[must_use]
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto")
            .field("fingerprint", &self.inner.fingerprint)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crypto_parts_agree_with_standalone_parts_from_the_same_key() {
        let key = DataKey::generate();
        let crypto = Crypto::new(&key);
        assert_eq!(crypto.fingerprint(), key.fingerprint());
        assert_eq!(
            crypto.index().index("phone", "13800138000"),
            BlindIndexer::new(&key).index("phone", "13800138000")
        );
        assert_eq!(
            crypto.chain().link("", "row"),
            ChainHasher::new(&key).link("", "row")
        );
        let stored = crypto.cipher().encrypt("person.name", "张三丰");
        assert_eq!(
            FieldCipher::new(&key)
                .decrypt("person.name", &stored)
                .unwrap(),
            "张三丰"
        );
    }

    #[test]
    fn cloned_crypto_shares_the_same_keys() {
        let crypto = Crypto::new(&DataKey::generate());
        let clone = crypto.clone();
        assert!(Arc::ptr_eq(&crypto.inner, &clone.inner));
        let stored = crypto.cipher().encrypt("ctx", "v");
        assert_eq!(clone.cipher().decrypt("ctx", &stored).unwrap(), "v");
    }

    #[test]
    fn crypto_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Crypto>();
    }

    #[test]
    fn debug_output_shows_only_the_fingerprint() {
        let key = DataKey::generate();
        let debug = format!("{:?}", Crypto::new(&key));
        assert_eq!(
            debug,
            format!("Crypto {{ fingerprint: {:?}, .. }}", key.fingerprint())
        );
    }
}
