//! The HTTP server: health, readiness and metrics for operators; the web desk (sign-in by
//! email link or Discord, the approval inbox, approve-from-email links, a page per reference,
//! dashboards); the customers' satisfaction page. The Discord interactions endpoint is merged
//! in by `app` when Discord runs in http mode.
//!
//! Like the chat, the web is a transport: every page calls the same service functions and
//! permission checks ([`crate::access`]) as the commands, and adds no business rules.

pub mod auth;
pub mod dash;
pub mod inbox;
pub mod links;
pub mod metrics;
pub mod page;
pub mod refs;
mod satisfaction;
pub mod session;

use crate::chat::Chat;
use crate::config::Config;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::watch;

/// What the handlers share.
#[derive(Clone)]
pub struct Web {
    /// The chat front: the desk, the renderer, and the actions a reference page runs.
    pub chat: Chat,
    pub settings: Arc<WebSettings>,
    discord: DiscordReadiness,
    /// Dashboard panels computed recently.
    dash: Arc<dash::Cache>,
}

/// The web desk's settings, from `[web]` and `[discord]`.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Where people reach bizdesk (links in emails), without a trailing `/`.
    pub public_url: String,
    /// Cookies carry `Secure` (the public address is https).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle_ms: i64,
    /// How long an approve-from-email link works.
    pub link_valid_ms: i64,
    /// Sign-in links one address may ask for per hour.
    pub signin_per_hour: u32,
    /// "Sign in with Discord", when the application's id and client secret are configured.
    pub discord_oauth: Option<DiscordOAuth>,
}

/// Discord's OAuth2 application, for "Sign in with Discord".
#[derive(Clone)]
pub struct DiscordOAuth {
    pub client_id: u64,
    pub client_secret: crate::config::Secret,
    /// Discord's API base (`https://discord.com/api/v10`, or the fake Discord's in tests).
    pub api_base: String,
    /// Where the browser is sent to authorize (`https://discord.com/oauth2/authorize`).
    pub authorize_url: String,
}

impl std::fmt::Debug for DiscordOAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DiscordOAuth({}, {})", self.client_id, self.api_base)
    }
}

impl WebSettings {
    /// The settings of `config`.
    pub fn from_config(config: &Config) -> WebSettings {
        let public_url = config.web.public_url.trim_end_matches('/').to_string();
        let d = &config.discord;
        let discord_oauth = match (d.application_id, d.client_secret.is_set()) {
            (Some(client_id), true) => {
                // `discord.api_base` is the site, as for the bot (`https://discord.com`, or a
                // test's fake Discord); the API is under `/api/v10`, the authorize page beside it.
                let base = if d.api_base.is_empty() {
                    "https://discord.com"
                } else {
                    d.api_base.trim_end_matches('/')
                };
                let site = base.find("/api").map_or(base, |i| &base[..i]);
                Some(DiscordOAuth {
                    client_id,
                    client_secret: d.client_secret.clone(),
                    authorize_url: format!("{site}/oauth2/authorize"),
                    api_base: format!("{site}/api/v10"),
                })
            }
            _ => None,
        };
        WebSettings {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            session_idle_ms: i64::from(config.web.session_idle_minutes) * 60_000,
            link_valid_ms: i64::from(config.web.link_valid_days) * 86_400_000,
            signin_per_hour: config.web.signin_per_hour,
            discord_oauth,
        }
    }
}

/// What `/readyz` knows about Discord in this process.
#[derive(Clone, Debug, Default)]
pub enum DiscordReadiness {
    /// No token: Discord is not used.
    #[default]
    Off,
    /// HTTP mode: Discord calls the endpoint; there is no connection to hold.
    Endpoint,
    /// Gateway mode: whether the websocket session is live now.
    Gateway(watch::Receiver<bool>),
}

/// The routes bizdesk serves, for a process without Discord.
pub fn router(chat: Chat, settings: WebSettings) -> Router {
    router_with_discord(chat, settings, DiscordReadiness::Off)
}

/// The routes bizdesk serves; `discord` tells `/readyz` about the Discord connection.
pub fn router_with_discord(chat: Chat, settings: WebSettings, discord: DiscordReadiness) -> Router {
    let web = Web {
        chat,
        settings: Arc::new(settings),
        discord,
        dash: Arc::default(),
    };
    let routes = Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .merge(satisfaction::routes())
        .merge(page::routes())
        .merge(auth::routes())
        .merge(inbox::routes())
        .merge(links::routes())
        .merge(refs::routes())
        .merge(dash::routes())
        .merge(metrics::routes())
        .fallback(page::not_found);
    metrics::layer(routes).with_state(web)
}

/// 200 when the database answers and, if this process holds a Discord gateway, it is
/// connected; otherwise 503 saying which part is not ready. `/healthz` stays "the process
/// and its database work": a load balancer or orchestrator picks the one it needs.
async fn ready(State(web): State<Web>) -> (StatusCode, Json<serde_json::Value>) {
    let database = match sqlx::query("SELECT 1")
        .execute(web.chat.desk.store.pool())
        .await
    {
        Ok(_) => "ok",
        Err(_) => "unavailable",
    };
    let discord = match &web.discord {
        DiscordReadiness::Off => "off",
        DiscordReadiness::Endpoint => "http endpoint",
        DiscordReadiness::Gateway(c) if *c.borrow() => "connected",
        DiscordReadiness::Gateway(_) => "not connected",
    };
    let ready = database == "ok" && discord != "not connected";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({ "ready": ready, "database": database, "discord": discord });
    (status, Json(body))
}

/// 200 when the database answers, 503 otherwise.
async fn health(State(web): State<Web>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1")
        .execute(web.chat.desk.store.pool())
        .await
    {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
