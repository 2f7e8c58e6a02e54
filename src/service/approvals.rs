//! Deciding approvals: the I/O half of the approval engine (the rules live in
//! `domain::approval` and `domain::policy`).

use super::notify;
use super::{audit_event, Desk, DeskError, DeskResult};
use crate::domain::approval::{
    check_comment, pick_task, stage_outcome, Acting, ApprovalStatus, Decision, OpenTask,
    StageOutcome, TaskStatus,
};
use crate::domain::directory::{Directory, Employee, EmployeeId};
use crate::domain::policy::{self, Mode, SubjectFacts};
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::store::approvals::{self as rows, Approval, NewApproval, StageRow, StageSla};
use crate::store::{self, audit, delegations, outbox, requisitions, Conn};
use serde_json::Value;

/// What a new round needs from its subject.
pub struct RoundSpec<'a> {
    pub kind: &'a str,
    pub subject_id: i64,
    pub reference: Reference,
    pub round: i64,
    pub facts: SubjectFacts,
    /// What prompts show: item, quantity, totals, reason...
    pub snapshot: Value,
}

/// Where a round stands after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A stage is waiting on these approvers (display names).
    AtStage {
        stage: String,
        stage_zh: String,
        approvers: Vec<String>,
    },
    /// The round ended.
    Finished(ApprovalStatus),
}

/// Plans and opens a round: creates its stages and starts the first one that applies.
/// Runs inside the caller's transaction.
pub(crate) async fn open_round(
    conn: &mut Conn,
    desk: &Desk,
    spec: &RoundSpec<'_>,
    requester: &Employee,
    dir: &Directory,
) -> DeskResult<Progress> {
    let policy = desk.policies.get(spec.kind).ok_or_else(|| {
        anyhow::anyhow!("no approval policy for `{}` in workflows.toml", spec.kind)
    })?;
    let planned = policy::plan(policy, &spec.facts, dir)?;
    let with_sla: Vec<_> = planned
        .into_iter()
        .zip(&policy.stages)
        .map(|(p, s)| {
            let sla = StageSla {
                remind_after_s: s.sla.remind_after.map(|d| d.as_secs() as i64),
                escalate_after_s: s.sla.escalate_after.map(|d| d.as_secs() as i64),
                escalate_to: s.sla.escalate_to.as_ref().map(|e| e.to_string()),
            };
            (p, sla)
        })
        .collect();
    let now = store::to_ms(desk.now());
    let subject_ref = spec.reference.to_string();
    let (approval_id, _) = rows::create(
        &mut *conn,
        &NewApproval {
            subject_kind: spec.kind,
            subject_id: spec.subject_id,
            subject_ref: &subject_ref,
            round: spec.round,
            requester: requester.id,
            policy: spec.kind,
            snapshot: &spec.snapshot.to_string(),
        },
        &with_sla,
        now,
    )
    .await?;
    let stages = rows::stages(&mut *conn, approval_id).await?;
    let approval = Approval {
        id: approval_id,
        subject_kind: spec.kind.into(),
        subject_id: spec.subject_id,
        subject_ref,
        round: spec.round,
        requester_id: requester.id,
        policy: spec.kind.into(),
        snapshot: spec.snapshot.to_string(),
        status: ApprovalStatus::Pending.as_str().into(),
        current_stage: None,
        version: 0,
        created_at: now,
        closed_at: None,
    };
    start_next_stage(conn, &approval, &stages, None, dir, now).await
}

