//! Approval rounds, their stages and the approvers' tasks.
//!
//! The decision path is: [`lock_approval`] (bumps `version` while still pending, which takes the
//! row lock on PostgreSQL and the write lock on SQLite), read the stage's tasks, then
//! [`close_task`] with compare-and-set on the task's status. Concurrent deciders serialize on
//! the approval row; exactly one wins each task.

use crate::approval::domain::{ApprovalStatus, Decision, StageStatus};
use crate::approval::policy::PlannedStage;
use crate::domain::directory::EmployeeId;
use crate::store::{join_ids, Conn};
use sqlx::FromRow;

mod rows;

pub use rows::{Approval, StageRow, TaskRow};
use rows::{APPROVAL_COLS, STAGE_COLS, TASK_COLS};

/// What a new round needs.
pub struct NewApproval<'a> {
    pub subject_kind: &'a str,
    pub subject_id: i64,
    pub subject_ref: &'a str,
    pub round: i64,
    pub requester: EmployeeId,
    pub policy: &'a str,
    pub snapshot: &'a str,
}

/// SLA values copied onto a stage row (seconds), so later policy edits do not move deadlines.
#[derive(Debug, Clone, Default)]
pub struct StageSla {
    pub remind_after_s: Option<i64>,
    pub escalate_after_s: Option<i64>,
    pub escalate_to: Option<String>,
}

/// Creates a pending round with its planned stages (all `waiting` or `skipped`); returns its id
/// and the stage ids by index.
pub async fn create(
    conn: &mut Conn,
    a: &NewApproval<'_>,
    stages: &[(PlannedStage, StageSla)],
    now_ms: i64,
) -> sqlx::Result<(i64, Vec<i64>)> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO approvals (subject_kind, subject_id, subject_ref, round, requester_id, policy, snapshot, \
         status, current_stage, version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', NULL, 0, $8) RETURNING id",
    )
    .bind(a.subject_kind)
    .bind(a.subject_id)
    .bind(a.subject_ref)
    .bind(a.round)
    .bind(a.requester)
    .bind(a.policy)
    .bind(a.snapshot)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    let mut stage_ids = Vec::with_capacity(stages.len());
    for (s, sla) in stages {
        let (sid,): (i64,) = sqlx::query_as(
            "INSERT INTO approval_stages (approval_id, idx, name, name_zh, mode, required, approvers, status, \
             remind_after_s, escalate_after_s, escalate_to) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(id)
        .bind(s.index as i64)
        .bind(&s.name)
        .bind(&s.name_zh)
        .bind(s.mode.as_str())
        .bind(i64::from(s.required))
        .bind(join_ids(&s.approvers))
        .bind(if s.skipped {
            StageStatus::Skipped
        } else {
            StageStatus::Waiting
        }
        .as_str())
        .bind(sla.remind_after_s)
        .bind(sla.escalate_after_s)
        .bind(&sla.escalate_to)
        .fetch_one(&mut *conn)
        .await?;
        stage_ids.push(sid);
    }
    Ok((id, stage_ids))
}

/// Activates a stage: marks it active, points the round at it and opens one task per
/// approver. Returns the task ids with their assignees.
pub async fn activate_stage(
    conn: &mut Conn,
    approval_id: i64,
    stage: &StageRow,
    now_ms: i64,
) -> sqlx::Result<Vec<(i64, EmployeeId)>> {
    sqlx::query("UPDATE approval_stages SET status = 'active', started_at = $2 WHERE id = $1")
        .bind(stage.id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE approvals SET current_stage = $2 WHERE id = $1")
        .bind(approval_id)
        .bind(stage.idx)
        .execute(&mut *conn)
        .await?;
    let mut tasks = Vec::new();
    for assignee in stage.approver_ids() {
        let (tid,): (i64,) = sqlx::query_as(
            "INSERT INTO approval_tasks (approval_id, stage_id, assignee_id, status, created_at) \
             VALUES ($1, $2, $3, 'open', $4) RETURNING id",
        )
        .bind(approval_id)
        .bind(stage.id)
        .bind(assignee)
        .bind(now_ms)
        .fetch_one(&mut *conn)
        .await?;
        tasks.push((tid, assignee));
    }
    Ok(tasks)
}

/// A stage by id.
pub async fn stage(conn: &mut Conn, stage_id: i64) -> sqlx::Result<Option<StageRow>> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLS} FROM approval_stages WHERE id = $1"
    ))
    .bind(stage_id)
    .fetch_optional(conn)
    .await
}

/// Active stages with an SLA whose round is pending (for the SLA sweep).
pub async fn active_stages_with_sla(conn: &mut Conn) -> sqlx::Result<Vec<StageRow>> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLS} FROM approval_stages WHERE status = 'active' \
         AND (remind_after_s IS NOT NULL OR escalate_after_s IS NOT NULL)"
    ))
    .fetch_all(conn)
    .await
}

