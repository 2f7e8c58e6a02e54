//! Harness for end-to-end Discord tests: the real `bizdesk` serve path (SQLite, or PostgreSQL
//! when the suite runs there) against the wire-level fake, with a directory that gives every
//! employee a Discord id.
#![allow(dead_code)]

use crate::fake_discord::{self, FakeDiscord, Interaction};
use bizdesk::chat::discord::Discord;
use bizdesk::clock::ManualClock;
use bizdesk::config::{Config, DiscordMode, Secret};
use bizdesk::outbox::discord::DiscordOutbox;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(10);
/// The most [`Bot::drain`] moves a stopped clock at once (a lease is 60 s).
const STEP_MS: i64 = 20_000;

/// The Discord user id the test directory gives an employee (stable per handle).
pub fn discord_id(handle: &str) -> u64 {
    let sample = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml"));
    let n = sample
        .lines()
        .filter(|l| l.starts_with("handle = "))
        .position(|l| l.contains(&format!("\"{handle}\"")))
        .unwrap_or_else(|| panic!("no employee {handle}")) as u64;
    712_000_000_000_000_000 + n + 1
}

/// The sample directory with a `discord_id` for everyone.
pub fn org_with_discord_ids(dir: &std::path::Path) -> PathBuf {
    let sample = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml"));
    let mut out = String::new();
    for line in sample.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(h) = line.strip_prefix("handle = ") {
            let h = h.trim_matches('"');
            out.push_str(&format!("discord_id = \"{}\"\n", discord_id(h)));
        }
    }
    let p = dir.join("org.toml");
    std::fs::write(&p, out).unwrap();
    p
}

/// A running bizdesk connected to the fake.
pub struct Bot {
    pub fake: FakeDiscord,
    pub config: Config,
    pub web: std::net::SocketAddr,
    /// The desk the bot serves (shared with it: same database, same clock).
    pub chat: bizdesk::chat::Chat,
    /// Set when the bot runs on a stopped clock ([`Bot::start_manual`]).
    pub clock: Option<ManualClock>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

/// Settings for a bot on a fresh database talking to `fake`.
pub async fn config_for(fake: &FakeDiscord, dir: &std::path::Path) -> Config {
    config_at(&fake.api_base(), dir).await
}

/// Settings for a bot on a fresh database whose Discord API is at `api_base` (up or not).
pub async fn config_at(api_base: &str, dir: &std::path::Path) -> Config {
    let url =
        bizdesk::store::fresh::fresh_url(crate::common::postgres().as_deref(), dir, "discord")
            .await
            .unwrap();
    let mut c = Config::defaults();
    c.database.url = Secret::new(url);
    c.directory.file = org_with_discord_ids(dir);
    c.workflows.file = concat!(env!("CARGO_MANIFEST_DIR"), "/config/workflows.toml").into();
    c.discord.token = Secret::new(fake_discord::TOKEN);
    c.discord.api_base = api_base.to_string();
    c.discord.guild_id = Some(fake_discord::GUILD_ID);
    c.discord.mode = DiscordMode::Gateway;
    c
}

impl Bot {
    /// Starts bizdesk against a new fake and waits until the gateway session is live.
    pub async fn start() -> Bot {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(&fake, dir.path()).await;
        let mut bot = Bot::start_with(fake, config).await;
        bot._dir = Some(dir);
        bot
    }

    /// [`Bot::start`] with the desk's clock stopped at the present: nothing is retried until
    /// the test moves it, which [`Bot::drain`] does.
    pub async fn start_manual() -> Bot {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(&fake, dir.path()).await;
        let clock = ManualClock::new(chrono::Utc::now());
        let mut bot = Bot::start_with_clock(fake, config, Some(clock)).await;
        bot._dir = Some(dir);
        bot
    }

    /// Starts bizdesk with these settings (the database may already hold history).
    pub async fn start_with(fake: FakeDiscord, config: Config) -> Bot {
        Bot::start_with_clock(fake, config, None).await
    }

    async fn start_with_clock(
        fake: FakeDiscord,
        config: Config,
        clock: Option<ManualClock>,
    ) -> Bot {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "bizdesk=info,serenity=warn",
            ))
            .with_test_writer()
            .try_init();
        let chat = match &clock {
            Some(c) => bizdesk::app::open_with_clock(&config, Arc::new(c.clone())).await,
            None => bizdesk::app::open(&config).await,
        }
        .unwrap();
        let served = chat.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let web = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let cfg = config.clone();
        let task = tokio::spawn(async move {
            bizdesk::app::serve_on(&cfg, served, Some(listener), async {
                let _ = rx.await;
            })
            .await
        });
        if config.discord.mode == DiscordMode::Gateway {
            let deadline = tokio::time::Instant::now() + WAIT;
            while !fake.is_live() {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the bot never connected to the fake gateway"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        Bot {
            fake,
            config,
            web,
            chat,
            clock,
            stop: Some(tx),
            task: Some(task),
            _dir: None,
        }
    }

