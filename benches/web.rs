//! Web desk benchmark: the inbox page and the central office's dashboard on a desk with
//! 100,000 decided and 5,000 pending approvals, under an open-loop load (requests are sent on
//! schedule whether or not earlier ones have answered, and latency counts from the scheduled
//! time, so a slow server cannot hide its queue), against `/healthz` in the same run — the
//! floor of HTTP, routing, the metrics layer and one database round trip.
//!
//! The rounds are cloned from rounds the engine made (a requisition approved, one rejected,
//! one pending at the head, one pending at the central office), so every row has the shape the
//! engine writes. Pending tasks go to the department heads and the central office; wang.fang
//! (Sales head) has a realistic inbox of 150.
//!
//! cargo bench --bench web -- [--rate 100] [--seconds 15] [--decided 100000] [--pending 5000]
//! (PostgreSQL when BIZDESK_BENCH_POSTGRES_URL is set.)

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "web/seed.rs"]
mod seed;

use common::{spawn_desk, TestDesk};
use seed::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

struct Args {
    rate: u64,
    seconds: u64,
    decided: usize,
    pending: usize,
}

fn args() -> Args {
    let mut a = Args {
        rate: 100,
        seconds: 15,
        decided: 100_000,
        pending: 5_000,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = || v.get(i + 1).and_then(|s| s.parse::<u64>().ok());
        match v[i].as_str() {
            "--rate" => a.rate = next().expect("--rate N"),
            "--seconds" => a.seconds = next().expect("--seconds N"),
            "--decided" => a.decided = next().expect("--decided N") as usize,
            "--pending" => a.pending = next().expect("--pending N") as usize,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

/// A session cookie for `handle`, as a sign-in opens it.
async fn session(d: &TestDesk, handle: &str) -> String {
    let e = d.employee(handle).await;
    let token = format!("bench{:027x}", e.id as u128 * 0x9e37_79b9_7f4a_7c15);
    let now = bizdesk::store::to_ms(d.chat.desk.now());
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, employee_id, csrf, via, created_at, last_seen_at) \
         VALUES ($1, $2, 'bench', 'bench', $3, $3)",
    )
    .bind(hex::encode(Sha256::digest(token.as_bytes())))
    .bind(e.id)
    .bind(now)
    .execute(d.chat.desk.store.pool())
    .await
    .unwrap();
    format!("bizdesk_session={token}")
}

/// Latencies of one route, with the statuses seen.
struct Run {
    latencies: Vec<Duration>,
    statuses: HashMap<u16, usize>,
    bytes: usize,
}

impl Run {
    fn pct(&mut self, p: f64) -> f64 {
        self.latencies.sort();
        let i = ((self.latencies.len().max(1) - 1) as f64 * p).round() as usize;
        self.latencies
            .get(i)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// Sends GET `url` `rate` times a second for `seconds`, on schedule (open loop).
async fn open_loop(
    http: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    rate: u64,
    seconds: u64,
) -> Run {
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut handles = Vec::new();
    for _ in 0..rate * seconds {
        let scheduled = tick.tick().await;
        let mut r = http.get(url);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        handles.push(tokio::spawn(async move {
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            let body = resp.bytes().await.map(|b| b.len()).unwrap_or(0);
            (scheduled.elapsed(), status, body)
        }));
    }
    let mut run = Run {
        latencies: vec![],
        statuses: HashMap::new(),
        bytes: 0,
    };
    for h in handles {
        let (took, status, body) = h.await.unwrap();
        run.latencies.push(took);
        *run.statuses.entry(status).or_default() += 1;
        run.bytes = run.bytes.max(body);
    }
    run
}

/// The inbox service alone (the query and the subjects, no HTML), at the same open-loop rate.
async fn service_loop(d: &TestDesk, rate: u64, seconds: u64) -> (Run, usize) {
    let actor = d.employee(APPROVER).await;
    let items = bizdesk::approval::inbox::open_tasks(&d.chat.desk, &actor)
        .await
        .unwrap()
        .len();
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut handles = Vec::new();
    for _ in 0..rate * seconds {
        let scheduled = tick.tick().await;
        let (desk, actor) = (d.chat.desk.clone(), actor.clone());
        handles.push(tokio::spawn(async move {
            let n = bizdesk::approval::inbox::open_tasks(&desk, &actor)
                .await
                .unwrap()
                .len();
            (scheduled.elapsed(), n)
        }));
    }
    let mut run = Run {
        latencies: vec![],
        statuses: HashMap::new(),
        bytes: 0,
    };
    for h in handles {
        run.latencies.push(h.await.unwrap().0);
    }
    (run, items)
}

fn main() {
    let a = args();
    if let Ok(pg) = std::env::var("BIZDESK_BENCH_POSTGRES_URL") {
        std::env::set_var("BIZDESK_TEST_POSTGRES_URL", pg);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let backend = if common::postgres().is_some() { "PostgreSQL" } else { "SQLite" };
        let mut d = spawn_desk().await;
        let started = Instant::now();
        seed(&d, a.decided, a.pending).await;
        let counts = d.count("SELECT COUNT(*) FROM approvals WHERE status = 'pending'").await;
        let inbox = d
            .count(&format!(
                "SELECT COUNT(*) FROM approval_tasks t JOIN employees e ON e.id = t.assignee_id \
                 WHERE t.status = 'open' AND e.handle = '{APPROVER}'"
            ))
            .await;
        println!(
            "Web desk on {backend}: {} approvals ({counts} pending, {inbox} in {APPROVER}'s inbox), seeded in {:.1} s; \
             open loop {}/s for {} s per route; load average {}",
            d.count("SELECT COUNT(*) FROM approvals").await,
            started.elapsed().as_secs_f64(),
            a.rate,
            a.seconds,
            std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" "),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        d.config.web.public_url = base.clone();
        let app = bizdesk::web::router(d.chat.clone(), bizdesk::web::WebSettings::from_config(&d.config));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let approver = session(&d, APPROVER).await;
        let viewer = session(&d, DASH_VIEWER).await;
        // Warm up connections and caches.
        for (path, cookie) in [("/healthz", None), ("/inbox", Some(&approver)), ("/dash", Some(&viewer))] {
            let _ = open_loop(&http, &format!("{base}{path}"), cookie.map(|c| c.as_str()), a.rate, 1).await;
        }
        println!("  route                    p50 (ms)   p99 (ms)   max (ms)   statuses         largest body");
        let mut results = Vec::new();
        for (label, path, cookie, target) in [
            ("/healthz (baseline)", "/healthz", None, None),
            ("/inbox (wang.fang)", "/inbox", Some(&approver), Some(25.0)),
            ("/dash (chen.jie)", "/dash", Some(&viewer), Some(100.0)),
        ] {
            let mut r = open_loop(&http, &format!("{base}{path}"), cookie.map(|c| c.as_str()), a.rate, a.seconds).await;
            let mut statuses: Vec<_> = r.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
            statuses.sort();
            let (p50, p99, max) = (r.pct(0.5), r.pct(0.99), r.pct(1.0));
            println!("  {label:<22} {p50:>9.2}  {p99:>9.2}  {max:>9.2}   {:<16} {} B", statuses.join(" "), r.bytes);
            let ok = r.statuses.get(&200).copied().unwrap_or(0) == r.latencies.len();
            results.push((label, p99, target, ok));
        }
        let (mut svc, items) = service_loop(&d, a.rate, a.seconds).await;
        println!(
            "  open_tasks ({items} items)  {:>9.2}  {:>9.2}  {:>9.2}   (the inbox service alone, no HTTP or HTML)",
            svc.pct(0.5), svc.pct(0.99), svc.pct(1.0)
        );
        for (label, p99, target, ok) in results {
            if let Some(t) = target {
                let verdict = match (ok, p99 <= t) {
                    (false, _) => "not measured (not every answer was 200)",
                    (true, true) => "met",
                    (true, false) => "NOT met",
                };
                println!("  target p99 <= {t} ms for {label}: {verdict}");
            }
        }
        println!(
            "  load average after: {}",
            std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" ")
        );
    });
}
