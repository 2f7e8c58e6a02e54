//! "Sign in with Discord": OAuth2's authorization code flow with the `identify` scope. The
//! Discord user id it yields must be an active employee's `discord_id`.

use super::{is_token, problem, safe_next, short_cookie, signed_in, Next};
use crate::store::directory;
use crate::web::session::{self, constant_time_eq};
use crate::web::{page, DiscordOAuth, Web};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::time::Duration;

/// The cookie holding the state (and where to go after) while the browser is at Discord.
const STATE_COOKIE: &str = "bizdesk_oauth";
/// The cookie's path: sent only to the callback.
const STATE_PATH: &str = "/auth/discord";
/// How long the browser may stay at Discord's page, in seconds.
const STATE_SECS: u32 = 600;
/// How long bizdesk waits for Discord's answers.
const TIMEOUT: Duration = Duration::from_secs(10);

/// `/auth/discord` and its callback.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route("/auth/discord", get(start))
        .route("/auth/discord/callback", get(callback))
}

/// What Discord sends the browser back with.
#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a Discord sign-in did not open a session.
enum Refusal {
    /// The user pressed Cancel at Discord.
    Denied,
    /// The state is missing or not ours (an old tab, or a forged callback).
    BadState,
    /// No active employee has this Discord account.
    Unknown,
    /// Discord did not answer, or not as documented.
    Down,
}

/// GET `/auth/discord`: to Discord's authorize page, with a fresh state in a cookie.
async fn start(State(web): State<Web>, Query(q): Query<Next>, headers: HeaderMap) -> Response {
    let Some(oauth) = &web.settings.discord_oauth else {
        let locale = page::anonymous_locale(&web, &headers);
        return page::problem(
            &web,
            None,
            locale,
            StatusCode::NOT_FOUND,
            "web.problem.not_found",
        );
    };
    let state = session::random_token();
    let next = safe_next(q.next.as_deref()).unwrap_or_default();
    let cookie = format!("{state}.{}", hex::encode(next.as_bytes()));
    let url = format!(
        "{}?client_id={}&redirect_uri={}&response_type=code&scope=identify&state={state}",
        oauth.authorize_url,
        oauth.client_id,
        page::url_encode(&redirect_uri(&web)),
    );
    let mut r = Redirect::to(&url).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        short_cookie(&web, STATE_COOKIE, &cookie, STATE_PATH, STATE_SECS),
    );
    r
}

/// Where Discord sends the browser back.
fn redirect_uri(web: &Web) -> String {
    format!("{}/auth/discord/callback", web.settings.public_url)
}

/// GET `/auth/discord/callback`: checks the state, asks Discord who signed in, and opens a
/// session for the employee with that Discord account.
async fn callback(
    State(web): State<Web>,
    Query(q): Query<Callback>,
    headers: HeaderMap,
) -> Response {
    let locale = page::anonymous_locale(&web, &headers);
    let mut r = match sign_in(&web, &q, &headers).await {
        Ok(Ok((cookie, next))) => signed_in(cookie, next.as_deref()),
        Ok(Err(refusal)) => {
            let (status, key) = match refusal {
                Refusal::Denied => (StatusCode::FORBIDDEN, "discord_denied"),
                Refusal::BadState => (StatusCode::BAD_REQUEST, "discord_state"),
                Refusal::Unknown => (StatusCode::FORBIDDEN, "discord_unknown"),
                Refusal::Down => (StatusCode::BAD_GATEWAY, "discord_down"),
            };
            problem(&web, locale, status, key)
        }
        Err(e) => page::internal(&web, &e),
    };
    // The state is good for one callback.
    r.headers_mut().append(
        header::SET_COOKIE,
        short_cookie(&web, STATE_COOKIE, "", STATE_PATH, 0),
    );
    r
}

type Outcome = Result<(axum::http::HeaderValue, Option<String>), Refusal>;

async fn sign_in(
    web: &Web,
    q: &Callback,
    headers: &HeaderMap,
) -> crate::service::DeskResult<Outcome> {
    let Some(oauth) = &web.settings.discord_oauth else {
        return Ok(Err(Refusal::BadState));
    };
    let (state, next) = match session::cookie(headers, STATE_COOKIE).and_then(|c| c.split_once('.'))
    {
        Some((s, n)) if is_token(s) => (s, n),
        _ => return Ok(Err(Refusal::BadState)),
    };
    let state_ok = q
        .state
        .as_deref()
        .is_some_and(|given| constant_time_eq(given.as_bytes(), state.as_bytes()));
    if !state_ok {
        return Ok(Err(Refusal::BadState));
    }
    if q.error.is_some() {
        return Ok(Err(Refusal::Denied));
    }
    let Some(code) = q
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 512)
    else {
        return Ok(Err(Refusal::Denied));
    };
    let next = hex::decode(next)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let next = safe_next(next.as_deref());
    let discord_id = match discord_user(web, oauth, code).await {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "Discord sign-in: Discord did not answer as expected");
            return Ok(Err(Refusal::Down));
        }
    };
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    let employee = directory::by_discord_id(&mut conn, &discord_id)
        .await?
        .filter(|e| e.active);
    drop(conn);
    let Some(employee) = employee else {
        return Ok(Err(Refusal::Unknown));
    };
    let cookie = super::link::switch_session(web, headers, employee.id, "discord").await?;
    Ok(Ok((cookie, next)))
}

/// The Discord user id behind an authorization code: the code is exchanged for an access
/// token, which reads `/users/@me`. The error says which step failed (no code or token in it).
async fn discord_user(web: &Web, oauth: &DiscordOAuth, code: &str) -> Result<String, String> {
    let mut builder = reqwest::Client::builder().timeout(TIMEOUT);
    if !oauth.api_base.starts_with("https://discord.com") {
        // A configured API (a test's fake Discord) is reached directly, not through a proxy.
        builder = builder.no_proxy();
    }
    let client = builder.build().map_err(|e| format!("client: {e}"))?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect_uri(web)),
        ("client_id", &oauth.client_id.to_string()),
        ("client_secret", oauth.client_secret.expose()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", form_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let token: serde_json::Value = client
        .post(format!("{}/oauth2/token", oauth.api_base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("token exchange: {}", e.without_url()))?
        .json()
        .await
        .map_err(|e| format!("token exchange: {}", e.without_url()))?;
    let access = token["access_token"]
        .as_str()
        .ok_or("token exchange: no access_token in the answer")?;
    let me: serde_json::Value = client
        .get(format!("{}/users/@me", oauth.api_base))
        .bearer_auth(access)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("users/@me: {}", e.without_url()))?
        .json()
        .await
        .map_err(|e| format!("users/@me: {}", e.without_url()))?;
    me["id"]
        .as_str()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
        .ok_or_else(|| "users/@me: no id in the answer".to_string())
}

/// Percent-encodes a form value (`application/x-www-form-urlencoded`).
fn form_encode(s: &str) -> String {
    page::url_encode(s).replace('/', "%2F")
}
