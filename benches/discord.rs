//! Discord interaction benchmark: first-response latency (from the fake sending
//! INTERACTION_CREATE to it receiving the callback) at a fixed offered rate and at the maximum,
//! for bizdesk and for a same-run baseline — serenity with a handler that answers at once (the
//! transport floor). bizdesk runs as its own process (the release binary, configured by
//! BIZDESK__* variables, as an operator would), so the fake and the load driver do not share its
//! runtime; the floor runs inside the bench process, which makes it a pessimistic floor.
//!
//! cargo bench --bench discord -- [--rate 200] [--seconds 30] [--postgres URL]

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "../tests/it/discord_support/mod.rs"]
mod discord_support;
#[path = "../tests/it/fake_discord/mod.rs"]
mod fake_discord;

use discord_support::{discord_id, requisition};
use fake_discord::{FakeDiscord, Interaction};
use serenity::all::{Context, EventHandler, GatewayIntents, Interaction as SInteraction};
use serenity::client::ClientBuilder;
use serenity::http::HttpBuilder;
use std::time::{Duration, Instant};

struct Args {
    rate: u64,
    seconds: u64,
    postgres: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        rate: 200,
        seconds: 30,
        postgres: None,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        match v[i].as_str() {
            "--rate" => a.rate = v[i + 1].parse().expect("--rate N"),
            "--seconds" => a.seconds = v[i + 1].parse().expect("--seconds N"),
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

/// Requesters who are not department heads, so each submission takes the normal route.
const USERS: [&str; 4] = ["tom.baker", "li.na", "huang.lei", "xu.jing"];

fn interaction(n: u64) -> Interaction {
    let who = USERS[(n % USERS.len() as u64) as usize];
    Interaction::slash(
        discord_id(who),
        "en-US",
        "requisition",
        Some("new"),
        requisition(&format!("Pen {n}"), 1, "5"),
    )
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len().max(1) - 1) as f64 * p).round() as usize;
    v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Latencies of the callbacks for these interaction ids.
fn latencies(fake: &FakeDiscord, ids: &[u64]) -> Vec<Duration> {
    let cbs = fake.callbacks();
    ids.iter()
        .filter_map(|id| {
            cbs.iter()
                .find(|c| c.interaction_id == *id)
                .and_then(|c| c.latency)
        })
        .collect()
}

/// Offers `rate` interactions a second for `seconds`; returns (answered, p50 ms, p99 ms).
async fn fixed_rate(
    fake: &FakeDiscord,
    rate: u64,
    seconds: u64,
    start_n: u64,
) -> (usize, f64, f64, usize) {
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut ids = Vec::new();
    let total = rate * seconds;
    for n in 0..total {
        tick.tick().await;
        ids.push(fake.push(&interaction(start_n + n)).await.id);
    }
    // Let the stragglers land.
    let deadline = Instant::now() + Duration::from_secs(10);
    while latencies(fake, &ids).len() < ids.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut l = latencies(fake, &ids);
    let slow = l.iter().filter(|d| **d > Duration::from_secs(3)).count();
    (l.len(), pct(&mut l, 0.5), pct(&mut l, 0.99), slow)
}

/// Keeps `in_flight` interactions outstanding for `seconds`; returns (per second, p50, p99).
async fn maximum(
    fake: &FakeDiscord,
    seconds: u64,
    in_flight: usize,
    start_n: u64,
) -> (f64, f64, f64) {
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut ids = Vec::new();
    let mut n = start_n;
    let mut window: std::collections::VecDeque<u64> = Default::default();
    while Instant::now() < end {
        while window.len() < in_flight {
            let id = fake.push(&interaction(n)).await.id;
            n += 1;
            window.push_back(id);
            ids.push(id);
        }
        if let Some(oldest) = window.pop_front() {
            fake.wait_callback(oldest, Duration::from_secs(10)).await;
        }
    }
    for id in window {
        fake.wait_callback(id, Duration::from_secs(10)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = latencies(fake, &ids);
    (
        l.len() as f64 / elapsed,
        pct(&mut l, 0.5),
        pct(&mut l, 0.99),
    )
}

struct Floor;

#[serenity::async_trait]
impl EventHandler for Floor {
    async fn interaction_create(&self, ctx: Context, interaction: SInteraction) {
        if let SInteraction::Command(c) = interaction {
            let body = serde_json::json!({ "type": 4, "data": { "content": "ok", "flags": 64 } });
            let _ = ctx
                .http
                .create_interaction_response(c.id, &c.token, &body, vec![])
                .await;
        }
    }
}

/// The transport floor: serenity against the fake, answering every interaction at once.
async fn floor(rate: u64, seconds: u64) -> ((usize, f64, f64, usize), (f64, f64, f64)) {
    let fake = FakeDiscord::start().await;
    let http = HttpBuilder::new(fake_discord::TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .client(reqwest::Client::builder().no_proxy().build().unwrap())
        .application_id(fake_discord::APP_ID.into())
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(Floor)
        .await
        .unwrap();
    let shards = client.shard_manager.clone();
    let run = tokio::spawn(async move { client.start().await });
    while !fake.is_live() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fixed = fixed_rate(&fake, rate, seconds, 0).await;
    let max = maximum(&fake, seconds.min(10), 32, 1_000_000).await;
    shards.shutdown_all().await;
    let _ = run.await;
    (fixed, max)
}

/// `bizdesk serve` as its own process (the release binary), configured by environment
/// variables only, pointed at the fake.
async fn bizdesk_process(fake: &FakeDiscord, dir: &std::path::Path) -> std::process::Child {
    let url = bizdesk::store::fresh::fresh_url(common::postgres().as_deref(), dir, "bench_discord")
        .await
        .unwrap();
    let org = discord_support::org_with_discord_ids(dir);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_bizdesk"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BIZDESK__DATABASE__URL", &url)
        .env("BIZDESK__DIRECTORY__FILE", &org)
        .env("BIZDESK__DISCORD__TOKEN", fake_discord::TOKEN)
        .env("BIZDESK__DISCORD__API_BASE", fake.api_base())
        .env(
            "BIZDESK__DISCORD__GUILD_ID",
            fake_discord::GUILD_ID.to_string(),
        )
        .env("BIZDESK__WEB__BIND", "127.0.0.1:0")
        .env("BIZDESK__LOG__LEVEL", "warn")
        .spawn()
        .expect("start bizdesk");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fake.is_live() {
        assert!(Instant::now() < deadline, "bizdesk never connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if let Some(pg) = &a.postgres {
            std::env::set_var("BIZDESK_TEST_POSTGRES_URL", pg);
        }
        let backend = if a.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
        println!("Discord interactions: /requisition new at {}/s for {} s, then the maximum (32 in flight, {} s); {backend}", a.rate, a.seconds, a.seconds.min(10));
        let (ff, fm) = floor(a.rate, a.seconds).await;
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut child = bizdesk_process(&fake, dir.path()).await;
        let bf = fixed_rate(&fake, a.rate, a.seconds, 0).await;
        let bm = maximum(&fake, a.seconds.min(10), 32, 1_000_000).await;
        let _ = std::process::Command::new("kill").arg(child.id().to_string()).status();
        let _ = child.wait();
        println!("                               answered   p50 (ms)   p99 (ms)   over 3 s");
        println!("  floor (serenity, no work)    {:>8}   {:>8.2}   {:>8.2}   {:>8}", ff.0, ff.1, ff.2, ff.3);
        println!("  bizdesk                      {:>8}   {:>8.2}   {:>8.2}   {:>8}", bf.0, bf.1, bf.2, bf.3);
        println!("  maximum: floor {:.0}/s (p50 {:.2} ms, p99 {:.2} ms); bizdesk {:.0}/s (p50 {:.2} ms, p99 {:.2} ms)", fm.0, fm.1, fm.2, bm.0, bm.1, bm.2);
        println!("  target p99 <= 25 ms at {}/s: {}", a.rate, if bf.2 <= 25.0 { "met" } else { "NOT met" });
    });
}
