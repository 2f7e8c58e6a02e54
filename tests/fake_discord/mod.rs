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

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

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

/// The user object the fake uses for `user_id` (username `user<id>`).
pub fn user_json(user_id: u64) -> Value {
    json!({
        "id": user_id.to_string(),
        "username": format!("user{user_id}"),
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "public_flags": 0,
    })
}

pub fn bot_user_json() -> Value {
    json!({
        "id": BOT_USER_ID.to_string(),
        "username": BOT_USERNAME,
        "discriminator": "0",
        "global_name": "Bizdesk",
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0,
        "public_flags": 0,
    })
}

fn now_ts() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
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

/// A message in a channel, as it is now (edits applied).
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub id: u64,
    pub channel_id: u64,
    pub content: String,
    /// Action rows as sent (`[{type:1, components:[...]}]`).
    pub components: Vec<Value>,
    pub embeds: Vec<Value>,
    pub flags: u64,
    /// How many edits were applied (PATCH, or UPDATE_MESSAGE / deferred-update edits).
    pub edits: usize,
    /// The full Message JSON the fake would return for it.
    pub json: Value,
}

impl StoredMessage {
    fn from_json(json: &Value, edits: usize) -> Self {
        StoredMessage {
            id: id_of(&json["id"]).unwrap_or(0),
            channel_id: id_of(&json["channel_id"]).unwrap_or(0),
            content: json["content"].as_str().unwrap_or("").to_string(),
            components: json["components"].as_array().cloned().unwrap_or_default(),
            embeds: json["embeds"].as_array().cloned().unwrap_or_default(),
            flags: json["flags"].as_u64().unwrap_or(0),
            edits,
            json: json.clone(),
        }
    }

