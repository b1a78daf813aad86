//! Authentication: login with argon2id passwords, the password policy, lockout per account and
//! per address, sessions (idle timeout, new id at login, a CSRF token each), switching the
//! active membership, and personal access tokens for the API. Produces the [`crate::org::Actor`].
//!
//! Owns: `session`, `login_attempt`, `api_token`, the `security_policy` setting.
//! Uses: org, audit, db, crypto.

pub mod password;
pub mod policy;
pub mod service;

pub use policy::SecurityPolicy;
pub use service::*;
