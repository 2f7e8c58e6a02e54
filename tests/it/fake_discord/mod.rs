//! A wire-level fake Discord on 127.0.0.1: REST (axum) and the gateway (a websocket server).
//!
//! The real serenity client talks to it over real HTTP and a real websocket, so a test exercises
//! exactly the bytes the bot would send to Discord. See /work/shared/reference/discord-wire.md.
//!
//! - Point serenity at it with
//!   `HttpBuilder::new(TOKEN).proxy(fake.api_base()).ratelimiter_disabled(true)
//!   .client(reqwest::Client::builder().no_proxy().build()?)` and
//!   `ClientBuilder::new_with_http(http, intents)`.
//! - Every REST request is recorded ([`FakeDiscord::requests`]); unknown routes get a
//!   Discord-shaped 404 so unexpected calls are visible.
//! - Interactions are built by [`Interaction`] (checked against serenity's own deserializer, so a
//!   payload serenity would silently drop panics instead) and sent with [`FakeDiscord::push`].
//! - Discord's documented limits are enforced on what the bot sends (content length, components,
//!   modals, command names, double acknowledgements, the 3 s deadline) with Discord's error
//!   shapes, so a test sees the failure the real API would produce.
//! - Every waiter takes a timeout and returns `None`/`false` on timeout.
#![allow(dead_code)]

mod commands;
mod gateway;
mod interaction;
mod limits;
mod messages;
pub mod oauth;
mod rest;
mod webhooks;

pub use interaction::{check_interaction_payload, Interaction};
pub use messages::{bot_user_json, user_json, StoredMessage};

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use gateway::gateway_conn;
use rest::rest_handler;

/// The application id (READY `application.id`, `/oauth2/applications/@me`, webhook routes).
/// Deliberately different from [`BOT_USER_ID`] so code that confuses the two fails here.
pub const APP_ID: u64 = 1_100_000_000_000_000_001;
/// The bot's own user id (`/users/@me`, READY `user`, author of every message the bot sends).
pub const BOT_USER_ID: u64 = 1_100_000_000_000_000_002;
/// The one guild `.in_guild()` interactions come from.
pub const GUILD_ID: u64 = 1_100_000_000_000_000_003;
/// The guild text channel `.in_guild()` interactions come from.
pub const GUILD_CHANNEL_ID: u64 = 1_100_000_000_000_000_004;
/// The bot token the fake accepts (`Authorization: Bot <TOKEN>`, gateway IDENTIFY).
pub const TOKEN: &str = "fake-discord-bot-token.bizdesk.0001";
pub const BOT_USERNAME: &str = "bizdesk";
/// Every locale Discord accepts (interaction `locale`, `name_localizations` keys).
pub const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
static LAST_SNOWFLAKE: AtomicU64 = AtomicU64::new(0);

/// A fresh, time-based, strictly increasing snowflake (process-wide).
pub fn snowflake() -> u64 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let base = (now_ms - DISCORD_EPOCH_MS) << 22;
    let mut last = LAST_SNOWFLAKE.load(Ordering::SeqCst);
    loop {
        let next = base.max(last + 1);
        match LAST_SNOWFLAKE.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// The DM channel the fake uses for `user_id`: stable, pure, and distinct from generated ids.
pub fn dm_channel_id(user_id: u64) -> u64 {
    // splitmix64 is a bijection, so distinct users get distinct channels (up to the mask).
    let mut z = user_id.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    0x0D00_0000_0000_0000 | (z & 0x00FF_FFFF_FFFF_FFFF)
}

fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Public records
// ---------------------------------------------------------------------------------------------

/// One REST request as it arrived (after the `/api/v10` prefix was stripped from `path`).
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without `/api/v10`, e.g. `/channels/123/messages`.
    pub path: String,
    pub query: Option<String>,
    /// JSON body (`payload_json` for multipart uploads), `Null` when empty.
    pub body: Value,
    /// Number of file parts in a multipart upload.
    pub files: usize,
    pub at: Instant,
    /// The status the fake answered (0 while the request is still being answered).
    pub status: u16,
}

/// One `POST /interactions/{id}/{token}/callback`, accepted or not.
#[derive(Clone, Debug)]
pub struct Callback {
    pub interaction_id: u64,
    pub token: String,
    /// `{"type": N, "data": {...}}` as serenity sent it.
    pub body: Value,
    pub at: Instant,
    /// Time since the interaction was pushed (None for unknown interactions).
    pub latency: Option<Duration>,
    /// 204 when accepted; 400/404 when Discord would have refused it.
    pub status: u16,
}

