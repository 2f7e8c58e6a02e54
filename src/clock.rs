//! Time as a dependency: production reads the system clock, tests move a manual one.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// A source of the current time. Nothing that makes decisions on time reads the system clock
/// directly, so tests can move time instead of sleeping.
pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock shifted by a fixed offset (`--clock-offset`): for trying timed features
/// without waiting. Processes given the same offset agree on the time.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(chrono::Duration);

/// The largest `--clock-offset` either way: ten years, leap days included.
pub const MAX_OFFSET_DAYS: i64 = 3653;

impl OffsetClock {
    /// A clock running `offset` ahead of the system clock.
    pub fn new(offset: chrono::Duration) -> Self {
        OffsetClock(offset)
    }

    /// Reads a `--clock-offset`: a duration such as `65m` or `2d`, behind the system clock
    /// with a leading `-`, at most ten years either way (further would only write dates no
    /// one means, or overflow).
    pub fn parse(text: &str) -> Result<OffsetClock, String> {
        let trimmed = text.trim();
        let (sign, magnitude) = match trimmed.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let too_far =
            || format!("`{trimmed}` is more than 10 years; give at most {MAX_OFFSET_DAYS}d");
        let secs = crate::approval::policy::parse_duration(magnitude)
            .map_err(|e| {
                if e.ends_with("is too long") {
                    too_far()
                } else {
                    e
                }
            })?
            .as_secs();
        if secs > MAX_OFFSET_DAYS as u64 * 86_400 {
            return Err(too_far());
        }
        Ok(OffsetClock(chrono::Duration::seconds(sign * secs as i64)))
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    /// Sets the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_bounded_to_ten_years_either_way() {
        let secs = |t: &str| OffsetClock::parse(t).map(|c| c.0.num_seconds());
        assert_eq!(secs("65m"), Ok(3900));
        assert_eq!(secs("-1d"), Ok(-86_400));
        assert_eq!(secs("3653d"), Ok(3653 * 86_400));
        for t in [
            "9223372036854775807s",
            "18446744073709551615s",
            "18446744073709551616s",
            "100000000d",
            "3000000w",
            "3654d",
            "-3654d",
        ] {
            let e = secs(t).unwrap_err();
            assert!(e.contains("more than 10 years"), "{t}: {e}");
        }
        assert!(secs("soon").unwrap_err().contains("not a duration"));
        // The largest offset still tells the time.
        assert!(OffsetClock::parse("3653d").unwrap().now() > Utc::now());
    }
}