    /// The full Message JSON (what `Interaction::button` wants as the clicked message).
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }

    /// All components (buttons, selects) of all rows.
    pub fn all_components(&self) -> Vec<Value> {
        self.components
            .iter()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// custom_ids of all components, in order.
    pub fn custom_ids(&self) -> Vec<String> {
        self.all_components()
            .iter()
            .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
            .collect()
    }

    /// The first button whose label is `label`.
    pub fn button(&self, label: &str) -> Option<Value> {
        self.all_components()
            .into_iter()
            .find(|c| c["type"] == 2 && c["label"] == label)
    }

    /// Content plus embed titles/descriptions/fields, for "does it mention X" assertions.
    pub fn text(&self) -> String {
        let mut s = self.content.clone();
        for e in &self.embeds {
            for k in ["title", "description"] {
                if let Some(t) = e[k].as_str() {
                    s.push('\n');
                    s.push_str(t);
                }
            }
            for f in e["fields"].as_array().into_iter().flatten() {
                s.push('\n');
                s.push_str(f["name"].as_str().unwrap_or(""));
                s.push('\n');
                s.push_str(f["value"].as_str().unwrap_or(""));
            }
        }
        s
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
// Interaction payloads
// ---------------------------------------------------------------------------------------------

/// One INTERACTION_CREATE payload, checked against serenity's deserializer when built.
#[derive(Clone, Debug)]
pub struct Interaction {
    id: u64,
    token: String,
    user_id: u64,
    json: Value,
}

fn option_json(name: &str, value: Value) -> Value {
    // `{"type": N, "value": V}` (exactly those keys) gives an explicit option type.
    if let Value::Object(m) = &value {
        if m.len() == 2 && m.contains_key("type") && m.contains_key("value") {
            return json!({"name": name, "type": m["type"], "value": m["value"]});
        }
    }
    let kind = match &value {
        Value::String(_) => 3,
        Value::Bool(_) => 5,
        Value::Number(n) if n.is_i64() || n.is_u64() => 4,
        Value::Number(_) => 10,
        other => panic!("option {name}: cannot infer a Discord option type for {other}"),
    };
    json!({"name": name, "type": kind, "value": value})
}

/// Nest `options` under `subcommand` ("sub" or "group sub").
fn nest_options(subcommand: Option<&str>, options: Vec<Value>) -> Vec<Value> {
    match subcommand {
        None => options,
        Some(path) => {
            let parts: Vec<&str> = path.split_whitespace().collect();
            match parts.as_slice() {
                [sub] => vec![json!({"name": sub, "type": 1, "options": options})],
                [group, sub] => vec![json!({
                    "name": group, "type": 2,
                    "options": [{"name": sub, "type": 1, "options": options}],
                })],
                _ => panic!("subcommand must be \"sub\" or \"group sub\", got {path:?}"),
            }
        }
    }
}

/// A full Message JSON from a partial one (missing required fields filled in).
fn complete_message(partial: &Value, channel_id: u64) -> Value {
    let mut m = message_skeleton(snowflake(), channel_id, false);
    if let Value::Object(p) = partial {
        for (k, v) in p {
            m[k] = v.clone();
        }
    }
    normalize_embeds(&mut m);
    m
}

impl Interaction {
    fn base(kind: u64, user_id: u64, locale: &str, data: Value) -> Interaction {
        assert!(
            LOCALES.contains(&locale),
            "{locale:?} is not a Discord locale (use e.g. en-US, zh-CN, zh-TW)"
        );
        let id = snowflake();
        let token = format!("itok.{id}.{:x}", dm_channel_id(id));
        let channel = dm_channel_id(user_id);
        let json = json!({
            "id": id.to_string(),
            "application_id": APP_ID.to_string(),
            "type": kind,
            "data": data,
            "channel_id": channel.to_string(),
            "channel": {"id": channel.to_string(), "type": 1, "last_message_id": null,
                        "flags": 0, "recipients": [user_json(user_id)]},
            "user": user_json(user_id),
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": "2248473465835073",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
            "context": 1,
            "attachment_size_limit": 10_485_760,
        });
        Interaction {
            id,
            token,
            user_id,
            json,
        }
    }

    /// A slash command (type 2). Option types are inferred from the JSON value (string 3,
    /// integer 4, bool 5, float 10); pass `json!({"type": N, "value": V})` for others.
    /// `subcommand` is `"sub"` or `"group sub"`.
    pub fn slash(
        user_id: u64,
        locale: &str,
        command: &str,
        subcommand: Option<&str>,
        options: Vec<(&str, Value)>,
    ) -> Interaction {
        let opts = options
            .into_iter()
            .map(|(n, v)| option_json(n, v))
            .collect();
        let data = json!({
            "id": snowflake().to_string(),
            "name": command,
            "type": 1,
            "options": nest_options(subcommand, opts),
        });
        Interaction::base(2, user_id, locale, data).checked()
    }

    /// Autocomplete (type 4): `focused` is (option name, what the user has typed so far).
    pub fn autocomplete(
        user_id: u64,
        locale: &str,
        command: &str,
        subcommand: Option<&str>,
        options: Vec<(&str, Value)>,
        focused: (&str, &str),
    ) -> Interaction {
        let mut opts: Vec<Value> = options
            .into_iter()
            .map(|(n, v)| option_json(n, v))
            .collect();
        opts.push(json!({"name": focused.0, "type": 3, "value": focused.1, "focused": true}));
        let data = json!({
            "id": snowflake().to_string(),
            "name": command,
            "type": 1,
            "options": nest_options(subcommand, opts),
        });
        Interaction::base(4, user_id, locale, data).checked()
    }

    /// A button click (type 3, component_type 2) on `message` (a full Message JSON such as
    /// `StoredMessage::to_json()`, or a partial one: missing fields are filled in).
    pub fn button(user_id: u64, locale: &str, custom_id: &str, message: Value) -> Interaction {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let mut i = Interaction::base(3, user_id, locale, data);
        i.json["message"] = complete_message(&message, dm_channel_id(user_id));
        i.checked()
    }

    /// A string-select choice (type 3, component_type 3) on `message`.
    pub fn select(
        user_id: u64,
        locale: &str,
        custom_id: &str,
        values: Vec<&str>,
        message: Value,
    ) -> Interaction {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        let mut i = Interaction::base(3, user_id, locale, data);
        i.json["message"] = complete_message(&message, dm_channel_id(user_id));
        i.checked()
    }

    /// A modal submit (type 5): one action row per (text input custom_id, value).
    pub fn modal_submit(
        user_id: u64,
        locale: &str,
        custom_id: &str,
        fields: Vec<(&str, &str)>,
    ) -> Interaction {
        let rows: Vec<Value> = fields
            .into_iter()
            .map(|(cid, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": cid, "value": value}]})
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        Interaction::base(5, user_id, locale, data).checked()
    }

    /// The same interaction from a guild channel: `guild_id` + `member{user,...}`, no `user`.
    pub fn in_guild(mut self) -> Interaction {
        let obj = self.json.as_object_mut().unwrap();
        let user = obj
            .remove("user")
            .unwrap_or_else(|| user_json(self.user_id));
        obj.insert("guild_id".into(), json!(GUILD_ID.to_string()));
        obj.insert("guild_locale".into(), json!("en-US"));
        obj.insert("channel_id".into(), json!(GUILD_CHANNEL_ID.to_string()));
        obj.insert(
            "channel".into(),
            json!({"id": GUILD_CHANNEL_ID.to_string(), "type": 0, "name": "desk",
                   "guild_id": GUILD_ID.to_string(), "permissions": "2248473465835073",
                   "flags": 0, "nsfw": false, "parent_id": null, "position": 0}),
        );
        obj.insert("context".into(), json!(0));
        obj.insert(
            "member".into(),
            json!({
                "user": user,
                "nick": null, "avatar": null, "roles": [],
                "joined_at": "2024-01-01T00:00:00.000000+00:00",
                "premium_since": null, "deaf": false, "mute": false, "flags": 0,
                "pending": false, "permissions": "2248473465835073",
                "communication_disabled_until": null,
            }),
        );
        if let Some(m) = obj.get_mut("message") {
            m["channel_id"] = json!(GUILD_CHANNEL_ID.to_string());
            m["guild_id"] = json!(GUILD_ID.to_string());
        }
        self.checked()
    }

    /// Set the user's username (and global_name).
    pub fn with_username(mut self, name: &str) -> Interaction {
        for path in ["/user", "/member/user"] {
            if let Some(u) = self.json.pointer_mut(path).filter(|u| u.is_object()) {
                u["username"] = json!(name);
                u["global_name"] = json!(name);
            }
        }
        self.checked()
    }

    pub fn id(&self) -> u64 {
        self.id
    }
    pub fn token(&self) -> &str {
        &self.token
    }
    pub fn user_id(&self) -> u64 {
        self.user_id
    }
    /// The INTERACTION_CREATE `d` payload (for `push_raw` replays).
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// Panics unless serenity turns this payload into an `Event::InteractionCreate`.
    fn checked(self) -> Interaction {
        check_interaction_payload(&self.json);
        self
    }
}

/// Panics unless serenity deserializes `d` as an INTERACTION_CREATE (not `Event::Unknown`).
pub fn check_interaction_payload(d: &Value) {
    use serenity::model::application::Interaction as SInteraction;
    use serenity::model::event::Event;
    if let Err(e) = serde_json::from_value::<SInteraction>(d.clone()) {
        panic!(
            "serenity would drop this INTERACTION_CREATE: {e}\n{}",
            serde_json::to_string_pretty(d).unwrap()
        );
    }
    match serde_json::from_value::<Event>(json!({"t": "INTERACTION_CREATE", "d": d})) {
        Ok(Event::InteractionCreate(_)) => {}
        other => panic!("serenity does not see an InteractionCreate: {other:?}"),
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

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with(FakeOptions::default()).await
    }

    pub async fn start_with(opts: FakeOptions) -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
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
        });
        let app = Router::new()
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

    /// Bodies of the accepted `PATCH /webhooks/{app}/{token}/messages/@original`, in order.
    pub fn original_edits(&self, token: &str) -> Vec<Value> {
        self.shared.read(|s| {
            s.webhooks
                .get(token)
                .map(|w| w.original_edits.clone())
                .unwrap_or_default()
        })
    }

    /// The latest edit of @original once there is at least one.
    pub async fn wait_original_edit(&self, token: &str, timeout: Duration) -> Option<Value> {
        self.wait_original_edits(token, 1, timeout)
            .await
            .and_then(|v| v.last().cloned())
    }

    /// All edits of @original once there are at least `n`.
    pub async fn wait_original_edits(
        &self,
        token: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        self.wait_until(timeout, |v| {
            let edits = v.0.webhooks.get(token).map(|w| &w.original_edits)?;
            (edits.len() >= n).then(|| edits.clone())
        })
        .await
    }

    /// The interaction's original response message as it stands (None before one exists).
    pub fn original_message(&self, token: &str) -> Option<Value> {
        self.shared
            .read(|s| s.webhooks.get(token).and_then(|w| w.original.clone()))
    }

    /// Follow-up messages (`POST /webhooks/{app}/{token}`), current state.
    pub fn followups(&self, token: &str) -> Vec<Value> {
        self.shared.read(|s| {
            s.webhooks
                .get(token)
                .map(|w| w.followups.clone())
                .unwrap_or_default()
        })
    }

    /// All follow-ups once there are at least `n`.
    pub async fn wait_followups(
        &self,
        token: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        self.wait_until(timeout, |v| {
            let f = v.0.webhooks.get(token).map(|w| &w.followups)?;
            (f.len() >= n).then(|| f.clone())
        })
        .await
    }

    /// Messages in `user_id`'s DM channel, oldest first, edits applied.
    pub fn dm_messages(&self, user_id: u64) -> Vec<StoredMessage> {
        self.channel_messages(dm_channel_id(user_id))
    }

    /// Messages in any channel, oldest first, edits applied.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<StoredMessage> {
        self.shared
            .read(|s| FakeView(s).channel_messages(channel_id))
    }

    /// The first DM to `user_id` matching `pred` (checked again after every change).
    pub async fn wait_dm(
        &self,
        user_id: u64,
        pred: impl Fn(&StoredMessage) -> bool,
        timeout: Duration,
    ) -> Option<StoredMessage> {
        let ch = dm_channel_id(user_id);
        self.wait_until(timeout, |v| {
            v.channel_messages(ch).into_iter().find(|m| pred(m))
        })
        .await
    }

    /// Users for whom `POST /users/@me/channels` was called.
    pub fn dm_opened(&self) -> Vec<u64> {
        self.shared.read(|s| s.dm_opened.iter().copied().collect())
    }

    // ----- fault injection ---------------------------------------------------------------

    /// The next `times` requests with `method` ("*" for any) and a path starting with
    /// `path_prefix` (with or without `/api/v10`) get `status` and `body`. A 429 also gets
    /// `Retry-After` (whole seconds, rounded up) and `X-RateLimit-*` headers from
    /// `body.retry_after`/`body.global`.
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        body: Value,
        times: usize,
    ) {
        let f = Fault {
            method: method.to_ascii_uppercase(),
            prefix: normalize_prefix(path_prefix),
            status,
            body,
            remaining: times,
        };
        self.shared.update(|s| s.faults.push(f));
    }

    /// Delay every answer on paths starting with `path_prefix` by `d` (request recorded first).
    pub fn delay(&self, path_prefix: &str, d: Duration) {
        let p = normalize_prefix(path_prefix);
        self.shared.update(|s| {
            s.delays.retain(|(q, _)| *q != p);
            s.delays.push((p, d));
        });
    }

    pub fn clear_delays(&self) {
        self.shared.update(|s| s.delays.clear());
    }

    /// From now on, posting to `user_id`'s DM channel gets 403 Cannot send messages to this
    /// user (50007), as when the user closed DMs or left the server.
    pub fn block_dms(&self, user_id: u64) {
        self.shared.update(|s| s.blocked_dms.insert(user_id));
    }

    pub fn unblock_dms(&self, user_id: u64) {
        self.shared.update(|s| s.blocked_dms.remove(&user_id));
    }

    // ----- gateway ----------------------------------------------------------------------

    /// IDENTIFY payloads received (`d`), in order.
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.shared.read(|s| s.gw.identifies.clone())
    }
    pub fn identifies(&self) -> usize {
        self.shared.read(|s| s.gw.identifies.len())
    }
    pub fn resumes(&self) -> usize {
        self.shared.read(|s| s.gw.resumes.len())
    }
    pub fn heartbeats(&self) -> usize {
        self.shared.read(|s| s.gw.heartbeats)
    }
    /// Websocket connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.read(|s| s.gw.connections)
    }
    /// Every frame the bot sent on the gateway (parsed JSON).
    pub fn gateway_frames(&self) -> Vec<Value> {
        self.shared.read(|s| s.gw.frames.clone())
    }
    /// Is a bot connected with a READY/RESUMED session (so `push` would be delivered)?
    pub fn is_live(&self) -> bool {
        self.shared
            .read(|s| s.gw.conn.as_ref().is_some_and(|c| c.live))
    }

    pub async fn wait_live(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| {
            v.0.gw.conn.as_ref().is_some_and(|c| c.live).then_some(())
        })
        .await
        .is_some()
    }

    pub async fn wait_identifies(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.identifies.len() >= n).then_some(()))
            .await
            .is_some()
    }

    pub async fn wait_resumes(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.resumes.len() >= n).then_some(()))
            .await
            .is_some()
    }

    pub async fn wait_heartbeats(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.heartbeats >= n).then_some(()))
            .await
            .is_some()
    }

    /// Stop (true) or resume (false) answering heartbeats with op 11.
    pub fn drop_heartbeat_acks(&self, drop: bool) {
        self.shared.update(|s| s.gw.drop_acks = drop);
    }

    /// Send op 7 RECONNECT; pushes wait until the bot has RESUMEd (or re-IDENTIFYed).
    pub fn send_reconnect(&self) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ =
                    c.tx.send(WsMessage::Text(json!({"op": 7, "d": null}).to_string()));
                c.live = false;
            }
        });
    }

    /// Send op 9 INVALID_SESSION (`resumable` as `d`).
    pub fn send_invalid_session(&self, resumable: bool) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ = c.tx.send(WsMessage::Text(
                    json!({"op": 9, "d": resumable}).to_string(),
                ));
                c.live = false;
                if !resumable {
                    s.gw.session_id = None;
                }
            }
        });
    }

    /// Close the gateway socket from the server side with `code` (e.g. 4000 unknown error).
    pub fn close_gateway(&self, code: u16) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ = c.tx.send(WsMessage::Close(Some(CloseFrame {
                    code: CloseCode::from(code),
                    reason: "fake discord closed the session".into(),
                })));
                c.live = false;
            }
        });
    }

    /// Send an INTERACTION_CREATE built by [`Interaction`]. Waits (up to 10 s) for a live
    /// session; panics if no bot is connected.
    pub async fn push(&self, interaction: &Interaction) -> Pushed {
        check_interaction_payload(&interaction.json);
        self.push_raw(interaction.json.clone()).await
    }

    /// Send `d` as an INTERACTION_CREATE as is (e.g. the same interaction again, as a replay).
    /// A replayed id keeps its original push time and acknowledgement state.
    pub async fn push_raw(&self, d: Value) -> Pushed {
        let id = id_of(&d["id"]).expect("interaction payload without id");
        let token = d["token"].as_str().unwrap_or_default().to_string();
        let seq = self.dispatch("INTERACTION_CREATE", d, true).await;
        Pushed { id, token, seq }
    }

    /// Send any dispatch `{"op":0,"t":t,"s":n,"d":d}`; returns `s`. Waits for a live session.
    pub async fn dispatch_event(&self, t: &str, d: Value) -> u64 {
        self.dispatch(t, d, false).await
    }

    async fn dispatch(&self, t: &str, d: Value, interaction: bool) -> u64 {
        loop {
            assert!(
                self.wait_live(Duration::from_secs(10)).await,
                "no bot connected to the fake gateway (identifies: {}, connections: {})",
                self.identifies(),
                self.connections()
            );
            let sent = self.shared.update(|s| {
                if !s.gw.conn.as_ref().is_some_and(|c| c.live) {
                    return None;
                }
                let mut d = d.clone();
                if interaction {
                    register_interaction(s, &mut d);
                }
                send_dispatch(&mut s.gw, t, d)
            });
            if let Some(seq) = sent {
                return seq;
            }
        }
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

fn register_interaction(s: &mut State, d: &mut Value) {
    // Use the registered command's id (and guild), as Discord would.
    if d["type"] == 2 || d["type"] == 4 {
        let guild = id_of(&d["guild_id"]);
        let registered = guild
            .and_then(|g| s.guild_commands.get(&g))
            .into_iter()
            .flatten()
            .chain(s.global_commands.iter())
            .find(|c| c["name"] == d["data"]["name"] && c["type"] == d["data"]["type"])
            .cloned();
        if let Some(c) = registered {
            d["data"]["id"] = c["id"].clone();
            if let Some(g) = c.get("guild_id") {
                d["data"]["guild_id"] = g.clone();
            }
        }
    }
    let Some(id) = id_of(&d["id"]) else { return };
    if s.interactions.contains_key(&id) {
        return; // a replay: same interaction, same deadline, same acknowledgement
    }
    let token = d["token"].as_str().unwrap_or_default().to_string();
    let user_id = id_of(&d["user"]["id"]).or_else(|| id_of(&d["member"]["user"]["id"]));
    let message = match (
        id_of(&d["message"]["id"]),
        id_of(&d["message"]["channel_id"]),
    ) {
        (Some(m), Some(c)) => Some((c, m)),
        _ => None,
    };
    s.tokens.insert(token.clone(), id);
    s.interactions.insert(
        id,
        PushedInfo {
            token,
            kind: d["type"].as_u64().unwrap_or(0),
            user_id,
            pushed_at: Instant::now(),
            message,
            response: None,
        },
    );
}

fn send_dispatch(gw: &mut GatewayState, t: &str, d: Value) -> Option<u64> {
    let conn = gw.conn.as_ref()?;
    gw.seq += 1;
    let frame = json!({"op": 0, "t": t, "s": gw.seq, "d": d});
    conn.tx.send(WsMessage::Text(frame.to_string())).ok()?;
    gw.dispatched.push(frame);
    Some(gw.seq)
}

// ---------------------------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------------------------

async fn gateway_conn(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<WsMessage>();
    let conn_id = shared.update(|s| {
        s.gw.connections += 1;
        let id = s.gw.connections;
        // A new connection replaces the old one (as after RECONNECT).
        s.gw.conn = Some(Conn {
            id,
            tx: tx.clone(),
            live: false,
        });
        id
    });
    let hello = json!({"op": 10, "d": {"heartbeat_interval": shared.opts.heartbeat_interval.as_millis() as u64}});
    if ws.send(WsMessage::Text(hello.to_string())).await.is_err() {
        return;
    }
    let mut closing = false;
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                None | Some(Err(_)) => break,
                Some(Ok(WsMessage::Text(t))) => handle_frame(&shared, conn_id, &tx, &t),
                Some(Ok(WsMessage::Binary(b))) => {
                    if let Ok(t) = String::from_utf8(b) {
                        handle_frame(&shared, conn_id, &tx, &t);
                    }
                }
                // tungstenite answers the Close itself; keep reading until the socket ends.
                Some(Ok(WsMessage::Close(_))) => closing = true,
                Some(Ok(_)) => {}
            },
            out = rx.recv(), if !closing => {
                if let Some(m) = out {
                    let is_close = matches!(m, WsMessage::Close(_));
                    if ws.send(m).await.is_err() {
                        break;
                    }
                    if is_close {
                        closing = true;
                    }
                }
            }
        }
    }
    shared.update(|s| {
        if s.gw.conn.as_ref().is_some_and(|c| c.id == conn_id) {
            s.gw.conn = None;
        }
    });
}

