//! The approver's inbox: open tasks, including those held as a delegate, oldest first.

use crate::approval::delegations::store as delegations;
use crate::approval::service::{name_of, shown};
use crate::approval::store as rows;
use crate::approval::subject::Summary;
use crate::domain::directory::Employee;
use crate::service::{Desk, DeskResult};
use crate::store::{self};
use serde_json::Value;

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
pub async fn open_tasks(desk: &Desk, actor: &Employee) -> DeskResult<Vec<InboxItem>> {
    let mut conn = desk.store.pool().acquire().await?;
    let mut ids = vec![actor.id];
    ids.extend(delegations::delegators_of(&mut conn, actor.id, desk.today()).await?);
    let rows_ = rows::open_tasks_for(&mut conn, &ids).await?;
    let dir = store::directory::load(&mut conn).await?;
    let mut items = Vec::new();
    let mut seen = Vec::new();
    for r in rows_ {
        // A delegate never decides their own request, and sees each round once.
        if r.requester_id == actor.id || seen.contains(&r.approval_id) {
            continue;
        }
        if r.assignee_id != actor.id && rows_has_own(&items, &r.subject_ref) {
            continue;
        }
        seen.push(r.approval_id);
        let approval = rows::latest_by_ref(&mut conn, &r.subject_ref).await?;
        let Some(approval) = approval else { continue };
        let summary = Summary::read(&approval.snapshot);
        let subject = shown(desk.subjects.of(&approval)?, &summary);
        items.push(InboxItem {
            task_id: r.task_id,
            reference: r.subject_ref,
            stage: r.stage_name,
            stage_zh: r.stage_name_zh,
            requester: name_of(&dir, r.requester_id),
            waiting_since_ms: r.created_at,
            on_behalf_of: (r.assignee_id != actor.id).then(|| name_of(&dir, r.assignee_id)),
            subject,
            headline: summary.headline,
        });
    }
    Ok(items)
}

fn rows_has_own(items: &[InboxItem], subject_ref: &str) -> bool {
    items
        .iter()
        .any(|i| i.reference == subject_ref && i.on_behalf_of.is_none())
}