/// Escalates a stage: its open tasks become `escalated`, the stage is decided by the first
/// decision from now on (`any`), and it is marked so it never escalates twice. Returns the
/// tasks it closed.
pub async fn escalate_stage(
    conn: &mut Conn,
    stage_id: i64,
    now_ms: i64,
) -> sqlx::Result<Vec<TaskRow>> {
    let closed: Vec<TaskRow> = sqlx::query_as(&format!(
        "UPDATE approval_tasks SET status = 'escalated', decided_at = $2 \
         WHERE stage_id = $1 AND status = 'open' RETURNING {TASK_COLS}"
    ))
    .bind(stage_id)
    .bind(now_ms)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE approval_stages SET mode = 'any', required = 1, escalated_at = $2 WHERE id = $1",
    )
    .bind(stage_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(closed)
}

/// Marks a stage escalated without moving its tasks (nobody to escalate to).
pub async fn mark_escalated(conn: &mut Conn, stage_id: i64, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE approval_stages SET escalated_at = $2 WHERE id = $1")
        .bind(stage_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens a task in an active stage for someone an escalation brought in.
pub async fn add_escalated_task(
    conn: &mut Conn,
    stage: &StageRow,
    assignee: EmployeeId,
    escalated_from: i64,
    now_ms: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO approval_tasks (approval_id, stage_id, assignee_id, status, created_at, escalated_from) \
         VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id",
    )
    .bind(stage.approval_id)
    .bind(stage.id)
    .bind(assignee)
    .bind(now_ms)
    .bind(escalated_from)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Takes the decision lock on a pending round: bumps its version and returns the round, or
/// `None` when it is no longer pending. Call first in the decision transaction.
pub async fn lock_approval(conn: &mut Conn, approval_id: i64) -> sqlx::Result<Option<Approval>> {
    sqlx::query_as(&format!(
        "UPDATE approvals SET version = version + 1 WHERE id = $1 AND status = 'pending' RETURNING {APPROVAL_COLS}"
    ))
    .bind(approval_id)
    .fetch_optional(conn)
    .await
}

/// A round by id.
pub async fn get(conn: &mut Conn, approval_id: i64) -> sqlx::Result<Option<Approval>> {
    sqlx::query_as(&format!(
        "SELECT {APPROVAL_COLS} FROM approvals WHERE id = $1"
    ))
    .bind(approval_id)
    .fetch_optional(conn)
    .await
}

/// A task by id.
pub async fn task(conn: &mut Conn, task_id: i64) -> sqlx::Result<Option<TaskRow>> {
    sqlx::query_as(&format!(
        "SELECT {TASK_COLS} FROM approval_tasks WHERE id = $1"
    ))
    .bind(task_id)
    .fetch_optional(conn)
    .await
}

/// The latest round of a subject.
pub async fn latest_for(
    conn: &mut Conn,
    kind: &str,
    subject_id: i64,
) -> sqlx::Result<Option<Approval>> {
    sqlx::query_as(&format!(
        "SELECT {APPROVAL_COLS} FROM approvals WHERE subject_kind = $1 AND subject_id = $2 ORDER BY round DESC LIMIT 1"
    ))
    .bind(kind)
    .bind(subject_id)
    .fetch_optional(conn)
    .await
}

/// Every round of a subject, oldest first.
pub async fn rounds_for(
    conn: &mut Conn,
    kind: &str,
    subject_id: i64,
) -> sqlx::Result<Vec<Approval>> {
    sqlx::query_as(&format!(
        "SELECT {APPROVAL_COLS} FROM approvals WHERE subject_kind = $1 AND subject_id = $2 ORDER BY round"
    ))
    .bind(kind)
    .bind(subject_id)
    .fetch_all(conn)
    .await
}

/// The latest round by the subject's reference text (e.g. `REQ-000042`).
pub async fn latest_by_ref(conn: &mut Conn, subject_ref: &str) -> sqlx::Result<Option<Approval>> {
    sqlx::query_as(&format!(
        "SELECT {APPROVAL_COLS} FROM approvals WHERE subject_ref = $1 ORDER BY round DESC LIMIT 1"
    ))
    .bind(subject_ref)
    .fetch_optional(conn)
    .await
}

/// The stages of a round, in order.
pub async fn stages(conn: &mut Conn, approval_id: i64) -> sqlx::Result<Vec<StageRow>> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLS} FROM approval_stages WHERE approval_id = $1 ORDER BY idx"
    ))
    .bind(approval_id)
    .fetch_all(conn)
    .await
}

/// The tasks of a round, in creation order.
pub async fn tasks(conn: &mut Conn, approval_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as(&format!(
        "SELECT {TASK_COLS} FROM approval_tasks WHERE approval_id = $1 ORDER BY id"
    ))
    .bind(approval_id)
    .fetch_all(conn)
    .await
}

