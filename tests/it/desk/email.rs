//! Email end to end against a real SMTP server on 127.0.0.1 (tests/smtp_sink): headers, both
//! parts, both languages, threading across a whole approval; the server down and up again;
//! a permanent refusal as a dead letter; two workers on one database; a worker killed
//! mid-send. Runs on SQLite, or PostgreSQL when the suite does.

use crate::common;
use crate::smtp_sink;

use bizdesk::config::Secret;
use bizdesk::mail::Mailer;
use bizdesk::outbox::email::EmailOutbox;
use bizdesk::service;
use bizdesk::store::outbox::OutboxStatus;
use bizdesk::store::{self, outbox};
use common::{spawn_desk_with, TestDesk};
use serde_json::json;
use smtp_sink::Sink;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

async fn desk_sending_to(url: &str) -> TestDesk {
    let url = url.to_string();
    spawn_desk_with(move |c| c.smtp.url = Secret::new(url)).await
}

fn worker(d: &TestDesk) -> EmailOutbox {
    let mailer = Mailer::from_config(&d.config.smtp, &d.config.company.name).unwrap();
    EmailOutbox::new(
        d.chat.desk.clone(),
        d.chat.renderer.clone(),
        Arc::new(mailer),
        4,
    )
}

/// Claims and sends until nothing is due.
async fn drain(w: &EmailOutbox) -> usize {
    let mut total = 0;
    loop {
        let n = w.drain_once().await.unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
}

/// The outbox row an email came from (`<bizdesk.ROW.CREATED@domain>`).
fn outbox_row(m: &smtp_sink::Received) -> i64 {
    let id = m.message_id();
    id.split('.')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1)
}

async fn email_rows(d: &TestDesk) -> Vec<outbox::Message> {
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    let mut rows = outbox::list(&mut conn, false, 10_000).await.unwrap();
    rows.retain(|m| m.channel == "email");
    rows.reverse();
    rows
}

/// Approves a requisition of 60,000 through its three stages (head, central office, finance).
async fn approve_fully(d: &TestDesk, r: &str) {
    for who in ["wang.fang", "chen.jie", "zhao.min"] {
        d.ok(who, &format!("/approval approve ref:{r}")).await;
    }
}

#[tokio::test]
async fn a_whole_approval_threads_in_the_requesters_language_with_both_parts() {
    let sink = Sink::start();
    let d = desk_sending_to(&sink.url()).await;
    let w = worker(&d);
    // li.na reads Chinese; tom.baker reads English.
    let zh = d
        .ok("li.na", "/requisition new item:\"ThinkPad X1\" quantity:6 unit_price:10000 reason:\"new hires <b>now</b>\"")
        .await;
    assert!(zh.contains("REQ-000001"), "{zh}");
    approve_fully(&d, "REQ-000001").await;
    d.ok(
        "tom.baker",
        "/requisition new item:\"Desk\" quantity:1 unit_price:900 reason:\"broken\"",
    )
    .await;
    d.ok(
        "wang.fang",
        "/approval reject ref:REQ-000002 comment:\"use the spare one\"",
    )
    .await;
    let sent = drain(&w).await;
    assert!(sent >= 7, "only {sent} emails");
    assert!(sink.wait_for(sent, Duration::from_secs(5)));

    // Sent concurrently, so order them by their outbox row (in the Message-ID).
    let mut li = sink.to("li.na@example.com");
    li.sort_by_key(outbox_row);
    let kinds: Vec<String> = email_rows(&d)
        .await
        .iter()
        .filter(|m| m.address.as_deref() == Some("li.na@example.com"))
        .map(|m| m.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "request_received",
            "stage_passed",
            "stage_passed",
            "request_outcome"
        ],
    );
    assert_eq!(li.len(), 4);
    let ids: Vec<String> = li.iter().map(|m| m.message_id()).collect();
    for (i, m) in li.iter().enumerate() {
        let p = m.parsed();
        assert_eq!(
            p.subject(),
            Some("采购申请 REQ-000001"),
            "one topic per thread"
        );
        assert!(p.from().unwrap().first().unwrap().address().unwrap() == "bizdesk@example.com");
        assert!(ids[i].ends_with("@example.com") && ids[i].starts_with("bizdesk."));
        let irt = p.in_reply_to().as_text().map(str::to_string);
        let refs: Vec<String> = p
            .references()
            .as_text_list()
            .map(|l| l.iter().map(|s| s.to_string()).collect())
            .or_else(|| p.references().as_text().map(|s| vec![s.to_string()]))
            .unwrap_or_default();
        if i == 0 {
            assert!(
                irt.is_none() && refs.is_empty(),
                "the receipt starts the thread"
            );
        } else {
            assert_eq!(irt.as_deref(), Some(ids[i - 1].as_str()), "email {i}");
            assert_eq!(refs, ids[..i].to_vec(), "email {i}");
        }
        let text = p.body_text(0).unwrap().to_string();
        let html = p.body_html(0).unwrap().to_string();
        assert!(text.contains("REQ-000001") && html.contains("REQ-000001"));
        assert!(text.contains("李娜，你好") && html.contains("华信贸易有限公司"));
        if i == 0 || i == 3 {
            // The request's facts: escaped in HTML, as typed in text.
            assert!(text.contains("new hires <b>now</b>"), "{text}");
            assert!(html.contains("new hires &lt;b&gt;now&lt;"), "{html}");
            assert!(!html.contains("<b>now"));
        }
    }
    assert!(li[0]
        .parsed()
        .body_text(0)
        .unwrap()
        .contains("已收到你的采购申请"));
    assert!(li[3].parsed().body_text(0).unwrap().contains("已获批准"));

    let mut tom = sink.to("tom.baker@example.com");
    tom.sort_by_key(outbox_row);
    assert_eq!(tom.len(), 2);
    let outcome = tom[1].parsed();
    assert_eq!(outcome.subject(), Some("Requisition REQ-000002"));
    let text = outcome.body_text(0).unwrap();
    assert!(
        text.contains("was rejected by") && text.contains("use the spare one"),
        "{text}"
    );
    assert!(outcome.body_html(0).unwrap().contains("<html lang=\"en\">"));
    // Approvers without Discord get prompts by email (in their own language).
    let prompt = sink.to("wang.fang@example.com");
    assert!(prompt[0]
        .parsed()
        .subject()
        .unwrap()
        .starts_with("待你审批"));
    // Every row was sent exactly once, with the server's answer recorded.
    let rows = email_rows(&d).await;
    assert!(rows
        .iter()
        .all(|m| m.status == OutboxStatus::Sent && m.attempts == 1));
    assert!(rows[0].provider_id.as_deref().unwrap().starts_with("250"));
    assert_eq!(sink.count(), rows.len());
}

