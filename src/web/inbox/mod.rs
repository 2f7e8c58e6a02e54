//! The approver's inbox (`/inbox`, `POST /inbox/decide`) and "my requests" (`/mine`). The
//! tasks come from [`crate::approval::inbox::open_tasks`] and decisions go through
//! [`crate::approval::decisions::decide_via`], as in the chat: the web adds no rule.

mod mine;

pub(crate) use mine::timeline;

use super::page;
use super::session::Viewer;
use super::Web;
use crate::approval::decisions::{decide_via, Target, Via};
use crate::approval::domain::Decision;
use crate::approval::inbox::{open_tasks, InboxItem};
use crate::approval::store::{self as rows, TaskDue};
use crate::chat::views;
use crate::domain::reference::Reference;
use crate::domain::Locale;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest comment a form may carry (the service has its own, stricter limit).
pub(crate) const MAX_COMMENT_CHARS: usize = 2000;

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/decide", post(decide))
        .route("/mine", get(mine::mine))
}

/// Tasks on one page of the inbox: a long inbox is read page by page, oldest first.
pub const PAGE_SIZE: usize = 50;

/// What `/inbox` is sent back to after a decision (`done=REF&d=approve`), and the page.
#[derive(Debug, Deserialize)]
struct Flash {
    done: Option<String>,
    d: Option<String>,
    page: Option<String>,
}

/// `GET /inbox`: the viewer's open tasks, oldest first, each with its decision form.
async fn inbox(State(web): State<Web>, viewer: Viewer, Query(flash): Query<Flash>) -> Response {
    let desk = &web.chat.desk;
    let locale = viewer.locale;
    let items = match open_tasks(desk, &viewer.employee).await {
        Ok(i) => i,
        Err(e) => return page::internal(&web, &e),
    };
    let due = match task_dues(&web, &page_of(&items, flash.page.as_deref())).await {
        Ok(d) => d,
        Err(e) => return page::internal(&web, &e),
    };
    let now = desk.now().timestamp_millis();
    let total = items.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    // A page number out of range or not a number shows the nearest page: it is only a pager.
    let page_no = flash
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let shown = &items[((page_no - 1) * PAGE_SIZE).min(total)..(page_no * PAGE_SIZE).min(total)];
    let tasks: Vec<Value> = shown
        .iter()
        .map(|i| task_view(i, due.iter().find(|d| d.task_id == i.task_id), now, locale))
        .collect();
    let flash = match flash_text(&web, &viewer, &flash).await {
        Ok(f) => f,
        Err(e) => return page::internal(&web, &e),
    };
    page::render(
        &web,
        Some(&viewer),
        locale,
        "web/inbox.html",
        json!({
            "tasks": tasks, "flash": flash, "total": total,
            "page": page_no, "pages": pages,
        }),
    )
}

