//! What operators get: `/healthz`, `/readyz`, and `/metrics` in Prometheus' text format with
//! requests counted by route template, the outbox backlog and emails sent, and the open
//! approvals read from the database.

use super::serve;

/// The value of the series whose line starts with `series ` (name and labels), if shown.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_without_a_session() {
    let w = serve().await;
    let (status, body) = w.get(None, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (status, body) = w.get(None, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["discord"], "off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_template() {
    let w = serve().await;
    let healthz = "bizdesk_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}";
    let (status, before) = w.get(None, "/metrics").await;
    assert_eq!(status, 200);
    let r = w
        .http
        .get(format!("{}/metrics", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    for _ in 0..3 {
        assert_eq!(w.get(None, "/healthz").await.0, 200);
    }
    // A path with a value in it is counted under its route's template, never the raw path.
    w.get(None, "/r/REQ-000777").await;
    w.get(None, "/no/such/page/secret-token-123").await;
    let (_, after) = w.get(None, "/metrics").await;
    // Counters are per process and tests run side by side: they grow by at least ours.
    let grew = value(&after, healthz).unwrap() - value(&before, healthz).unwrap_or(0.0);
    assert!(grew >= 3.0, "{after}");
    assert!(
        value(
            &after,
            "bizdesk_http_request_duration_seconds_count{route=\"/healthz\"}"
        )
        .unwrap()
            >= 3.0
    );
    assert!(!after.contains("REQ-000777"), "{after}");
    assert!(!after.contains("secret-token-123"), "{after}");
    assert!(after.contains("route=\"unmatched\""), "{after}");
    assert!(after
        .contains("bizdesk_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"}"));
    assert_eq!(value(&after, "bizdesk_database_up"), Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_outbox_approvals_and_emails_sent() {
    let w = serve().await;
    let d = &w.d;
    let (_, idle) = w.get(None, "/metrics").await;
    assert_eq!(
        value(&idle, "bizdesk_approvals_pending"),
        Some(0.0),
        "{idle}"
    );
    assert_eq!(
        value(&idle, "bizdesk_outbox_pending{channel=\"email\"}"),
        Some(0.0)
    );
    assert_eq!(value(&idle, "bizdesk_jobs_due"), Some(0.0));
    let sent_before = value(&idle, "bizdesk_emails_sent_total").unwrap();

    // tom.baker's request waits for wang.fang; its prompt waits in the outbox.
    let r = d.submit("tom.baker", "Headset", 1, "300").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    let emails = d
        .count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND status = 'pending'")
        .await;
    assert!(emails > 0, "the approval should send email");
    d.clock.advance(chrono::Duration::seconds(90));
    let (_, waiting) = w.get(None, "/metrics").await;
    assert_eq!(
        value(&waiting, "bizdesk_approvals_pending"),
        Some(1.0),
        "{waiting}"
    );
    let tasks = d
        .count("SELECT COUNT(*) FROM approval_tasks WHERE status = 'open'")
        .await;
    assert!(tasks > 0);
    assert_eq!(
        value(&waiting, "bizdesk_approval_tasks_open"),
        Some(tasks as f64)
    );
    assert_eq!(
        value(&waiting, "bizdesk_outbox_pending{channel=\"email\"}"),
        Some(emails as f64)
    );
    let oldest = value(
        &waiting,
        "bizdesk_outbox_oldest_pending_seconds{channel=\"email\"}",
    );
    assert!(oldest.unwrap() >= 90.0, "{waiting}");

    // The worker sends them: the backlog empties and the sent counter moves.
    d.send_all_email().await;
    let (_, sent) = w.get(None, "/metrics").await;
    assert_eq!(
        value(&sent, "bizdesk_outbox_pending{channel=\"email\"}"),
        Some(0.0)
    );
    assert_eq!(
        value(
            &sent,
            "bizdesk_outbox_oldest_pending_seconds{channel=\"email\"}"
        ),
        Some(0.0)
    );
    let grew = value(&sent, "bizdesk_emails_sent_total").unwrap() - sent_before;
    assert!(grew >= emails as f64, "{sent}");
    assert!(
        value(
            &sent,
            "bizdesk_outbox_deliveries_total{channel=\"email\",outcome=\"sent\"}"
        )
        .unwrap()
            >= emails as f64
    );
    assert_eq!(
        value(&sent, "bizdesk_outbox_dead{channel=\"email\"}"),
        Some(0.0)
    );
}