impl Callback {
    pub fn kind(&self) -> u64 {
        self.body["type"].as_u64().unwrap_or(0)
    }
}

/// What [`FakeDiscord::push`] returns: enough to wait for the bot's answer.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub id: u64,
    pub token: String,
    /// The gateway sequence number of the dispatch.
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// HELLO `heartbeat_interval`.
    pub heartbeat_interval: Duration,
    /// Callbacks arriving later than this after the push get 404 Unknown interaction (10062),
    /// as on Discord (3 s). `None` disables the check.
    pub interaction_deadline: Option<Duration>,
    /// Enforce Discord's limits on message/modal/command bodies (400 Invalid Form Body).
    pub validate: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            heartbeat_interval: Duration::from_millis(500),
            interaction_deadline: Some(Duration::from_secs(3)),
            validate: true,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------------------------

struct Fault {
    method: String,
    prefix: String,
    status: u16,
    body: Value,
    remaining: usize,
}

struct PushedInfo {
    token: String,
    kind: u64,
    user_id: Option<u64>,
    pushed_at: Instant,
    /// For component interactions: the message the component is on.
    message: Option<(u64, u64)>,
    /// The accepted callback type, once acknowledged.
    response: Option<u64>,
}

#[derive(Default)]
struct WebhookState {
    original: Option<Value>,
    original_edits: Vec<Value>,
    followups: Vec<Value>,
}

struct StoredMsg {
    json: Value,
    edits: usize,
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<WsMessage>,
    live: bool,
}

#[derive(Default)]
struct GatewayState {
    conn: Option<Conn>,
    connections: u64,
    seq: u64,
    session_id: Option<String>,
    identifies: Vec<Value>,
    resumes: Vec<Value>,
    heartbeats: usize,
    drop_acks: bool,
    frames: Vec<Value>,
    dispatched: Vec<Value>,
}

#[derive(Default)]
struct State {
    requests: Vec<RecordedRequest>,
    faults: Vec<Fault>,
    delays: Vec<(String, Duration)>,
    blocked_dms: HashSet<u64>,
    callbacks: Vec<Callback>,
    interactions: HashMap<u64, PushedInfo>,
    tokens: HashMap<String, u64>,
    global_commands: Vec<Value>,
    guild_commands: HashMap<u64, Vec<Value>>,
    last_registered: Vec<Value>,
    registrations: usize,
    messages: Vec<StoredMsg>,
    dm_opened: HashSet<u64>,
    webhooks: HashMap<String, WebhookState>,
    gw: GatewayState,
    tasks: Vec<AbortHandle>,
}

struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    opts: FakeOptions,
    gateway_url: String,
    oauth: Mutex<oauth::OAuthApp>,
}

impl Shared {
    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let r = f(&mut self.state.lock().unwrap());
        self.changed.send_modify(|v| *v += 1);
        r
    }
    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.lock().unwrap())
    }
}

/// The fake Discord. Dropping it stops its servers.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    rest_port: u16,
    gw_port: u16,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        if let Ok(s) = self.shared.state.lock() {
            for t in &s.tasks {
                t.abort();
            }
        }
    }
}

