//! The approval state machine: tasks, decisions and how they decide a stage.
//!
//! The store keeps tasks as rows; the service loads a stage's tasks, asks this module what a
//! decision means, and writes the answer in the same transaction.

use crate::approval::policy::Mode;
use crate::domain::directory::EmployeeId;
use crate::domain::words::words;
use crate::domain::Msg;
use serde::Serialize;

/// What an approver decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    /// Send it back to the requester to edit and resubmit.
    Changes,
}

impl Decision {
    /// The task status this decision leaves behind.
    pub fn task_status(self) -> TaskStatus {
        match self {
            Decision::Approve => TaskStatus::Approved,
            Decision::Reject => TaskStatus::Rejected,
            Decision::Changes => TaskStatus::ChangesRequested,
        }
    }

    /// The command's subcommand for it: `approve`, `reject`, `changes`.
    pub fn verb(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Changes => "changes",
        }
    }

    /// Rejections and change requests must say why.
    pub fn needs_comment(self) -> bool {
        !matches!(self, Decision::Approve)
    }
}

/// The state of one approver's task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Approved,
    Rejected,
    ChangesRequested,
    /// Closed without a decision (the stage ended, or the request was withdrawn).
    Void,
    /// Taken from its approver by an SLA escalation; someone else decides now.
    Escalated,
}

impl TaskStatus {
    /// Name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Approved => "approved",
            TaskStatus::Rejected => "rejected",
            TaskStatus::ChangesRequested => "changes_requested",
            TaskStatus::Void => "void",
            TaskStatus::Escalated => "escalated",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<TaskStatus> {
        [
            TaskStatus::Open,
            TaskStatus::Approved,
            TaskStatus::Rejected,
            TaskStatus::ChangesRequested,
            TaskStatus::Void,
            TaskStatus::Escalated,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// The decision a decided task holds.
    pub fn decision(self) -> Option<Decision> {
        match self {
            TaskStatus::Approved => Some(Decision::Approve),
            TaskStatus::Rejected => Some(Decision::Reject),
            TaskStatus::ChangesRequested => Some(Decision::Changes),
            _ => None,
        }
    }
}

/// Where a stage stands after its tasks' decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    Pending,
    Approved,
    Rejected,
    ChangesRequested,
}

/// Decides a stage from its tasks.
///
/// * A change request by any approver returns the request to the requester at once: waiting
///   for the others would only delay the requester's edit.
/// * `any`: the first decision decides. `all`: one rejection rejects, every approval approves.
/// * `quorum` (`required` = N): approved once N approve; rejected once N can no longer be reached.
pub fn stage_outcome(mode: Mode, required: u32, tasks: &[TaskStatus]) -> StageOutcome {
    let count = |s: TaskStatus| tasks.iter().filter(|t| **t == s).count() as u32;
    let approved = count(TaskStatus::Approved);
    let rejected = count(TaskStatus::Rejected);
    let open = count(TaskStatus::Open);
    if count(TaskStatus::ChangesRequested) > 0 {
        return StageOutcome::ChangesRequested;
    }
    match mode {
        Mode::Any => {
            if rejected > 0 {
                StageOutcome::Rejected
            } else if approved > 0 {
                StageOutcome::Approved
            } else {
                StageOutcome::Pending
            }
        }
        Mode::All => {
            if rejected > 0 {
                StageOutcome::Rejected
            } else if open == 0 && approved > 0 {
                StageOutcome::Approved
            } else {
                StageOutcome::Pending
            }
        }
        Mode::Quorum(_) => {
            let need = required.max(1);
            if approved >= need {
                StageOutcome::Approved
            } else if approved + open < need {
                StageOutcome::Rejected
            } else {
                StageOutcome::Pending
            }
        }
    }
}

words!(
    /// Where one stage of a round stands.
    StageStatus {
        /// Not reached yet.
        Waiting = "waiting",
        /// Its condition did not hold; the round passes over it.
        Skipped = "skipped",
        /// Its approvers have open tasks.
        Active = "active",
        Approved = "approved",
        Rejected = "rejected",
        ChangesRequested = "changes_requested",
        /// The round ended before it was reached or decided.
        Cancelled = "cancelled",
    }
);

impl TryFrom<&str> for TaskStatus {
    type Error = ();
    fn try_from(s: &str) -> Result<TaskStatus, ()> {
        TaskStatus::parse(s).ok_or(())
    }
}

impl TryFrom<&str> for ApprovalStatus {
    type Error = ();
    fn try_from(s: &str) -> Result<ApprovalStatus, ()> {
        ApprovalStatus::parse(s).ok_or(())
    }
}

/// The status of a whole approval round (and of its subject, as users see it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    ChangesRequested,
    Withdrawn,
}

