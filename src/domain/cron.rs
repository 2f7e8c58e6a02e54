//! Cron expressions as people write them in `config/schedules.toml` or a `repeat:` option,
//! checked by `croner` and, when it refuses one, explained field by field: which field, what it
//! takes, and an example — instead of croner's own text ("Number out of bounds").

use crate::domain::Msg;
use chrono::{DateTime, Utc};
use croner::parser::{CronParser, Seconds};
use croner::Cron;
use std::fmt;

/// One field of a cron expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Weekday,
}

impl CronField {
    /// The code used in messages (`repeat.cron_field`'s `field`).
    pub fn code(self) -> &'static str {
        match self {
            CronField::Second => "second",
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::Day => "day",
            CronField::Month => "month",
            CronField::Weekday => "weekday",
        }
    }

    /// Its name, what it takes, and an example expression that uses it.
    fn about(self) -> (&'static str, &'static str, &'static str) {
        match self {
            CronField::Second => ("second", "0-59", "`30 0 9 * * *` (9:00:30 every day)"),
            CronField::Minute => ("minute", "0-59", "`*/15 * * * *` (every 15 minutes)"),
            CronField::Hour => ("hour", "0-23", "`0 9 * * 1-5` (9:00 Monday to Friday)"),
            CronField::Day => (
                "day of the month",
                "1-31, or L for the last day",
                "`0 9 1 * *` (9:00 on the 1st of every month)",
            ),
            CronField::Month => (
                "month",
                "1-12 or JAN-DEC",
                "`0 9 1 1,7 *` (9:00 on 1 January and 1 July)",
            ),
            CronField::Weekday => (
                "day of the week",
                "0-7 (0 and 7 are Sunday, 1 is Monday) or SUN-SAT",
                "`0 9 * * 1-5` (9:00 Monday to Friday)",
            ),
        }
    }
}

/// Why a cron expression was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronProblem {
    /// Not 5 fields (minute hour day month weekday) nor 6 (seconds first).
    FieldCount(usize),
    /// This field's value is out of its range or not readable.
    Field { field: CronField, value: String },
    /// Each field reads alone but the whole does not.
    Unreadable,
    /// It parses but no date matches it (`0 0 30 2 *`).
    Never,
}

impl fmt::Display for CronProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FORM: &str = "cron is minute hour day month weekday (or seconds first), e.g. \
                            `0 9 * * 1-5` (9:00 Monday to Friday)";
        match self {
            CronProblem::FieldCount(n) => write!(f, "it has {n} fields; {FORM}"),
            CronProblem::Field { field, value } => {
                let (name, range, example) = field.about();
                write!(
                    f,
                    "the {name} field `{value}` is not valid: the {name} takes {range} \
                     (a number, a range `1-5`, a list `1,15`, a step `*/15`, or `*`); \
                     e.g. {example}"
                )
            }
            CronProblem::Unreadable => write!(f, "it is not in cron's form; {FORM}"),
            CronProblem::Never => {
                write!(f, "it never matches a real date (e.g. 30 February); {FORM}")
            }
        }
    }
}

impl CronProblem {
    /// The message for a person who typed `input` (a `repeat:` option), in their language.
    pub fn msg(&self, input: &str) -> Msg {
        match self {
            CronProblem::FieldCount(n) => Msg::new("repeat.cron_fields")
                .arg("input", input)
                .arg("n", n),
            CronProblem::Field { field, value } => Msg::new("repeat.cron_field")
                .arg("input", input)
                .arg("field", field.code())
                .arg("value", value),
            CronProblem::Unreadable => Msg::new("repeat.unreadable").arg("input", input),
            CronProblem::Never => Msg::new("repeat.never").arg("input", input),
        }
    }
}

fn parse(expr: &str) -> Result<Cron, croner::errors::CronError> {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(expr)
}

/// Checks a cron expression (5 fields, or 6 with seconds first; POSIX weekdays, 0 and 7 are
/// Sunday, 1 is Monday) as croner reads it, and that some date matches it.
pub fn check(expr: &str) -> Result<Cron, CronProblem> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let order: &[CronField] = match fields.len() {
        5 => &[
            CronField::Minute,
            CronField::Hour,
            CronField::Day,
            CronField::Month,
            CronField::Weekday,
        ],
        6 => &[
            CronField::Second,
            CronField::Minute,
            CronField::Hour,
            CronField::Day,
            CronField::Month,
            CronField::Weekday,
        ],
        n => return Err(CronProblem::FieldCount(n)),
    };
    let cron = parse(expr).map_err(|_| {
        // Try each field alone, the others `*`: the first that croner refuses is the culprit.
        (0..fields.len())
            .find(|&i| {
                let alone: Vec<&str> = (0..fields.len())
                    .map(|j| if j == i { fields[i] } else { "*" })
                    .collect();
                parse(&alone.join(" ")).is_err()
            })
            .map_or(CronProblem::Unreadable, |i| CronProblem::Field {
                field: order[i],
                value: fields[i].to_string(),
            })
    })?;
    // `0 0 30 2 *` parses but never fires; croner gives up after searching for years.
    let start = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default();
    cron.find_next_occurrence(&start, false)
        .map_err(|_| CronProblem::Never)?;
    Ok(cron)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(expr: &str) -> (CronField, String) {
        match check(expr) {
            Err(CronProblem::Field { field, value }) => (field, value),
            other => panic!("{expr}: {other:?}"),
        }
    }

    #[test]
    fn a_bad_field_is_named_with_its_range_and_an_example() {
        assert_eq!(field("0 25 * * *"), (CronField::Hour, "25".into()));
        assert_eq!(field("60 9 * * *"), (CronField::Minute, "60".into()));
        assert_eq!(field("0 9 0 * *"), (CronField::Day, "0".into()));
        assert_eq!(field("0 9 1 13 *"), (CronField::Month, "13".into()));
        assert_eq!(
            field("0 9 * * funday"),
            (CronField::Weekday, "funday".into())
        );
        assert_eq!(field("0 9 * * 1-9"), (CronField::Weekday, "1-9".into()));
        assert_eq!(field("61 0 9 * * *"), (CronField::Second, "61".into()));
        assert_eq!(field("0 9-x * * *"), (CronField::Hour, "9-x".into()));
        let text = check("0 25 * * *").unwrap_err().to_string();
        assert!(
            text.contains("hour field `25`") && text.contains("0-23") && text.contains("e.g."),
            "{text}"
        );
        assert!(!text.contains("out of bounds"), "{text}");
    }

    #[test]
    fn counts_and_impossible_dates_are_explained() {
        assert_eq!(check("0 9 * *").unwrap_err(), CronProblem::FieldCount(4));
        assert_eq!(check("").unwrap_err(), CronProblem::FieldCount(0));
        assert_eq!(check("@daily").unwrap_err(), CronProblem::FieldCount(1));
        assert_eq!(check("0 0 30 2 *").unwrap_err(), CronProblem::Never);
        assert!(check("0 9 * * 1-5").is_ok());
        assert!(check("0 0 9 L * *").is_ok());
    }
}