/// Records a decision on a task if, and only if, it is still open. Returns whether it won.
pub async fn close_task(
    conn: &mut Conn,
    task_id: i64,
    decision: Decision,
    decided_by: EmployeeId,
    on_behalf_of: Option<EmployeeId>,
    comment: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE approval_tasks SET status = $2, decided_by = $3, on_behalf_of = $4, comment = $5, decided_at = $6 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(task_id)
    .bind(decision.task_status().as_str())
    .bind(decided_by)
    .bind(on_behalf_of)
    .bind(comment)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Voids every open task of a round (stage decided, or the request withdrawn).
pub async fn void_open_tasks(conn: &mut Conn, approval_id: i64, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE approval_tasks SET status = 'void', decided_at = $2 WHERE approval_id = $1 AND status = 'open'")
        .bind(approval_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Closes a stage with its outcome.
pub async fn close_stage(
    conn: &mut Conn,
    stage_id: i64,
    status: StageStatus,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE approval_stages SET status = $2, closed_at = $3 WHERE id = $1")
        .bind(stage_id)
        .bind(status.as_str())
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks every stage still waiting or active as cancelled (the round ended early).
pub async fn cancel_remaining_stages(
    conn: &mut Conn,
    approval_id: i64,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE approval_stages SET status = 'cancelled', closed_at = $2 \
         WHERE approval_id = $1 AND status IN ('waiting', 'active')",
    )
    .bind(approval_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends a round with its final status.
pub async fn finish(
    conn: &mut Conn,
    approval_id: i64,
    status: ApprovalStatus,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE approvals SET status = $2, closed_at = $3, current_stage = NULL WHERE id = $1",
    )
    .bind(approval_id)
    .bind(status.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// An open task in someone's inbox, with what the inbox shows.
#[derive(Debug, Clone, FromRow)]
pub struct InboxRow {
    pub task_id: i64,
    pub assignee_id: i64,
    pub approval_id: i64,
    pub subject_ref: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub requester_id: i64,
    pub stage_name: String,
    pub stage_name_zh: String,
    pub created_at: i64,
}

/// Open tasks assigned to any of `assignees`, oldest first.
pub async fn open_tasks_for(
    conn: &mut Conn,
    assignees: &[EmployeeId],
) -> sqlx::Result<Vec<InboxRow>> {
    if assignees.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers from our own rows, so inlining them is safe and keeps one SQL per count.
    let list = join_ids(assignees);
    sqlx::query_as(&format!(
        "SELECT t.id AS task_id, t.assignee_id, t.approval_id, a.subject_ref, a.subject_kind, a.subject_id, \
         a.requester_id, s.name AS stage_name, s.name_zh AS stage_name_zh, t.created_at \
         FROM approval_tasks t JOIN approvals a ON a.id = t.approval_id JOIN approval_stages s ON s.id = t.stage_id \
         WHERE t.status = 'open' AND t.assignee_id IN ({list}) ORDER BY t.created_at, t.id"
    ))
    .fetch_all(conn)
    .await
}

/// The latest round of each subject `requester` submitted, newest first, at most `limit`
/// (the web's "my requests").
pub async fn latest_rounds_of(
    conn: &mut Conn,
    requester: EmployeeId,
    limit: i64,
) -> sqlx::Result<Vec<Approval>> {
    sqlx::query_as(&format!(
        "SELECT {APPROVAL_COLS} FROM approvals a WHERE a.requester_id = $1 \
         AND a.round = (SELECT MAX(b.round) FROM approvals b WHERE b.subject_ref = a.subject_ref) \
         ORDER BY a.created_at DESC, a.id DESC LIMIT $2"
    ))
    .bind(requester)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// When an open task is due: its stage's start and SLA, by task id (the web inbox's "due in").
#[derive(Debug, Clone, FromRow)]
pub struct TaskDue {
    pub task_id: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub remind_after_s: Option<i64>,
    pub escalate_after_s: Option<i64>,
    pub escalated_at: Option<i64>,
}

/// [`TaskDue`] of these tasks (ids from our own rows, inlined like [`open_tasks_for`]).
pub async fn tasks_due(conn: &mut Conn, task_ids: &[i64]) -> sqlx::Result<Vec<TaskDue>> {
    if task_ids.is_empty() {
        return Ok(vec![]);
    }
    let list = join_ids(task_ids);
    sqlx::query_as(&format!(
        "SELECT t.id AS task_id, t.created_at, s.started_at, s.remind_after_s, s.escalate_after_s, \
         s.escalated_at FROM approval_tasks t JOIN approval_stages s ON s.id = t.stage_id \
         WHERE t.id IN ({list})"
    ))
    .fetch_all(conn)
    .await
}
