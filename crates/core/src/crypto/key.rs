//! The data key: one 32-byte master secret from which every other key is
//! derived, and the rules for finding it (environment, key file, or a new
//! file for a brand-new database).

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::TryRngCore;
use rand::rngs::OsRng;

use super::index::hmac_sm3;

/// Name of the environment variable that holds the data key.
pub const DATA_KEY_ENV: &str = "CHUANGYE_DATA_KEY";

/// Length of the master key in bytes.
const KEY_LEN: usize = 32;

pub(super) const LABEL_FIELD_ENCRYPTION: &str = "chuangye/field-encryption/v1";
pub(super) const LABEL_BLIND_INDEX: &str = "chuangye/blind-index/v1";
pub(super) const LABEL_AUDIT_CHAIN: &str = "chuangye/audit-chain/v1";
const LABEL_KEY_CHECK: &str = "chuangye/key-check/v1";

/// The 32-byte master data key.
///
/// Its `Debug` output never shows the key bytes.
pub struct DataKey {
    bytes: [u8; KEY_LEN],
}

impl DataKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system cannot supply random bytes; no key can be
    /// made safely then.
    #[must_use]
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_LEN];
        OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the operating system's random number generator failed");
        Self { bytes }
    }

    /// A key from raw bytes (for tests and tools; the app loads keys with
    /// [`load_key`]).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self { bytes }
    }

    /// Parse a key written as 64 hex characters or as standard base64 of 32
    /// bytes. Surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] when the text is neither; the error never
    /// repeats the text itself.
    pub fn from_encoded(s: &str) -> Result<Self, KeyError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(malformed("the value is empty"));
        }
        if s.len() == 2 * KEY_LEN && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut bytes = [0u8; KEY_LEN];
            hex::decode_to_slice(s, &mut bytes).map_err(|_| malformed("it is not valid hex"))?;
            return Ok(Self { bytes });
        }
        let decoded = STANDARD.decode(s).map_err(|_| {
            malformed(format!(
                "it is {} characters long and is neither 64 hex characters nor valid base64",
                s.chars().count()
            ))
        })?;
        let bytes: [u8; KEY_LEN] = decoded.as_slice().try_into().map_err(|_| {
            malformed(format!(
                "it is base64 of {} bytes, not {KEY_LEN}",
                decoded.len()
            ))
        })?;
        Ok(Self { bytes })
    }

    /// The key as standard base64 (44 characters), the form written to key
    /// files.
    #[must_use]
    pub fn encode(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    /// Hex of the first 8 bytes of HMAC-SM3(key, "chuangye/key-check/v1").
    ///
    /// Stored by the application next to its data so that starting with a
    /// different key is detected before anything is written.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.subkey(LABEL_KEY_CHECK)[..8])
    }

    /// HMAC-SM3(master, label): the 32-byte sub-key for one purpose.
    pub(super) fn subkey(&self, label: &str) -> [u8; 32] {
        hmac_sm3(&self.bytes, label.as_bytes())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// Where [`load_key`] found the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// From the `CHUANGYE_DATA_KEY` environment variable.
    Env,
    /// From the existing key file. Check [`key_file_is_private`] and warn if
    /// it is not.
    File,
    /// A new key was generated and written to this file. The caller must
    /// tell the operator loudly to back it up: without it the data is lost.
    Created(PathBuf),
}

/// Why no data key could be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text given as a key is not a key. Never contains the text.
    #[error(
        "invalid data key: expected 64 hex characters or standard base64 of 32 bytes, but {detail}"
    )]
    Malformed {
        /// What was wrong with it.
        detail: String,
    },

    /// `CHUANGYE_DATA_KEY` is set but does not hold a key.
    #[error("{DATA_KEY_ENV} is set but is not a valid data key: {source}")]
    InvalidEnv {
        /// The parse failure.
        #[source]
        source: Box<KeyError>,
    },

    /// The key file exists but does not hold a key.
    #[error("key file {} does not hold a valid data key: {source}", key_file.display())]
    InvalidFile {
        /// The key file.
        key_file: PathBuf,
        /// The parse failure.
        #[source]
        source: Box<KeyError>,
    },

    /// The key file could not be read or created.
    #[error("could not {action} key file {}: {source}", key_file.display())]
    Io {
        /// "read" or "create".
        action: &'static str,
        /// The key file.
        key_file: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The database already exists but neither the environment nor the key
    /// file provides its key.
    #[error(
        "The data key for this existing database is missing: set {DATA_KEY_ENV} or restore the key file {path}, because generating a new key would make the existing encrypted data unreadable. \
         现有数据库的数据密钥缺失：请设置 {DATA_KEY_ENV} 或恢复密钥文件 {path}，生成新密钥将导致现有加密数据无法读取。",
        path = key_file.display()
    )]
    Missing {
        /// Where the key file was expected.
        key_file: PathBuf,
    },
}