/// Starts the first waiting stage after `after` (or the first of all), prompting its approvers;
/// with none left, finishes the round approved.
async fn start_next_stage(
    conn: &mut Conn,
    approval: &Approval,
    stages: &[StageRow],
    after: Option<i64>,
    dir: &Directory,
    now: i64,
) -> DeskResult<Progress> {
    let next = stages
        .iter()
        .find(|s| s.status == "waiting" && after.is_none_or(|a| s.idx > a));
    let Some(stage) = next else {
        rows::finish(&mut *conn, approval.id, ApprovalStatus::Approved, now).await?;
        set_subject_status(conn, approval, ApprovalStatus::Approved, now).await?;
        return Ok(Progress::Finished(ApprovalStatus::Approved));
    };
    let tasks = rows::activate_stage(&mut *conn, approval.id, stage, now).await?;
    let requester = dir
        .by_id(approval.requester_id)
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let snapshot: Value = serde_json::from_str(&approval.snapshot).unwrap_or(Value::Null);
    let mut names = Vec::new();
    for (task_id, assignee) in tasks {
        let msg = notify::prompt(
            assignee,
            &approval.subject_ref,
            task_id,
            &stage.name,
            &stage.name_zh,
            &requester,
            &snapshot,
        );
        outbox::enqueue(&mut *conn, &msg, now).await?;
        names.push(name_of(dir, assignee));
    }
    Ok(Progress::AtStage {
        stage: stage.name.clone(),
        stage_zh: stage.name_zh.clone(),
        approvers: names,
    })
}

