//! Browser sessions: an opaque random id in an HttpOnly cookie, stored hashed in
//! `web_sessions` with the session's CSRF token; it ends on sign-out or after
//! `web.session_idle_minutes` without a request. [`Viewer`] is the signed-in employee a page
//! is for; a page that needs one simply takes it as an argument.

use super::page;
use super::Web;
use crate::domain::directory::{Employee, EmployeeId};
use crate::domain::Locale;
use crate::service::DeskResult;
use crate::store;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "bizdesk_session";

/// A request's last-seen time is written at most this often (not on every page view).
const TOUCH_EVERY_MS: i64 = 60_000;

/// The signed-in employee a request is for.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub employee: Employee,
    /// The language pages are shown in: the employee's own, else the company's.
    pub locale: Locale,
    /// The token every form of this session carries (`<input name="csrf">`).
    pub csrf: String,
    /// The session's stored id (a hash of the cookie's value).
    pub session: String,
}

impl Viewer {
    /// Refuses a form whose `csrf` field is not this session's token (403, a clear page).
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, web: &Web, token: Option<&str>) -> Result<(), Response> {
        let ok = token.is_some_and(|t| constant_time_eq(t.as_bytes(), self.csrf.as_bytes()));
        if ok {
            Ok(())
        } else {
            Err(page::problem(
                web,
                Some(self),
                self.locale,
                StatusCode::FORBIDDEN,
                "web.problem.csrf",
            ))
        }
    }
}

/// A page that works signed in or not (the sign-in page, the email-link page).
#[derive(Debug, Clone)]
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<Web> for MaybeViewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        match lookup(web, &parts.headers).await {
            Ok(v) => Ok(MaybeViewer(v)),
            Err(e) => Err(page::internal(web, &e)),
        }
    }
}

impl FromRequestParts<Web> for Viewer {
    type Rejection = Response;

    /// Without a live session: a GET is sent to sign in (and comes back after), anything else
    /// gets a page saying the session ended.
    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        match lookup(web, &parts.headers).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) if parts.method == Method::GET => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/inbox", |p| p.as_str())
                    .to_string();
                Err(Redirect::to(&format!("/?next={}", page::url_encode(&next))).into_response())
            }
            Ok(None) => {
                let locale =
                    page::browser_locale(&parts.headers).unwrap_or(web.chat.desk.company.locale);
                Err(page::problem(
                    web,
                    None,
                    locale,
                    StatusCode::UNAUTHORIZED,
                    "web.problem.signed_out",
                ))
            }
            Err(e) => Err(page::internal(web, &e)),
        }
    }
}

/// The live session a request's cookie names, if any; refreshes its last-seen time.
pub async fn lookup(web: &Web, headers: &HeaderMap) -> DeskResult<Option<Viewer>> {
    let Some(token) = cookie(headers, COOKIE) else {
        return Ok(None);
    };
    let desk = &web.chat.desk;
    let id_hash = hash(token);
    let now = store::to_ms(desk.now());
    let mut conn = desk.store.pool().acquire().await?;
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT employee_id, csrf, last_seen_at FROM web_sessions \
         WHERE id_hash = $1 AND ended_at IS NULL",
    )
    .bind(&id_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((employee_id, csrf, last_seen)) = row else {
        return Ok(None);
    };
    if now - last_seen > web.settings.session_idle_ms {
        // Best effort: the session is over whether or not this write lands now (a busy
        // SQLite writer must not turn a page into an error; the purge ends it later).
        if let Err(e) = sqlx::query(
            "UPDATE web_sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL",
        )
        .bind(&id_hash)
        .bind(now)
        .execute(&mut *conn)
        .await
        {
            tracing::warn!(error = %e, "could not mark an idle web session ended");
        }
        return Ok(None);
    }
    let Some(employee) = store::directory::by_id(&mut conn, employee_id).await? else {
        return Ok(None);
    };
    if !employee.active {
        return Ok(None);
    }
    if now - last_seen > TOUCH_EVERY_MS {
        // Best effort too: a missed touch costs at most a minute of idle time.
        if let Err(e) = sqlx::query("UPDATE web_sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(&id_hash)
            .bind(now)
            .execute(&mut *conn)
            .await
        {
            tracing::warn!(error = %e, "could not touch a web session");
        }
    }
    Ok(Some(Viewer {
        locale: desk.locale_of(&employee),
        employee,
        csrf,
        session: id_hash,
    }))
}

/// Opens a session for `employee` (signed in `via` "email" or "discord") and returns the
/// `Set-Cookie` value that carries it.
pub async fn open(web: &Web, employee: EmployeeId, via: &str) -> DeskResult<HeaderValue> {
    let desk = &web.chat.desk;
    let token = random_token();
    let now = store::to_ms(desk.now());
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, employee_id, csrf, via, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(hash(&token))
    .bind(employee)
    .bind(random_token())
    .bind(via)
    .bind(now)
    .execute(desk.store.pool())
    .await?;
    Ok(set_cookie(web, &token))
}

/// Ends the session with this stored id (sign-out).
pub async fn end(web: &Web, session: &str) -> DeskResult<()> {
    let desk = &web.chat.desk;
    sqlx::query("UPDATE web_sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL")
        .bind(session)
        .bind(store::to_ms(desk.now()))
        .execute(desk.store.pool())
        .await?;
    Ok(())
}

/// The session cookie: HttpOnly, SameSite=Lax, `Secure` when the public address is https.
/// It lives as long as the browser; the server ends the session when idle.
pub fn set_cookie(web: &Web, token: &str) -> HeaderValue {
    let secure = if web.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&v).expect("a hex token is a valid header value")
}

/// Deletes the session cookie.
pub fn clear_cookie(web: &Web) -> HeaderValue {
    let secure = if web.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    HeaderValue::from_str(&v).expect("a valid header value")
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// 32 random bytes as 64 hex digits: session ids, CSRF tokens, sign-in tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// How a token is stored: its SHA-256, hex.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The key that signs the web's links (approve-from-email), derived from the key file's
/// link-signing key so the key file stays as it is.
pub fn link_key(web: &Web) -> Vec<u8> {
    crate::approval::link_token::key(&web.chat.desk.keys.satisfaction)
}

/// Equality that takes the same time wherever the inputs differ (see
/// [`crate::domain::text::constant_time_eq`]).
pub use crate::domain::text::constant_time_eq;
