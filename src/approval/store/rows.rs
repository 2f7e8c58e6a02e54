//! The rows of rounds, stages and tasks, read into domain types: an unknown stored value is an
//! error naming its table, row and column.

use crate::approval::domain::{ApprovalStatus, StageStatus, TaskStatus};
use crate::approval::policy::Mode;
use crate::domain::directory::EmployeeId;
use crate::store::decode;
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// One approval round of a subject.
#[derive(Debug, Clone)]
pub struct Approval {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_ref: String,
    pub round: i64,
    pub requester_id: i64,
    pub policy: String,
    pub snapshot: String,
    pub status: ApprovalStatus,
    pub current_stage: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

impl Approval {
    /// The round's status.
    pub fn status(&self) -> ApprovalStatus {
        self.status
    }
}

#[derive(FromRow)]
struct ApprovalRecord {
    id: i64,
    subject_kind: String,
    subject_id: i64,
    subject_ref: String,
    round: i64,
    requester_id: i64,
    policy: String,
    snapshot: String,
    status: String,
    current_stage: Option<i64>,
    version: i64,
    created_at: i64,
    closed_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Approval {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Approval> {
        let r = ApprovalRecord::from_row(row)?;
        Ok(Approval {
            status: decode::column("approvals", r.id, "status", &r.status)?,
            id: r.id,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            subject_ref: r.subject_ref,
            round: r.round,
            requester_id: r.requester_id,
            policy: r.policy,
            snapshot: r.snapshot,
            current_stage: r.current_stage,
            version: r.version,
            created_at: r.created_at,
            closed_at: r.closed_at,
        })
    }
}

/// One stage of a round.
#[derive(Debug, Clone)]
pub struct StageRow {
    pub id: i64,
    pub approval_id: i64,
    pub idx: i64,
    pub name: String,
    pub name_zh: String,
    pub mode: Mode,
    pub required: i64,
    /// Planned approvers, in order.
    pub approvers: Vec<EmployeeId>,
    pub status: StageStatus,
    pub remind_after_s: Option<i64>,
    pub escalate_after_s: Option<i64>,
    pub escalate_to: Option<String>,
    pub started_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Set once the stage was escalated (it escalates at most once).
    pub escalated_at: Option<i64>,
}

impl StageRow {
    /// Planned approver ids.
    pub fn approver_ids(&self) -> Vec<EmployeeId> {
        self.approvers.clone()
    }
}

#[derive(FromRow)]
struct StageRecord {
    id: i64,
    approval_id: i64,
    idx: i64,
    name: String,
    name_zh: String,
    mode: String,
    required: i64,
    approvers: String,
    status: String,
    remind_after_s: Option<i64>,
    escalate_after_s: Option<i64>,
    escalate_to: Option<String>,
    started_at: Option<i64>,
    closed_at: Option<i64>,
    escalated_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for StageRow {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<StageRow> {
        let r = StageRecord::from_row(row)?;
        let mode = Mode::parse(&r.mode, r.required).ok_or_else(|| {
            let value = format!("{} (required {})", r.mode, r.required);
            decode::unknown("approval_stages", r.id, "mode", &value)
        })?;
        let approvers = r
            .approvers
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().parse::<EmployeeId>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| decode::unknown("approval_stages", r.id, "approvers", &r.approvers))?;
        Ok(StageRow {
            status: decode::column("approval_stages", r.id, "status", &r.status)?,
            mode,
            id: r.id,
            approval_id: r.approval_id,
            idx: r.idx,
            name: r.name,
            name_zh: r.name_zh,
            required: r.required,
            approvers,
            remind_after_s: r.remind_after_s,
            escalate_after_s: r.escalate_after_s,
            escalate_to: r.escalate_to,
            started_at: r.started_at,
            closed_at: r.closed_at,
            escalated_at: r.escalated_at,
        })
    }
}

/// One approver's task.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: i64,
    pub approval_id: i64,
    pub stage_id: i64,
    pub assignee_id: i64,
    pub status: TaskStatus,
    pub decided_by: Option<i64>,
    pub on_behalf_of: Option<i64>,
    pub comment: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    /// For a task opened by an escalation: the task it replaced.
    pub escalated_from: Option<i64>,
}

impl TaskRow {
    /// The task's status.
    pub fn status(&self) -> TaskStatus {
        self.status
    }
}

#[derive(FromRow)]
struct TaskRecord {
    id: i64,
    approval_id: i64,
    stage_id: i64,
    assignee_id: i64,
    status: String,
    decided_by: Option<i64>,
    on_behalf_of: Option<i64>,
    comment: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
    escalated_from: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for TaskRow {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<TaskRow> {
        let r = TaskRecord::from_row(row)?;
        Ok(TaskRow {
            status: decode::column("approval_tasks", r.id, "status", &r.status)?,
            id: r.id,
            approval_id: r.approval_id,
            stage_id: r.stage_id,
            assignee_id: r.assignee_id,
            decided_by: r.decided_by,
            on_behalf_of: r.on_behalf_of,
            comment: r.comment,
            created_at: r.created_at,
            decided_at: r.decided_at,
            escalated_from: r.escalated_from,
        })
    }
}

pub(super) const APPROVAL_COLS: &str =
    "id, subject_kind, subject_id, subject_ref, round, requester_id, policy, \
    snapshot, status, current_stage, version, created_at, closed_at";
pub(super) const STAGE_COLS: &str =
    "id, approval_id, idx, name, name_zh, mode, required, approvers, status, remind_after_s, \
    escalate_after_s, escalate_to, started_at, closed_at, escalated_at";
pub(super) const TASK_COLS: &str =
    "id, approval_id, stage_id, assignee_id, status, decided_by, on_behalf_of, \
    comment, created_at, decided_at, escalated_from";