#[tokio::test]
async fn the_server_down_then_up_delivers_every_email_once() {
    let port = Sink::free_port();
    let d = desk_sending_to(&format!("smtp://127.0.0.1:{port}")).await;
    let w = worker(&d);
    let r = d.submit("li.na", "Monitor", 2, "1500").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    // Nothing listens: every attempt fails, is counted and rescheduled with backoff.
    let claimed = drain(&w).await;
    assert!(claimed >= 3);
    let rows = email_rows(&d).await;
    assert!(rows
        .iter()
        .all(|m| m.status == OutboxStatus::Pending && m.attempts == 1));
    let err = rows[0].last_error.clone().unwrap();
    assert!(
        err.contains("refused") && err.contains("is the SMTP server running"),
        "{err}"
    );
    // Still down a minute later: a second failed attempt each.
    d.clock.advance(chrono::Duration::minutes(1));
    drain(&w).await;
    // More mail arrives while it is down, and then the server comes back.
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    let sink = Sink::start_on(port);
    d.clock.advance(chrono::Duration::minutes(10));
    let _ = drain(&w).await;
    let rows = email_rows(&d).await;
    assert!(
        rows.iter().all(|m| m.status == OutboxStatus::Sent),
        "{rows:#?}"
    );
    assert!(sink.wait_for(rows.len(), Duration::from_secs(5)));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        *seen.entry(m.message_id()).or_default() += 1;
    }
    assert_eq!(seen.len(), rows.len());
    assert!(seen.values().all(|&n| n == 1), "duplicates: {seen:?}");
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_and_a_permanent_one_is_a_dead_letter() {
    let sink = Sink::start();
    let d = desk_sending_to(&sink.url()).await;
    let w = worker(&d);
    d.sql("UPDATE employees SET email = 'bounce.li@example.com' WHERE handle = 'li.na'")
        .await;
    sink.set_tempfail(true);
    d.submit("li.na", "Chair", 1, "800").await;
    drain(&w).await;
    let rows = email_rows(&d).await;
    // 421: retried later. (The approver's prompt and li.na's receipt.)
    assert!(
        rows.iter().all(|m| m.status == OutboxStatus::Pending),
        "{rows:#?}"
    );
    sink.set_tempfail(false);
    d.clock.advance(chrono::Duration::minutes(5));
    drain(&w).await;
    let rows = email_rows(&d).await;
    let receipt = rows.iter().find(|m| m.kind == "request_received").unwrap();
    assert_eq!(receipt.status, OutboxStatus::Dead);
    let reason = receipt.last_error.clone().unwrap();
    assert!(reason.contains("550"), "{reason}");
    let prompt = rows.iter().find(|m| m.kind == "approval_prompt").unwrap();
    assert_eq!(prompt.status, OutboxStatus::Sent);
    // The operator sees it, fixes the address, and replays it.
    let failed = service::outbox::list(&d.chat.desk, true, 50).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, receipt.id);
    d.sql(&format!(
        "UPDATE outbox SET address = 'li.na@example.com' WHERE id = {}",
        receipt.id
    ))
    .await;
    let ids = service::outbox::retry(&d.chat.desk, None, "operator")
        .await
        .unwrap();
    assert_eq!(ids, vec![receipt.id]);
    drain(&w).await;
    assert_eq!(sink.to("li.na@example.com").len(), 1);
    assert!(service::outbox::list(&d.chat.desk, true, 50)
        .await
        .unwrap()
        .is_empty());
    // Replaying is audited.
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'outbox.retry'")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 1);
}

