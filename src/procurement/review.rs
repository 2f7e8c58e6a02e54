//! Ending a procurement subject's open review from outside the engine (a PO cancelled, a
//! supplier disqualified while under review), through the engine's own store functions.

use crate::approval::domain::ApprovalStatus;
use crate::approval::service as approvals;
use crate::approval::store as rounds;
use crate::service::DeskResult;
use crate::store::Conn;

/// Takes subject `kind` `subject_id`'s open review round's lock, if one is open: a change
/// that may end the round takes it before the subject's own row lock, in the engine's order
/// (a decision locks its round, then the subject), so the two never deadlock.
pub(crate) async fn lock_open_round(
    conn: &mut Conn,
    kind: &str,
    subject_id: i64,
) -> DeskResult<()> {
    if let Some(latest) = rounds::latest_for(&mut *conn, kind, subject_id).await? {
        rounds::lock_approval(&mut *conn, latest.id).await?;
    }
    Ok(())
}

/// Ends subject `kind` `subject_id`'s open review round as withdrawn (its prompts closed,
/// its tasks void); nothing when none is open.
pub(crate) async fn withdraw_round(
    conn: &mut Conn,
    kind: &str,
    subject_id: i64,
    by: &str,
    now_ms: i64,
) -> DeskResult<()> {
    let Some(latest) = rounds::latest_for(&mut *conn, kind, subject_id).await? else {
        return Ok(());
    };
    let Some(approval) = rounds::lock_approval(&mut *conn, latest.id).await? else {
        return Ok(());
    };
    if approval.status() != ApprovalStatus::Pending {
        return Ok(());
    }
    let stages = rounds::stages(&mut *conn, approval.id).await?;
    let stage_id = stages
        .iter()
        .find(|s| Some(s.idx) == approval.current_stage)
        .map(|s| s.id);
    approvals::close_prompts(
        &mut *conn,
        &approval,
        stage_id,
        "withdrawn",
        Some(by),
        now_ms,
    )
    .await?;
    rounds::void_open_tasks(&mut *conn, approval.id, now_ms).await?;
    rounds::cancel_remaining_stages(&mut *conn, approval.id, now_ms).await?;
    rounds::finish(&mut *conn, approval.id, ApprovalStatus::Withdrawn, now_ms).await?;
    Ok(())
}
