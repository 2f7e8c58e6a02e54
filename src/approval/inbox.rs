//! The approver's inbox: open tasks, including those held as a delegate, oldest first.

use crate::approval::delegations::store as delegations;
use crate::approval::service::shown;
use crate::approval::subject::Summary;
use crate::domain::directory::{Employee, EmployeeId};
use crate::service::{Desk, DeskResult};
use crate::store::{join_ids, Conn};
use serde_json::Value;
use sqlx::FromRow;
use std::collections::HashSet;

/// One task in someone's inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    /// The task to decide (a web form or an email link names it).
    pub task_id: i64,
    pub reference: String,
    pub stage: String,
    pub stage_zh: String,
    pub requester: String,
    pub waiting_since_ms: i64,
    /// Set when the task is held as a delegate: whose it is.
    pub on_behalf_of: Option<String>,
    /// The subject as messages show it (headline, total, facts, hints).
    pub subject: Value,
    /// Its headline alone (autocomplete, one-line lists).
    pub headline: String,
}

/// The actor's open tasks, including those held as a delegate, oldest first.
///
/// Two queries whatever the inbox holds: the delegations in force, then the open tasks with
/// their round's latest snapshot and the people's names (no directory load, no query per task).
pub async fn open_tasks(desk: &Desk, actor: &Employee) -> DeskResult<Vec<InboxItem>> {
    let mut conn = desk.store.pool().acquire().await?;
    let mut ids = vec![actor.id];
    ids.extend(delegations::delegators_of(&mut conn, actor.id, desk.today()).await?);
    let rows_ = open_task_rows(&mut conn, &ids).await?;
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for r in rows_ {
        // A delegate never decides their own request, and sees each round once.
        if r.requester_id == actor.id || seen.contains(&r.approval_id) {
            continue;
        }
        if r.assignee_id != actor.id && rows_has_own(&items, &r.subject_ref) {
            continue;
        }
        seen.insert(r.approval_id);
        let subject = desk.subjects.by_kind(&r.latest_kind).ok_or_else(|| {
            anyhow::anyhow!(
                "approvals row {}: unknown subject kind `{}`",
                r.latest_id,
                r.latest_kind
            )
        })?;
        let summary = Summary::read(&r.latest_snapshot);
        let subject = shown(subject, &summary);
        items.push(InboxItem {
            task_id: r.task_id,
            reference: r.subject_ref,
            stage: r.stage_name,
            stage_zh: r.stage_name_zh,
            requester: named(r.requester_name, r.requester_id),
            waiting_since_ms: r.created_at,
            on_behalf_of: (r.assignee_id != actor.id)
                .then(|| named(r.assignee_name, r.assignee_id)),
            subject,
            headline: summary.headline,
        });
    }
    Ok(items)
}

/// An open task with what the inbox shows of it: its round's latest snapshot (by reference,
/// as the round a decision reaches) and the requester's and assignee's names.
#[derive(Debug, FromRow)]
struct OpenTaskRow {
    task_id: i64,
    assignee_id: i64,
    approval_id: i64,
    subject_ref: String,
    requester_id: i64,
    stage_name: String,
    stage_name_zh: String,
    created_at: i64,
    requester_name: Option<String>,
    assignee_name: Option<String>,
    latest_id: i64,
    latest_kind: String,
    latest_snapshot: String,
}

/// Open tasks assigned to any of `assignees`, oldest first, in one query: `approval_tasks_open`
/// finds the tasks, the primary keys their rounds, stages and people, and
/// `approvals_subject_ref` each reference's latest round.
async fn open_task_rows(
    conn: &mut Conn,
    assignees: &[EmployeeId],
) -> sqlx::Result<Vec<OpenTaskRow>> {
    if assignees.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers from our own rows, so inlining them is safe and keeps one SQL per count.
    let list = join_ids(assignees);
    sqlx::query_as(&format!(
        "SELECT t.id AS task_id, t.assignee_id, t.approval_id, a.subject_ref, a.requester_id, \
         s.name AS stage_name, s.name_zh AS stage_name_zh, t.created_at, \
         rq.name AS requester_name, asg.name AS assignee_name, \
         l.id AS latest_id, l.subject_kind AS latest_kind, l.snapshot AS latest_snapshot \
         FROM approval_tasks t \
         JOIN approvals a ON a.id = t.approval_id \
         JOIN approval_stages s ON s.id = t.stage_id \
         JOIN approvals l ON l.subject_ref = a.subject_ref AND l.round = \
           (SELECT MAX(x.round) FROM approvals x WHERE x.subject_ref = a.subject_ref) \
         LEFT JOIN employees rq ON rq.id = a.requester_id \
         LEFT JOIN employees asg ON asg.id = t.assignee_id \
         WHERE t.status = 'open' AND t.assignee_id IN ({list}) ORDER BY t.created_at, t.id"
    ))
    .fetch_all(conn)
    .await
}

/// A person's name, or `#id` when the directory no longer has them.
fn named(name: Option<String>, id: EmployeeId) -> String {
    name.unwrap_or_else(|| format!("#{id}"))
}

fn rows_has_own(items: &[InboxItem], subject_ref: &str) -> bool {
    items
        .iter()
        .any(|i| i.reference == subject_ref && i.on_behalf_of.is_none())
}