/// Writes `n` emails straight into the outbox (the worker does not care who wrote them).
async fn enqueue_notes(d: &TestDesk, n: usize) {
    let desk = &d.chat.desk;
    let mut tx = desk.store.begin().await.unwrap();
    let now = store::to_ms(desk.now());
    for i in 0..n {
        let m = outbox::NewMessage {
            channel: outbox::EMAIL,
            recipient: None,
            address: Some(format!("person{i}@example.com")),
            kind: "delegation_notice",
            subject_ref: None,
            payload: json!({"from": "王芳", "starts_on": "2026-12-01", "ends_on": "2026-12-05", "locale": "zh-CN", "name": format!("P{i}")}),
            edits: None,
        };
        outbox::enqueue(&mut tx, &m, now).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn two_workers_on_one_database_never_send_the_same_row() {
    let sink = Sink::start();
    let d = desk_sending_to(&sink.url()).await;
    // A second process: its own pool on the same database.
    let other = bizdesk::app::open_with_clock(&d.config, Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let mailer = Arc::new(Mailer::from_config(&d.config.smtp, "Huaxin").unwrap());
    let a = EmailOutbox::new(
        d.chat.desk.clone(),
        d.chat.renderer.clone(),
        mailer.clone(),
        4,
    );
    let b = EmailOutbox::new(other.desk.clone(), other.renderer.clone(), mailer, 4);
    enqueue_notes(&d, 400).await;
    let (na, nb) = tokio::join!(
        tokio::spawn(async move { drain(&a).await }),
        tokio::spawn(async move { drain(&b).await })
    );
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na + nb, 400, "each row claimed once in all ({na} + {nb})");
    assert!(sink.wait_for(400, Duration::from_secs(10)));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        *seen.entry(m.message_id()).or_default() += 1;
    }
    assert_eq!(seen.len(), 400);
    assert!(seen.values().all(|&n| n == 1));
    let (sent,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(sent, 400);
}

#[tokio::test]
async fn a_worker_killed_mid_send_leaves_the_row_to_be_redelivered_with_the_same_message_id() {
    let sink = Sink::start();
    let d = desk_sending_to(&sink.url()).await;
    enqueue_notes(&d, 1).await;
    sink.set_hold(true);
    let first = worker(&d);
    let killed = tokio::spawn(async move { first.drain_once().await });
    // The message is with the server, which has not answered yet: kill the worker now.
    for _ in 0..500 {
        if sink.holding() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sink.holding(), 1, "the send never reached DATA");
    killed.abort();
    let _ = killed.await;
    sink.set_hold(false);
    // The server kept what it got before the sender vanished.
    assert!(sink.wait_for(1, Duration::from_secs(5)));
    let row = &email_rows(&d).await[0];
    assert_eq!(row.status, OutboxStatus::Pending, "unsettled: still leased");
    // Another worker cannot take it while the lease lasts...
    let second = worker(&d);
    assert_eq!(second.drain_once().await.unwrap(), 0);
    // ...and redelivers it once the lease has run out.
    d.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(drain(&second).await, 1);
    assert!(sink.wait_for(2, Duration::from_secs(5)));
    let got = sink.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].message_id(), got[1].message_id(), "same Message-ID");
    let row = &email_rows(&d).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
}

