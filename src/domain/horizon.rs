//! How far ahead a date or time given by a user may lie. One horizon for every kind: a
//! follow-up or callback time, a needed-by date, a delivery, a payment term, a delegation's
//! end. Further than this is a typing mistake (`20226-01-01`, `3000000w`), not a plan.

use chrono::{DateTime, Months, NaiveDate, Utc};

/// Years ahead of now that a date or time may be.
pub const MAX_YEARS_AHEAD: u32 = 5;

fn horizon() -> Months {
    Months::new(12 * MAX_YEARS_AHEAD)
}

/// Whether `date` is at most [`MAX_YEARS_AHEAD`] years after `today`.
pub fn date_within(date: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_months(horizon())
        .is_none_or(|last| date <= last)
}

/// Whether `t` is at most [`MAX_YEARS_AHEAD`] years after `now`.
pub fn time_within(t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.checked_add_months(horizon())
        .is_none_or(|last| t <= last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_years_to_the_day_and_not_one_more() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert!(date_within(today, today));
        assert!(date_within(
            NaiveDate::from_ymd_opt(2031, 11, 26).unwrap(),
            today
        ));
        assert!(!date_within(
            NaiveDate::from_ymd_opt(2031, 11, 27).unwrap(),
            today
        ));
        assert!(!date_within(NaiveDate::MAX, today));
        let now = today.and_hms_opt(10, 0, 0).unwrap().and_utc();
        assert!(time_within(now + chrono::Duration::days(365 * 5), now));
        assert!(!time_within(now + chrono::Duration::days(366 * 5), now));
    }
}
