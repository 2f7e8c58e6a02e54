//! `/mine`: what the viewer submitted for approval, the latest round of each, with its
//! timeline (each stage, its approvers' decisions: who, when, what they said).

use crate::approval::service::name_of;
use crate::approval::store::{self as rows, Approval};
use crate::approval::subject::Summary;
use crate::chat::views;
use crate::domain::directory::Directory;
use crate::domain::Locale;
use crate::service::DeskResult;
use crate::store::{self, Conn};
use crate::web::page;
use crate::web::session::Viewer;
use crate::web::Web;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

/// How many requests `/mine` shows (the most recent).
const SHOWN: i64 = 30;

/// `GET /mine`.
pub(super) async fn mine(State(web): State<Web>, viewer: Viewer) -> Response {
    match requests(&web, &viewer).await {
        Ok(list) => page::render(
            &web,
            Some(&viewer),
            viewer.locale,
            "web/mine.html",
            json!({ "requests": list, "limit": SHOWN }),
        ),
        Err(e) => page::internal(&web, &e),
    }
}

async fn requests(web: &Web, viewer: &Viewer) -> DeskResult<Vec<Value>> {
    let mut conn = web.chat.desk.store.pool().acquire().await?;
    let dir = store::directory::load(&mut conn).await?;
    let rounds = rows::latest_rounds_of(&mut conn, viewer.employee.id, SHOWN).await?;
    let mut out = Vec::with_capacity(rounds.len());
    for a in &rounds {
        out.push(timeline(&mut conn, &dir, a, viewer.locale).await?);
    }
    Ok(out)
}

/// A round as a timeline: its subject, status, and each stage with its tasks.
pub(crate) async fn timeline(
    conn: &mut Conn,
    dir: &Directory,
    a: &Approval,
    locale: Locale,
) -> DeskResult<Value> {
    let stages = rows::stages(&mut *conn, a.id).await?;
    let tasks = rows::tasks(&mut *conn, a.id).await?;
    let summary = Summary::read(&a.snapshot);
    let name = |id: Option<i64>| id.map(|i| name_of(dir, i));
    let stages: Vec<Value> = stages
        .iter()
        .map(|s| {
            let shown: Vec<Value> = tasks
                .iter()
                .filter(|t| t.stage_id == s.id)
                .map(|t| {
                    json!({
                        "assignee": name_of(dir, t.assignee_id), "status": t.status().as_str(),
                        "by": name(t.decided_by), "on_behalf_of": name(t.on_behalf_of),
                        "at_ms": t.decided_at, "comment": t.comment,
                    })
                })
                .collect();
            json!({
                "n": s.idx + 1, "name": views::stage_name(&s.name, &s.name_zh, locale),
                "status": s.status.as_str(), "tasks": shown,
            })
        })
        .collect();
    Ok(json!({
        "ref": a.subject_ref, "round": a.round, "status": a.status().as_str(),
        "submitted_ms": a.created_at, "closed_ms": a.closed_at,
        "headline": summary.headline, "total": summary.total, "stages": stages,
    }))
}