/// The tasks of the page asked for (see [`PAGE_SIZE`]), for the queries about them.
fn page_of(items: &[InboxItem], page: Option<&str>) -> Vec<InboxItem> {
    let pages = items.len().div_ceil(PAGE_SIZE).max(1);
    let n = page
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    items
        .iter()
        .skip((n - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .cloned()
        .collect()
}

/// The notice after a decision, from the query: only for a reference the viewer decided
/// this way (a link someone crafts cannot make the page claim a decision that was not made).
async fn flash_text(
    web: &Web,
    viewer: &Viewer,
    f: &Flash,
) -> crate::service::DeskResult<Option<String>> {
    let (Some(r), Some(d)) = (
        f.done.as_deref().and_then(|r| r.parse::<Reference>().ok()),
        f.d.as_deref().and_then(decision_of),
    ) else {
        return Ok(None);
    };
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    let decided: Option<(i64,)> = sqlx::query_as(
        "SELECT t.id FROM approval_tasks t JOIN approvals a ON a.id = t.approval_id \
         WHERE a.subject_ref = $1 AND t.decided_by = $2 AND t.status = $3 LIMIT 1",
    )
    .bind(r.to_string())
    .bind(viewer.employee.id)
    .bind(d.task_status().as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if decided.is_none() {
        return Ok(None);
    }
    let msg = crate::domain::Msg::new(match d {
        Decision::Approve => "web_inbox.flash.approve",
        Decision::Reject => "web_inbox.flash.reject",
        Decision::Changes => "web_inbox.flash.changes",
    })
    .arg("ref", r.to_string());
    Ok(Some(web.chat.renderer.msg(viewer.locale, &msg)))
}

/// The SLA facts of these tasks (one query).
pub(crate) async fn task_dues(
    web: &Web,
    items: &[InboxItem],
) -> crate::service::DeskResult<Vec<TaskDue>> {
    let ids: Vec<i64> = items.iter().map(|i| i.task_id).collect();
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    Ok(rows::tasks_due(&mut conn, &ids).await?)
}

/// One task as the inbox and a reference page show it.
pub(crate) fn task_view(i: &InboxItem, due: Option<&TaskDue>, now: i64, locale: Locale) -> Value {
    let mut v = views::inbox_row(i, now, locale);
    v["task_id"] = json!(i.task_id);
    v["decisions"] = i.subject["decisions"].clone();
    v["graded"] = json!(i.subject["graded"].as_bool().unwrap_or(false));
    v["sla"] = due.map_or(Value::Null, |d| sla_view(d, now, locale));
    v
}

/// "due in 3h" / "overdue by 1d 2h", and when it goes up a level: from the stage's SLA as the
/// reminder and escalation jobs were scheduled (see `crate::approval::sla`).
fn sla_view(d: &TaskDue, now: i64, locale: Locale) -> Value {
    let remind_at = d.remind_after_s.map(|s| d.created_at + s * 1000);
    let escalate_at = d
        .escalate_after_s
        .filter(|_| d.escalated_at.is_none())
        .map(|s| d.started_at.unwrap_or(d.created_at) + s * 1000);
    let Some(due) = remind_at.or(escalate_at) else {
        return Value::Null;
    };
    let (state, age) = if now < due {
        ("due_in", views::age(due, now, locale))
    } else {
        ("overdue", views::age(now, due, locale))
    };
    let escalates = escalate_at
        .filter(|&at| at > now)
        .map(|at| views::age(at, now, locale));
    json!({ "state": state, "age": age, "escalates_in": escalates })
}

/// The decision form of a task (the inbox, a reference page).
#[derive(Debug, Deserialize)]
struct DecideForm {
    csrf: Option<String>,
    task: Option<String>,
    decision: Option<String>,
    comment: Option<String>,
    priority: Option<String>,
}

/// A decision's word in a form or a link.
pub(crate) fn decision_of(s: &str) -> Option<Decision> {
    match s {
        "approve" => Some(Decision::Approve),
        "reject" => Some(Decision::Reject),
        "changes" => Some(Decision::Changes),
        _ => None,
    }
}

/// What a decision form carries, checked: the decision, the comment (trimmed, empty as none)
/// and the priority; or the problem page's key.
pub(crate) type Choice = (Decision, Option<String>, Option<String>);

/// Checks a decision form's fields (the service checks the rules).
pub(crate) fn parse_choice(
    decision: Option<&str>,
    comment: Option<&str>,
    priority: Option<&str>,
) -> Result<Choice, &'static str> {
    let decision = decision
        .and_then(decision_of)
        .ok_or("web_inbox.problem.bad_decision")?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err("web_inbox.problem.comment_long");
    }
    let priority = match priority.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p @ ("high" | "medium" | "low")) => Some(p.to_string()),
        Some(_) => return Err("web_inbox.problem.bad_priority"),
    };
    Ok((decision, comment.map(str::to_string), priority))
}

/// `POST /inbox/decide`: decides one task as the viewer, then back to the inbox.
async fn decide(
    State(web): State<Web>,
    viewer: Viewer,
    form: Result<Form<DecideForm>, FormRejection>,
) -> Response {
    let locale = viewer.locale;
    let bad = |key: &str| page::problem(&web, Some(&viewer), locale, StatusCode::BAD_REQUEST, key);
    let Ok(Form(f)) = form else {
        return bad("web_inbox.problem.bad_form");
    };
    if let Err(r) = viewer.check_csrf(&web, f.csrf.as_deref()) {
        return r;
    }
    let Some(task) = f
        .task
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|t| *t > 0)
    else {
        return bad("web_inbox.problem.bad_form");
    };
    let (decision, comment, priority) = match parse_choice(
        f.decision.as_deref(),
        f.comment.as_deref(),
        f.priority.as_deref(),
    ) {
        Ok(c) => c,
        Err(key) => return bad(key),
    };
    let choice = (decision, comment.as_deref(), priority.as_deref());
    match decide_via(
        &web.chat.desk,
        &viewer.employee,
        Target::Task(task),
        choice,
        Via::Web,
    )
    .await
    {
        Ok(done) => {
            let to = format!(
                "/inbox?done={}&d={}",
                page::url_encode(&done.reference),
                decision.verb()
            );
            Redirect::to(&to).into_response()
        }
        Err(e) => page::failure(&web, Some(&viewer), locale, e),
    }
}
