//! A page per reference (`/r/REQ-000042`, any kind) and the search box (`/search?q=`).
//!
//! The story is the one the kind's show command tells in the chat, run as the viewer: the
//! command checks what they may read, so the page adds no permission rule of its own.

use super::inbox::{task_dues, task_view, timeline};
use super::page;
use super::session::Viewer;
use super::Web;
use crate::approval::inbox::open_tasks;
use crate::approval::store as rows;
use crate::domain::reference::Reference;
use crate::service::suggest::{suggest, Field};
use crate::service::DeskResult;
use crate::store;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest search text.
const MAX_QUERY_CHARS: usize = 200;

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route("/r/{reference}", get(reference_page))
        .route("/search", get(search))
}

/// `GET /r/{REF}`: the story, the viewer's decision form if they have a task on it, and the
/// approval timeline.
async fn reference_page(
    State(web): State<Web>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> Response {
    let locale = viewer.locale;
    let Ok(r) = reference.parse::<Reference>() else {
        return page::problem(
            &web,
            Some(&viewer),
            locale,
            StatusCode::BAD_REQUEST,
            "web_inbox.problem.bad_ref",
        );
    };
    let line = format!("{} ref:{r}", r.kind.show_command());
    let reply = web.chat.run_line(&viewer.employee, &line).await;
    if !reply.ok {
        let title = page::label(&web, locale, "web_inbox.problem.not_readable.title");
        let status = if reply.internal {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::NOT_FOUND
        };
        return page::problem_text(&web, Some(&viewer), locale, status, &title, &reply.text);
    }
    let (task, round) = match decision_and_timeline(&web, &viewer, &r).await {
        Ok(x) => x,
        Err(e) => return page::internal(&web, &e),
    };
    page::render(
        &web,
        Some(&viewer),
        locale,
        "web/ref.html",
        json!({
            "ref": r.to_string(), "story": page::chat_html(&reply.text),
            "task": task, "round": round,
        }),
    )
}

/// The viewer's open task on `r` (as the inbox shows it) and the latest round's timeline.
async fn decision_and_timeline(
    web: &Web,
    viewer: &Viewer,
    r: &Reference,
) -> DeskResult<(Value, Value)> {
    let desk = &web.chat.desk;
    let subject_ref = r.to_string();
    let mine: Vec<_> = open_tasks(desk, &viewer.employee)
        .await?
        .into_iter()
        .filter(|i| i.reference == subject_ref)
        .take(1)
        .collect();
    let dues = task_dues(web, &mine).await?;
    let now = desk.now().timestamp_millis();
    let task = mine.first().map_or(Value::Null, |i| {
        task_view(i, dues.first(), now, viewer.locale)
    });
    let mut conn = desk.store.pool().acquire().await?;
    let round = match rows::latest_by_ref(&mut conn, &subject_ref).await? {
        Some(a) => {
            let dir = store::directory::load(&mut conn).await?;
            timeline(&mut conn, &dir, &a, viewer.locale).await?
        }
        None => Value::Null,
    };
    Ok((task, round))
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// `GET /search?q=`: a reference goes to its page; words list the references the viewer
/// deals with whose title matches (the chat's autocomplete, with its permission filter).
async fn search(
    State(web): State<Web>,
    viewer: Viewer,
    Query(SearchQuery { q }): Query<SearchQuery>,
) -> Response {
    let locale = viewer.locale;
    let q = q.unwrap_or_default();
    let q = q.trim();
    let problem = |key: &str| {
        let title = page::label(&web, locale, &format!("{key}.title"));
        let text = page::label(&web, locale, &format!("{key}.text"));
        page::render_status(
            &web,
            Some(&viewer),
            locale,
            StatusCode::BAD_REQUEST,
            "web/search.html",
            json!({ "q": q, "problem": format!("{title}. {text}"), "results": [], "searched": false }),
        )
    };
    if q.is_empty() {
        return problem("web_inbox.problem.search_empty");
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return problem("web_inbox.problem.search_long");
    }
    if let Ok(r) = q.parse::<Reference>() {
        return Redirect::to(&format!("/r/{r}")).into_response();
    }
    let found = suggest(
        &web.chat.desk,
        &viewer.employee,
        Field::Reference { kind: None },
        q,
    )
    .await;
    let results: Vec<Value> = found
        .iter()
        .map(|s| json!({ "ref": s.value, "label": s.label }))
        .collect();
    page::render(
        &web,
        Some(&viewer),
        locale,
        "web/search.html",
        json!({ "q": q, "problem": null, "results": results, "searched": true }),
    )
}
