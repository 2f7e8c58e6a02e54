//! Recurrence: a cron expression evaluated in an IANA time zone, and what a due schedule fires.
//!
//! `croner` (not `cron`) does the calendar work: POSIX weekdays (1 = Monday), `L`, `#`, `W`,
//! 5 or 6 fields, and Vixie-cron DST rules (a time in the spring-forward gap runs at the next
//! valid time; a time in the fall-back hour runs once).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

/// A cron rule in a time zone.
#[derive(Debug, Clone)]
pub struct Recurrence {
    cron: Cron,
    tz: Tz,
}

/// Parses a cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first).
/// Rules that parse but never fire (`0 0 30 2 *`) are refused too.
pub fn parse_cron(expr: &str) -> Result<Cron, String> {
    crate::domain::repeat::check_cron(expr)
        .map_err(|e| format!("`{expr}` is not a usable cron expression: {e}"))
}

/// Parses an IANA time zone name such as `Asia/Shanghai`.
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("`{name}` is not an IANA time zone; write e.g. Asia/Shanghai or America/New_York")
    })
}

impl Recurrence {
    /// A rule from a cron expression and a time zone.
    pub fn new(expr: &str, tz: Tz) -> Result<Recurrence, String> {
        Ok(Recurrence {
            cron: parse_cron(expr)?,
            tz,
        })
    }

    /// A rule from stored text (expression and zone name).
    pub fn parse(expr: &str, tz: &str) -> Result<Recurrence, String> {
        Recurrence::new(expr, parse_tz(tz)?)
    }

    /// The first occurrence strictly after `t`, if the rule has one.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(&self.tz);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|n| n.with_timezone(&Utc))
    }

    /// The latest occurrence at or before `t`, if any.
    pub fn latest_until(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(&self.tz);
        self.cron
            .find_previous_occurrence(&local, true)
            .ok()
            .map(|p| p.with_timezone(&Utc))
    }

    /// Occurrences in `(after, until]`, at most `cap` of them (the earliest).
    pub fn between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        cap: usize,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut t = after;
        while out.len() < cap {
            match self.next_after(t) {
                Some(n) if n <= until => {
                    out.push(n);
                    t = n;
                }
                _ => break,
            }
        }
        out
    }
}

/// What to do after downtime with the occurrences a schedule missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Fire once (the latest missed occurrence): a digest is worth one message, not ten.
    Once,
    /// Fire every missed occurrence (up to [`MAX_CATCH_UP`]).
    All,
}

impl CatchUp {
    /// Parses `once` or `all`.
    pub fn parse(s: &str) -> Result<CatchUp, String> {
        match s {
            "once" => Ok(CatchUp::Once),
            "all" => Ok(CatchUp::All),
            other => Err(format!(
                "`{other}` is not a catch-up rule; write \"once\" or \"all\""
            )),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CatchUp::Once => "once",
            CatchUp::All => "all",
        }
    }
}

/// The most occurrences one catch-up fires, so a schedule off for years cannot flood.
pub const MAX_CATCH_UP: usize = 1000;

/// A due schedule's work: the fire times to run now and the next fire time after `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    pub fire: Vec<DateTime<Utc>>,
    pub next: Option<DateTime<Utc>>,
}

/// What a schedule due at `due` (≤ `now`) fires at `now`. `due` itself always counts as an
/// occurrence (it may be a first time the user chose off the rule's pattern).
pub fn firing(
    rule: &Recurrence,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    catch_up: CatchUp,
) -> Firing {
    let next = rule.next_after(now.max(due));
    if due > now {
        return Firing {
            fire: vec![],
            next: Some(due),
        };
    }
    let fire = match catch_up {
        CatchUp::Once => vec![rule.latest_until(now).filter(|l| *l > due).unwrap_or(due)],
        CatchUp::All => {
            // The earliest ones when too many were missed; `next` moves past the rest.
            let mut all = vec![due];
            all.extend(rule.between(due, now, MAX_CATCH_UP - 1));
            all
        }
    };
    Firing { fire, next }
}

#[cfg(test)]
mod tests;
