//! `GET /metrics` for operators, in Prometheus' text exposition format (0.0.4): the
//! in-process counters of [`crate::metrics`] and, read at scrape time from the database, the
//! outbox backlog, due jobs and open approvals. It needs no session: keep it internal (the
//! reverse proxy does not forward `/metrics`).
//!
//! [`layer`] counts every request by its route's template (`/r/{reference}`, never the path a
//! client sent, so no token or reference becomes a label) and status.

use super::Web;
use crate::store;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
use std::time::Instant;

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new().route("/metrics", get(scrape))
}

/// Wraps every route to count requests and time them.
pub(super) fn layer(router: Router<Web>) -> Router<Web> {
    router.layer(axum::middleware::from_fn(track))
}

/// The route label of a request no route matched (one label for every unknown path).
const UNMATCHED: &str = "unmatched";

async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED.to_string(), |m| m.as_str().to_string());
    // Only the standard methods become labels: any token is a method to HTTP, and a label
    // per made-up one would grow the series without end.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS") => m,
        _ => "other",
    }
    .to_string();
    let response = next.run(req).await;
    crate::metrics::global().http_request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

async fn scrape(State(web): State<Web>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    crate::metrics::global().render(&mut out);
    // Read into its own buffer, so a failing database leaves no half-written gauges.
    let mut db = String::with_capacity(2 * 1024);
    let up = match database(&web, &mut db).await {
        Ok(()) => {
            out.push_str(&db);
            1
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "metrics: the database did not answer");
            0
        }
    };
    gauge(
        &mut out,
        "bizdesk_database_up",
        "Whether the scrape could read the database.",
    );
    let _ = writeln!(out, "bizdesk_database_up {up}");
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], out).into_response()
}

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The channels an outbox row can be on; each gets a line even when its backlog is empty.
const CHANNELS: [&str; 2] = ["chat", "email"];

fn gauge(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

/// Seconds from `since_ms` to `now_ms` (0 when nothing waits).
fn age(now_ms: i64, since_ms: Option<i64>) -> f64 {
    since_ms.map_or(0.0, |t| (now_ms - t).max(0) as f64 / 1000.0)
}

/// The gauges read from the database: a handful of counts over partial indexes.
async fn database(web: &Web, out: &mut String) -> anyhow::Result<()> {
    let desk = &web.chat.desk;
    let now = store::to_ms(desk.now());
    let mut conn = desk.store.pool().acquire().await?;

    // The backlog walks `outbox_due` (pending rows only); dead letters `outbox_dead`.
    let pending: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT channel, COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending' GROUP BY channel",
    )
    .fetch_all(&mut *conn)
    .await?;
    let dead: Vec<(String, i64)> = sqlx::query_as(
        "SELECT channel, COUNT(*) FROM outbox WHERE status = 'dead' GROUP BY channel",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut channels: Vec<String> = CHANNELS.iter().map(|c| c.to_string()).collect();
    for (c, ..) in &pending {
        if !channels.contains(c) {
            channels.push(c.clone());
        }
    }
    let of = |c: &str| pending.iter().find(|p| p.0 == c);
    gauge(
        out,
        "bizdesk_outbox_pending",
        "Outbound messages waiting to be delivered, by channel.",
    );
    for c in &channels {
        let n = of(c).map_or(0, |p| p.1);
        let _ = writeln!(out, "bizdesk_outbox_pending{{channel=\"{c}\"}} {n}");
    }
    gauge(
        out,
        "bizdesk_outbox_oldest_pending_seconds",
        "Age of the oldest message waiting to be delivered, by channel (0 when none waits).",
    );
    for c in &channels {
        let a = age(now, of(c).and_then(|p| p.2));
        let _ = writeln!(
            out,
            "bizdesk_outbox_oldest_pending_seconds{{channel=\"{c}\"}} {a}"
        );
    }
    gauge(
        out,
        "bizdesk_outbox_dead",
        "Dead letters (undeliverable until an operator retries them), by channel.",
    );
    for c in &channels {
        let n = dead.iter().find(|d| &d.0 == c).map_or(0, |d| d.1);
        let _ = writeln!(out, "bizdesk_outbox_dead{{channel=\"{c}\"}} {n}");
    }

    // `jobs_due` holds pending jobs by run time.
    let (due, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(run_at) FROM jobs WHERE status = 'pending' AND run_at <= $1",
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    gauge(
        out,
        "bizdesk_jobs_due",
        "Jobs whose time has come and that have not run yet.",
    );
    let _ = writeln!(out, "bizdesk_jobs_due {due}");
    gauge(
        out,
        "bizdesk_jobs_lateness_seconds",
        "How late the oldest due job is (0 when none is due).",
    );
    let _ = writeln!(out, "bizdesk_jobs_lateness_seconds {}", age(now, oldest));

    // `approvals_pending` (0018) and `approval_tasks_open` keep these to index counts.
    let (approvals,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM approvals WHERE status = 'pending'")
            .fetch_one(&mut *conn)
            .await?;
    let (tasks,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM approval_tasks WHERE status = 'open'")
            .fetch_one(&mut *conn)
            .await?;
    gauge(
        out,
        "bizdesk_approvals_pending",
        "Approval rounds still pending.",
    );
    let _ = writeln!(out, "bizdesk_approvals_pending {approvals}");
    gauge(
        out,
        "bizdesk_approval_tasks_open",
        "Approval tasks waiting for an approver.",
    );
    let _ = writeln!(out, "bizdesk_approval_tasks_open {tasks}");
    Ok(())
}
