//! A budget round's rules that need no I/O: the statuses of rounds, drafts and approvals,
//! which year and due date a round may have, the period a line is drafted for, and when a
//! draft may still change.

use crate::domain::words::words;
use crate::domain::Msg;
use crate::finance::settings::Level;
use chrono::{Datelike, Duration, NaiveDate};

/// How far ahead of this year a round may be opened.
pub const MAX_YEARS_AHEAD: i32 = 2;

words!(
    /// Where a round stands.
    RoundStatus {
        /// Departments draft; finance returns and consolidates.
        Drafting = "drafting",
        /// The consolidated budget is with management.
        InReview = "in_review",
        /// Approved: its lines are what is allocated.
        InForce = "in_force",
    }
);

words!(
    /// Where one department's draft stands.
    DraftStatus {
        Drafting = "drafting",
        /// Sent to finance.
        Submitted = "submitted",
        /// Finance sent it back with a comment.
        Returned = "returned",
        /// In force with its round.
        Approved = "approved",
    }
);

impl DraftStatus {
    /// Whether its head may still change it (and submit it).
    pub fn editable(self) -> bool {
        matches!(self, DraftStatus::Drafting | DraftStatus::Returned)
    }
}

words!(
    /// What a `BUD-` approval is about.
    BudgetKind {
        /// A round's consolidated budget.
        Round = "round",
        /// One line of a budget in force changed.
        Revision = "revision",
    }
);

words!(
    /// Where a `BUD-` approval stands.
    BudgetStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        ChangesRequested = "changes_requested",
        Withdrawn = "withdrawn",
    }
);

