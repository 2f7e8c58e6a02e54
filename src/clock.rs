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

impl OffsetClock {
    /// A clock running `offset` ahead of the system clock.
    pub fn new(offset: chrono::Duration) -> Self {
        OffsetClock(offset)
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
