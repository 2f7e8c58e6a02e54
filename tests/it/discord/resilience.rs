//! Discord end to end when things go wrong: restarts, reconnects, rate limits, closed DMs, a
//! slow database, and the HTTP interactions endpoint with good and forged signatures.

use crate::discord_support;
use crate::fake_discord;

use discord_support::{config_at, config_for, content, discord_id, requisition, Bot, WAIT};
use ed25519_dalek::{Signer, SigningKey};
use fake_discord::{FakeDiscord, FakeOptions, Interaction};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_sent_before_a_restart_works_after_it() {
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Desk", 1, "900").await;
    let prompt = bot.prompt("wang.fang", "REQ-000001").await;
    let (fake, config, dir) = bot.stop().await;
    let bot = Bot::start_with(fake, config).await;
    let r = bot.click("wang.fang", &prompt, 0).await;
    assert!(content(&r).contains("你同意了"), "{r}");
    bot.prompt("chen.jie", "REQ-000001").await;
    bot.stop().await;
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_mid_flow_resumes_and_nothing_is_lost() {
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Chair", 1, "500").await;
    let prompt = bot.prompt("wang.fang", "REQ-000001").await;
    bot.fake.send_reconnect();
    let deadline = tokio::time::Instant::now() + WAIT;
    while bot.fake.resumes() < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no RESUME after RECONNECT"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_for("/readyz ready again after the resume", || async {
        get(bot.web, "/readyz").await.0 == 200
    })
    .await;
    let r = bot.click("wang.fang", &prompt, 0).await;
    assert!(content(&r).contains("你同意了"), "{r}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_dm_is_retried_after_retry_after_and_arrives_once() {
    let bot = Bot::start_manual().await;
    bot.fake.fail_next(
        "POST",
        "/api/v10/channels/",
        429,
        json!({ "message": "You are being rate limited.", "retry_after": 0.2, "global": false }),
        1,
    );
    bot.submit("tom.baker", "Lamp", 1, "80").await;
    // On a stopped clock the retry waits for the test: everything due is delivered, the
    // clock moving past retry_after, until nothing is left to send.
    bot.drain().await;
    let prompts = bot.fake.dm_messages(discord_id("wang.fang"));
    assert_eq!(prompts.len(), 1, "delivered exactly once");
    assert!(prompts[0].text().contains("REQ-000001"));
    assert_eq!(
        bot.fake.requests_to("POST", "/api/v10/channels/").len(),
        2,
        "one 429, one retry"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_dms_are_recorded_and_shown_to_the_requester_not_retried() {
    let bot = Bot::start_manual().await;
    bot.fake.block_dms(discord_id("wang.fang"));
    bot.submit("tom.baker", "Phone", 1, "3000").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let show = bot
            .slash(
                "tom.baker",
                "en-US",
                "requisition",
                Some("show"),
                vec![("ref", json!("REQ-000001"))],
            )
            .await;
        if content(&show).contains("DMs closed") {
            assert!(content(&show).contains("王芳"), "{show}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not reported: {show}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts = bot.fake.requests_to("POST", "/api/v10/channels/").len();
    // Deliver whatever is left, moving the clock past any retry: the refused DM is not among it.
    bot.drain().await;
    assert_eq!(
        bot.fake.requests_to("POST", "/api/v10/channels/").len(),
        attempts,
        "a 50007 is never retried"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_database_gets_a_deferred_answer_then_the_edit() {
    let bot = Bot::start().await;
    // Hold the write lock (SQLite) or the audit chain's head row (PostgreSQL) for 3.5 s.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(bot.config.database.url.expose())
        .await
        .unwrap();
    let mut blocker = pool.begin().await.unwrap();
    let lock = if bot.config.database.url.expose().starts_with("sqlite") {
        "UPDATE audit_head SET seq = seq WHERE id = 1"
    } else {
        "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"
    };
    sqlx::query(lock).execute(&mut *blocker).await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        blocker.rollback().await.unwrap();
    });
    let i = Interaction::slash(
        discord_id("tom.baker"),
        "en-US",
        "requisition",
        Some("new"),
        requisition("Fan", 1, "60"),
    );
    let pushed = bot.fake.push(&i).await;
    let first = bot
        .fake
        .wait_callback(pushed.id, WAIT)
        .await
        .expect("a first response");
    assert_eq!(first["type"], 5, "deferred within Discord's 3 s: {first}");
    let cb = bot
        .fake
        .callbacks()
        .into_iter()
        .find(|c| c.interaction_id == pushed.id)
        .unwrap();
    assert!(
        cb.latency.unwrap() < Duration::from_secs(3) && cb.status == 204,
        "{:?}",
        cb.latency
    );
    let edit = bot
        .fake
        .wait_original_edit(&pushed.token, WAIT)
        .await
        .expect("the deferred answer is edited in");
    assert!(
        edit["content"]
            .as_str()
            .unwrap_or_default()
            .contains("REQ-000001"),
        "{edit}"
    );
    release.await.unwrap();
    pool.close().await;
    bot.stop().await;
}

fn signed(key: &SigningKey, body: &str) -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    signed_at(key, body, now)
}

fn signed_at(key: &SigningKey, body: &str, unix_secs: u64) -> (String, String) {
    let timestamp = unix_secs.to_string();
    let sig = key.sign(format!("{timestamp}{body}").as_bytes());
    (hex::encode(sig.to_bytes()), timestamp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_verifies_signatures_and_runs_the_same_handlers() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let mut config = config_for(&fake, dir.path()).await;
    config.discord.mode = bizdesk::config::DiscordMode::Http;
    config.discord.application_id = Some(fake_discord::APP_ID);
    config.discord.public_key = hex::encode(key.verifying_key().to_bytes());
    let bot = Bot::start_with(fake, config).await;
    let url = format!("http://{}/discord/interactions", bot.web);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    // No connection to hold in http mode: ready once the database answers.
    let (status, body) = get(bot.web, "/readyz").await;
    assert!(status == 200 && body.contains("http endpoint"), "{body}");

    let ping = json!({ "id": "1", "application_id": fake_discord::APP_ID.to_string(), "type": 1, "token": "t", "version": 1 }).to_string();
    let (sig, ts) = signed(&key, &ping);
    let r = client
        .post(&url)
        .header("X-Signature-Ed25519", sig)
        .header("X-Signature-Timestamp", ts)
        .body(ping.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({ "type": 1 })
    );

    // Forged: signed by another key, or not signed at all.
    let (bad, ts) = signed(&SigningKey::from_bytes(&[9u8; 32]), &ping);
    let r = client
        .post(&url)
        .header("X-Signature-Ed25519", bad)
        .header("X-Signature-Timestamp", ts)
        .body(ping.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client.post(&url).body(ping.clone()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Rightly signed but captured long ago and replayed: refused.
    let (sig, ts) = signed_at(&key, &ping, 1_764_180_000);
    let r = client
        .post(&url)
        .header("X-Signature-Ed25519", sig)
        .header("X-Signature-Timestamp", ts)
        .body(ping)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.text().await.unwrap(), "stale request timestamp");

    // A slash command over HTTP: the same handler, answered in the HTTP response.
    let slash = Interaction::slash(
        discord_id("tom.baker"),
        "en-US",
        "requisition",
        Some("new"),
        requisition("Mug", 2, "30"),
    );
    let body = slash.json().to_string();
    let (sig, ts) = signed(&key, &body);
    let r = client
        .post(&url)
        .header("X-Signature-Ed25519", sig)
        .header("X-Signature-Timestamp", ts)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: serde_json::Value = r.json().await.unwrap();
    assert!(content(&answer).contains("REQ-000001"), "{answer}");
    // Prompts still go out by DM through the outbox.
    bot.prompt("wang.fang", "REQ-000001").await;
    let (_, _, _) = bot.stop().await;
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_on_a_dm_is_retried_with_backoff() {
    let bot = Bot::start_manual().await;
    bot.fake.fail_next(
        "POST",
        "/api/v10/channels/",
        500,
        json!({ "message": "oops", "code": 0 }),
        1,
    );
    bot.submit("tom.baker", "Tray", 1, "20").await;
    // The retry waits its backoff on the stopped clock; the drain moves the clock past it.
    bot.drain().await;
    bot.prompt("wang.fang", "REQ-000001").await;
    assert_eq!(
        bot.fake.requests_to("POST", "/api/v10/channels/").len(),
        2,
        "one failure, one retry"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_register_overwrites_the_commands_from_the_cli() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&fake, dir.path()).await;
    let out = tokio::task::spawn_blocking({
        let (url, base) = (config.database.url.expose().to_string(), fake.api_base());
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_bizdesk"))
                .args(["discord", "register"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("BIZDESK__DATABASE__URL", url)
                .env("BIZDESK__DISCORD__TOKEN", fake_discord::TOKEN)
                .env("BIZDESK__DISCORD__API_BASE", base)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("registered 21 global commands"), "{text}");
    assert_eq!(fake.global_commands().len(), 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_id_is_learnt_from_the_bot_user_when_not_configured() {
    let fake = FakeDiscord::start().await;
    // A Discord that does not answer the application route: the bot user's id is used.
    fake.fail_next(
        "GET",
        "/api/v10/oauth2/applications/@me",
        404,
        json!({ "message": "Unknown route", "code": 0 }),
        5,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&fake, dir.path()).await;
    assert!(config.discord.application_id.is_none());
    let bot = Bot::start_with(fake, config).await;
    let regs = bot.fake.requests_to("PUT", "/api/v10/applications/");
    let bot_id = fake_discord::BOT_USER_ID.to_string();
    assert!(
        regs.iter().any(|r| r.path.contains(&bot_id)),
        "{:?}",
        regs.iter().map(|r| r.path.clone()).collect::<Vec<_>>()
    );
    let r = bot
        .slash("tom.baker", "en-US", "whoami", None, vec![])
        .await;
    assert!(content(&r).contains("Tom Baker"), "{r}");
    bot.stop().await;
    drop(dir);
}

/// Polls `check` until it holds, failing after [`WAIT`] with `what`.
async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// GETs `path` from bizdesk's web server: (status, body).
async fn get(web: std::net::SocketAddr, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = client
        .get(format!("http://{web}{path}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_discord_down_at_start_the_rest_serves_and_the_bot_connects_once_it_is_up() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "bizdesk=info,serenity=warn",
        ))
        .with_test_writer()
        .try_init();
    // An address where nothing listens: Discord is unreachable.
    let reserved = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let discord_addr = reserved.local_addr().unwrap();
    drop(reserved);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_at(&format!("http://{discord_addr}"), dir.path()).await;
    config.discord.reconnect_min_ms = 20;
    config.discord.reconnect_max_ms = 200;
    config.smtp.drop_dir = dir.path().join("outbox");
    let chat = bizdesk::app::open(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let web = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (cfg, serving) = (config.clone(), chat.clone());
    let task = tokio::spawn(async move {
        bizdesk::app::serve_on(&cfg, serving, Some(listener), async {
            let _ = stopped.await;
        })
        .await
    });

    // The web server answers; readiness names the part that is missing.
    wait_for("/healthz answers", || async {
        get(web, "/healthz").await.0 == 200
    })
    .await;
    let (status, body) = get(web, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["discord"], "not connected", "{body}");
    assert_eq!(body["database"], "ok", "{body}");

    // Email goes out: a requisition's receipt is written to the drop folder.
    let desk = &chat.desk;
    let tom = bizdesk::service::directory::actor_by_handle(desk, "tom.baker")
        .await
        .unwrap();
    let r = chat
        .run_line(
            &tom,
            "/requisition new item:Desk quantity:1 unit_price:900 reason:test",
        )
        .await;
    assert!(r.ok, "{}", r.text);
    let drop_dir = config.smtp.drop_dir.clone();
    wait_for("an email in the drop folder", || {
        let d = drop_dir.clone();
        async move { std::fs::read_dir(d).is_ok_and(|mut d| d.next().is_some()) }
    })
    .await;
    // The scheduler runs: a job due now gets done.
    let mut tx = desk.store.begin().await.unwrap();
    let now = bizdesk::store::to_ms(desk.now());
    let job = bizdesk::store::jobs::NewJob::new("noop", json!({}), now, "alive".into());
    bizdesk::service::jobs::schedule(&mut tx, desk.store.backend(), &job, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    wait_for("the scheduler runs a due job", || async {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE unique_key = 'alive' AND status = 'done'",
        )
        .fetch_one(desk.store.pool())
        .await
        .unwrap();
        n == 1
    })
    .await;

    // Discord comes up at that address: the bot connects, registers, answers, and the prompt
    // queued while it was down arrives.
    let rest = tokio::net::TcpListener::bind(discord_addr).await.unwrap();
    let fake = FakeDiscord::start_on(FakeOptions::default(), rest).await;
    wait_for("the gateway session", || async { fake.is_live() }).await;
    wait_for("/readyz says ready", || async {
        get(web, "/readyz").await.0 == 200
    })
    .await;
    assert!(!fake.guild_commands(fake_discord::GUILD_ID).is_empty());
    let i = Interaction::slash(discord_id("tom.baker"), "en-US", "whoami", None, vec![]);
    let pushed = fake.push(&i).await;
    let r = fake
        .wait_callback(pushed.id, WAIT)
        .await
        .expect("an answer");
    assert!(content(&r).contains("Tom Baker"), "{r}");
    fake.wait_dm(
        discord_id("wang.fang"),
        |m| m.text().contains("REQ-000001"),
        WAIT,
    )
    .await
    .expect("the prompt sent while Discord was down");

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .expect("bizdesk did not stop in time")
        .unwrap()
        .unwrap();
}
