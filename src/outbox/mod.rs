//! Delivery of everything outbound from the outbox table, with leases, retries and dead
//! letters. Each channel is a worker; the chat channel delivers to Discord DMs.

pub mod discord;
pub mod email;

use crate::store::outbox;
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

/// How a verdict on a row claimed after `attempts` attempts is recorded, at `now_ms`.
pub fn settlement(verdict: &Verdict, attempts: i64, now_ms: i64) -> outbox::Settle<'_> {
    let at = |d: &Duration| now_ms + d.as_millis() as i64;
    match verdict {
        Verdict::Sent(provider) => outbox::Settle::Sent(provider),
        Verdict::Retry(_, reason) if attempts >= MAX_ATTEMPTS => outbox::Settle::Dead(reason),
        Verdict::Retry(after, reason) => outbox::Settle::Retry {
            at_ms: at(after),
            error: reason,
            counts: true,
        },
        Verdict::Wait(after, reason) => outbox::Settle::Retry {
            at_ms: at(after),
            error: reason,
            counts: false,
        },
        Verdict::RateLimited(after) => outbox::Settle::Retry {
            at_ms: at(after),
            error: "rate limited",
            counts: false,
        },
        Verdict::Dead(reason) => outbox::Settle::Dead(reason),
    }
}

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