// Starting, waiting, and REST/command/callback records. The rest of the API is beside what it
// drives: fault injection in rest.rs, @original and follow-ups in webhooks.rs, channel messages
// in messages.rs, gateway controls and pushes in gateway.rs.
impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with(FakeOptions::default()).await
    }

    pub async fn start_with(opts: FakeOptions) -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        FakeDiscord::start_on(opts, rest).await
    }

    /// Starts the fake with its REST API on a listener the test bound (e.g. the address a
    /// bot has been failing to reach).
    pub async fn start_on(opts: FakeOptions, rest: TcpListener) -> FakeDiscord {
        let gw = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let rest_port = rest.local_addr().unwrap().port();
        let gw_port = gw.local_addr().unwrap().port();
        let (changed, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed,
            opts,
            gateway_url: format!("ws://127.0.0.1:{gw_port}"),
            oauth: Mutex::default(),
        });
        let app = oauth::routes()
            .fallback(rest_handler)
            .with_state(shared.clone());
        let rest_task = tokio::spawn(async move {
            // Without TCP_NODELAY small answers wait for delayed ACKs (~40 ms on Linux).
            let rest = axum::serve::ListenerExt::tap_io(rest, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(rest, app).await;
        });
        let gw_shared = shared.clone();
        let gw_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = gw.accept().await else {
                    continue;
                };
                let s = gw_shared.clone();
                let h = tokio::spawn(gateway_conn(stream, s));
                gw_shared.update(|st| st.tasks.push(h.abort_handle()));
            }
        });
        shared.update(|s| {
            s.tasks.push(rest_task.abort_handle());
            s.tasks.push(gw_task.abort_handle());
        });
        FakeDiscord {
            shared,
            rest_port,
            gw_port,
        }
    }

    /// `http://127.0.0.1:PORT` — give it to `HttpBuilder::proxy`.
    pub fn api_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.rest_port)
    }

    /// `ws://127.0.0.1:PORT` — what `GET /gateway` advertises.
    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.gw_port)
    }

    /// Wait until `f` returns Some, re-checking on every state change; None on timeout.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&FakeView<'_>) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.shared.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(t) = self.shared.read(|s| f(&FakeView(s))) {
                return Some(t);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return None,
            }
        }
    }

    // ----- REST records ------------------------------------------------------------------

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// Requests whose method is `method` ("*" for any) and path starts with `path_prefix`.
    pub fn requests_to(&self, method: &str, path_prefix: &str) -> Vec<RecordedRequest> {
        let prefix = normalize_prefix(path_prefix);
        self.shared.read(|s| {
            s.requests
                .iter()
                .filter(|r| {
                    (method == "*" || r.method.eq_ignore_ascii_case(method))
                        && r.path.starts_with(&prefix)
                })
                .cloned()
                .collect()
        })
    }

    /// The commands of the last `PUT .../commands` (global or guild), as echoed back.
    pub fn registered_commands(&self) -> Vec<Value> {
        self.shared.read(|s| s.last_registered.clone())
    }

    pub fn global_commands(&self) -> Vec<Value> {
        self.shared.read(|s| s.global_commands.clone())
    }

    pub fn guild_commands(&self, guild_id: u64) -> Vec<Value> {
        self.shared
            .read(|s| s.guild_commands.get(&guild_id).cloned().unwrap_or_default())
    }

    /// How many bulk registrations (`PUT .../commands`) were accepted.
    pub fn command_registrations(&self) -> usize {
        self.shared.read(|s| s.registrations)
    }

    /// Every interaction callback attempt (accepted ones have status 204).
    pub fn callbacks(&self) -> Vec<Callback> {
        self.shared.read(|s| s.callbacks.clone())
    }

    /// The body of the accepted callback for `interaction_id`.
    pub async fn wait_callback(&self, interaction_id: u64, timeout: Duration) -> Option<Value> {
        self.wait_until(timeout, |v| {
            v.0.callbacks
                .iter()
                .find(|c| c.interaction_id == interaction_id && c.status == 204)
                .map(|c| c.body.clone())
        })
        .await
    }
}

/// Read access to the fake's state inside [`FakeDiscord::wait_until`].
pub struct FakeView<'a>(&'a State);

impl FakeView<'_> {
    pub fn identifies(&self) -> usize {
        self.0.gw.identifies.len()
    }
    pub fn resumes(&self) -> usize {
        self.0.gw.resumes.len()
    }
    pub fn connections(&self) -> u64 {
        self.0.gw.connections
    }
    pub fn is_live(&self) -> bool {
        self.0.gw.conn.as_ref().is_some_and(|c| c.live)
    }
    pub fn requests(&self) -> &[RecordedRequest] {
        &self.0.requests
    }
    pub fn callbacks(&self) -> &[Callback] {
        &self.0.callbacks
    }
    pub fn channel_messages(&self, channel_id: u64) -> Vec<StoredMessage> {
        self.0
            .messages
            .iter()
            .filter(|m| id_of(&m.json["channel_id"]) == Some(channel_id))
            .map(|m| StoredMessage::from_json(&m.json, m.edits))
            .collect()
    }
    pub fn dm_messages(&self, user_id: u64) -> Vec<StoredMessage> {
        self.channel_messages(dm_channel_id(user_id))
    }
    pub fn original_edits(&self, token: &str) -> Vec<Value> {
        self.0
            .webhooks
            .get(token)
            .map(|w| w.original_edits.clone())
            .unwrap_or_default()
    }
}

fn normalize_prefix(p: &str) -> String {
    let p = p.strip_prefix("/api/v10").unwrap_or(p);
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}
