//! Delegation: an approver lets someone else decide their tasks for a date range.

use crate::domain::directory::EmployeeId;
use crate::domain::Msg;
use chrono::NaiveDate;

/// A delegation as stored: inclusive date range in the company's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: i64,
    pub delegator: EmployeeId,
    pub delegate: EmployeeId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Delegation {
    /// Whether the delegation is in force on a date.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// The longest delegation accepted, so a typo in the year does not delegate for a decade.
pub const MAX_DAYS: i64 = 366;

/// Checks a requested delegation and returns its start date (today when `from` is absent).
pub fn validate(
    delegator: EmployeeId,
    delegate: EmployeeId,
    from: Option<NaiveDate>,
    until: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, Msg> {
    if delegator == delegate {
        return Err(Msg::new("delegate.self"));
    }
    let from = from.unwrap_or(today);
    if until < today {
        return Err(Msg::new("delegate.until_past").arg("until", until));
    }
    if from > until {
        return Err(Msg::new("delegate.from_after_until")
            .arg("from", from)
            .arg("until", until));
    }
    if (until - from).num_days() > MAX_DAYS {
        return Err(Msg::new("delegate.too_long").arg("days", MAX_DAYS));
    }
    Ok(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validates_ranges() {
        let today = d("2026-11-26");
        assert_eq!(validate(1, 2, None, d("2026-12-01"), today), Ok(today));
        assert_eq!(
            validate(1, 1, None, d("2026-12-01"), today)
                .unwrap_err()
                .key,
            "delegate.self"
        );
        assert_eq!(
            validate(1, 2, None, d("2026-11-01"), today)
                .unwrap_err()
                .key,
            "delegate.until_past"
        );
        assert_eq!(
            validate(1, 2, Some(d("2026-12-05")), d("2026-12-01"), today)
                .unwrap_err()
                .key,
            "delegate.from_after_until"
        );
        assert_eq!(
            validate(1, 2, None, d("2028-12-01"), today)
                .unwrap_err()
                .key,
            "delegate.too_long"
        );
    }

    #[test]
    fn active_range_is_inclusive() {
        let del = Delegation {
            id: 1,
            delegator: 1,
            delegate: 2,
            starts_on: d("2026-12-01"),
            ends_on: d("2026-12-03"),
        };
        assert!(!del.active_on(d("2026-11-30")));
        assert!(del.active_on(d("2026-12-01")));
        assert!(del.active_on(d("2026-12-03")));
        assert!(!del.active_on(d("2026-12-04")));
    }
}
