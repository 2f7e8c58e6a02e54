//! Approve from email: `GET /a/{token}?d=approve` shows what is being decided and changes
//! nothing (mail scanners and previews open links); `POST /a/{token}` decides, once, as the
//! approver the link was sent to. The link is the approver's credential for that one task: it
//! is signed ([`token`]), names the task and the approver, and expires.

use super::inbox::{decision_of, parse_choice};
use super::page;
use super::session::{self, MaybeViewer, Viewer};
use super::Web;
use crate::approval::decisions::{decide_via, Target, Via};
use crate::approval::domain::{Decision, TaskStatus};
use crate::approval::link_token::{self as token, Link, LinkError};
use crate::approval::service::{name_of, shown_round};
use crate::approval::store::{self as rows, TaskRow};
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::DeskResult;
use crate::store;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new().route("/a/{token}", get(confirm).post(decide))
}

#[derive(Debug, Deserialize)]
struct LinkQuery {
    d: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LinkForm {
    /// The form token: proof the form came from the confirmation page of this link.
    ft: Option<String>,
    d: Option<String>,
    comment: Option<String>,
    priority: Option<String>,
}

/// A verified link and the approver it was sent to.
struct Opened {
    link: Link,
    approver: Employee,
    locale: Locale,
}

/// Checks the token and who is asking; the page to show instead when it may not go on.
async fn open(
    web: &Web,
    headers: &HeaderMap,
    viewer: Option<&Viewer>,
    raw: &str,
) -> Result<Opened, Response> {
    let desk = &web.chat.desk;
    let anon = viewer.map_or_else(|| page::anonymous_locale(web, headers), |v| v.locale);
    let key = session::link_key(web);
    let link = match token::verify(&key, raw, store::to_ms(desk.now())) {
        Ok(l) => l,
        Err(LinkError::Forged) => return Err(problem(web, viewer, anon, 400, "link_forged")),
        Err(LinkError::Expired) => return Err(problem(web, viewer, anon, 410, "link_expired")),
    };
    let approver = match load_employee(web, link.employee_id).await {
        Ok(Some(e)) if e.active => e,
        Ok(_) => return Err(problem(web, viewer, anon, 400, "link_forged")),
        Err(e) => return Err(page::internal(web, &e)),
    };
    if let Some(v) = viewer.filter(|v| v.employee.id != approver.id) {
        let key = "web_inbox.problem.link_other";
        let title = page::label(web, v.locale, &format!("{key}.title"));
        let msg = Msg::new("web_inbox.problem.link_other.text").arg("name", &approver.name);
        let text = web.chat.renderer.msg(v.locale, &msg);
        return Err(page::problem_text(
            web,
            Some(v),
            v.locale,
            StatusCode::FORBIDDEN,
            &title,
            &text,
        ));
    }
    Ok(Opened {
        locale: desk.locale_of(&approver),
        link,
        approver,
    })
}

fn problem(web: &Web, viewer: Option<&Viewer>, locale: Locale, status: u16, key: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    page::problem(
        web,
        viewer,
        locale,
        status,
        &format!("web_inbox.problem.{key}"),
    )
}

async fn load_employee(web: &Web, id: i64) -> DeskResult<Option<Employee>> {
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    Ok(store::directory::by_id(&mut conn, id).await?)
}

/// `GET /a/{token}?d=…`: the confirmation page. Changes nothing.
async fn confirm(
    State(web): State<Web>,
    MaybeViewer(viewer): MaybeViewer,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let o = match open(&web, &headers, viewer.as_ref(), &raw).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let v = viewer.as_ref();
    let Some(decision) = q.d.as_deref().and_then(decision_of) else {
        return problem(&web, v, o.locale, 400, "bad_decision");
    };
    match confirmation(&web, &o, &raw, decision).await {
        Ok(Ok(ctx)) if !allows(&ctx["subject"], decision) => {
            problem(&web, v, o.locale, 400, "bad_decision")
        }
        Ok(Ok(ctx)) => page::render(&web, v, o.locale, "web/link.html", ctx),
        Ok(Err(closed)) => closed_page(&web, v, o.locale, closed),
        Err(e) => page::internal(&web, &e),
    }
}

/// Whether a subject (as shown) offers `decision`.
fn allows(subject: &Value, decision: Decision) -> bool {
    subject["decisions"]
        .as_array()
        .is_some_and(|ds| ds.iter().any(|d| d.as_str() == Some(decision.verb())))
}

/// What the confirmation page shows, or the task as it ended.
async fn confirmation(
    web: &Web,
    o: &Opened,
    raw: &str,
    decision: Decision,
) -> DeskResult<Result<Value, Ended>> {
    let desk = &web.chat.desk;
    let mut conn = desk.store.pool().acquire().await?;
    let Some(task) = rows::task(&mut conn, o.link.task_id).await? else {
        return Err(anyhow::anyhow!(
            "a signed link names task {} that does not exist",
            o.link.task_id
        )
        .into());
    };
    let Some(approval) = rows::get(&mut conn, task.approval_id).await? else {
        return Err(anyhow::anyhow!("task {} has no round", task.id).into());
    };
    if task.status() != TaskStatus::Open {
        return Ok(Err(ended(&mut conn, &approval.subject_ref, &task).await?));
    }
    let kind = desk.subjects.of(&approval)?;
    let subject = shown_round(kind, &approval);
    // What the chat's button would ask: a reason for this decision (an opportunity's
    // assessment asks one even when feasible).
    let needs_comment = decision.needs_comment()
        || kind
            .verbs()
            .iter()
            .any(|v| v.decision == decision && v.needs_comment);
    let stage = rows::stage(&mut conn, task.stage_id).await?;
    let stage = stage.map_or_else(String::new, |s| {
        crate::chat::views::stage_name(&s.name, &s.name_zh, o.locale)
    });
    let key = session::link_key(web);
    Ok(Ok(json!({
        "ref": approval.subject_ref, "stage": stage, "subject": subject,
        "decision": decision.verb(), "needs_comment": needs_comment,
        "graded": subject["graded"].as_bool().unwrap_or(false) && decision == Decision::Approve,
        "ft": token::form_token(&key, raw), "outcome": null,
    })))
}

/// A task no longer open: who decided it (or its stage) and when.
struct Ended {
    subject_ref: String,
    status: String,
    by: Option<String>,
    at_ms: Option<i64>,
}

async fn ended(conn: &mut store::Conn, subject_ref: &str, task: &TaskRow) -> DeskResult<Ended> {
    let tasks = rows::tasks(&mut *conn, task.approval_id).await?;
    let dir = store::directory::load(&mut *conn).await?;
    // Its own decision, else the decision that closed its stage.
    let decided: Option<&TaskRow> = if task.decided_by.is_some() {
        Some(task)
    } else {
        tasks
            .iter()
            .filter(|t| t.stage_id == task.stage_id && t.decided_by.is_some())
            .max_by_key(|t| (t.decided_at, t.id))
    };
    Ok(match decided {
        Some(t) => Ended {
            subject_ref: subject_ref.to_string(),
            status: t.status().as_str().to_string(),
            by: t.decided_by.map(|id| name_of(&dir, id)),
            at_ms: t.decided_at,
        },
        None => Ended {
            subject_ref: subject_ref.to_string(),
            status: task.status().as_str().to_string(),
            by: None,
            at_ms: task.decided_at,
        },
    })
}

/// The page for a link whose task was already decided: 409 with who and when.
fn closed_page(web: &Web, viewer: Option<&Viewer>, locale: Locale, e: Ended) -> Response {
    let status = page::label(web, locale, &format!("web_inbox.status.{}", e.status));
    let msg = match (&e.by, e.at_ms) {
        (Some(by), Some(at)) => Msg::new("web_inbox.link.decided")
            .arg("by", by)
            .arg("at", format_time(web, at))
            .arg("status", &status),
        _ => Msg::new("web_inbox.link.closed").arg("status", &status),
    }
    .arg("ref", &e.subject_ref);
    let title = page::label(web, locale, "web_inbox.link.decided_title");
    let text = web.chat.renderer.msg(locale, &msg);
    page::problem_text(web, viewer, locale, StatusCode::CONFLICT, &title, &text)
}

fn format_time(web: &Web, ms: i64) -> String {
    store::from_ms(ms)
        .with_timezone(&web.chat.desk.company.time_zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `POST /a/{token}`: decides as the link's approver, from email.
async fn decide(
    State(web): State<Web>,
    MaybeViewer(viewer): MaybeViewer,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<LinkQuery>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let o = match open(&web, &headers, viewer.as_ref(), &raw).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let v = viewer.as_ref();
    let Ok(Form(f)) = form else {
        return problem(&web, v, o.locale, 400, "bad_form");
    };
    let key = session::link_key(&web);
    if !f
        .ft
        .as_deref()
        .is_some_and(|ft| token::form_token_ok(&key, &raw, ft))
    {
        return problem(&web, v, o.locale, 400, "bad_form");
    }
    let d = f.d.as_deref().or(q.d.as_deref());
    let (decision, comment, priority) =
        match parse_choice(d, f.comment.as_deref(), f.priority.as_deref()) {
            Ok(c) => c,
            Err(k) => {
                return problem(
                    &web,
                    v,
                    o.locale,
                    400,
                    k.trim_start_matches("web_inbox.problem."),
                )
            }
        };
    let choice = (decision, comment.as_deref(), priority.as_deref());
    let target = Target::Task(o.link.task_id);
    match decide_via(&web.chat.desk, &o.approver, target, choice, Via::Email).await {
        Ok(done) => page::render(
            &web,
            v,
            o.locale,
            "web/link.html",
            json!({
                "ref": done.reference, "outcome": decision.verb(),
                "stage": "", "subject": null, "decision": decision.verb(),
                "needs_comment": false, "graded": false, "ft": "",
            }),
        ),
        Err(e) => {
            // Decided meanwhile (or by this link before): say who and when.
            match closed_task(&web, o.link.task_id).await {
                Ok(Some(ended)) => closed_page(&web, v, o.locale, ended),
                Ok(None) => page::failure(&web, v, o.locale, e),
                Err(e) => page::internal(&web, &e),
            }
        }
    }
}

/// The task as it ended, if it is no longer open.
async fn closed_task(web: &Web, task_id: i64) -> DeskResult<Option<Ended>> {
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    let Some(task) = rows::task(&mut conn, task_id).await? else {
        return Ok(None);
    };
    if task.status() == TaskStatus::Open {
        return Ok(None);
    }
    let Some(a) = rows::get(&mut conn, task.approval_id).await? else {
        return Ok(None);
    };
    Ok(Some(ended(&mut conn, &a.subject_ref, &task).await?))
}
