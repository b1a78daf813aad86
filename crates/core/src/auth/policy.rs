//! The security policy, kept in the `setting` table and changed by the security administrator.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::Result;
use crate::org::repo;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityPolicy {
    pub min_length: u32,
    /// How many of the four classes (lower, upper, digit, symbol) a password needs.
    pub min_classes: u32,
    pub max_failures: u32,
    pub lockout_minutes: u32,
    pub idle_minutes: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            min_length: 8,
            min_classes: 3,
            max_failures: 5,
            lockout_minutes: 15,
            idle_minutes: 30,
        }
    }
}

/// One reason a password is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort(u32),
    TooFewClasses(u32),
    ContainsUsername,
}

impl PasswordProblem {
    pub fn into_field(self, field: &str) -> FieldError {
        match self {
            PasswordProblem::TooShort(n) => {
                FieldError::new(field, "auth.password.too_short").arg("min", n)
            }
            PasswordProblem::TooFewClasses(n) => {
                FieldError::new(field, "auth.password.too_few_classes").arg("min", n)
            }
            PasswordProblem::ContainsUsername => {
                FieldError::new(field, "auth.password.contains_username")
            }
        }
    }
}

impl SecurityPolicy {
    pub async fn load(c: &mut sqlx::AnyConnection) -> Result<SecurityPolicy> {
        Ok(repo::setting_get(c, "security_policy")
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub fn check_password(&self, pw: &str, username: &str) -> Vec<PasswordProblem> {
        let mut out = Vec::new();
        if (pw.chars().count() as u32) < self.min_length {
            out.push(PasswordProblem::TooShort(self.min_length));
        }
        let classes = [
            pw.chars().any(|c| c.is_lowercase()),
            pw.chars().any(|c| c.is_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_alphanumeric()),
        ]
        .iter()
        .filter(|x| **x)
        .count() as u32;
        if classes < self.min_classes {
            out.push(PasswordProblem::TooFewClasses(self.min_classes));
        }
        let u = username.trim().to_lowercase();
        if !u.is_empty() && pw.to_lowercase().contains(&u) {
            out.push(PasswordProblem::ContainsUsername);
        }
        out
    }

    /// Refuses values that would make the system unusable or unsafe.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if !(8..=64).contains(&self.min_length) {
            out.push(
                FieldError::new("min_length", "auth.policy.range")
                    .arg("min", 8)
                    .arg("max", 64),
            );
        }
        if !(1..=4).contains(&self.min_classes) {
            out.push(
                FieldError::new("min_classes", "auth.policy.range")
                    .arg("min", 1)
                    .arg("max", 4),
            );
        }
        if !(1..=20).contains(&self.max_failures) {
            out.push(
                FieldError::new("max_failures", "auth.policy.range")
                    .arg("min", 1)
                    .arg("max", 20),
            );
        }
        if !(1..=1440).contains(&self.lockout_minutes) {
            out.push(
                FieldError::new("lockout_minutes", "auth.policy.range")
                    .arg("min", 1)
                    .arg("max", 1440),
            );
        }
        if !(5..=480).contains(&self.idle_minutes) {
            out.push(
                FieldError::new("idle_minutes", "auth.policy.range")
                    .arg("min", 5)
                    .arg("max", 480),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_needs_three_of_four_classes_by_default() {
        let p = SecurityPolicy::default();
        assert!(
            p.check_password("abcdefg1", "zhang")
                .contains(&PasswordProblem::TooFewClasses(3))
        );
        assert!(p.check_password("Abcdefg1", "zhang").is_empty());
        assert!(p.check_password("abc!efg1", "zhang").is_empty());
    }

    #[test]
    fn a_short_password_is_refused() {
        assert!(
            SecurityPolicy::default()
                .check_password("Ab1!", "x")
                .contains(&PasswordProblem::TooShort(8))
        );
    }

    #[test]
    fn a_password_containing_the_username_is_refused() {
        let p = SecurityPolicy::default();
        assert!(
            p.check_password("Zhangsan-2024", "zhangsan")
                .contains(&PasswordProblem::ContainsUsername)
        );
    }

    #[test]
    fn the_policy_refuses_a_zero_lockout() {
        let p = SecurityPolicy {
            lockout_minutes: 0,
            ..Default::default()
        };
        assert_eq!(p.validate()[0].field, "lockout_minutes");
    }
}
