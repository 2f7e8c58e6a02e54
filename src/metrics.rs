//! In-process counters for operators, exposed by `GET /metrics` ([`crate::web::metrics`]):
//! HTTP requests by route template and status with their latency, outbox deliveries by
//! channel and outcome, and Discord interactions answered with their latency.
//!
//! Values are atomics, so counting costs a few nanoseconds and never blocks a request. The
//! counters are per process, as Prometheus scrapes a process; what lives in the database
//! (backlogs, due jobs, pending approvals) is read at scrape time instead. No crate: the
//! exposition format is a few lines of text, and the `prometheus`/`metrics` crates bring a
//! registry and macros this handful of series does not need.

use crate::store::outbox::Settle;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

/// Latency bucket bounds in seconds (Prometheus' defaults, plus 2 ms for fast pages).
pub const BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram with the fixed [`BUCKETS`] (plus +Inf), lock-free.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros().min(u64::MAX as u128) as u64, Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// Writes `name_bucket`, `name_sum` and `name_count` lines with `labels` (`k="v",…` or "").
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let sum = self.sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// Counters keyed by a few label values. Finding a series takes a read lock on a small map
/// (written once per new series); the values themselves are atomics.
#[derive(Debug, Default)]
struct Family<V> {
    series: RwLock<BTreeMap<Vec<String>, Arc<V>>>,
}

impl<V: Default> Family<V> {
    fn get(&self, key: &[&str]) -> Arc<V> {
        let owned: Vec<String> = key.iter().map(|s| s.to_string()).collect();
        if let Some(v) = self.series.read().ok().and_then(|m| m.get(&owned).cloned()) {
            return v;
        }
        let mut map = match self.series.write() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(owned).or_default().clone()
    }