fn name_of(dir: &Directory, id: EmployeeId) -> String {
    dir.by_id(id)
        .map(|e| e.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// Mirrors a round's status onto its subject, which users list and filter by.
pub(crate) async fn set_subject_status(
    conn: &mut Conn,
    approval: &Approval,
    status: ApprovalStatus,
    now: i64,
) -> DeskResult<()> {
    match approval.subject_kind.as_str() {
        "requisition" => requisitions::set_status(conn, approval.subject_id, status, now).await?,
        other => return Err(anyhow::anyhow!("unknown subject kind {other}").into()),
    }
    Ok(())
}

/// Edits every prompt sent for a stage's tasks (or all of the round's when `stage_id` is
/// `None`) to show how it ended.
pub(crate) async fn close_prompts(
    conn: &mut Conn,
    approval: &Approval,
    stage_id: Option<i64>,
    outcome: &str,
    by: Option<&str>,
    now: i64,
) -> DeskResult<()> {
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    let task_ids: Vec<i64> = tasks
        .iter()
        .filter(|t| stage_id.is_none_or(|s| t.stage_id == s))
        .map(|t| t.id)
        .collect();
    for p in outbox::prompts_for_tasks(&mut *conn, &approval.subject_ref).await? {
        let payload: Value = serde_json::from_str(&p.payload).unwrap_or(Value::Null);
        let task = payload.get("task_id").and_then(Value::as_i64);
        if task.is_some_and(|t| task_ids.contains(&t)) {
            if let Some(to) = p.recipient_id {
                let m = notify::prompt_closed(to, p.id, &approval.subject_ref, outcome, by, now);
                outbox::enqueue(&mut *conn, &m, now).await?;
            }
        }
    }
    Ok(())
}

/// A pending round as one decider sees it: the task they may decide, and what decide needs.
struct Seat {
    dir: Directory,
    stages: Vec<StageRow>,
    stage: StageRow,
    tasks: Vec<rows::TaskRow>,
    acting: Acting,
}

/// Finds the task `actor` may decide in a pending round's active stage, or says why not:
/// their own request, already decided by them (at this or an earlier stage), or not theirs.
async fn take_seat(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    approval: &Approval,
) -> DeskResult<Seat> {
    let subject_ref = &approval.subject_ref;
    let dir = store::directory::load(&mut *conn).await?;
    let stages = rows::stages(&mut *conn, approval.id).await?;
    let Some(stage) = stages
        .iter()
        .find(|s| Some(s.idx) == approval.current_stage)
        .cloned()
    else {
        return Err(anyhow::anyhow!("pending round {} has no active stage", approval.id).into());
    };
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    let open: Vec<OpenTask> = tasks
        .iter()
        .filter(|t| t.stage_id == stage.id && t.status() == TaskStatus::Open)
        .map(|t| OpenTask {
            task_id: t.id,
            assignee: t.assignee_id,
        })
        .collect();
    let delegators = delegations::delegators_of(&mut *conn, actor.id, desk.today()).await?;
    match pick_task(actor.id, approval.requester_id, &open, &delegators) {
        Ok(acting) => Ok(Seat {
            dir,
            stages,
            stage,
            tasks,
            acting,
        }),
        Err(e) if e.key == "approval.not_assigned" => {
            // A second click after deciding (perhaps at an earlier stage) gets their decision back.
            let mine = tasks.iter().rev().find(|t| t.decided_by == Some(actor.id));
            if let Some(mine) = mine {
                return Err(Msg::new("approval.already_decided")
                    .arg("ref", subject_ref)
                    .arg("by", &actor.name)
                    .arg("decision", mine.status.clone())
                    .into());
            }
            Err(e.arg("ref", subject_ref).into())
        }
        Err(e) => Err(e.arg("ref", subject_ref).into()),
    }
}

/// Checks, without changing anything, that `actor` could decide `reference` now: lets a
/// transport say "already decided" before asking for a reason.
pub async fn precheck(desk: &Desk, actor: &Employee, reference: Reference) -> DeskResult<()> {
    let subject_ref = reference.to_string();
    let mut conn = desk.store.pool().acquire().await?;
    let latest = rows::latest_by_ref(&mut conn, &subject_ref)
        .await?
        .ok_or_else(|| Msg::new("approval.not_found").arg("ref", &subject_ref))?;
    if latest.status() != ApprovalStatus::Pending {
        return Err(explain_closed(&mut conn, &latest, actor).await?.into());
    }
    take_seat(&mut conn, desk, actor, &latest).await.map(|_| ())
}

/// The result of a decision, for the reply.
#[derive(Debug, Clone)]
pub struct Decided {
    pub reference: String,
    pub decision: Decision,
    pub on_behalf_of: Option<String>,
    /// Whether the decision ended its stage (so `progress` is about the next stage).
    pub stage_ended: bool,
    pub progress: Progress,
}

/// Records an approver's decision on the subject's current stage. Concurrent decisions
/// serialize on the round's row; a decision on an already decided task changes nothing and
/// says who decided.
pub async fn decide(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
    decision: Decision,
    comment: Option<&str>,
) -> DeskResult<Decided> {
    check_comment(decision, comment)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let subject_ref = reference.to_string();
    let mut tx = desk.store.begin().await?;
    let latest = rows::latest_by_ref(&mut tx, &subject_ref)
        .await?
        .ok_or_else(|| Msg::new("approval.not_found").arg("ref", &subject_ref))?;
    let Some(approval) = rows::lock_approval(&mut tx, latest.id).await? else {
        let closed = explain_closed(&mut tx, &latest, actor).await?;
        return Err(closed.into());
    };
    let Seat {
        dir,
        stages,
        stage,
        tasks,
        acting,
    } = take_seat(&mut tx, desk, actor, &approval).await?;
    let stage_tasks: Vec<_> = tasks.iter().filter(|t| t.stage_id == stage.id).collect();
    let open: Vec<OpenTask> = stage_tasks
        .iter()
        .filter(|t| t.status() == TaskStatus::Open)
        .map(|t| OpenTask {
            task_id: t.id,
            assignee: t.assignee_id,
        })
        .collect();
    let now = store::to_ms(desk.now());
    let won = rows::close_task(
        &mut tx,
        acting.task_id,
        decision,
        actor.id,
        acting.on_behalf_of,
        comment,
        now,
    )
    .await?;
    if !won {
        // Cannot happen while we hold the round's lock; refuse rather than guess.
        return Err(DeskError::Internal(anyhow::anyhow!(
            "task {} changed under the round lock",
            acting.task_id
        )));
    }
    let statuses: Vec<TaskStatus> = stage_tasks
        .iter()
        .map(|t| {
            if t.id == acting.task_id {
                decision.task_status()
            } else {
                t.status()
            }
        })
        .collect();
    let mode = match stage.mode.as_str() {
        "all" => Mode::All,
        "quorum" => Mode::Quorum(stage.required as u32),
        _ => Mode::Any,
    };
    let outcome = stage_outcome(mode, stage.required as u32, &statuses);
    let behalf_name = acting.on_behalf_of.map(|id| name_of(&dir, id));
    let behalf_handle = acting
        .on_behalf_of
        .and_then(|id| dir.by_id(id))
        .map(|e| e.handle.clone());
    let decided_by = match &behalf_name {
        Some(b) => format!("{} ({b})", actor.name),
        None => actor.name.clone(),
    };
    let decider = Decider {
        handle: &actor.handle,
        on_behalf_of: behalf_handle.as_deref(),
        display: &decided_by,
        comment,
    };
    let action = match decision {
        Decision::Approve => "approval.approve",
        Decision::Reject => "approval.reject",
        Decision::Changes => "approval.changes",
    };
    let mut summary = format!(
        "stage {} ({}): {}",
        stage.idx + 1,
        stage.name,
        decision_word(decision)
    );
    if let Some(c) = comment {
        summary.push_str(&format!(" — {c}"));
    }
    audit::append(
        &mut tx,
        audit_event(
            desk.now(),
            &actor.handle,
            behalf_handle.as_deref(),
            action,
            &subject_ref,
            summary,
        ),
    )
    .await?;
    let snapshot: Value = serde_json::from_str(&approval.snapshot).unwrap_or(Value::Null);
    let progress = match outcome {
        StageOutcome::Pending => {
            let waiting: Vec<String> = open
                .iter()
                .filter(|t| t.task_id != acting.task_id)
                .map(|t| name_of(&dir, t.assignee))
                .collect();
            Progress::AtStage {
                stage: stage.name.clone(),
                stage_zh: stage.name_zh.clone(),
                approvers: waiting,
            }
        }
        StageOutcome::Approved => {
            rows::void_open_tasks(&mut tx, approval.id, now).await?;
            rows::close_stage(&mut tx, stage.id, "approved", now).await?;
            close_prompts(
                &mut tx,
                &approval,
                Some(stage.id),
                "approved",
                Some(&decided_by),
                now,
            )
            .await?;
            let next =
                start_next_stage(&mut tx, &approval, &stages, Some(stage.idx), &dir, now).await?;
            match &next {
                Progress::AtStage {
                    stage: n,
                    stage_zh: nz,
                    approvers,
                } => {
                    let m = notify::stage_passed(
                        approval.requester_id,
                        &subject_ref,
                        (&stage.name, &stage.name_zh),
                        &decided_by,
                        (n, nz),
                        approvers,
                    );
                    outbox::enqueue(&mut tx, &m, now).await?;
                }
                Progress::Finished(status) => {
                    announce_outcome(&mut tx, desk, &approval, *status, &decider, &snapshot, now)
                        .await?;
                }
            }
            next
        }
        StageOutcome::Rejected | StageOutcome::ChangesRequested => {
            let (status, stage_status) = if outcome == StageOutcome::Rejected {
                (ApprovalStatus::Rejected, "rejected")
            } else {
                (ApprovalStatus::ChangesRequested, "changes_requested")
            };
            rows::void_open_tasks(&mut tx, approval.id, now).await?;
            rows::close_stage(&mut tx, stage.id, stage_status, now).await?;
            rows::cancel_remaining_stages(&mut tx, approval.id, now).await?;
            rows::finish(&mut tx, approval.id, status, now).await?;
            set_subject_status(&mut tx, &approval, status, now).await?;
            close_prompts(
                &mut tx,
                &approval,
                Some(stage.id),
                status.as_str(),
                Some(&decided_by),
                now,
            )
            .await?;
            announce_outcome(&mut tx, desk, &approval, status, &decider, &snapshot, now).await?;
            Progress::Finished(status)
        }
    };
    tx.commit().await?;
    let stage_ended = outcome != StageOutcome::Pending;
    Ok(Decided {
        reference: subject_ref,
        decision,
        on_behalf_of: behalf_name,
        stage_ended,
        progress,
    })
}

/// Who decided, as the outcome notice and the audit trail record it.
struct Decider<'a> {
    handle: &'a str,
    on_behalf_of: Option<&'a str>,
    /// "Name" or "Name (on behalf of Other)".
    display: &'a str,
    comment: Option<&'a str>,
}

/// Tells the requester how a round ended and records the outcome in the audit trail.
async fn announce_outcome(
    conn: &mut Conn,
    desk: &Desk,
    approval: &Approval,
    status: ApprovalStatus,
    decider: &Decider<'_>,
    snapshot: &Value,
    now: i64,
) -> DeskResult<()> {
    let m = notify::outcome(
        approval.requester_id,
        &approval.subject_ref,
        status.as_str(),
        Some(decider.display),
        decider.comment,
        snapshot,
    );
    outbox::enqueue(&mut *conn, &m, now).await?;
    let event = audit_event(
        desk.now(),
        decider.handle,
        decider.on_behalf_of,
        &format!("approval.{}", status.as_str()),
        &approval.subject_ref,
        format!("round {} {}", approval.round, status.as_str()),
    );
    audit::append(conn, event).await?;
    Ok(())
}

fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Approve => "approved",
        Decision::Reject => "rejected",
        Decision::Changes => "changes requested",
    }
}