#[tokio::test]
async fn email_follows_each_persons_settings() {
    let sink = Sink::start();
    let d = desk_sending_to(&sink.url()).await;
    // wang.fang has Discord: prompts stay in Discord unless she asks for email too.
    d.sql("UPDATE employees SET discord_id = '424242' WHERE handle = 'wang.fang'")
        .await;
    d.submit("li.na", "Pens", 10, "5").await;
    let to = |rows: &[outbox::Message], who: &str| {
        rows.iter()
            .filter(|m| m.address.as_deref() == Some(who))
            .count()
    };
    let rows = email_rows(&d).await;
    assert_eq!(to(&rows, "wang.fang@example.com"), 0);
    assert_eq!(to(&rows, "li.na@example.com"), 1, "the receipt");
    d.ok("wang.fang", "/settings email prompts:on").await;
    d.ok("li.na", "/settings email updates:off").await;
    let shown = d.ok("li.na", "/settings").await;
    assert!(shown.contains("自己申请的进度：关"), "{shown}");
    assert!(!shown.contains("自己申请的进度：关（公司默认）"));
    d.submit("li.na", "Paper", 10, "5").await;
    let rows = email_rows(&d).await;
    assert_eq!(to(&rows, "wang.fang@example.com"), 1);
    assert_eq!(to(&rows, "li.na@example.com"), 1, "no second receipt");
    let refused = d.refused("li.na", "/settings email").await;
    assert!(refused.contains("审批请求:开|关"), "{refused}");
}