fn malformed(detail: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        detail: detail.into(),
    }
}

/// Find the data key.
///
/// In order: `env_value` (the value of `CHUANGYE_DATA_KEY`; blank counts as
/// unset) wins; otherwise an existing `key_file` is read; otherwise, for a
/// new database only, a fresh key is written to `key_file` (parent folders
/// created, mode 0600 on unix) and [`KeySource::Created`] is returned so the
/// caller can tell the operator to back it up. An existing database without
/// a key is [`KeyError::Missing`]: a new key would make its data unreadable.
///
/// # Errors
/// See [`KeyError`].
pub fn load_key(
    env_value: Option<&str>,
    key_file: &Path,
    database_is_new: bool,
) -> Result<(DataKey, KeySource), KeyError> {
    if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
        let key = DataKey::from_encoded(value).map_err(|e| KeyError::InvalidEnv {
            source: Box::new(e),
        })?;
        return Ok((key, KeySource::Env));
    }

    match fs::read_to_string(key_file) {
        Ok(text) => {
            let key = DataKey::from_encoded(&text).map_err(|e| KeyError::InvalidFile {
                key_file: key_file.to_path_buf(),
                source: Box::new(e),
            })?;
            Ok((key, KeySource::File))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if !database_is_new {
                return Err(KeyError::Missing {
                    key_file: key_file.to_path_buf(),
                });
            }
            let key = DataKey::generate();
            write_new_key_file(key_file, &key).map_err(|source| KeyError::Io {
                action: "create",
                key_file: key_file.to_path_buf(),
                source,
            })?;
            Ok((key, KeySource::Created(key_file.to_path_buf())))
        }
        Err(source) => Err(KeyError::Io {
            action: "read",
            key_file: key_file.to_path_buf(),
            source,
        }),
    }
}