/// Says why a round can no longer be decided: who ended it and how.
async fn explain_closed(conn: &mut Conn, approval: &Approval, actor: &Employee) -> DeskResult<Msg> {
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    let last = tasks
        .iter()
        .filter(|t| t.decided_by.is_some())
        .max_by_key(|t| (t.decided_at, t.id));
    let status = approval.status();
    if status == ApprovalStatus::Withdrawn {
        return Ok(Msg::new("approval.withdrawn").arg("ref", &approval.subject_ref));
    }
    let by = match last.and_then(|t| t.decided_by) {
        Some(id) if id == actor.id => "you".to_string(),
        Some(id) => store::directory::by_id(conn, id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let at = last
        .and_then(|t| t.decided_at)
        .unwrap_or(approval.closed_at.unwrap_or(0));
    Ok(Msg::new("approval.closed")
        .arg("ref", &approval.subject_ref)
        .arg("status", status.as_str())
        .arg("by", by)
        .arg("at_ms", at))
}

/// One task in someone's inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub reference: String,
    pub stage: String,
    pub stage_zh: String,
    pub requester: String,
    pub waiting_since_ms: i64,
    /// Set when the task is held as a delegate: whose it is.
    pub on_behalf_of: Option<String>,
    pub snapshot: Value,
}

/// The actor's open tasks, including those held as a delegate, oldest first.
pub async fn inbox(desk: &Desk, actor: &Employee) -> DeskResult<Vec<InboxItem>> {
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
        let snapshot = approval
            .and_then(|a| serde_json::from_str(&a.snapshot).ok())
            .unwrap_or(Value::Null);
        items.push(InboxItem {
            reference: r.subject_ref,
            stage: r.stage_name,
            stage_zh: r.stage_name_zh,
            requester: name_of(&dir, r.requester_id),
            waiting_since_ms: r.created_at,
            on_behalf_of: (r.assignee_id != actor.id).then(|| name_of(&dir, r.assignee_id)),
            snapshot,
        });
    }
    Ok(items)
}

fn rows_has_own(items: &[InboxItem], subject_ref: &str) -> bool {
    items
        .iter()
        .any(|i| i.reference == subject_ref && i.on_behalf_of.is_none())
}