#[tokio::test]
async fn with_no_smtp_server_emails_are_readable_eml_files() {
    let dir = tempfile::tempdir().unwrap();
    let drop_dir = dir.path().join("outbox");
    let dd = drop_dir.clone();
    let d = spawn_desk_with(move |c| c.smtp.drop_dir = dd).await;
    let w = worker(&d);
    let r = d.submit("tom.baker", "Headset", 1, "300").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    drain(&w).await;
    let mut files: Vec<String> = std::fs::read_dir(&drop_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let toms: Vec<&String> = files
        .iter()
        .filter(|f| !f.contains("approval_prompt"))
        .collect();
    assert_eq!(toms.len(), 3, "{files:?}");
    assert!(toms[0].ends_with("request_received.eml") && toms[2].ends_with("request_outcome.eml"));
    let raw = std::fs::read(drop_dir.join(toms[2])).unwrap();
    let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(m.subject(), Some(format!("Requisition {r}").as_str()));
    assert!(m.body_text(0).unwrap().contains("is approved"));
    assert!(m.in_reply_to().as_text().is_some());
    // Redelivering the same row (same Message-ID) keeps the file written first, adds none.
    let n = files.len();
    d.sql("UPDATE outbox SET status = 'pending', locked_until = NULL WHERE channel = 'email'")
        .await;
    drain(&w).await;
    assert_eq!(std::fs::read_dir(&drop_dir).unwrap().count(), n);
}

#[tokio::test]
async fn smtp_failures_come_with_advice() {
    let d = common::spawn_desk().await;
    let check = |url: String| {
        let mut cfg = d.config.smtp.clone();
        cfg.url = Secret::new(url);
        cfg.timeout_secs = 3;
        async move {
            Mailer::from_config(&cfg, "Huaxin")
                .unwrap()
                .check()
                .await
                .unwrap_err()
        }
    };
    // 465 refused: suggest STARTTLS on 587. (Nothing listens on 465 on a test machine.)
    let e = format!("{:?}", check("smtps://127.0.0.1:465".into()).await);
    assert!(
        e.contains("connection refused on 465: is TLS right? try STARTTLS on 587"),
        "{e}"
    );
    let port = Sink::free_port();
    let e = format!("{:?}", check(format!("smtp://127.0.0.1:{port}")).await);
    assert!(e.contains("is the SMTP server running"), "{e}");
    // TLS spoken to a plain server.
    let sink = Sink::start();
    let e = format!(
        "{:?}",
        check(format!("smtps://127.0.0.1:{}", sink.port)).await
    );
    assert!(
        e.contains("TLS failed") || e.contains("closed the connection"),
        "{e}"
    );
}

#[test]
fn every_email_renders_in_both_languages_from_its_payload() {
    let r = bizdesk::chat::render::Renderer::load(None, chrono_tz::Asia::Shanghai, HashMap::new())
        .unwrap();
    let subject = json!({"headline": "Desk <oak> × 2", "total": "1,800.00 CNY",
        "facts": [{"label": "fact.reason", "value": "R&D"}], "decisions": ["approve", "reject", "changes"],
        "graded": false, "hint": null, "resubmit": "requisition.resubmit_hint"});
    let base =
        json!({"company": "Huaxin", "recipient": "Li", "in_thread": false, "ref": "REQ-000009"});
    let payloads = [
        ("request_received", json!({"round": 1, "subject": subject})),
        (
            "stage_passed",
            json!({"stage": "Department head", "stage_zh": "部门负责人审批", "by": "Wang", "next": "Finance", "next_zh": "财务审批", "next_approvers": ["Zhao"]}),
        ),
        (
            "request_outcome",
            json!({"outcome": "changes_requested", "by": "Wang", "comment": "split it", "subject": subject}),
        ),
        (
            "approval_prompt",
            json!({"task_id": 3, "stage": "Finance", "stage_zh": "财务审批", "requester": "Li", "subject": subject, "on_behalf_of": null, "escalated_from": "Zhao"}),
        ),
        (
            "delegation_notice",
            json!({"from": "Wang", "starts_on": "2026-12-01", "ends_on": "2026-12-05"}),
        ),
        ("test_email", json!({"via": "smtp://127.0.0.1:25"})),
        (
            "approval_reminder",
            json!({"task_id": 3, "stage": "Finance", "stage_zh": "财务审批", "requester": "Li", "subject": subject,
                   "waiting_since_ms": 1_764_000_000_000i64, "at_ms": 1_764_090_000_000i64, "on_behalf_of": null,
                   "escalate_at_ms": 1_764_200_000_000i64}),
        ),
        (
            "approval_escalated",
            json!({"stage": "Finance", "stage_zh": "财务审批", "from": ["Zhao"], "to": ["Chen", "Liu"],
                   "waiting_since_ms": 1_764_000_000_000i64}),
        ),
        (
            "followup_due",
            json!({"id": 4, "note": "check <the> quote", "due_at_ms": 1_764_000_000_000i64, "snoozed": false}),
        ),
        (
            "inquiry_ack",
            json!({"subject": "申请退款 <urgent>", "kind": "complaint", "channel": "email"}),
        ),
        (
            "inquiry_reply",
            json!({"subject": "申请退款", "kind": "inquiry", "channel": "phone", "text": "line one\nline <two>", "by": "Li"}),
        ),
        (
            "inquiry_resolved",
            json!({"subject": "申请退款", "kind": "feedback", "channel": "web", "resolution": "done & dusted", "by": null, "survey_url": "http://127.0.0.1:8080/satisfaction/1-2-ab"}),
        ),
        (
            "order_stage",
            json!({"items": "Desk <oak> × 2", "amount": "1,800.00 CNY", "stage": "Shipped", "stage_zh": "已发货",
                   "note": "SF <1234>", "delivery": null}),
        ),
        (
            "supplier_claim",
            json!({"event": "opened", "po": "PO-000001", "item": "Desk <oak>", "name": "Acme", "supplier": "Acme Ltd",
                   "locale": "en", "receipt": "GR-000001", "accepted": 5, "rejected": 5, "reason": "cracked <legs>",
                   "received_on": "2026-11-26"}),
        ),
        (
            "supplier_query",
            json!({"po": "PO-000001", "item": "Desk <oak>", "name": "Acme", "supplier": "Acme Ltd", "locale": null,
                   "invoice": "INV-1", "ordered": "10,000.00 CNY", "expected": "5,000.00 CNY",
                   "invoiced": "10,000.00 CNY", "accepted_qty": 5, "quantity": 10, "reason": ""}),
        ),
        (
            "callback_due",
            json!({"id": 2, "customer": "Acme & Sons", "note": "", "due_at_ms": 1_764_000_000_000i64,
                   "next_ms": null, "repeat": "every month"}),
        ),
    ];
    for locale in [bizdesk::domain::Locale::En, bizdesk::domain::Locale::ZhCn] {
        for (kind, extra) in &payloads {
            let mut ctx = base.clone();
            ctx.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let out = bizdesk::mail::compose::render(&r, locale, kind, &ctx, true)
                .unwrap_or_else(|e| panic!("{kind} in {locale:?}: {e:#}"));
            assert!(!out.subject.is_empty() && !out.subject.contains('\n'));
            assert!(
                out.html.contains("Huaxin") && out.text.contains("Huaxin"),
                "{kind}: branded"
            );
            if out.html.contains("Desk") {
                assert!(out.html.contains("Desk &lt;oak&gt;") && out.text.contains("Desk <oak>"));
            }
        }
        // A missing variable is an error, never a blank.
        let e =
            bizdesk::mail::compose::render(&r, locale, "stage_passed", &base, true).unwrap_err();
        assert!(format!("{e:#}").contains("undefined"), "{e:#}");
    }
}