fn handle_frame(shared: &Shared, conn_id: u64, tx: &mpsc::UnboundedSender<WsMessage>, text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let gateway_url = shared.gateway_url.clone();
    shared.update(|s| {
        let gw = &mut s.gw;
        gw.frames.push(v.clone());
        let current = gw.conn.as_ref().is_some_and(|c| c.id == conn_id);
        match v["op"].as_u64() {
            Some(1) => {
                gw.heartbeats += 1;
                if !gw.drop_acks {
                    let _ = tx.send(WsMessage::Text(json!({"op": 11}).to_string()));
                }
            }
            Some(2) => {
                let d = v["d"].clone();
                gw.identifies.push(d.clone());
                if d["token"] != format!("Bot {TOKEN}") {
                    let _ = tx.send(WsMessage::Close(Some(CloseFrame {
                        code: CloseCode::from(4004),
                        reason: "Authentication failed.".into(),
                    })));
                    return;
                }
                if !current {
                    return;
                }
                let session = format!("fake-session-{}", snowflake());
                gw.session_id = Some(session.clone());
                gw.seq = 0;
                let ready = json!({
                    "v": 10,
                    "user": bot_user_json(),
                    "guilds": [],
                    "private_channels": [],
                    "relationships": [],
                    "session_id": session,
                    "session_type": "normal",
                    "resume_gateway_url": gateway_url,
                    "shard": d["shard"].clone(),
                    "application": {"id": APP_ID.to_string(), "flags": 0},
                });
                if send_dispatch(gw, "READY", ready).is_some() {
                    if let Some(c) = gw.conn.as_mut() {
                        c.live = true;
                    }
                }
            }
            Some(6) => {
                let d = v["d"].clone();
                gw.resumes.push(d.clone());
                if !current {
                    return;
                }
                let ok = gw.session_id.is_some()
                    && d["session_id"].as_str() == gw.session_id.as_deref()
                    && d["token"] == format!("Bot {TOKEN}");
                if ok {
                    if send_dispatch(gw, "RESUMED", json!({})).is_some() {
                        if let Some(c) = gw.conn.as_mut() {
                            c.live = true;
                        }
                    }
                } else {
                    let _ = tx.send(WsMessage::Text(json!({"op": 9, "d": false}).to_string()));
                }
            }
            _ => {}
        }
    });
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: vec![],
        }
    }
    fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }
    fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: vec![],
        }
    }
    fn error(status: u16, code: i64, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "code": code}))
    }
    fn unknown_route() -> Reply {
        Reply::error(404, 0, "Unknown route")
    }
    fn into_response(self) -> Response {
        let mut b = Response::builder().status(StatusCode::from_u16(self.status).unwrap());
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        match self.body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        }
    }
}

