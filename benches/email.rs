//! Email benchmark, all on 127.0.0.1 with a real SMTP server (mailin-embedded, in process):
//! 1. emails/s sent with lettre's pool (`--pool` connections, as many in flight) against a
//!    same-run baseline of one connection sending one after another;
//! 2. the whole email outbox (claim, render both parts in the recipient's language, thread
//!    lookup, send over the pool, settle) in emails/s;
//! 3. outbox claim+complete rows/s (the worker's store work, no sending) against a raw claim
//!    statement alone in the same run.
//!
//! cargo bench --bench email -- [--count 3000] [--pool 8] [--postgres URL]

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "../tests/it/smtp_sink/mod.rs"]
mod smtp_sink;

use bizdesk::config::Secret;
use bizdesk::mail::Mailer;
use bizdesk::outbox::email::EmailOutbox;
use bizdesk::store::{self, outbox};
use futures::StreamExt;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    count: usize,
    pool: u32,
    postgres: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        count: 3000,
        pool: 8,
        postgres: None,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        match v[i].as_str() {
            "--count" => a.count = v[i + 1].parse().expect("--count N"),
            "--pool" => a.pool = v[i + 1].parse().expect("--pool N"),
            "--postgres" => a.postgres = Some(v[i + 1].clone()),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn message(i: usize) -> Message {
    let from: Mailbox = "Huaxin <bizdesk@example.com>".parse().unwrap();
    Message::builder()
        .from(from)
        .to(format!("person{i}@example.com").parse().unwrap())
        .subject(format!("采购申请 REQ-{i:06}"))
        .message_id(Some(format!("<bench.{i}@example.com>")))
        .multipart(MultiPart::alternative_plain_html(
            format!("你好，\n\n你的采购申请 REQ-{i:06} 已获批准。\n"),
            format!("<p>你好，</p><p>你的采购申请 <strong>REQ-{i:06}</strong> 已获批准。</p>"),
        ))
        .unwrap()
}

fn transport(sink: &smtp_sink::Sink, size: u32) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&sink.url())
        .unwrap()
        .pool_config(PoolConfig::new().max_size(size))
        .build()
}

#[tokio::main]
async fn main() {
    let a = args();
    if let Some(pg) = &a.postgres {
        std::env::set_var("BIZDESK_TEST_POSTGRES_URL", pg);
    }
    let backend = if a.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let sink = smtp_sink::Sink::start();
    let n = a.count;
    println!(
        "email bench: {n} emails, pool {} — store on {backend}",
        a.pool
    );

    // 1a. Baseline: one connection, one message after another.
    let one = transport(&sink, 1);
    let t = Instant::now();
    for i in 0..n {
        one.send(message(i)).await.expect("baseline send");
    }
    let base = n as f64 / t.elapsed().as_secs_f64();
    // 1b. The pool, `pool` messages in flight.
    let pooled = transport(&sink, a.pool);
    let t = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let p = pooled.clone();
            async move { p.send(message(n + i)).await.expect("pooled send") }
        })
        .buffer_unordered(a.pool as usize)
        .collect::<Vec<_>>()
        .await;
    let pool_rate = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "SMTP send      pooled {pool_rate:>8.0} emails/s   baseline (1 connection, sequential) {base:>8.0} emails/s   ×{:.2}",
        pool_rate / base
    );

    // 2. The whole outbox.
    let url = sink.url();
    let pool = a.pool;
    let d = common::spawn_desk_with(move |c| {
        c.smtp.url = Secret::new(url);
        c.smtp.pool_size = pool;
    })
    .await;
    enqueue(&d, n).await;
    let mailer = Mailer::from_config(&d.config.smtp, "Huaxin").unwrap();
    let w = EmailOutbox::new(
        d.chat.desk.clone(),
        d.chat.renderer.clone(),
        Arc::new(mailer),
        a.pool as usize,
    );
    let before = sink.count();
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        let k = w.drain_once().await.expect("drain");
        assert!(k > 0, "outbox stalled at {done}/{n}");
        done += k;
    }
    let outbox_rate = n as f64 / t.elapsed().as_secs_f64();
    assert!(sink.wait_for(before + n, Duration::from_secs(10)));
    println!(
        "email outbox   {outbox_rate:>8.0} emails/s end to end (claim, render, thread, send, settle)   target ≥ 500: {}",
        if outbox_rate >= 500.0 { "met" } else { "NOT met" }
    );

    // 3. Claim + complete against a raw claim, on fresh rows.
    let rows = 20_000.min(n * 10);
    enqueue(&d, rows).await;
    let desk = &d.chat.desk;
    let now = store::to_ms(desk.now());
    let t = Instant::now();
    let mut raw = 0usize;
    loop {
        let mut tx = desk.store.begin().await.unwrap();
        let lock = match desk.store.backend() {
            store::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            store::Backend::Sqlite => "",
        };
        let got: Vec<(i64,)> = sqlx::query_as(&format!(
            "UPDATE outbox SET locked_until = $1 + 1 WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'pending' AND (locked_until IS NULL OR locked_until < $1) \
             ORDER BY id LIMIT 64 {lock}) RETURNING id"
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        if got.is_empty() {
            break;
        }
        raw += got.len();
    }
    let raw_rate = raw as f64 / t.elapsed().as_secs_f64();
    // The same rows again, now through the outbox's claim and settle.
    sqlx::query("UPDATE outbox SET locked_until = NULL WHERE status = 'pending'")
        .execute(desk.store.pool())
        .await
        .unwrap();
    let t = Instant::now();
    let mut done = 0usize;
    loop {
        let mut tx = desk.store.begin().await.unwrap();
        let claimed = outbox::claim_email(&mut tx, desk.store.backend(), now, 300_000, 64)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if claimed.is_empty() {
            break;
        }
        let mut tx = desk.store.begin().await.unwrap();
        for m in &claimed {
            let held = m.locked_until.unwrap();
            outbox::settle(&mut tx, m.id, held, outbox::Settle::Sent("250 OK"), now)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        done += claimed.len();
    }
    let outbox_claim = done as f64 / t.elapsed().as_secs_f64();
    println!(
        "outbox store   claim+complete {outbox_claim:>8.0} rows/s   baseline (raw claim only) {raw_rate:>8.0} rows/s   ratio {:.2}",
        outbox_claim / raw_rate
    );
    assert_eq!(done, raw);
}

async fn enqueue(d: &common::TestDesk, n: usize) {
    let desk = &d.chat.desk;
    let now = store::to_ms(desk.now());
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = desk.store.begin().await.unwrap();
        for &i in chunk {
            let m = outbox::NewMessage {
                channel: outbox::EMAIL,
                recipient: None,
                address: Some(format!("person{i}@example.com")),
                kind: "request_outcome",
                subject_ref: Some(format!("REQ-{i:06}")),
                payload: json!({
                    "ref": format!("REQ-{i:06}"), "outcome": "approved", "by": "王芳", "comment": null,
                    "locale": if i % 2 == 0 { "zh-CN" } else { "en" }, "name": format!("Person {i}"),
                    "subject": {"item": "ThinkPad X1", "quantity": 2, "total": "18,000.00 CNY",
                        "spec": null, "needed_by": null, "reason": "new hires"},
                }),
                edits: None,
            };
            outbox::enqueue(&mut tx, &m, now).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
}
