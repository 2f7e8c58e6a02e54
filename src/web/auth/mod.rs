//! Signing in to the web desk: by a link emailed to one's work address ([`link`]), or with
//! Discord ([`discord`]) when its OAuth2 application is configured; and signing out.
//!
//! The sign-in page answers the same whether or not an address is known or asked too often,
//! so it tells no one who works here. Before a session exists, its form is protected by a
//! double-submit token: a random value in a short-lived cookie and a hidden field.

mod discord;
mod link;

use super::page;
use super::session::{self, MaybeViewer, Viewer};
use super::Web;
use crate::domain::Locale;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;

/// The cookie that carries the sign-in form's token before a session exists.
const FORM_COOKIE: &str = "bizdesk_signin";
/// How long the sign-in form's token lives, in seconds.
const FORM_COOKIE_SECS: u32 = 3600;
/// Where a signed-in visitor goes when nothing else was asked for.
const HOME: &str = "/inbox";
/// The longest email address accepted (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// `/`, `/signin`, `/signin/{token}`, `/signout`, `/auth/discord` and its callback.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(signin_page).post(signin_request))
        .route("/signin", get(signin_page).post(signin_request))
        .route("/signout", post(signout))
        .merge(link::routes())
        .merge(discord::routes())
}

/// Where to go after signing in.
#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
struct SigninForm {
    email: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

/// A form with only its token (sign-out).
#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// `next` when it is a path on this site (`/inbox`, `/r/REQ-1?x=y`): one leading `/`, never
/// `//host` or `/\host` (browsers read both as another site), no scheme, no control characters.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && n.len() <= 1000
        && !n.chars().any(char::is_control);
    ok.then(|| n.to_string())
}

/// GET `/`: signed in → on to `next`; otherwise the sign-in form.
async fn signin_page(
    State(web): State<Web>,
    MaybeViewer(viewer): MaybeViewer,
    Query(q): Query<Next>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if viewer.is_some() {
        return Redirect::to(next.as_deref().unwrap_or(HOME)).into_response();
    }
    let locale = page::anonymous_locale(&web, &headers);
    form_page(&web, &headers, locale, StatusCode::OK, "", None, next)
}

/// The sign-in form (with `problem` shown above the address when set), carrying the form
/// token of the visitor's cookie, or a new one.
fn form_page(
    web: &Web,
    headers: &HeaderMap,
    locale: Locale,
    status: StatusCode,
    email: &str,
    problem: Option<&str>,
    next: Option<String>,
) -> Response {
    let token = match session::cookie(headers, FORM_COOKIE) {
        Some(t) if is_token(t) => t.to_string(),
        _ => session::random_token(),
    };
    let discord = match (&web.settings.discord_oauth, &next) {
        (None, _) => String::new(),
        (Some(_), None) => "/auth/discord".to_string(),
        (Some(_), Some(n)) => format!("/auth/discord?next={}", page::url_encode(n)),
    };
    let ctx = json!({
        "sent": false,
        "email": email,
        "problem": problem.map(|k| page::label(web, locale, k)),
        "csrf": token,
        "next": next.unwrap_or_default(),
        "discord": discord,
    });
    let mut r = page::render_status(web, None, locale, status, "web/signin.html", ctx);
    r.headers_mut().append(
        header::SET_COOKIE,
        short_cookie(web, FORM_COOKIE, &token, "/", FORM_COOKIE_SECS),
    );
    r
}

/// POST `/`: asks for a sign-in link. The answer is the same page whether or not the address
/// is an active employee's and whether or not it asked too often.
async fn signin_request(
    State(web): State<Web>,
    headers: HeaderMap,
    Form(f): Form<SigninForm>,
) -> Response {
    let locale = page::anonymous_locale(&web, &headers);
    let expected = session::cookie(&headers, FORM_COOKIE).filter(|t| is_token(t));
    let csrf_ok = match (expected, f.csrf.as_deref()) {
        (Some(a), Some(b)) => session::constant_time_eq(a.as_bytes(), b.as_bytes()),
        _ => false,
    };
    if !csrf_ok {
        return page::problem(
            &web,
            None,
            locale,
            StatusCode::FORBIDDEN,
            "web.problem.csrf",
        );
    }
    let next = safe_next(f.next.as_deref());
    let email = f.email.unwrap_or_default().trim().to_string();
    if let Err(key) = check_email(&email) {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let shown: String = email.chars().take(MAX_EMAIL).collect();
        return form_page(&web, &headers, locale, status, &shown, Some(key), next);
    }
    if let Err(e) = link::request(&web, &email, next.as_deref()).await {
        return page::internal(&web, &e);
    }
    let ctx = json!({
        "sent": true, "email": "", "problem": null, "csrf": "", "next": "",
        "discord": "",
    });
    page::render(&web, None, locale, "web/signin.html", ctx)
}

/// Whether `email` looks like an address; the message key saying why not.
fn check_email(email: &str) -> Result<(), &'static str> {
    if email.is_empty() {
        return Err("web_signin.email_missing");
    }
    let plausible = email.len() <= MAX_EMAIL
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.parse::<lettre::Address>().is_ok();
    if plausible {
        Ok(())
    } else {
        Err("web_signin.email_invalid")
    }
}

/// POST `/signout`: ends the session and clears its cookie.
async fn signout(State(web): State<Web>, viewer: Viewer, Form(f): Form<CsrfForm>) -> Response {
    if let Err(r) = viewer.check_csrf(&web, f.csrf.as_deref()) {
        return r;
    }
    if let Err(e) = session::end(&web, &viewer.session).await {
        return page::internal(&web, &e);
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie(&web));
    r
}

/// Whether a value is one of our tokens (64 hex digits).
fn is_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A short-lived cookie for the sign-in steps: HttpOnly, SameSite=Lax, `Secure` on https.
fn short_cookie(web: &Web, name: &str, value: &str, path: &str, secs: u32) -> HeaderValue {
    let secure = if web.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!("{name}={value}; Path={path}; Max-Age={secs}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&v).expect("cookie values are hex")
}

/// A sign-in problem page (`web_signin.KEY.title`/`.text`) with a way to start again.
fn problem(web: &Web, locale: Locale, status: StatusCode, key: &str) -> Response {
    let ctx = json!({
        "title": page::label(web, locale, &format!("web_signin.{key}.title")),
        "text": page::label(web, locale, &format!("web_signin.{key}.text")),
    });
    page::render_status(web, None, locale, status, "web/signin_problem.html", ctx)
}

/// A signed-in redirect to `next` carrying the new session's cookie.
fn signed_in(cookie: HeaderValue, next: Option<&str>) -> Response {
    let mut r = Redirect::to(next.unwrap_or(HOME)).into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(
            safe_next(Some("/r/REQ-1?x=1")).as_deref(),
            Some("/r/REQ-1?x=1")
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "inbox",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn addresses_are_checked_for_shape_only() {
        assert!(check_email("li.na@example.com").is_ok());
        assert_eq!(check_email(""), Err("web_signin.email_missing"));
        for bad in ["li.na", "li na@example.com", "@example.com", "a@", "a@b@c"] {
            assert_eq!(check_email(bad), Err("web_signin.email_invalid"), "{bad}");
        }
        assert!(check_email(&format!("{}@example.com", "a".repeat(300))).is_err());
    }
}
