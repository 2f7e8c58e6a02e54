//! OAuth2 for "Sign in with Discord": the authorize page (which answers at once, as if the
//! user pressed Authorize, or Cancel when no user is set), the token exchange, and
//! `/users/@me` with a Bearer token. Bot-token calls to `/users/@me` go on to the REST fake.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Form, Query, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::rest::rest_handler;
use super::{snowflake, user_json, FakeDiscord, Shared, APP_ID};

/// The client secret the fake accepts unless a test sets another.
pub const CLIENT_SECRET: &str = "fake-discord-client-secret";

/// The OAuth2 application and who is signed in at the fake Discord.
pub(super) struct OAuthApp {
    client_id: u64,
    client_secret: String,
    /// Who presses Authorize; `None`: the user presses Cancel.
    user: Option<u64>,
    /// Authorization codes not yet exchanged: code → (user, redirect_uri).
    codes: HashMap<String, (u64, String)>,
    /// Access tokens: token → user.
    tokens: HashMap<String, u64>,
}

impl Default for OAuthApp {
    fn default() -> Self {
        OAuthApp {
            client_id: APP_ID,
            client_secret: CLIENT_SECRET.to_string(),
            user: None,
            codes: HashMap::new(),
            tokens: HashMap::new(),
        }
    }
}

/// The routes OAuth adds in front of the REST fake.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth2/authorize", get(authorize))
        .route("/api/v10/oauth2/token", post(token))
        .route("/api/v10/users/@me", get(me))
}

impl FakeDiscord {
    /// The user who presses Authorize on the authorize page (`None`: they press Cancel).
    pub fn oauth_user(&self, user_id: Option<u64>) {
        self.shared.oauth.lock().unwrap().user = user_id;
    }

    /// Access tokens handed out so far.
    pub fn oauth_tokens_issued(&self) -> usize {
        self.shared.oauth.lock().unwrap().tokens.len()
    }
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
}

/// GET `/oauth2/authorize`: back to `redirect_uri` with a code and the state (or
/// `error=access_denied`); a malformed request gets Discord's error page (400).
async fn authorize(
    AxumState(shared): AxumState<Arc<Shared>>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let mut app = shared.oauth.lock().unwrap();
    let client_ok = q.client_id.as_deref() == Some(&app.client_id.to_string());
    let (Some(redirect), true, Some("code")) =
        (q.redirect_uri, client_ok, q.response_type.as_deref())
    else {
        return (StatusCode::BAD_REQUEST, "Invalid OAuth2 request").into_response();
    };
    if !q
        .scope
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == "identify")
    {
        return (StatusCode::BAD_REQUEST, "Invalid scope").into_response();
    }
    let state = q.state.unwrap_or_default();
    let to = match app.user {
        Some(user) => {
            let code = format!("code{}", snowflake());
            app.codes.insert(code.clone(), (user, redirect.clone()));
            format!("{redirect}?code={code}&state={state}")
        }
        None => format!("{redirect}?error=access_denied&state={state}"),
    };
    Redirect::to(&to).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// POST `/api/v10/oauth2/token`: a code (once, for its redirect_uri) for an access token.
async fn token(AxumState(shared): AxumState<Arc<Shared>>, Form(f): Form<TokenForm>) -> Response {
    let mut app = shared.oauth.lock().unwrap();
    let client_ok = f.client_id.as_deref() == Some(&app.client_id.to_string())
        && f.client_secret.as_deref() == Some(app.client_secret.as_str());
    if !client_ok {
        let body = json!({"error": "invalid_client"});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    let grant = f.grant_type.as_deref() == Some("authorization_code");
    let code = f.code.and_then(|c| app.codes.remove(&c));
    let user = match code {
        Some((user, redirect)) if grant && f.redirect_uri.as_deref() == Some(&redirect) => user,
        _ => {
            let body = json!({"error": "invalid_grant"});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let access = format!("access{}", snowflake());
    app.tokens.insert(access.clone(), user);
    Json(json!({
        "access_token": access, "token_type": "Bearer", "expires_in": 604800,
        "refresh_token": format!("refresh{}", snowflake()), "scope": "identify",
    }))
    .into_response()
}

/// GET `/api/v10/users/@me`: with a Bearer token, its user; with the bot's token, the REST
/// fake answers (the bot's own user).
async fn me(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let Some(bearer) = bearer else {
        return rest_handler(AxumState(shared), method, uri, headers, body).await;
    };
    let user = shared.oauth.lock().unwrap().tokens.get(&bearer).copied();
    match user {
        Some(id) => Json(user_json(id)).into_response(),
        None => {
            let body = json!({"message": "401: Unauthorized", "code": 0});
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        }
    }
}