impl ApprovalStatus {
    /// Every status, for filters and messages.
    pub const ALL: [ApprovalStatus; 5] = [
        ApprovalStatus::Pending,
        ApprovalStatus::Approved,
        ApprovalStatus::Rejected,
        ApprovalStatus::ChangesRequested,
        ApprovalStatus::Withdrawn,
    ];

    /// Name stored in the database and used in command choices.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::ChangesRequested => "changes_requested",
            ApprovalStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<ApprovalStatus> {
        ApprovalStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether the round is over.
    pub fn is_final(self) -> bool {
        !matches!(self, ApprovalStatus::Pending)
    }
}

/// One open task as the decider sees it: whose it is and whether the actor may act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenTask {
    pub task_id: i64,
    pub assignee: EmployeeId,
}

/// Who is acting on a task: the assignee, or a delegate on the assignee's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acting {
    pub task_id: i64,
    pub assignee: EmployeeId,
    /// Set when the actor decides as a delegate.
    pub on_behalf_of: Option<EmployeeId>,
}

/// Picks the task the actor may decide in the active stage.
///
/// * Never the requester's own request (`approval.self`).
/// * One person, one vote per stage: once the actor decided a task of this stage, as
///   themselves or as a delegate, they get `approval.already_decided`.
/// * `wanted` is the task a prompt's button was sent for: only that task, and only while it is
///   open (`approval.prompt_closed` otherwise), so an old button never decides a later stage.
/// * Without `wanted`: their own task first, else one they hold as an active delegate
///   (`delegators` = employees who have delegated to the actor today).
pub fn pick_task(
    actor: EmployeeId,
    requester: EmployeeId,
    open: &[OpenTask],
    delegators: &[EmployeeId],
    already_voted: bool,
    wanted: Option<i64>,
) -> Result<Acting, Msg> {
    if actor == requester {
        return Err(Msg::new("approval.self"));
    }
    if already_voted {
        return Err(Msg::new("approval.already_decided"));
    }
    let acting = |t: &OpenTask| Acting {
        task_id: t.task_id,
        assignee: t.assignee,
        on_behalf_of: (t.assignee != actor).then_some(t.assignee),
    };
    let may = |t: &&OpenTask| t.assignee == actor || delegators.contains(&t.assignee);
    if let Some(w) = wanted {
        return match open.iter().find(|t| t.task_id == w) {
            Some(t) if may(&t) => Ok(acting(t)),
            Some(_) => Err(Msg::new("approval.not_assigned")),
            None => Err(Msg::new("approval.prompt_closed")),
        };
    }
    open.iter()
        .find(|t| t.assignee == actor)
        .or_else(|| open.iter().find(may))
        .map(acting)
        .ok_or_else(|| Msg::new("approval.not_assigned"))
}

/// Longest decision comment (characters), as the command and the reason modal allow.
pub const MAX_COMMENT: usize = 1000;

/// Checks that a decision carries the comment it needs, and that the comment is clean text of
/// at most [`MAX_COMMENT`] characters.
pub fn check_comment(decision: Decision, comment: Option<&str>) -> Result<(), Msg> {
    // A comment typed into a modal or the console's prompt skips the parser: same rule.
    if let Some(c) = comment {
        crate::domain::text::check(c, true).map_err(|r| r.msg("comment"))?;
        crate::domain::text::at_most("comment", c.trim(), MAX_COMMENT)?;
    }
    let has = comment.is_some_and(|c| !c.trim().is_empty());
    if decision.needs_comment() && !has {
        return Err(Msg::new("approval.comment_required"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
