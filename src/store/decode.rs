//! Reading stored values back into domain types: a value the code does not know (a typo in a
//! hand edit, a row written by a newer version) is an error naming the table, row, column and
//! value, never a silent default.

use std::fmt;

/// A stored value that does not decode into its domain type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub table: &'static str,
    pub row: i64,
    pub column: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "table `{}` row {} column `{}`: unknown value `{}`",
            self.table, self.row, self.column, self.value
        )
    }
}

impl std::error::Error for UnknownValue {}

/// Store functions return `sqlx::Result`, so a bad value travels as a decode error and reaches
/// the services as an internal error with this message.
impl From<UnknownValue> for sqlx::Error {
    fn from(e: UnknownValue) -> Self {
        sqlx::Error::Decode(Box::new(e))
    }
}

/// The error for `value` in `table`.`column` of row `row`.
pub fn unknown(table: &'static str, row: i64, column: &'static str, value: &str) -> UnknownValue {
    UnknownValue {
        table,
        row,
        column,
        value: value.to_string(),
    }
}

/// Decodes one stored text value with the domain type's `TryFrom<&str>`.
pub fn column<'a, T: TryFrom<&'a str>>(
    table: &'static str,
    row: i64,
    column: &'static str,
    value: &'a str,
) -> Result<T, UnknownValue> {
    T::try_from(value).map_err(|_| unknown(table, row, column, value))
}

/// Decodes an optional stored text value (NULL stays `None`).
pub fn optional<'a, T: TryFrom<&'a str>>(
    table: &'static str,
    row: i64,
    name: &'static str,
    value: Option<&'a str>,
) -> Result<Option<T>, UnknownValue> {
    value.map(|v| column(table, row, name, v)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Open;

    impl TryFrom<&str> for Open {
        type Error = ();
        fn try_from(s: &str) -> Result<Open, ()> {
            (s == "open").then_some(Open).ok_or(())
        }
    }

    #[test]
    fn an_unknown_value_names_table_row_column_and_value() {
        assert_eq!(column::<Open>("inquiries", 42, "status", "open"), Ok(Open));
        let e = column::<Open>("inquiries", 42, "status", "foo").unwrap_err();
        assert_eq!(
            e.to_string(),
            "table `inquiries` row 42 column `status`: unknown value `foo`"
        );
        assert_eq!(optional::<Open>("inquiries", 42, "status", None), Ok(None));
        let as_sqlx: sqlx::Error = e.into();
        assert!(as_sqlx.to_string().contains("table `inquiries` row 42"));
    }
}