/// Write `key` to a file that must not exist yet, readable by its owner only
/// from the moment it is created.
fn write_new_key_file(path: &Path, key: &DataKey) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key.encode().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Whether only the owner can read or write the key file (no group or other
/// permission bits). Always true where there are no unix permissions; false
/// if the file cannot be inspected.
#[must_use]
pub fn key_file_is_private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const B64_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn sequential_key() -> DataKey {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::try_from(i).unwrap();
        }
        DataKey::from_bytes(bytes)
    }

    #[test]
    fn hex_and_base64_forms_decode_to_the_same_key() {
        let from_hex = DataKey::from_encoded(HEX_KEY).unwrap();
        let from_b64 = DataKey::from_encoded(B64_KEY).unwrap();
        assert_eq!(from_hex.bytes, sequential_key().bytes);
        assert_eq!(from_b64.bytes, sequential_key().bytes);
    }

    #[test]
    fn uppercase_hex_and_surrounding_whitespace_are_accepted() {
        let key = DataKey::from_encoded(&format!("  {}\n", HEX_KEY.to_uppercase())).unwrap();
        assert_eq!(key.bytes, sequential_key().bytes);
    }

    #[test]
    fn encode_round_trips_through_from_encoded() {
        let key = DataKey::generate();
        let again = DataKey::from_encoded(&key.encode()).unwrap();
        assert_eq!(key.bytes, again.bytes);
        assert_eq!(sequential_key().encode(), B64_KEY);
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(DataKey::generate().bytes, DataKey::generate().bytes);
    }

    #[test]
    fn malformed_keys_are_rejected_without_echoing_them() {
        for bad in [
            "",
            "   ",
            "not a key at all!",
            &HEX_KEY[..62],                                // too short hex
            &format!("{HEX_KEY}00"),                       // too long hex
            "AAECAwQFBgcICQoLDA0ODxA=",                    // base64 of 16 bytes
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", // unpadded
        ] {
            let err = DataKey::from_encoded(bad).unwrap_err();
            assert!(matches!(err, KeyError::Malformed { .. }), "{bad:?}");
            let text = err.to_string();
            assert!(text.contains("64 hex characters"), "{text}");
            if bad.len() > 8 {
                assert!(!text.contains(bad), "error echoes the key: {text}");
            }
        }
    }

    #[test]
    fn debug_output_does_not_reveal_the_key() {
        let key = sequential_key();
        let debug = format!("{key:?}");
        assert!(!debug.contains(B64_KEY));
        assert!(!debug.contains(HEX_KEY));
        assert!(!debug.contains("[0, 1, 2"));
        assert!(debug.contains(&key.fingerprint()));
    }

    #[test]
    fn subkeys_match_independently_computed_hmac_sm3() {
        // Computed with Python 3.11 hashlib/hmac (OpenSSL 3.0 SM3):
        // hmac.new(bytes(range(32)), label, 'sm3').hexdigest()
        let key = sequential_key();
        assert_eq!(
            hex::encode(key.subkey(LABEL_FIELD_ENCRYPTION)),
            "1355525076a5ec6f94e572cebeace6ad3d319008cd61a64652a014f5874a13bc"
        );
        assert_eq!(
            hex::encode(key.subkey(LABEL_BLIND_INDEX)),
            "e1111d9e0e2541bf7e7d36f9f0184c3312e3e078989d10a2a6317edcd78f82ff"
        );
        assert_eq!(
            hex::encode(key.subkey(LABEL_AUDIT_CHAIN)),
            "baf946934496e033c57e763aa0ed2642cce2217e6e47f9c73dffb006f5d4b671"
        );
    }

    #[test]
    fn fingerprint_is_first_eight_bytes_of_the_key_check_hmac() {
        // hmac.new(bytes(range(32)), b"chuangye/key-check/v1", 'sm3') =
        // 8706d495f422e5ca701615d8cfdc3fb9d26bdf082fdef2149c893aab1d86c24b
        assert_eq!(sequential_key().fingerprint(), "8706d495f422e5ca");
        assert_ne!(
            DataKey::generate().fingerprint(),
            sequential_key().fingerprint()
        );
    }

    #[test]
    fn env_value_wins_over_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        fs::write(&file, DataKey::generate().encode()).unwrap();
        let (key, source) = load_key(Some(HEX_KEY), &file, false).unwrap();
        assert_eq!(source, KeySource::Env);
        assert_eq!(key.bytes, sequential_key().bytes);
    }

    #[test]
    fn invalid_env_value_is_an_error_naming_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_key(Some("nonsense"), &dir.path().join("k"), true).unwrap_err();
        assert!(matches!(err, KeyError::InvalidEnv { .. }));
        assert!(err.to_string().contains(DATA_KEY_ENV));
    }

    #[test]
    fn blank_env_value_counts_as_unset() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        fs::write(&file, format!("{B64_KEY}\n")).unwrap();
        let (key, source) = load_key(Some("  "), &file, false).unwrap();
        assert_eq!(source, KeySource::File);
        assert_eq!(key.bytes, sequential_key().bytes);
    }

    #[test]
    fn existing_key_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        fs::write(&file, format!("\n  {HEX_KEY}  \r\n")).unwrap();
        let (key, source) = load_key(None, &file, true).unwrap();
        assert_eq!(source, KeySource::File);
        assert_eq!(key.bytes, sequential_key().bytes);
    }

    #[test]
    fn corrupt_key_file_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        fs::write(&file, "garbage").unwrap();
        let err = load_key(None, &file, true).unwrap_err();
        assert!(matches!(err, KeyError::InvalidFile { .. }));
        assert!(err.to_string().contains(&file.display().to_string()));
    }

    #[test]
    fn new_database_without_key_creates_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested").join("dir").join("data.key");
        let (key, source) = load_key(None, &file, true).unwrap();
        assert_eq!(source, KeySource::Created(file.clone()));
        let stored = fs::read_to_string(&file).unwrap();
        assert_eq!(stored, format!("{}\n", key.encode()));
        assert!(key_file_is_private(&file));

        // The next start reads the same key back.
        let (again, source) = load_key(None, &file, false).unwrap();
        assert_eq!(source, KeySource::File);
        assert_eq!(again.bytes, key.bytes);
    }

    #[test]
    fn existing_database_without_key_is_missing_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        let err = load_key(None, &file, false).unwrap_err();
        assert!(matches!(&err, KeyError::Missing { key_file } if key_file == &file));
        assert!(!file.exists());
        let text = err.to_string();
        assert!(text.contains(DATA_KEY_ENV), "{text}");
        assert!(text.contains(&file.display().to_string()), "{text}");
        assert!(text.contains("unreadable"), "{text}");
        assert!(text.contains("无法读取"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.key");
        fs::write(&file, B64_KEY).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(!key_file_is_private(&file));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(key_file_is_private(&file));
    }

    #[test]
    fn missing_key_file_is_not_private() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!key_file_is_private(&dir.path().join("absent")));
    }
}
