//! A small builder for SQL with numbered `$n` placeholders, for queries whose filters are
//! chosen at run time (lists with optional filters, the scope predicate).

use sqlx::any::AnyArguments;
use sqlx::{Arguments, Encode, Type};

pub type Args = AnyArguments;

/// SQL text plus its arguments, numbered as they are pushed.
#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments,
    n: usize,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            ..Default::default()
        }
    }

    /// Appends raw SQL (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: for<'q> Encode<'q, sqlx::Any> + Type<sqlx::Any> + Send + 'static,
    {
        self.n += 1;
        self.text.push('$');
        self.text.push_str(&self.n.to_string());
        // Encoding into AnyArguments only fails for unsupported types, a programming error.
        self.args.add(value).expect("encodable argument");
        self
    }

    /// Appends `(…)`: a placeholder for each value, comma-separated (an `IN` list).
    pub fn bind_list(&mut self, values: &[String]) -> &mut Self {
        self.text.push('(');
        for (n, v) in values.iter().enumerate() {
            if n > 0 {
                self.text.push_str(", ");
            }
            self.bind(v.clone());
        }
        self.text.push(')');
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_parts(self) -> (String, AnyArguments) {
        (self.text, self.args)
    }

    pub fn query(self) -> sqlx::query::Query<'static, sqlx::Any, AnyArguments> {
        let (text, args) = self.into_parts();
        sqlx::query_with(sqlx::AssertSqlSafe(text), args)
    }

    pub fn query_as<T>(self) -> sqlx::query::QueryAs<'static, sqlx::Any, T, AnyArguments>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let (text, args) = self.into_parts();
        sqlx::query_as_with(sqlx::AssertSqlSafe(text), args)
    }

    pub fn query_scalar<T>(self) -> sqlx::query::QueryScalar<'static, sqlx::Any, T, AnyArguments>
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Any> + Type<sqlx::Any>,
    {
        let (text, args) = self.into_parts();
        sqlx::query_scalar_with(sqlx::AssertSqlSafe(text), args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT 1 FROM t WHERE a = ");
        s.bind(1_i64).push(" AND b BETWEEN ").bind("x".to_string());
        s.push(" AND ").bind("y".to_string());
        assert_eq!(
            s.text(),
            "SELECT 1 FROM t WHERE a = $1 AND b BETWEEN $2 AND $3"
        );
    }
}