/// Refuses a round for a year too far from today or a due date in the past or after the
/// year's end; every problem at once.
pub fn check_round(year: i32, due: NaiveDate, today: NaiveDate) -> Result<(), Vec<Msg>> {
    let mut problems = Vec::new();
    let this = today.year();
    if year < this || year > this + MAX_YEARS_AHEAD {
        problems.push(
            Msg::new("budget.bad_year")
                .arg("year", year)
                .arg("from", this)
                .arg("to", this + MAX_YEARS_AHEAD),
        );
    }
    if due < today {
        problems.push(Msg::new("budget.due_past").arg("due", due));
    } else if due.year() > year {
        problems.push(
            Msg::new("budget.due_after_year")
                .arg("due", due)
                .arg("year", year),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The day heads are reminded: `days` before `due`; `None` when that is before `today` (the
/// opening's own request is the reminder then).
pub fn remind_day(due: NaiveDate, days: u32, today: NaiveDate) -> Option<NaiveDate> {
    let day = due - Duration::days(i64::from(days));
    (day >= today && day < due).then_some(day)
}

/// The stored period of a line of `year` in a round phased by `level`, from what was typed:
/// nothing for a yearly round (`2027`); `Q1`–`Q4` (or `1`–`4`) by quarter (`2027-Q1`); `1`–`12` by month
/// (`2027-03`). The stored form itself (`2027-Q1`, `2027-03`) is accepted too.
pub fn line_period(year: i32, level: Level, typed: Option<&str>) -> Result<String, Msg> {
    let typed = typed.map(str::trim).filter(|t| !t.is_empty());
    let prefix = format!("{year}-");
    let bare = typed.map(|t| t.strip_prefix(&prefix).unwrap_or(t).to_ascii_uppercase());
    match (level, bare) {
        (Level::Year, None) => Ok(year.to_string()),
        (Level::Year, Some(_)) => Err(Msg::new("budget.period_not_phased").arg("year", year)),
        (Level::Quarter, Some(q)) => match q.strip_prefix('Q').unwrap_or(&q).parse::<u32>() {
            Ok(n @ 1..=4) => Ok(format!("{year}-Q{n}")),
            _ => Err(bad_period(level, &q)),
        },
        (Level::Month, Some(m)) => match m.parse::<u32>() {
            Ok(n @ 1..=12) if m.len() <= 2 => Ok(format!("{year}-{n:02}")),
            _ => Err(bad_period(level, &m)),
        },
        (_, None) => Err(Msg::new("budget.period_needed").arg("level", level.as_str())),
    }
}

fn bad_period(level: Level, value: &str) -> Msg {
    Msg::new("budget.bad_period")
        .arg("level", level.as_str())
        .arg("value", value)
}

/// Whether a draft may change on `today`: while drafting up to its due date; a returned draft
/// at any time (finance asked for the fix).
pub fn may_change(status: DraftStatus, due: NaiveDate, today: NaiveDate) -> Result<(), Msg> {
    match status {
        DraftStatus::Returned => Ok(()),
        DraftStatus::Drafting if today <= due => Ok(()),
        DraftStatus::Drafting => Err(Msg::new("budget.past_due").arg("due", due)),
        s => Err(Msg::new("budget.not_editable").arg("status", s.as_str())),
    }
}

/// Sums `(key, amount)` pairs by key, in key order.
pub fn sum_by<K: Ord + Clone>(rows: impl IntoIterator<Item = (K, i64)>) -> Vec<(K, i64)> {
    let mut out: std::collections::BTreeMap<K, i64> = Default::default();
    for (k, v) in rows {
        *out.entry(k).or_default() += v;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_round_is_for_a_near_year_and_due_from_today_within_it() {
        let today = day("2026-11-26");
        assert!(check_round(2027, day("2026-12-15"), today).is_ok());
        assert!(check_round(2026, day("2026-11-26"), today).is_ok());
        let keys = |r: Result<(), Vec<Msg>>| -> Vec<&str> {
            r.unwrap_err().iter().map(|m| m.key).collect()
        };
        assert_eq!(
            keys(check_round(2031, day("2026-11-25"), today)),
            ["budget.bad_year", "budget.due_past"]
        );
        assert_eq!(
            keys(check_round(2026, day("2027-01-05"), today)),
            ["budget.due_after_year"]
        );
    }

    #[test]
    fn the_reminder_comes_days_before_the_due_date_unless_that_has_passed() {
        let today = day("2026-11-26");
        assert_eq!(
            remind_day(day("2026-12-15"), 3, today),
            Some(day("2026-12-12"))
        );
        assert_eq!(remind_day(day("2026-11-27"), 3, today), None);
        assert_eq!(remind_day(day("2026-12-15"), 0, today), None);
    }

    #[test]
    fn periods_follow_the_rounds_phasing() {
        assert_eq!(line_period(2027, Level::Year, None).unwrap(), "2027");
        assert_eq!(
            line_period(2027, Level::Year, Some("Q1")).unwrap_err().key,
            "budget.period_not_phased"
        );
        assert_eq!(
            line_period(2027, Level::Quarter, Some("q3")).unwrap(),
            "2027-Q3"
        );
        assert_eq!(
            line_period(2027, Level::Quarter, Some("2027-Q4")).unwrap(),
            "2027-Q4"
        );
        assert_eq!(
            line_period(2027, Level::Quarter, Some("2")).unwrap(),
            "2027-Q2"
        );
        assert_eq!(
            line_period(2027, Level::Quarter, Some("Q5"))
                .unwrap_err()
                .key,
            "budget.bad_period"
        );
        assert_eq!(
            line_period(2027, Level::Quarter, None).unwrap_err().key,
            "budget.period_needed"
        );
        assert_eq!(
            line_period(2027, Level::Month, Some("3")).unwrap(),
            "2027-03"
        );
        assert_eq!(
            line_period(2027, Level::Month, Some("12")).unwrap(),
            "2027-12"
        );
        assert_eq!(
            line_period(2027, Level::Month, Some("2027-03")).unwrap(),
            "2027-03"
        );
        for bad in ["0", "13", "003", "March"] {
            assert_eq!(
                line_period(2027, Level::Month, Some(bad)).unwrap_err().key,
                "budget.bad_period",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_draft_changes_until_its_due_date_and_a_returned_one_always() {
        let due = day("2026-12-15");
        assert!(may_change(DraftStatus::Drafting, due, due).is_ok());
        assert_eq!(
            may_change(DraftStatus::Drafting, due, day("2026-12-16"))
                .unwrap_err()
                .key,
            "budget.past_due"
        );
        assert!(may_change(DraftStatus::Returned, due, day("2027-01-10")).is_ok());
        assert_eq!(
            may_change(DraftStatus::Submitted, due, due)
                .unwrap_err()
                .key,
            "budget.not_editable"
        );
    }

    #[test]
    fn sums_group_by_key() {
        let s = sum_by([("b", 2), ("a", 1), ("b", 3)]);
        assert_eq!(s, vec![("a", 1), ("b", 5)]);
    }
}
