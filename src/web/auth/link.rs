//! Sign-in links: a random token, stored hashed (`web_signin_tokens`), emailed to an active
//! employee; it works for 15 minutes, once. Opening the link (GET) changes nothing, so a mail
//! scanner cannot use it up: the page asks to continue, and the POST signs in.

use super::{is_token, problem, safe_next, signed_in, Next};
use crate::domain::directory::EmployeeId;
use crate::service::notify::kind;
use crate::service::DeskResult;
use crate::store::outbox::{self, NewMessage, EMAIL};
use crate::store::{self, directory};
use crate::web::session::{self, constant_time_eq};
use crate::web::{page, Web};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a sign-in link works.
pub const VALID_MS: i64 = 15 * 60_000;
/// The window the per-address limit counts requests in.
const HOUR_MS: i64 = 3_600_000;

/// `/signin/{token}`: GET shows, POST signs in.
pub(super) fn routes() -> Router<Web> {
    Router::new().route("/signin/{token}", get(link_page).post(link_use))
}

/// The form behind "Continue".
#[derive(Deserialize)]
struct ContinueForm {
    csrf: Option<String>,
    next: Option<String>,
}

/// Records a request for a link to `email` and, when the address is an active employee's and
/// has not asked too often this hour, emails them a new link (leading on to `next`).
pub(super) async fn request(web: &Web, email: &str, next: Option<&str>) -> DeskResult<()> {
    let desk = &web.chat.desk;
    let address = email.to_lowercase();
    let address_hash = hex::encode(Sha256::digest(address.as_bytes()));
    let now = store::to_ms(desk.now());
    let mut tx = desk.store.begin().await?;
    // Requests for one address count one at a time (SQLite's write transaction already
    // serializes them; PostgreSQL's READ COMMITTED would let a burst all pass the count).
    if desk.store.backend() == crate::store::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(&address_hash)
            .execute(&mut *tx)
            .await?;
    }
    // What no check needs any more goes: requests older than the hour the limit looks at,
    // links past their expiry, sessions ended or idle for a day.
    sqlx::query("DELETE FROM web_signin_requests WHERE at <= $1")
        .bind(now - HOUR_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM web_signin_tokens WHERE expires_at <= $1")
        .bind(now - HOUR_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM web_sessions WHERE ended_at <= $1 OR last_seen_at <= $2")
        .bind(now - 86_400_000)
        .bind(now - web.settings.session_idle_ms - 86_400_000)
        .execute(&mut *tx)
        .await?;
    let (asked,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM web_signin_requests WHERE address_hash = $1 AND at > $2",
    )
    .bind(&address_hash)
    .bind(now - HOUR_MS)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO web_signin_requests (address_hash, at) VALUES ($1, $2)")
        .bind(&address_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let employee: Option<(EmployeeId, String)> = if asked < i64::from(web.settings.signin_per_hour)
    {
        // Compared in Rust: SQLite's LOWER folds ASCII only, and an address may have other
        // capitals. The active staff is a short list.
        let staff: Vec<(EmployeeId, String)> =
            sqlx::query_as("SELECT id, email FROM employees WHERE active = 1")
                .fetch_all(&mut *tx)
                .await?;
        staff
            .into_iter()
            .find(|(_, e)| e.trim().to_lowercase() == address)
    } else {
        None
    };
    if let Some((id, to)) = employee {
        let token = session::random_token();
        sqlx::query(
            "INSERT INTO web_signin_tokens (token_hash, employee_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(session::hash(&token))
        .bind(id)
        .bind(now)
        .bind(now + VALID_MS)
        .execute(&mut *tx)
        .await?;
        let mut url = format!("{}/signin/{token}", web.settings.public_url);
        if let Some(n) = next {
            url.push_str(&format!("?next={}", page::url_encode(n)));
        }
        let m = NewMessage {
            channel: EMAIL,
            recipient: Some(id),
            address: Some(to),
            kind: kind::SIGNIN_LINK,
            subject_ref: None,
            payload: json!({ "url": url, "minutes": VALID_MS / 60_000 }),
            edits: None,
        };
        outbox::enqueue(&mut tx, &m, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Where a link stands.
enum Link {
    /// Usable by this employee.
    Valid(EmployeeId),
    /// Never issued (or mistyped): 400.
    Unknown,
    /// Issued, but more than 15 minutes ago: 410.
    Expired,
    /// Already used: 409.
    Used,
}

/// What the token's row says, changing nothing.
async fn status(web: &Web, token: &str) -> DeskResult<Link> {
    if !is_token(token) {
        return Ok(Link::Unknown);
    }
    let desk = &web.chat.desk;
    let row: Option<(EmployeeId, i64, Option<i64>)> = sqlx::query_as(
        "SELECT employee_id, expires_at, used_at FROM web_signin_tokens WHERE token_hash = $1",
    )
    .bind(session::hash(token))
    .fetch_optional(desk.store.pool())
    .await?;
    let now = store::to_ms(desk.now());
    Ok(match row {
        None => Link::Unknown,
        Some((_, _, Some(_))) => Link::Used,
        Some((_, expires, None)) if expires <= now => Link::Expired,
        Some((id, _, None)) => Link::Valid(id),
    })
}

/// Opens `id`'s session; a session this browser already had (perhaps someone else's) ends,
/// so a shared browser never holds two.
pub(super) async fn switch_session(
    web: &Web,
    headers: &HeaderMap,
    id: EmployeeId,
    via: &str,
) -> crate::service::DeskResult<axum::http::HeaderValue> {
    if let Some(old) = session::cookie(headers, session::COOKIE) {
        session::end(web, &session::hash(old)).await?;
    }
    session::open(web, id, via).await
}

/// The page for a link that cannot sign in.
fn refused(web: &Web, locale: crate::domain::Locale, link: &Link) -> Response {
    let (status, key) = match link {
        Link::Expired => (StatusCode::GONE, "expired"),
        Link::Used => (StatusCode::CONFLICT, "used"),
        Link::Unknown | Link::Valid(_) => (StatusCode::BAD_REQUEST, "unknown"),
    };
    problem(web, locale, status, key)
}

/// The form token of a link's page: HMAC of the token under the web's link key.
fn form_token(web: &Web, token: &str) -> String {
    let mut m =
        Hmac::<Sha256>::new_from_slice(&session::link_key(web)).expect("HMAC takes any key length");
    m.update(b"signin:");
    m.update(token.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// GET `/signin/{token}`: "Sign in as NAME" and a button; changes nothing.
async fn link_page(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(q): Query<Next>,
    headers: HeaderMap,
) -> Response {
    let locale = page::anonymous_locale(&web, &headers);
    let link = match status(&web, &token).await {
        Ok(l) => l,
        Err(e) => return page::internal(&web, &e),
    };
    let Link::Valid(id) = link else {
        return refused(&web, locale, &link);
    };
    let employee = {
        let mut conn = match web.chat.desk.store.pool().acquire().await {
            Ok(c) => c,
            Err(e) => return page::internal(&web, &e.into()),
        };
        match directory::by_id(&mut conn, id).await {
            Ok(Some(e)) if e.active => e,
            Ok(_) => return refused(&web, locale, &Link::Unknown),
            Err(e) => return page::internal(&web, &e.into()),
        }
    };
    let locale = web.chat.desk.locale_of(&employee);
    let ctx = json!({
        "name": employee.name,
        "action": format!("/signin/{token}"),
        "csrf": form_token(&web, &token),
        "next": safe_next(q.next.as_deref()).unwrap_or_default(),
    });
    page::render(&web, None, locale, "web/signin_link.html", ctx)
}

/// POST `/signin/{token}`: uses the link up (once, atomically) and opens a session.
async fn link_use(
    State(web): State<Web>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ContinueForm>,
) -> Response {
    let locale = page::anonymous_locale(&web, &headers);
    if !is_token(&token) {
        return refused(&web, locale, &Link::Unknown);
    }
    // The form's token proves the page was seen; the browser's own headers prove the POST
    // came from that page, not from a site that read the link and signs someone in as its
    // holder.
    let csrf_ok = page::same_origin(&web, &headers)
        && f.csrf
            .as_deref()
            .is_some_and(|c| constant_time_eq(c.as_bytes(), form_token(&web, &token).as_bytes()));
    if !csrf_ok {
        return page::problem(
            &web,
            None,
            locale,
            StatusCode::FORBIDDEN,
            "web.problem.csrf",
        );
    }
    match consume(&web, &token).await {
        Ok(Some(id)) => match switch_session(&web, &headers, id, "email").await {
            Ok(cookie) => signed_in(cookie, safe_next(f.next.as_deref()).as_deref()),
            Err(e) => page::internal(&web, &e),
        },
        Ok(None) => match status(&web, &token).await {
            Ok(link) => refused(&web, locale, &link),
            Err(e) => page::internal(&web, &e),
        },
        Err(e) => page::internal(&web, &e),
    }
}

/// Marks the link used if it is still unused and unexpired; its active employee, if it was.
/// One UPDATE decides, so of two simultaneous uses exactly one wins on either backend.
async fn consume(web: &Web, token: &str) -> DeskResult<Option<EmployeeId>> {
    let desk = &web.chat.desk;
    let hash = session::hash(token);
    let now = store::to_ms(desk.now());
    let mut conn = desk.store.pool().acquire().await?;
    let used = sqlx::query(
        "UPDATE web_signin_tokens SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(None);
    }
    let (id,): (EmployeeId,) =
        sqlx::query_as("SELECT employee_id FROM web_signin_tokens WHERE token_hash = $1")
            .bind(&hash)
            .fetch_one(&mut *conn)
            .await?;
    Ok(directory::by_id(&mut conn, id)
        .await?
        .filter(|e| e.active)
        .map(|e| e.id))
}
