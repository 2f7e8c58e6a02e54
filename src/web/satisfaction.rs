//! The customers' satisfaction page, reached from the resolution email.

use super::Web;
use crate::domain::Locale;
use crate::service_desk::satisfaction::service::{self as satisfaction, Page};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

/// `/satisfaction/{token}`: GET shows, POST records.
pub(super) fn routes() -> Router<Web> {
    Router::new().route(
        "/satisfaction/{token}",
        get(satisfaction_page).post(satisfaction_post),
    )
}

#[derive(Deserialize)]
struct Preselect {
    score: Option<String>,
}

#[derive(Deserialize)]
struct Vote {
    score: Option<String>,
    comment: Option<String>,
}

fn score_of(s: Option<&str>) -> Option<i64> {
    s.and_then(|s| s.trim().parse().ok())
}

/// GET shows the choice (the email's link may preselect one) and records nothing, so a mail
/// scanner opening the link cannot vote.
async fn satisfaction_page(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(q): Query<Preselect>,
    headers: HeaderMap,
) -> (StatusCode, Html<String>) {
    let result = satisfaction::open(&web.chat.desk, &token, score_of(q.score.as_deref())).await;
    page(&web, result, browser_locale(&headers), None)
}

/// POST records the score, once. Without a score from 1 to 5 the form comes back with a
/// message and the comment as typed.
async fn satisfaction_post(
    State(web): State<Web>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(v): Form<Vote>,
) -> (StatusCode, Html<String>) {
    let score = score_of(v.score.as_deref()).unwrap_or(0);
    let result = satisfaction::record(&web.chat.desk, &token, score, v.comment.as_deref()).await;
    page(&web, result, browser_locale(&headers), v.comment)
}

/// The language a browser asks for in `Accept-Language`: the first of its languages, in its
/// order of preference, that bizdesk speaks (any `zh` is zh-CN); English when it names only
/// others; `None` without the header.
pub(super) fn browser_locale(headers: &HeaderMap) -> Option<Locale> {
    let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut asked: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && q > 0.0).then_some((q, tag))
        })
        .collect();
    if asked.is_empty() {
        return None;
    }
    asked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let speaks = |tag: &str| {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    };
    Some(
        asked
            .iter()
            .find_map(|(_, tag)| speaks(tag))
            .unwrap_or(Locale::En),
    )
}

/// Renders the page in the customer's language, else the browser's, else the company's.
fn page(
    web: &Web,
    result: crate::service::DeskResult<(Page, Option<Locale>)>,
    browser: Option<Locale>,
    comment: Option<String>,
) -> (StatusCode, Html<String>) {
    let (page, locale) = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "satisfaction page failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("Sorry, something went wrong; please try again later.".into()),
            );
        }
    };
    let locale = locale.or(browser).unwrap_or(web.chat.desk.company.locale);
    let mut missing = false;
    let (status, state, reference, subject, score) = match page {
        Page::Choose {
            reference,
            subject,
            score,
            missing_score,
        } => {
            missing = missing_score;
            let status = if missing_score {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, "choose", reference, subject, score)
        }
        Page::Thanks { reference, score } => (
            StatusCode::OK,
            "thanks",
            reference,
            String::new(),
            Some(score),
        ),
        Page::Already { reference, score } => (
            StatusCode::OK,
            "already",
            reference,
            String::new(),
            Some(score),
        ),
        Page::Expired => (
            StatusCode::GONE,
            "expired",
            String::new(),
            String::new(),
            None,
        ),
        Page::Invalid => (
            StatusCode::BAD_REQUEST,
            "invalid",
            String::new(),
            String::new(),
            None,
        ),
    };
    let ctx = json!({
        "state": state, "reference": reference, "subject": subject, "score": score,
        "company": web.chat.desk.company.name_in(locale), "missing_score": missing,
        "comment": if missing { comment } else { None },
    });
    let path = format!("web/{}/satisfaction.html", locale.tag());
    match web.chat.renderer.render_file(locale, &path, ctx) {
        Ok(html) => (status, Html(html)),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "satisfaction page cannot be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("Sorry, something went wrong.".into()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(value: &str) -> Option<Locale> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, value.parse().unwrap());
        browser_locale(&h)
    }

    #[test]
    fn the_browser_language_is_the_first_bizdesk_speaks() {
        assert_eq!(browser_locale(&HeaderMap::new()), None);
        assert_eq!(asked("zh-CN,zh;q=0.9,en;q=0.8"), Some(Locale::ZhCn));
        assert_eq!(asked("zh-TW"), Some(Locale::ZhCn));
        assert_eq!(asked("en-US,en;q=0.9"), Some(Locale::En));
        assert_eq!(asked("en;q=0.5, zh-Hans;q=0.8"), Some(Locale::ZhCn));
        assert_eq!(asked("fr-FR, zh;q=0.5"), Some(Locale::ZhCn));
        assert_eq!(asked("de, fr;q=0.7"), Some(Locale::En));
        assert_eq!(asked("zh;q=0, en"), Some(Locale::En));
        assert_eq!(asked("*"), Some(Locale::En));
        assert_eq!(asked(""), None);
    }
}
