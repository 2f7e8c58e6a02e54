//! A subject's approval story, as every `show` command tells it: each round with what its
//! messages showed, its stages and their tasks; and withdrawing a round still pending.

use crate::approval::domain::ApprovalStatus;
use crate::approval::service::{close_prompts, shown_round};
use crate::approval::store::{self as rows, Approval, StageRow, TaskRow};
use crate::approval::subject::Subject;
use crate::service::DeskResult;
use crate::store::Conn;
use serde_json::Value;

/// One round of a subject's story.
#[derive(Debug, Clone)]
pub struct RoundStory {
    pub approval: Approval,
    /// What the round's messages showed of the subject.
    pub subject: Value,
    pub stages: Vec<(StageRow, Vec<TaskRow>)>,
}

impl RoundStory {
    /// Whether `actor` has a task in this round or decided one, or stands in for one of its
    /// assignees (`delegators`: whom the actor stands in for today).
    pub fn involves(&self, actor: i64, delegators: &[i64]) -> bool {
        self.stages.iter().any(|(_, tasks)| {
            tasks.iter().any(|t| {
                t.assignee_id == actor
                    || t.decided_by == Some(actor)
                    || delegators.contains(&t.assignee_id)
            })
        })
    }
}

/// Every round of `subject`'s record `id`, oldest first.
pub async fn rounds(
    conn: &mut Conn,
    subject: &dyn Subject,
    id: i64,
) -> DeskResult<Vec<RoundStory>> {
    let mut out = Vec::new();
    for approval in rows::rounds_for(&mut *conn, subject.kind(), id).await? {
        let stages = rows::stages(&mut *conn, approval.id).await?;
        let tasks = rows::tasks(&mut *conn, approval.id).await?;
        let stages = stages
            .into_iter()
            .map(|s| {
                let own = tasks
                    .iter()
                    .filter(|t| t.stage_id == s.id)
                    .cloned()
                    .collect();
                (s, own)
            })
            .collect();
        out.push(RoundStory {
            subject: shown_round(subject, &approval),
            approval,
            stages,
        });
    }
    Ok(out)
}

/// Withdraws the pending round of `kind`'s record `id` in the caller's transaction: its
/// prompts say who withdrew it and lose their buttons, open tasks are voided, the stages left
/// are cancelled. `false` when no round is pending any more (a decision ended it between the
/// caller's read and this lock); the caller then says it cannot be withdrawn.
pub async fn withdraw(
    conn: &mut Conn,
    kind: &str,
    id: i64,
    by: &str,
    now_ms: i64,
) -> DeskResult<bool> {
    let latest = rows::latest_for(&mut *conn, kind, id).await?;
    let approval = match latest {
        Some(a) => rows::lock_approval(&mut *conn, a.id).await?,
        None => None,
    };
    let Some(approval) = approval.filter(|a| a.status() == ApprovalStatus::Pending) else {
        return Ok(false);
    };
    let stage_id = rows::stages(&mut *conn, approval.id)
        .await?
        .iter()
        .find(|s| Some(s.idx) == approval.current_stage)
        .map(|s| s.id);
    close_prompts(
        &mut *conn,
        &approval,
        stage_id,
        "withdrawn",
        Some(by),
        now_ms,
    )
    .await?;
    rows::void_open_tasks(&mut *conn, approval.id, now_ms).await?;
    rows::cancel_remaining_stages(&mut *conn, approval.id, now_ms).await?;
    rows::finish(&mut *conn, approval.id, ApprovalStatus::Withdrawn, now_ms).await?;
    Ok(true)
}