    fn snapshot(&self) -> Vec<(Vec<String>, Arc<V>)> {
        match self.series.read() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(poisoned) => poisoned
                .into_inner()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// Every in-process series.
#[derive(Debug, Default)]
pub struct Metrics {
    /// By (route template, method, status).
    http_requests: Family<AtomicU64>,
    /// By route template.
    http_latency: Family<Histogram>,
    /// By (channel, outcome: sent | retry | dead).
    deliveries: Family<AtomicU64>,
    /// By (kind, answer: direct | deferred | error).
    discord_answered: Family<AtomicU64>,
    discord_latency: Histogram,
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

/// Escapes a label value (backslash, quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// One HTTP request answered: `route` is the route's template (`/r/{reference}`), never
    /// the path a client sent.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.http_requests
            .get(&[route, method, &status.to_string()])
            .fetch_add(1, Relaxed);
        self.http_latency.get(&[route]).observe(took);
    }

    /// Requests counted so far for a route template and status (tests, benchmarks).
    pub fn http_count(&self, route: &str, status: u16) -> u64 {
        let status = status.to_string();
        self.http_requests
            .snapshot()
            .iter()
            .filter(|(k, _)| k[0] == route && k[2] == status)
            .map(|(_, v)| v.load(Relaxed))
            .sum()
    }

    /// An outbox delivery attempt settled on `channel` (`email`, `chat`).
    pub fn delivery(&self, channel: &str, settle: &Settle<'_>) {
        let outcome = match settle {
            Settle::Sent(_) => "sent",
            Settle::Retry { counts: true, .. } => "retry",
            // A wait (rate limit, lease) is not an attempt.
            Settle::Retry { counts: false, .. } => return,
            Settle::Dead(_) => "dead",
        };
        self.deliveries
            .get(&[channel, outcome])
            .fetch_add(1, Relaxed);
    }

    /// Deliveries counted so far on `channel` with `outcome` (tests).
    pub fn deliveries(&self, channel: &str, outcome: &str) -> u64 {
        self.deliveries.get(&[channel, outcome]).load(Relaxed)
    }

    /// A Discord interaction got its first response after `took`: `answer` is `direct`,
    /// `deferred` (a "thinking…" first, the work edited in later) or `error`.
    pub fn discord_answered(&self, kind: &str, answer: &str, took: Duration) {
        self.discord_answered
            .get(&[kind, answer])
            .fetch_add(1, Relaxed);
        self.discord_latency.observe(took);
    }

    /// Discord interactions answered so far with `answer` (any kind), and how many latencies
    /// were observed (tests).
    pub fn discord_counts(&self, answer: &str) -> (u64, u64) {
        let answered = self
            .discord_answered
            .snapshot()
            .iter()
            .filter(|(k, _)| k[1] == answer)
            .map(|(_, v)| v.load(Relaxed))
            .sum();
        (answered, self.discord_latency.count())
    }

    /// The in-process series in the text exposition format.
    pub fn render(&self, out: &mut String) {
        out.push_str("# HELP bizdesk_http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE bizdesk_http_requests_total counter\n");
        for (k, v) in self.http_requests.snapshot() {
            let _ = writeln!(
                out,
                "bizdesk_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}",
                label(&k[0]),
                label(&k[1]),
                label(&k[2]),
                v.load(Relaxed)
            );
        }
        out.push_str("# HELP bizdesk_http_request_duration_seconds Time to answer an HTTP request, by route template.\n");
        out.push_str("# TYPE bizdesk_http_request_duration_seconds histogram\n");
        for (k, h) in self.http_latency.snapshot() {
            h.write(
                out,
                "bizdesk_http_request_duration_seconds",
                &format!("route=\"{}\"", label(&k[0])),
            );
        }
        out.push_str("# HELP bizdesk_outbox_deliveries_total Delivery attempts settled by this process, by channel and outcome (sent, retry, dead).\n");
        out.push_str("# TYPE bizdesk_outbox_deliveries_total counter\n");
        for channel in ["email", "chat"] {
            for outcome in ["sent", "retry", "dead"] {
                let _ = self.deliveries.get(&[channel, outcome]);
            }
        }
        for (k, v) in self.deliveries.snapshot() {
            let _ = writeln!(
                out,
                "bizdesk_outbox_deliveries_total{{channel=\"{}\",outcome=\"{}\"}} {}",
                label(&k[0]),
                label(&k[1]),
                v.load(Relaxed)
            );
        }
        out.push_str("# HELP bizdesk_emails_sent_total Emails sent by this process.\n");
        out.push_str("# TYPE bizdesk_emails_sent_total counter\n");
        let _ = writeln!(
            out,
            "bizdesk_emails_sent_total {}",
            self.deliveries("email", "sent")
        );
        out.push_str("# HELP bizdesk_emails_failed_total Email attempts that failed in this process (retried later or given up as dead letters).\n");
        out.push_str("# TYPE bizdesk_emails_failed_total counter\n");
        let _ = writeln!(
            out,
            "bizdesk_emails_failed_total {}",
            self.deliveries("email", "retry") + self.deliveries("email", "dead")
        );
        out.push_str("# HELP bizdesk_discord_interactions_total Discord interactions answered, by kind and first answer (direct, deferred, error).\n");
        out.push_str("# TYPE bizdesk_discord_interactions_total counter\n");
        for (k, v) in self.discord_answered.snapshot() {
            let _ = writeln!(
                out,
                "bizdesk_discord_interactions_total{{kind=\"{}\",answer=\"{}\"}} {}",
                label(&k[0]),
                label(&k[1]),
                v.load(Relaxed)
            );
        }
        out.push_str("# HELP bizdesk_discord_interaction_seconds Time from receiving a Discord interaction to its first response.\n");
        out.push_str("# TYPE bizdesk_discord_interaction_seconds histogram\n");
        self.discord_latency
            .write(out, "bizdesk_discord_interaction_seconds", "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_millis(1));
        h.observe(Duration::from_millis(30));
        h.observe(Duration::from_secs(60));
        let mut out = String::new();
        h.write(&mut out, "x", "route=\"/a\"");
        assert!(
            out.contains("x_bucket{route=\"/a\",le=\"0.002\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("x_bucket{route=\"/a\",le=\"0.05\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("x_bucket{route=\"/a\",le=\"10\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("x_bucket{route=\"/a\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("x_count{route=\"/a\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{route=\"/a\"} 60.031\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
