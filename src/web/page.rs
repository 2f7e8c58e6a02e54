//! What every page shares: the layout (`templates/web/_layout.html`), the embedded style
//! sheet and script, problem pages, the reader's language, and chat text shown as HTML.
//! Labels come from the message catalogs (`templates/chat/<locale>/messages/web*.toml`)
//! through `t()`, so one template serves both languages.

use super::session::Viewer;
use super::Web;
use crate::domain::Locale;
use crate::service::DeskError;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

const CSS: &str = include_str!("../../templates/web/assets/desk.css");
const JS: &str = include_str!("../../templates/web/assets/desk.js");

/// The embedded assets: nothing is loaded from outside the company network.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route(
            "/assets/desk.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/desk.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Renders `template` (a path under `templates/`, e.g. `web/inbox.html`) in `locale`. The
/// context gains `viewer` (name, handle, csrf; null when signed out), `company` and `locale`.
pub fn render(
    web: &Web,
    viewer: Option<&Viewer>,
    locale: Locale,
    template: &str,
    ctx: Value,
) -> Response {
    render_status(web, viewer, locale, StatusCode::OK, template, ctx)
}

/// [`render`] with another status (a form shown again with its problem: 422).
pub fn render_status(
    web: &Web,
    viewer: Option<&Viewer>,
    locale: Locale,
    status: StatusCode,
    template: &str,
    ctx: Value,
) -> Response {
    let mut ctx = match ctx {
        Value::Object(m) => m,
        Value::Null => serde_json::Map::new(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("data".into(), other);
            m
        }
    };
    ctx.insert(
        "viewer".into(),
        viewer.map_or(Value::Null, |v| {
            json!({
                "name": v.employee.name, "handle": v.employee.handle, "csrf": v.csrf,
                "department": v.employee.department,
                // The menu offers the dashboards only to those who may read them.
                "dash": crate::access::dashboards::scope(&v.employee).is_some(),
            })
        }),
    );
    ctx.insert(
        "company".into(),
        json!(web.chat.desk.company.name_in(locale)),
    );
    match web
        .chat
        .renderer
        .render_file(locale, template, Value::Object(ctx))
    {
        Ok(html) => with_headers(status, html),
        Err(e) => {
            tracing::error!(template, error = %format!("{e:#}"), "page cannot be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("Sorry, something went wrong; please try again later."),
            )
                .into_response()
        }
    }
}