/// Discord's 400 Invalid Form Body with nested `errors`.
fn form_error(errs: &[(String, &str, String)]) -> Reply {
    let mut root = Map::new();
    for (path, code, message) in errs {
        let mut node = &mut root;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            node = node
                .entry(seg.to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
        }
        node.entry("_errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!({"code": code, "message": message}));
    }
    Reply::json(
        400,
        json!({"code": 50035, "message": "Invalid Form Body", "errors": Value::Object(root)}),
    )
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> (Value, usize) {
    if body.is_empty() {
        return (Value::Null, 0);
    }
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(boundary) = ctype
        .strip_prefix("multipart/form-data")
        .and_then(|r| r.split("boundary=").nth(1))
    {
        let boundary = format!("--{}", boundary.trim_matches('"'));
        let text = String::from_utf8_lossy(body);
        let mut payload = Value::Null;
        let mut files = 0;
        for part in text.split(boundary.as_str()) {
            let Some((head, content)) = part.split_once("\r\n\r\n") else {
                continue;
            };
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            if head.contains("name=\"payload_json\"") {
                payload = serde_json::from_str(content).unwrap_or(Value::String(content.into()));
            } else if head.contains("filename=") {
                files += 1;
            }
        }
        return (payload, files);
    }
    match serde_json::from_slice(body) {
        Ok(v) => (v, 0),
        Err(_) => (Value::String(String::from_utf8_lossy(body).into_owned()), 0),
    }
}

async fn rest_handler(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let full = uri.path().to_string();
    let path = full.strip_prefix("/api/v10").map(str::to_string);
    let (json_body, files) = parse_body(&headers, &body);
    let method_s = method.as_str().to_string();
    let idx = shared.update(|s| {
        s.requests.push(RecordedRequest {
            method: method_s.clone(),
            path: path.clone().unwrap_or_else(|| full.clone()),
            query: uri.query().map(str::to_string),
            body: json_body.clone(),
            files,
            at,
            status: 0,
        });
        s.requests.len() - 1
    });
    let reply = match path {
        None => Reply::unknown_route(),
        Some(path) => {
            let delay = shared.read(|s| {
                s.delays
                    .iter()
                    .find(|(p, _)| path.starts_with(p.as_str()))
                    .map(|(_, d)| *d)
            });
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            let fault = shared.update(|s| {
                let f = s.faults.iter_mut().find(|f| {
                    f.remaining > 0
                        && (f.method == "*" || f.method == method_s)
                        && path.starts_with(f.prefix.as_str())
                })?;
                f.remaining -= 1;
                Some((f.status, f.body.clone()))
            });
            match fault {
                Some((status, body)) => fault_reply(status, body),
                None => {
                    let auth_ok = headers.get("authorization").and_then(|v| v.to_str().ok())
                        == Some(&format!("Bot {TOKEN}"));
                    let needs_auth =
                        !(path.starts_with("/interactions/") || path.starts_with("/webhooks/"));
                    if needs_auth && !auth_ok {
                        Reply::error(401, 0, "401: Unauthorized")
                    } else {
                        shared.update(|s| route(s, &shared, &method_s, &path, &json_body, at))
                    }
                }
            }
        }
    };
    shared.update(|s| s.requests[idx].status = reply.status);
    reply.into_response()
}

fn fault_reply(status: u16, body: Value) -> Reply {
    let mut r = Reply::json(status, body.clone());
    if status == 429 {
        let after = body["retry_after"].as_f64().unwrap_or(1.0);
        let global = body["global"].as_bool().unwrap_or(false);
        r.headers
            .push(("Retry-After".into(), format!("{}", after.ceil() as u64)));
        r.headers.push(("X-RateLimit-Limit".into(), "5".into()));
        r.headers.push(("X-RateLimit-Remaining".into(), "0".into()));
        r.headers
            .push(("X-RateLimit-Reset-After".into(), format!("{after:.3}")));
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            + after;
        r.headers
            .push(("X-RateLimit-Reset".into(), format!("{reset:.3}")));
        r.headers
            .push(("X-RateLimit-Bucket".into(), "fakebucket".into()));
        r.headers.push((
            "X-RateLimit-Scope".into(),
            if global { "global" } else { "user" }.into(),
        ));
        if global {
            r.headers.push(("X-RateLimit-Global".into(), "true".into()));
        }
    }
    r
}

fn route(
    s: &mut State,
    shared: &Shared,
    method: &str,
    path: &str,
    body: &Value,
    at: Instant,
) -> Reply {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let app_ok = |a: &str| a == APP_ID.to_string();
    match (method, segs.as_slice()) {
        ("GET", ["gateway"]) => Reply::ok(json!({"url": shared.gateway_url})),
        ("GET", ["gateway", "bot"]) => Reply::ok(json!({
            "url": shared.gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999,
                                    "reset_after": 14_400_000, "max_concurrency": 1},
        })),
        ("GET", ["users", "@me"]) => Reply::ok(bot_user_json()),
        ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]) => {
            Reply::ok(application_json())
        }
        ("PUT", ["applications", a, "commands"]) if app_ok(a) => {
            register_commands(s, None, body, shared.opts.validate)
        }
        ("GET", ["applications", a, "commands"]) if app_ok(a) => {
            Reply::ok(Value::Array(s.global_commands.clone()))
        }
        ("PUT", ["applications", a, "guilds", g, "commands"]) if app_ok(a) => {
            let Ok(g) = g.parse::<u64>() else {
                return Reply::error(404, 10004, "Unknown Guild");
            };
            register_commands(s, Some(g), body, shared.opts.validate)
        }
        ("GET", ["applications", a, "guilds", g, "commands"]) if app_ok(a) => {
            let g = g.parse::<u64>().unwrap_or(0);
            Reply::ok(Value::Array(
                s.guild_commands.get(&g).cloned().unwrap_or_default(),
            ))
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(s, shared, id, token, body, at)
        }
        ("POST", ["webhooks", a, token]) if app_ok(a) => followup(s, shared, token, body),
        (m @ ("GET" | "PATCH" | "DELETE"), ["webhooks", a, token, "messages", mid])
            if app_ok(a) =>
        {
            webhook_message(s, shared, m, token, mid, body)
        }
        ("POST", ["users", "@me", "channels"]) => {
            let Some(uid) = id_of(&body["recipient_id"]) else {
                return form_error(&[(
                    "recipient_id".into(),
                    "BASE_TYPE_REQUIRED",
                    "This field is required".into(),
                )]);
            };
            s.dm_opened.insert(uid);
            Reply::ok(dm_channel_json(s, uid))
        }
        ("GET", ["channels", c]) => {
            let c = c.parse::<u64>().unwrap_or(0);
            match s.dm_opened.iter().find(|u| dm_channel_id(**u) == c) {
                Some(u) => Reply::ok(dm_channel_json(s, *u)),
                None => Reply::error(404, 10003, "Unknown Channel"),
            }
        }
        ("POST", ["channels", c, "typing"]) => {
            let _ = c;
            Reply::no_content()
        }
        ("POST", ["channels", c, "messages"]) => {
            let Ok(c) = c.parse::<u64>() else {
                return Reply::error(404, 10003, "Unknown Channel");
            };
            if let Some(u) = s.blocked_dms.iter().find(|u| dm_channel_id(**u) == c) {
                let _ = u;
                return Reply::error(403, 50007, "Cannot send messages to this user");
            }
            if shared.opts.validate {
                if let Some(r) = check_message(body, "", true) {
                    return r;
                }
            }
            let mut m = message_skeleton(snowflake(), c, false);
            apply_edit(&mut m, body, false);
            s.messages.push(StoredMsg {
                json: m.clone(),
                edits: 0,
            });
            Reply::ok(m)
        }
        (m @ ("GET" | "PATCH" | "DELETE"), ["channels", c, "messages", mid]) => {
            let (Ok(c), Ok(mid)) = (c.parse::<u64>(), mid.parse::<u64>()) else {
                return Reply::error(404, 10008, "Unknown Message");
            };
            let Some(pos) = s.messages.iter().position(|x| {
                id_of(&x.json["id"]) == Some(mid) && id_of(&x.json["channel_id"]) == Some(c)
            }) else {
                return Reply::error(404, 10008, "Unknown Message");
            };
            match m {
                "GET" => Reply::ok(s.messages[pos].json.clone()),
                "DELETE" => {
                    s.messages.remove(pos);
                    Reply::no_content()
                }
                _ => {
                    if shared.opts.validate {
                        if let Some(r) = check_message(body, "", false) {
                            return r;
                        }
                    }
                    let msg = &mut s.messages[pos];
                    apply_edit(&mut msg.json, body, true);
                    msg.edits += 1;
                    Reply::ok(msg.json.clone())
                }
            }
        }
        _ => Reply::unknown_route(),
    }
}

