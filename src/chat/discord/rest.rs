//! Discord's REST API, the few routes bizdesk calls, with errors a caller can act on.
//!
//! serenity's own HTTP client is kept for the gateway; this one is used for interaction
//! callbacks, command registration and DMs because its errors keep what a retry needs:
//! 429's `retry_after`, and Discord's JSON error code (50007: the user's DMs are closed).

use serde_json::{json, Value};
use std::time::Duration;

/// The real Discord, when no `discord.api_base` is configured.
pub const DISCORD: &str = "https://discord.com";

/// A REST failure, classified for the retry policy.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// 429: wait this long, then try again.
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    /// Another 4xx: retrying the same request would fail the same way.
    #[error("Discord refused ({status}, code {code}): {message}")]
    Refused {
        status: u16,
        code: i64,
        message: String,
    },
    /// 5xx: Discord's trouble; retry with backoff.
    #[error("Discord failed ({status})")]
    Server { status: u16 },
    /// No answer at all: retry with backoff.
    #[error("network: {0}")]
    Network(String),
}

impl RestError {
    /// Discord's code for "Cannot send messages to this user" (DMs closed, or no shared server).
    pub const DMS_CLOSED: i64 = 50007;
}

/// reqwest's own text ("error sending request") with the cause at the bottom of its chain
/// ("Connection refused"), without the URL (it may carry an interaction token).
fn network_reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut root = None;
    let mut next = std::error::Error::source(&e);
    while let Some(cause) = next {
        root = Some(cause);
        next = cause.source();
    }
    match root {
        Some(cause) => format!("{e} ({cause})"),
        None => e.to_string(),
    }
}

/// A small REST client for one bot.
#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Rest {
    /// A client for `base` (empty: Discord itself). System proxies are ignored for a configured
    /// base, so a test's 127.0.0.1 fake is reached directly.
    pub fn new(base: &str, token: &str) -> anyhow::Result<Rest> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent("DiscordBot (https://example.invalid/bizdesk, 0.1)");
        if !base.is_empty() {
            builder = builder.no_proxy();
        }
        let base = if base.is_empty() {
            DISCORD
        } else {
            base.trim_end_matches('/')
        };
        Ok(Rest {
            client: builder.build()?,
            base: format!("{base}/api/v10"),
            token: token.to_string(),
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, RestError> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Bot {}", self.token));
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| RestError::Network(network_reason(e)))?;
        let status = resp.status().as_u16();
        let header_wait = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite());
        let text = resp.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match status {
            200..=299 => Ok(json),
            429 => {
                let secs = json
                    .get("retry_after")
                    .and_then(Value::as_f64)
                    .filter(|v| v.is_finite())
                    .or(header_wait)
                    .unwrap_or(1.0);
                Err(RestError::RateLimited(Duration::from_secs_f64(
                    secs.clamp(0.0, 3600.0),
                )))
            }
            400..=499 => Err(RestError::Refused {
                status,
                code: json.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: json
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or(&text)
                    .chars()
                    .take(300)
                    .collect(),
            }),
            _ => Err(RestError::Server { status }),
        }
    }

    /// Answers an interaction (the first response, within Discord's 3 s).
    pub async fn interaction_callback(
        &self,
        id: &str,
        token: &str,
        body: &Value,
    ) -> Result<(), RestError> {
        self.call(
            reqwest::Method::POST,
            &format!("/interactions/{id}/{token}/callback"),
            Some(body),
        )
        .await
        .map(|_| ())
    }

    /// The gateway's address (`GET /gateway`): asked before the websocket client is built,
    /// because serenity falls back to the real Discord's gateway when this call fails.
    pub async fn gateway_url(&self) -> Result<String, RestError> {
        let v = self.call(reqwest::Method::GET, "/gateway", None).await?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(RestError::Server { status: 200 })
    }

    /// Replaces a deferred response.
    pub async fn edit_original(
        &self,
        app: u64,
        token: &str,
        body: &Value,
    ) -> Result<(), RestError> {
        self.call(
            reqwest::Method::PATCH,
            &format!("/webhooks/{app}/{token}/messages/@original"),
            Some(body),
        )
        .await
        .map(|_| ())
    }

    /// Overwrites all commands: in one server when `guild` is set, else globally.
    pub async fn register_commands(
        &self,
        app: u64,
        guild: Option<u64>,
        body: &Value,
    ) -> Result<usize, RestError> {
        let path = match guild {
            Some(g) => format!("/applications/{app}/guilds/{g}/commands"),
            None => format!("/applications/{app}/commands"),
        };
        let out = self.call(reqwest::Method::PUT, &path, Some(body)).await?;
        Ok(out.as_array().map_or(0, Vec::len))
    }

    /// The bot's application id, from Discord.
    pub async fn application_id(&self) -> Result<u64, RestError> {
        let app = self
            .call(reqwest::Method::GET, "/oauth2/applications/@me", None)
            .await?;
        app.get("id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| RestError::Network("application without an id".into()))
    }

    /// The bot user's id (for a bot application, also the application's id).
    pub async fn bot_user_id(&self) -> Result<u64, RestError> {
        let me = self.call(reqwest::Method::GET, "/users/@me", None).await?;
        me.get("id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| RestError::Network("bot user without an id".into()))
    }

    /// Opens (or finds) the DM channel with a user; returns its id.
    pub async fn dm_channel(&self, user: &str) -> Result<String, RestError> {
        let ch = self
            .call(
                reqwest::Method::POST,
                "/users/@me/channels",
                Some(&json!({ "recipient_id": user })),
            )
            .await?;
        ch.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(RestError::Server { status: 200 })
    }

    /// Posts a message; returns its id.
    pub async fn post_message(&self, channel: &str, body: &Value) -> Result<String, RestError> {
        let m = self
            .call(
                reqwest::Method::POST,
                &format!("/channels/{channel}/messages"),
                Some(body),
            )
            .await?;
        m.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(RestError::Server { status: 200 })
    }

    /// Edits a message.
    pub async fn edit_message(
        &self,
        channel: &str,
        message: &str,
        body: &Value,
    ) -> Result<(), RestError> {
        self.call(
            reqwest::Method::PATCH,
            &format!("/channels/{channel}/messages/{message}"),
            Some(body),
        )
        .await
        .map(|_| ())
    }
}
