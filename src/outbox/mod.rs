//! Delivery of everything outbound from the outbox table, with leases, retries and dead
//! letters. Each channel is a worker; the chat channel delivers to Discord DMs.

pub mod discord;
pub mod email;

use rand::Rng;
use std::time::Duration;

/// What to do with a message after one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered; the provider's id (for Discord: `channel:message`).
    Sent(String),
    /// Try again after this long (a failed attempt).
    Retry(Duration, String),
    /// Wait this long and try again, without counting an attempt (an edit whose message is
    /// not sent yet, or a lease about to run out).
    Wait(Duration, String),
    /// Rate limited: wait as told, without counting an attempt, and pause the rest of the batch.
    RateLimited(Duration),
    /// Never retry (a permanent refusal); the reason is recorded and shown.
    Dead(String),
}

/// Capped exponential backoff with ±10 % jitter: 2 s, 4 s, 8 s … up to 5 minutes.
pub fn backoff(attempts: i64) -> Duration {
    let base = 2f64.powi(attempts.clamp(1, 12) as i32).min(300.0);
    let jitter = rand::thread_rng().gen_range(0.9..1.1);
    Duration::from_secs_f64(base * jitter)
}

/// After this many failed attempts a message becomes a dead letter.
pub const MAX_ATTEMPTS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) < Duration::from_secs(3));
        assert!(backoff(3) > Duration::from_secs(7));
        assert!(backoff(40) <= Duration::from_secs(330));
    }
}