fn application_json() -> Value {
    json!({
        "id": APP_ID.to_string(),
        "name": "bizdesk",
        "icon": null,
        "description": "",
        "summary": "",
        "type": null,
        "rpc_origins": [],
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "4f1b2cbe1c0f4b8a4a2c1a9e3f0d6c7b8a9e0f1d2c3b4a5968778695a4b3c2d1",
        "flags": 0,
        "owner": user_json(1_100_000_000_000_000_099),
        "team": null,
        "bot": bot_user_json(),
        "integration_types_config": {"0": {}},
        "interactions_endpoint_url": null,
        "redirect_uris": [],
    })
}

fn dm_channel_json(s: &State, user_id: u64) -> Value {
    let ch = dm_channel_id(user_id);
    let last = s
        .messages
        .iter()
        .rev()
        .find(|m| id_of(&m.json["channel_id"]) == Some(ch))
        .map(|m| m.json["id"].clone())
        .unwrap_or(Value::Null);
    json!({
        "id": ch.to_string(),
        "type": 1,
        "last_message_id": last,
        "flags": 0,
        "recipients": [user_json(user_id)],
    })
}

fn message_skeleton(id: u64, channel_id: u64, webhook: bool) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user_json(),
        "content": "",
        "timestamp": now_ts(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
        "components": [],
    });
    if webhook {
        m["webhook_id"] = json!(APP_ID.to_string());
        m["application_id"] = json!(APP_ID.to_string());
    }
    m
}

fn normalize_embeds(m: &mut Value) {
    if let Some(embeds) = m["embeds"].as_array_mut() {
        for e in embeds {
            if e.is_object() && e.get("type").is_none() {
                e["type"] = json!("rich");
            }
        }
    }
}