/// Security headers on every page: no framing, no sniffing, scripts and styles from bizdesk
/// only, no referrer leaking a link's token.
fn with_headers(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Any address bizdesk does not serve: a page saying so, in the reader's language.
pub(super) async fn not_found(
    axum::extract::State(web): axum::extract::State<Web>,
    viewer: super::session::MaybeViewer,
    headers: HeaderMap,
) -> Response {
    let locale = viewer
        .0
        .as_ref()
        .map_or_else(|| anonymous_locale(&web, &headers), |v| v.locale);
    problem(
        &web,
        viewer.0.as_ref(),
        locale,
        StatusCode::NOT_FOUND,
        "web.problem.not_found",
    )
}

/// A page that says what went wrong and what to do: `key.title` and `key.text` from the
/// message catalog.
pub fn problem(
    web: &Web,
    viewer: Option<&Viewer>,
    locale: Locale,
    status: StatusCode,
    key: &str,
) -> Response {
    let title = label(web, locale, &format!("{key}.title"));
    let text = label(web, locale, &format!("{key}.text"));
    problem_text(web, viewer, locale, status, &title, &text)
}

/// A problem page with its words given (a service's refusal, rendered).
pub fn problem_text(
    web: &Web,
    viewer: Option<&Viewer>,
    locale: Locale,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    render_status(
        web,
        viewer,
        locale,
        status,
        "web/problem.html",
        json!({ "title": title, "text": text }),
    )
}

/// The page for a failed service call: the user's mistake in their words (422), or an
/// apology (500) with the cause in the log.
pub fn failure(web: &Web, viewer: Option<&Viewer>, locale: Locale, e: DeskError) -> Response {
    match e {
        DeskError::User(msgs) => {
            let text: Vec<String> = msgs.iter().map(|m| web_words(web, locale, m)).collect();
            let title = label(web, locale, "web.problem.refused.title");
            problem_text(
                web,
                viewer,
                locale,
                StatusCode::UNPROCESSABLE_ENTITY,
                &title,
                &text.join("\n"),
            )
        }
        other => internal(web, &other),
    }
}

/// A service's message in the web's words: the few that tell a chat user what to type are
/// said for a page instead (`web.chat_words.<key>`); the rest read the same everywhere.
fn web_words(web: &Web, locale: Locale, m: &crate::domain::Msg) -> String {
    const WEB_SAYS: [&str; 4] = [
        "approval.comment_required",
        "approval.not_assigned",
        "approval.prompt_outdated",
        "approval.unknown_prompt",
    ];
    if WEB_SAYS.contains(&m.key) {
        let path = format!(
            "{}/msg/web.chat_words.{}",
            locale.tag(),
            m.key.replace('.', "_")
        );
        let args: serde_json::Map<String, Value> = m
            .args
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        if let Ok(text) = web
            .chat
            .renderer
            .render_file(locale, &path, Value::Object(args))
        {
            return text.trim().to_string();
        }
    }
    web.chat.renderer.msg(locale, m)
}

/// 500: an apology; the cause chain goes to the log.
pub fn internal(web: &Web, e: &DeskError) -> Response {
    tracing::error!(error = %format!("{e:#}"), "web request failed");
    let locale = web.chat.desk.company.locale;
    problem(
        web,
        None,
        locale,
        StatusCode::INTERNAL_SERVER_ERROR,
        "web.problem.internal",
    )
}

/// A label of the message catalog by its key (`web.nav.inbox`), in `locale`; the key itself
/// (and an error in the log) when it is missing.
pub fn label(web: &Web, locale: Locale, key: &str) -> String {
    let path = format!("{}/msg/{key}", locale.tag());
    match web.chat.renderer.render_file(locale, &path, json!({})) {
        Ok(s) => s.trim().to_string(),
        Err(e) => {
            tracing::error!(key, error = %format!("{e:#}"), "label missing");
            key.to_string()
        }
    }
}

/// The language a browser asks for (`Accept-Language`), if bizdesk speaks one of them.
pub fn browser_locale(headers: &HeaderMap) -> Option<Locale> {
    super::satisfaction::browser_locale(headers)
}

/// The language of a page for someone not signed in: the browser's, else the company's.
pub fn anonymous_locale(web: &Web, headers: &HeaderMap) -> Locale {
    browser_locale(headers).unwrap_or(web.chat.desk.company.locale)
}

/// Whether a form was posted from one of bizdesk's own pages, by the browser's word
/// (`Sec-Fetch-Site`, else `Origin`): a page elsewhere cannot submit it for someone (login
/// CSRF). A client that sends neither header is not a browser and is let through.
pub fn same_origin(web: &Web, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let ours = |base: &str| {
        let rest = base.split_once("://").map_or("", |(_, r)| r);
        let host = rest.split('/').next().unwrap_or("");
        origin.ends_with(&format!("://{host}")) && !host.is_empty()
    };
    let by_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o == h));
    ours(&web.settings.public_url) || by_host
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A chat reply (Discord markdown: `**bold**`, `` `code` ``, `> quote`, `- item`, lines) as
/// safe HTML: everything escaped first, then the few marks turned into tags.
pub fn chat_html(text: &str) -> String {
    let mut out = String::new();
    let mut in_list = false;
    for line in text.lines() {
        let escaped = inline_marks(&escape(line));
        let trimmed = escaped.trim_start();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("• "))
        {
            if !in_list {
                out.push_str("<ul>");
                in_list = true;
            }
            out.push_str(&format!("<li>{item}</li>"));
            continue;
        }
        if in_list {
            out.push_str("</ul>");
            in_list = false;
        }
        if let Some(q) = trimmed.strip_prefix("&gt; ") {
            out.push_str(&format!("<blockquote>{q}</blockquote>"));
        } else if trimmed.is_empty() {
            out.push_str("<br>");
        } else {
            out.push_str(&format!("<p>{escaped}</p>"));
        }
    }
    if in_list {
        out.push_str("</ul>");
    }
    out
}

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `**x**` → `<strong>x</strong>`, `` `x` `` → `<code>x</code>`, on escaped text.
fn inline_marks(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    let mut bold = false;
    let mut code = false;
    while let Some(i) = rest.find(['*', '`']) {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with("**") && !code {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = &rest[i + 2..];
        } else if rest[i..].starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[i + 1..];
        } else {
            out.push('*');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_text_becomes_safe_html() {
        let html = chat_html("**REQ-000001** <script>\n- one `a<b`\n- two\n> said");
        assert_eq!(
            html,
            "<p><strong>REQ-000001</strong> &lt;script&gt;</p><ul><li>one <code>a&lt;b</code></li>\
             <li>two</li></ul><blockquote>said</blockquote>"
        );
        assert_eq!(chat_html("a ** b"), "<p>a <strong> b</strong></p>");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(url_encode("/r/REQ-1?x=a b&c"), "/r/REQ-1%3Fx%3Da%20b%26c");
    }
}
