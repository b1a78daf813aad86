//! The one error type of core. The web layer maps it to a status and a page or problem JSON.
//! Messages are catalogue keys (translated by the web layer), with named arguments.

/// A problem with one field of an input, as a message key plus arguments.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    pub args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> FieldError {
        FieldError {
            field: field.to_string(),
            key: key.to_string(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> FieldError {
        self.args.push((name.to_string(), value.to_string()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Absent, or outside the actor's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A rule refused the change; the key says which.
    #[error("refused: {0}")]
    Refused(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

impl Error {
    /// The database refused text it cannot hold (PostgreSQL: a NUL byte, SQLSTATE 22021).
    pub fn is_unstorable_text(&self) -> bool {
        matches!(self, Error::Db(sqlx::Error::Database(d)) if d.code().as_deref() == Some("22021"))
    }

    pub fn field(field: &str, key: &str) -> Error {
        Error::Invalid(vec![FieldError::new(field, key)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects field errors, then fails with all of them at once.
#[derive(Default, Debug)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn add(&mut self, field: &str, key: &str) {
        self.0.push(FieldError::new(field, key));
    }
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