/// Apply the message fields of a create/edit body (absent fields are kept).
fn apply_edit(m: &mut Value, body: &Value, is_edit: bool) {
    for key in ["content", "components", "embeds", "flags", "tts"] {
        if let Some(v) = body.get(key) {
            m[key] = match (key, v) {
                ("content", Value::Null) => json!(""),
                ("components" | "embeds", Value::Null) => json!([]),
                ("flags", Value::Null) => json!(0),
                ("tts", Value::Null) => json!(false),
                _ => v.clone(),
            };
        }
    }
    normalize_embeds(m);
    if is_edit {
        m["edited_timestamp"] = json!(now_ts());
    }
}

fn interaction_callback(
    s: &mut State,
    shared: &Shared,
    id: &str,
    token: &str,
    body: &Value,
    at: Instant,
) -> Reply {
    let id_n = id.parse::<u64>().unwrap_or(0);
    let record = |s: &mut State, status: u16, latency: Option<Duration>| {
        s.callbacks.push(Callback {
            interaction_id: id_n,
            token: token.to_string(),
            body: body.clone(),
            at,
            latency,
            status,
        });
    };
    let Some(info) = s.interactions.get(&id_n) else {
        record(s, 404, None);
        return Reply::error(404, 10062, "Unknown interaction");
    };
    let latency = at.duration_since(info.pushed_at);
    let (info_token, info_kind, info_response) = (info.token.clone(), info.kind, info.response);
    let component_msg = info.message;
    let user_id = info.user_id;
    if info_token != token {
        record(s, 401, Some(latency));
        return Reply::error(401, 50027, "Invalid Webhook Token");
    }
    if shared
        .opts
        .interaction_deadline
        .is_some_and(|d| latency > d)
    {
        record(s, 404, Some(latency));
        return Reply::error(404, 10062, "Unknown interaction");
    }
    if info_response.is_some() {
        record(s, 400, Some(latency));
        return Reply::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let kind = body["type"].as_u64().unwrap_or(0);
    let allowed: &[u64] = match info_kind {
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => &[1],
    };
    if shared.opts.validate {
        if !allowed.contains(&kind) {
            record(s, 400, Some(latency));
            return form_error(&[(
                "type".into(),
                "BASE_TYPE_CHOICES",
                format!(
                    "Value must be one of {allowed:?} for interaction type {}.",
                    info_kind
                ),
            )]);
        }
        let check = match kind {
            4 => check_message(&body["data"], "data", true),
            5 | 7 => check_message(&body["data"], "data", false),
            8 => check_autocomplete(&body["data"]),
            9 => check_modal(&body["data"]),
            _ => None,
        };
        if let Some(r) = check {
            record(s, 400, Some(latency));
            return r;
        }
    }
    record(s, 204, Some(latency));
    let interaction_kind = info_kind;
    s.interactions.get_mut(&id_n).unwrap().response = Some(kind);
    let data = &body["data"];
    let wh = s.webhooks.entry(token.to_string()).or_default();
    match kind {
        4 | 5 => {
            let channel = user_id.map(dm_channel_id).unwrap_or(GUILD_CHANNEL_ID);
            let mut m = message_skeleton(snowflake(), channel, true);
            m["type"] = json!(if interaction_kind == 2 { 20 } else { 0 });
            if kind == 5 {
                m["flags"] = json!(128 | data["flags"].as_u64().unwrap_or(0));
            } else {
                apply_edit(&mut m, data, false);
            }
            wh.original = Some(m);
        }
        6 | 7 => {
            // @original is the message the component is on.
            let stored = component_msg.and_then(|(c, mid)| {
                s.messages.iter_mut().find(|x| {
                    id_of(&x.json["id"]) == Some(mid) && id_of(&x.json["channel_id"]) == Some(c)
                })
            });
            let current = match stored {
                Some(sm) => {
                    if kind == 7 {
                        apply_edit(&mut sm.json, data, true);
                        sm.edits += 1;
                    }
                    Some(sm.json.clone())
                }
                None => None,
            };
            let wh = s.webhooks.entry(token.to_string()).or_default();
            if let Some(c) = current {
                wh.original = Some(c);
            } else if let Some((c, mid)) = component_msg {
                let mut m = message_skeleton(mid, c, false);
                if kind == 7 {
                    apply_edit(&mut m, data, true);
                }
                wh.original = Some(m);
            }
        }
        _ => {}
    }
    Reply::no_content()
}

fn followup(s: &mut State, shared: &Shared, token: &str, body: &Value) -> Reply {
    let Some(&iid) = s.tokens.get(token) else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let info = &s.interactions[&iid];
    if info.response.is_none() {
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    if shared.opts.validate {
        if let Some(r) = check_message(body, "", true) {
            return r;
        }
    }
    let channel = info.user_id.map(dm_channel_id).unwrap_or(GUILD_CHANNEL_ID);
    let mut m = message_skeleton(snowflake(), channel, true);
    apply_edit(&mut m, body, false);
    s.webhooks
        .entry(token.to_string())
        .or_default()
        .followups
        .push(m.clone());
    Reply::ok(m)
}

fn webhook_message(
    s: &mut State,
    shared: &Shared,
    method: &str,
    token: &str,
    mid: &str,
    body: &Value,
) -> Reply {
    let Some(&iid) = s.tokens.get(token) else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let info = &s.interactions[&iid];
    if info.response.is_none() {
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    let component_msg = info.message;
    let response = info.response;
    if method == "PATCH" && shared.opts.validate {
        if let Some(r) = check_message(body, "", false) {
            return r;
        }
    }
    if mid == "@original" {
        let is_component_original = matches!(response, Some(6 | 7));
        match method {
            "GET" => match s.webhooks.get(token).and_then(|w| w.original.clone()) {
                Some(m) => Reply::ok(m),
                None => Reply::error(404, 10008, "Unknown Message"),
            },
            "DELETE" => {
                let wh = s.webhooks.entry(token.to_string()).or_default();
                if wh.original.take().is_none() {
                    return Reply::error(404, 10008, "Unknown Message");
                }
                if is_component_original {
                    if let Some((c, mid)) = component_msg {
                        s.messages.retain(|x| {
                            !(id_of(&x.json["id"]) == Some(mid)
                                && id_of(&x.json["channel_id"]) == Some(c))
                        });
                    }
                }
                Reply::no_content()
            }
            _ => {
                let mut edited = None;
                if is_component_original {
                    if let Some((c, mid)) = component_msg {
                        if let Some(sm) = s.messages.iter_mut().find(|x| {
                            id_of(&x.json["id"]) == Some(mid)
                                && id_of(&x.json["channel_id"]) == Some(c)
                        }) {
                            apply_edit(&mut sm.json, body, true);
                            sm.edits += 1;
                            edited = Some(sm.json.clone());
                        }
                    }
                }
                let wh = s.webhooks.entry(token.to_string()).or_default();
                wh.original_edits.push(body.clone());
                let m = match edited {
                    Some(m) => m,
                    None => {
                        let mut m = wh.original.clone().unwrap_or_else(|| {
                            message_skeleton(snowflake(), GUILD_CHANNEL_ID, true)
                        });
                        // A deferred (loading) response stops loading once edited.
                        if let Some(f) = m["flags"].as_u64() {
                            m["flags"] = json!(f & !128);
                        }
                        apply_edit(&mut m, body, true);
                        m
                    }
                };
                wh.original = Some(m.clone());
                Reply::ok(m)
            }
        }
    } else {
        let wh = s.webhooks.entry(token.to_string()).or_default();
        let Some(pos) = wh.followups.iter().position(|m| m["id"] == mid) else {
            return Reply::error(404, 10008, "Unknown Message");
        };
        match method {
            "GET" => Reply::ok(wh.followups[pos].clone()),
            "DELETE" => {
                wh.followups.remove(pos);
                Reply::no_content()
            }
            _ => {
                apply_edit(&mut wh.followups[pos], body, true);
                Reply::ok(wh.followups[pos].clone())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Discord's limits
// ---------------------------------------------------------------------------------------------

type Errs = Vec<(String, &'static str, String)>;

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn max_len(errs: &mut Errs, path: String, v: &Value, max: usize) {
    if let Some(s) = v.as_str() {
        if s.chars().count() > max {
            errs.push((
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            ));
        }
    }
}

fn len_between(errs: &mut Errs, path: String, v: &Value, min: usize, max: usize) {
    let n = v.as_str().map(|s| s.chars().count()).unwrap_or(0);
    if n < min || n > max {
        errs.push((
            path,
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between {min} and {max} in length."),
        ));
    }
}

/// Message bodies (create, edit, callback data). `require_content`: the message must not be
/// empty (Discord 50006).
fn check_message(body: &Value, prefix: &str, require_content: bool) -> Option<Reply> {
    let mut errs: Errs = vec![];
    max_len(&mut errs, join(prefix, "content"), &body["content"], 2000);
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        errs.push((
            join(prefix, "embeds"),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 10 or fewer in length.".into(),
        ));
    }
    let mut total = 0usize;
    for (i, e) in embeds.iter().enumerate() {
        let p = join(prefix, &format!("embeds.{i}"));
        max_len(&mut errs, join(&p, "title"), &e["title"], 256);
        max_len(&mut errs, join(&p, "description"), &e["description"], 4096);
        max_len(
            &mut errs,
            join(&p, "footer.text"),
            &e["footer"]["text"],
            2048,
        );
        max_len(
            &mut errs,
            join(&p, "author.name"),
            &e["author"]["name"],
            256,
        );
        let count = |v: &Value| v.as_str().map(|s| s.chars().count()).unwrap_or(0);
        total += count(&e["title"])
            + count(&e["description"])
            + count(&e["footer"]["text"])
            + count(&e["author"]["name"]);
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            errs.push((
                join(&p, "fields"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.".into(),
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            let fp = join(&p, &format!("fields.{j}"));
            len_between(&mut errs, join(&fp, "name"), &f["name"], 1, 256);
            len_between(&mut errs, join(&fp, "value"), &f["value"], 1, 1024);
            total += count(&f["name"]) + count(&f["value"]);
        }
    }
    if total > 6000 {
        errs.push((
            join(prefix, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000".into(),
        ));
    }
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    check_rows(&mut errs, &join(prefix, "components"), &rows, false);
    if !errs.is_empty() {
        return Some(form_error(&errs));
    }
    if require_content {
        let empty_content = body["content"].as_str().is_none_or(str::is_empty);
        let has_files = body["attachments"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        let has_other = body["sticker_ids"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
            || !body["poll"].is_null();
        if empty_content && embeds.is_empty() && rows.is_empty() && !has_files && !has_other {
            return Some(Reply::error(400, 50006, "Cannot send an empty message"));
        }
    }
    None
}

fn check_rows(errs: &mut Errs, prefix: &str, rows: &[Value], modal: bool) {
    if rows.len() > 5 {
        errs.push((
            prefix.to_string(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 5 or fewer in length.".into(),
        ));
    }
    if modal && rows.is_empty() {
        errs.push((
            prefix.to_string(),
            "BASE_TYPE_MIN_LENGTH",
            "Must be 1 or more in length.".into(),
        ));
    }
    let mut seen = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let rp = format!("{prefix}.{i}");
        if row["type"] != 1 {
            errs.push((
                join(&rp, "type"),
                "UNION_TYPE_CHOICES",
                "Value of field \"type\" must be one of (1,).".into(),
            ));
            continue;
        }
        let comps = row["components"].as_array().cloned().unwrap_or_default();
        let max = if modal { 1 } else { 5 };
        if comps.is_empty() || comps.len() > max {
            errs.push((
                join(&rp, "components"),
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between 1 and {max} in length."),
            ));
        }
        for (j, c) in comps.iter().enumerate() {
            let cp = format!("{rp}.components.{j}");
            let kind = c["type"].as_u64().unwrap_or(0);
            if let Some(id) = c["custom_id"].as_str() {
                if !seen.insert(id.to_string()) {
                    errs.push((
                        join(&cp, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated".into(),
                    ));
                }
            }
            match (modal, kind) {
                (false, 2) => {
                    let link = c["style"] == 5 || c["style"] == 6;
                    if !link {
                        len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    }
                    max_len(errs, join(&cp, "label"), &c["label"], 80);
                    if c["label"].is_null() && c["emoji"].is_null() && c["style"] != 6 {
                        errs.push((
                            cp.clone(),
                            "BUTTON_COMPONENT_MISSING_LABEL_OR_EMOJI",
                            "A button must have a label or an emoji".into(),
                        ));
                    }
                }
                (false, 3 | 5 | 6 | 7 | 8) => {
                    len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    max_len(errs, join(&cp, "placeholder"), &c["placeholder"], 150);
                    if comps.len() > 1 {
                        errs.push((
                            join(&rp, "components"),
                            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                            "The specified component exceeds the maximum width".into(),
                        ));
                    }
                    if kind == 3 {
                        let opts = c["options"].as_array().cloned().unwrap_or_default();
                        if opts.is_empty() || opts.len() > 25 {
                            errs.push((
                                join(&cp, "options"),
                                "BASE_TYPE_BAD_LENGTH",
                                "Must be between 1 and 25 in length.".into(),
                            ));
                        }
                        for (k, o) in opts.iter().enumerate() {
                            let op = format!("{cp}.options.{k}");
                            len_between(errs, join(&op, "label"), &o["label"], 1, 100);
                            len_between(errs, join(&op, "value"), &o["value"], 1, 100);
                            max_len(errs, join(&op, "description"), &o["description"], 100);
                        }
                    }
                }
                (true, 4) => {
                    len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    len_between(errs, join(&cp, "label"), &c["label"], 1, 45);
                    max_len(errs, join(&cp, "value"), &c["value"], 4000);
                    max_len(errs, join(&cp, "placeholder"), &c["placeholder"], 100);
                    if c["style"] != 1 && c["style"] != 2 {
                        errs.push((
                            join(&cp, "style"),
                            "BASE_TYPE_CHOICES",
                            "Value must be one of {1, 2}.".into(),
                        ));
                    }
                    for k in ["min_length", "max_length"] {
                        if c[k].as_u64().is_some_and(|n| n > 4000) {
                            errs.push((
                                join(&cp, k),
                                "NUMBER_TYPE_MAX",
                                "int value should be less than or equal to 4000.".into(),
                            ));
                        }
                    }
                }
                _ => errs.push((
                    join(&cp, "type"),
                    "UNION_TYPE_CHOICES",
                    format!("Component type {kind} is not allowed here."),
                )),
            }
        }
    }
}

fn check_modal(data: &Value) -> Option<Reply> {
    let mut errs: Errs = vec![];
    len_between(&mut errs, "data.title".into(), &data["title"], 1, 45);
    len_between(
        &mut errs,
        "data.custom_id".into(),
        &data["custom_id"],
        1,
        100,
    );
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    check_rows(&mut errs, "data.components", &rows, true);
    (!errs.is_empty()).then(|| form_error(&errs))
}

fn check_autocomplete(data: &Value) -> Option<Reply> {
    let mut errs: Errs = vec![];
    let choices = data["choices"].as_array().cloned().unwrap_or_default();
    if choices.len() > 25 {
        errs.push((
            "data.choices".into(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.".into(),
        ));
    }
    for (i, c) in choices.iter().enumerate() {
        len_between(
            &mut errs,
            format!("data.choices.{i}.name"),
            &c["name"],
            1,
            100,
        );
        max_len(
            &mut errs,
            format!("data.choices.{i}.value"),
            &c["value"],
            100,
        );
    }
    (!errs.is_empty()).then(|| form_error(&errs))
}

fn valid_name(name: &str, chat_input: bool) -> bool {
    let n = name.chars().count();
    if n == 0 || n > 32 {
        return false;
    }
    if !chat_input {
        return true;
    }
    name.chars()
        .all(|c| (c == '-' || c == '_' || c.is_alphanumeric()) && !c.is_uppercase())
}

fn check_localizations(errs: &mut Errs, path: &str, v: &Value, names: bool, chat_input: bool) {
    let Some(map) = v.as_object() else { return };
    for (locale, text) in map {
        let p = format!("{path}.{locale}");
        if !LOCALES.contains(&locale.as_str()) {
            errs.push((p, "LOCALE_INVALID", format!("Invalid locale {locale:?}")));
            continue;
        }
        if names {
            if !valid_name(text.as_str().unwrap_or(""), chat_input) {
                errs.push((
                    p,
                    "APPLICATION_COMMAND_INVALID_NAME",
                    format!("Command name is invalid: {text}"),
                ));
            }
        } else {
            len_between(errs, p, text, 1, 100);
        }
    }
}

fn check_options(errs: &mut Errs, path: &str, options: &[Value]) {
    if options.len() > 25 {
        errs.push((
            path.into(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.".into(),
        ));
    }
    let mut names = HashSet::new();
    let mut optional_seen = false;
    for (i, o) in options.iter().enumerate() {
        let p = format!("{path}.{i}");
        let name = o["name"].as_str().unwrap_or("");
        if !valid_name(name, true) {
            errs.push((
                join(&p, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                format!("Command name is invalid: {name:?}"),
            ));
        }
        if !names.insert(name.to_string()) {
            errs.push((
                join(&p, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique".into(),
            ));
        }
        len_between(errs, join(&p, "description"), &o["description"], 1, 100);
        check_localizations(
            errs,
            &join(&p, "name_localizations"),
            &o["name_localizations"],
            true,
            true,
        );
        check_localizations(
            errs,
            &join(&p, "description_localizations"),
            &o["description_localizations"],
            false,
            true,
        );
        let kind = o["type"].as_u64().unwrap_or(0);
        if kind == 1 || kind == 2 {
            let sub = o["options"].as_array().cloned().unwrap_or_default();
            check_options(errs, &join(&p, "options"), &sub);
            continue;
        }
        let required = o["required"].as_bool().unwrap_or(false);
        if required && optional_seen {
            errs.push((
                p.clone(),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options".into(),
            ));
        }
        optional_seen |= !required;
        let choices = o["choices"].as_array().cloned().unwrap_or_default();
        if choices.len() > 25 {
            errs.push((
                join(&p, "choices"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.".into(),
            ));
        }
        if !choices.is_empty() && o["autocomplete"] == true {
            errs.push((
                join(&p, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES",
                "Autocomplete cannot be set for options with choices".into(),
            ));
        }
        for (j, c) in choices.iter().enumerate() {
            let cp = format!("{p}.choices.{j}");
            len_between(errs, join(&cp, "name"), &c["name"], 1, 100);
            max_len(errs, join(&cp, "value"), &c["value"], 100);
            check_localizations(
                errs,
                &join(&cp, "name_localizations"),
                &c["name_localizations"],
                false,
                true,
            );
        }
    }
}

fn register_commands(s: &mut State, guild: Option<u64>, body: &Value, validate: bool) -> Reply {
    let Some(list) = body.as_array() else {
        return form_error(&[("".into(), "BASE_TYPE_ARRAY", "Must be an array.".into())]);
    };
    if validate {
        let mut errs: Errs = vec![];
        let mut names = HashSet::new();
        for (i, c) in list.iter().enumerate() {
            let p = format!("{i}");
            let kind = c["type"].as_u64().unwrap_or(1);
            let chat_input = kind == 1;
            let name = c["name"].as_str().unwrap_or("");
            if !valid_name(name, chat_input) {
                errs.push((
                    join(&p, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    format!("Command name is invalid: {name:?}"),
                ));
            }
            if !names.insert((kind, name.to_string())) {
                errs.push((
                    join(&p, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    format!("Application command names must be unique: {name:?}"),
                ));
            }
            if chat_input {
                len_between(
                    &mut errs,
                    join(&p, "description"),
                    &c["description"],
                    1,
                    100,
                );
            } else if c["description"].as_str().is_some_and(|d| !d.is_empty()) {
                errs.push((
                    join(&p, "description"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 0 or fewer in length.".into(),
                ));
            }
            check_localizations(
                &mut errs,
                &join(&p, "name_localizations"),
                &c["name_localizations"],
                true,
                chat_input,
            );
            check_localizations(
                &mut errs,
                &join(&p, "description_localizations"),
                &c["description_localizations"],
                false,
                chat_input,
            );
            let opts = c["options"].as_array().cloned().unwrap_or_default();
            check_options(&mut errs, &join(&p, "options"), &opts);
        }
        if list.len() > 100 {
            errs.push((
                "".into(),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.".into(),
            ));
        }
        if !errs.is_empty() {
            return form_error(&errs);
        }
    }
    let previous = match guild {
        None => s.global_commands.clone(),
        Some(g) => s.guild_commands.get(&g).cloned().unwrap_or_default(),
    };
    let echoed: Vec<Value> = list
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let kind = c["type"].as_u64().unwrap_or(1);
            let same = previous
                .iter()
                .find(|p| p["name"] == c["name"] && p["type"].as_u64() == Some(kind));
            let id = same
                .map(|p| p["id"].clone())
                .unwrap_or_else(|| json!(snowflake().to_string()));
            c["id"] = id;
            c["type"] = json!(kind);
            c["application_id"] = json!(APP_ID.to_string());
            if c.get("description").is_none() || c["description"].is_null() {
                c["description"] = json!("");
            }
            c["version"] = json!(snowflake().to_string());
            if c.get("default_member_permissions").is_none() {
                c["default_member_permissions"] = Value::Null;
            }
            if c.get("nsfw").is_none() {
                c["nsfw"] = json!(false);
            }
            if let Some(g) = guild {
                c["guild_id"] = json!(g.to_string());
            }
            c
        })
        .collect();
    match guild {
        None => s.global_commands = echoed.clone(),
        Some(g) => {
            s.guild_commands.insert(g, echoed.clone());
        }
    }
    s.last_registered = echoed.clone();
    s.registrations += 1;
    Reply::ok(Value::Array(echoed))
}