    /// Stops bizdesk (clean shutdown) and hands back the fake and settings, for a restart.
    pub async fn stop(mut self) -> (FakeDiscord, Config, Option<tempfile::TempDir>) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let r = tokio::time::timeout(WAIT, t)
                .await
                .expect("bizdesk did not stop in time");
            r.unwrap().unwrap();
        }
        let dir = self._dir.take();
        (self.fake, self.config, dir)
    }

    /// Runs a slash command as `handle` and returns the response's body (`{"type", "data"}`).
    pub async fn slash(
        &self,
        handle: &str,
        locale: &str,
        command: &str,
        sub: Option<&str>,
        options: Vec<(&str, Value)>,
    ) -> Value {
        let i = Interaction::slash(discord_id(handle), locale, command, sub, options);
        let pushed = self.fake.push(&i).await;
        self.fake
            .wait_callback(pushed.id, WAIT)
            .await
            .expect("no response to the slash command")
    }

    /// Submits a requisition by slash command as `handle` (English client); returns the response.
    pub async fn submit(&self, handle: &str, item: &str, quantity: i64, unit_price: &str) -> Value {
        self.slash(
            handle,
            "en-US",
            "requisition",
            Some("new"),
            requisition(item, quantity, unit_price),
        )
        .await
    }

    /// The newest DM to `handle` that satisfies `pred`.
    pub async fn dm(
        &self,
        handle: &str,
        pred: impl Fn(&fake_discord::StoredMessage) -> bool,
    ) -> fake_discord::StoredMessage {
        self.fake
            .wait_dm(discord_id(handle), pred, WAIT)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no such DM to {handle}; DMs: {:#?}",
                    self.fake
                        .dm_messages(discord_id(handle))
                        .iter()
                        .map(|m| m.text())
                        .collect::<Vec<_>>()
                )
            })
    }

    /// The prompt DM'd to `handle` about `reference`, with buttons.
    pub async fn prompt(&self, handle: &str, reference: &str) -> fake_discord::StoredMessage {
        self.dm(handle, |m| {
            m.text().contains(reference) && !m.custom_ids().is_empty()
        })
        .await
    }

    /// Clicks a prompt's button (by position: 0 approve, 1 reject, 2 request changes).
    pub async fn click(
        &self,
        handle: &str,
        prompt: &fake_discord::StoredMessage,
        button: usize,
    ) -> Value {
        let custom_id = prompt.custom_ids()[button].clone();
        let i = Interaction::button(discord_id(handle), "zh-CN", &custom_id, prompt.to_json());
        let pushed = self.fake.push(&i).await;
        self.fake
            .wait_callback(pushed.id, WAIT)
            .await
            .expect("no response to the click")
    }
}

impl Bot {
    /// Delivers every chat message still to go, moving the stopped clock on to each retry's
    /// time, until the chat outbox has nothing pending: after it, whatever the fake has not
    /// received will never be sent. A deterministic stand-in for "wait a while and see".
    pub async fn drain(&self) {
        let clock = self
            .clock
            .as_ref()
            .expect("drain needs a bot on a stopped clock (Bot::start_manual)");
        let desk = &self.chat.desk;
        let discord = Discord::new(&self.config, self.chat.clone()).await.unwrap();
        let worker = DiscordOutbox::new(Arc::new(discord));
        let pending = "FROM outbox o JOIN employees e ON e.id = o.recipient_id \
             WHERE o.channel = 'chat' AND o.status = 'pending' AND e.discord_id IS NOT NULL";
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the chat outbox never emptied"
            );
            let now = desk.now().timestamp_millis();
            let (left, next): (i64, Option<i64>) = sqlx::query_as(&format!(
                "SELECT COUNT(*), MIN(o.next_attempt_at) {pending}"
            ))
            .fetch_one(desk.store.pool())
            .await
            .unwrap();
            if left == 0 {
                return;
            }
            let (sending,): (i64,) = sqlx::query_as(&format!(
                "SELECT COUNT(*) {pending} AND o.locked_until >= {now}"
            ))
            .fetch_one(desk.store.pool())
            .await
            .unwrap();
            if sending > 0 {
                // The bot's own worker is mid-send: let it settle before the clock moves, so
                // its lease cannot run out under it (and the row go out twice).
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            // Steps well inside a lease (60 s), so a row the bot's worker claims meanwhile
            // stays its own.
            let wait = next.unwrap_or(now).saturating_sub(now).clamp(0, STEP_MS);
            clock.advance(chrono::Duration::milliseconds(wait));
            worker.drain_once().await.unwrap();
        }
    }

    /// Asks for autocomplete as `handle` (English client) while `focused.0` holds `focused.1`;
    /// returns the choices.
    pub async fn autocomplete(
        &self,
        handle: &str,
        command: &str,
        sub: Option<&str>,
        focused: (&str, &str),
    ) -> Vec<Value> {
        let ac =
            Interaction::autocomplete(discord_id(handle), "en-US", command, sub, vec![], focused);
        let pushed = self.fake.push(&ac).await;
        let r = self
            .fake
            .wait_callback(pushed.id, WAIT)
            .await
            .expect("no autocomplete response");
        assert_eq!(r["type"], 8, "{r}");
        r["data"]["choices"].as_array().cloned().unwrap_or_default()
    }

    /// Answers a reason modal (the response to a click) as `handle`; returns the response.
    pub async fn answer_modal(&self, handle: &str, modal: &Value, reason: &str) -> Value {
        assert_eq!(modal["type"], 9, "not a modal: {modal}");
        let modal_id = modal["data"]["custom_id"].as_str().unwrap();
        let submit = Interaction::modal_submit(
            discord_id(handle),
            "zh-CN",
            modal_id,
            vec![("reason", reason)],
        );
        let pushed = self.fake.push(&submit).await;
        self.fake
            .wait_callback(pushed.id, WAIT)
            .await
            .expect("no response to the modal")
    }
}

/// The text of a message response.
pub fn content(response: &Value) -> String {
    response["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `/requisition new` options.
pub fn requisition(item: &str, quantity: i64, unit_price: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("item", json!(item)),
        ("quantity", json!(quantity)),
        ("unit_price", json!(unit_price)),
        ("reason", json!("new hires")),
    ]
}
