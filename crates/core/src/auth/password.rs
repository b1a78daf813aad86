//! Password hashing (argon2id, run off the async threads).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

/// Hashes a password with argon2id (default parameters) and a random salt.
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&pw)).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hash: {e}"))
}

/// Checks a password against a stored hash. A malformed hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let pw = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so timing does not tell.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_blocking("dummy-password-Aa1").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = super::hash("Correct-horse-9").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("Correct-horse-9", &h).await);
        assert!(!super::verify("correct-horse-9", &h).await);
        assert!(!super::verify("x", "not a hash").await);
    }
}
