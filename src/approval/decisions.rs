//! Deciding approvals: one approver's decision on the task in front of them.
//!
//! A decision names its target either by reference (`/approval approve ref:REQ-000042`: the
//! actor's task in the current stage) or by task (a prompt's button: that task only). Both go
//! through [`decide`], which locks the round first, so concurrent decisions serialize and
//! exactly one wins each task.

use crate::approval::delegations::store as delegations;
use crate::approval::domain::{
    check_comment, pick_task, stage_outcome, Acting, ApprovalStatus, Decision, OpenTask,
    StageOutcome, StageStatus, TaskStatus,
};
use crate::approval::service::{
    announce_outcome, close_task_prompts, name_of, shown_round, start_next_stage, Progress,
};
use crate::approval::store::{self as rows, Approval, StageRow, TaskRow};
use crate::approval::subject::Verdict;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Directory, Employee};
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::service::{audit_event, notify, Desk, DeskError, DeskResult};
use crate::store::{self, audit, Conn};

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Typed by hand: the actor's task in the subject's current stage.
    Ref(Reference),
    /// A prompt's button: exactly this task, while it is open.
    Task(i64),
}

/// The round a target points at now, and the task a button wants.
async fn locate(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    target: Target,
) -> DeskResult<(Approval, Option<i64>)> {
    match target {
        Target::Ref(r) => {
            let subject_ref = r.to_string();
            let latest = rows::latest_by_ref(conn, &subject_ref)
                .await?
                // Says the same as for a round one has no part in: references cannot be probed.
                .ok_or_else(|| Msg::new("approval.not_assigned").arg("ref", &subject_ref))?;
            Ok((latest, None))
        }
        Target::Task(id) => {
            let task = rows::task(&mut *conn, id)
                .await?
                .ok_or_else(|| Msg::new("approval.unknown_prompt"))?;
            // Someone else's task reads like no task: a task id typed into a form (the web)
            // must not tell who decided what on a request the actor may not read.
            if task.assignee_id != actor.id
                && !delegations::delegators_of(&mut *conn, actor.id, desk.today())
                    .await?
                    .contains(&task.assignee_id)
            {
                return Err(Msg::new("approval.unknown_prompt").into());
            }
            let round = rows::get(&mut *conn, task.approval_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("task {id} has no round"))?;
            let latest = rows::latest_by_ref(conn, &round.subject_ref)
                .await?
                .ok_or_else(|| anyhow::anyhow!("round {} vanished", round.id))?;
            if latest.id != round.id {
                return Err(Msg::new("approval.prompt_outdated")
                    .arg("ref", &round.subject_ref)
                    .into());
            }
            Ok((latest, Some(id)))
        }
    }
}

/// A pending round as one decider sees it: the task they may decide, and what decide needs.
struct Seat {
    dir: Directory,
    stages: Vec<StageRow>,
    stage: StageRow,
    tasks: Vec<TaskRow>,
    acting: Acting,
}

/// Finds the task `actor` may decide in a pending round's active stage, or says why not.
async fn take_seat(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    approval: &Approval,
    wanted: Option<i64>,
) -> DeskResult<Seat> {
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
    let voted = tasks
        .iter()
        .any(|t| t.stage_id == stage.id && t.decided_by == Some(actor.id));
    let delegators = delegations::delegators_of(&mut *conn, actor.id, desk.today()).await?;
    match pick_task(
        actor.id,
        approval.requester_id,
        &open,
        &delegators,
        voted,
        wanted,
    ) {
        Ok(acting) => Ok(Seat {
            dir,
            stages,
            stage,
            tasks,
            acting,
        }),
        Err(e) => Err(explain_refusal(e, actor, approval, &tasks, &dir, wanted).into()),
    }
}

/// Turns a refusal into what the person needs to hear: whose decision closed their prompt,
/// or their own earlier decision when they click twice.
fn explain_refusal(
    e: Msg,
    actor: &Employee,
    approval: &Approval,
    tasks: &[TaskRow],
    dir: &Directory,
    wanted: Option<i64>,
) -> Msg {
    let subject_ref = &approval.subject_ref;
    let decided = |t: &TaskRow| -> Msg {
        if t.decided_by == Some(actor.id) {
            Msg::new("approval.already_decided")
                .arg("ref", subject_ref)
                .arg("decision", t.status.as_str())
        } else {
            Msg::new("approval.stage_decided")
                .arg("ref", subject_ref)
                .arg("by", name_of(dir, t.decided_by.unwrap_or_default()))
                .arg("decision", t.status.as_str())
        }
    };
    // The decided task of the stage a (void) task belonged to.
    let stage_decider = |t: &TaskRow| {
        tasks
            .iter()
            .find(|o| o.stage_id == t.stage_id && o.decided_by.is_some())
    };
    // A task an escalation took away: say to whom, unless the stage was decided since.
    if matches!(e.key, "approval.prompt_closed" | "approval.not_assigned") {
        let mine = match wanted {
            Some(w) => tasks.iter().find(|t| t.id == w),
            None => tasks.iter().rev().find(|t| t.assignee_id == actor.id),
        };
        if let Some(old) = mine.filter(|t| t.status == TaskStatus::Escalated) {
            if let Some(d) = stage_decider(old) {
                return decided(d);
            }
            let to: Vec<String> = tasks
                .iter()
                .filter(|t| t.stage_id == old.stage_id && t.escalated_from.is_some())
                .map(|t| name_of(dir, t.assignee_id))
                .collect();
            return Msg::new("approval.escalated")
                .arg("ref", subject_ref)
                .arg("to", to.join(", "))
                .arg("at_ms", old.decided_at.unwrap_or_default());
        }
    }
    let about = match e.key {
        "approval.already_decided" | "approval.prompt_closed" => {
            let mine = match wanted {
                Some(w) => tasks.iter().find(|t| t.id == w),
                None => tasks.iter().rev().find(|t| t.decided_by == Some(actor.id)),
            };
            mine.and_then(|t| {
                if t.decided_by.is_some() {
                    Some(t)
                } else {
                    stage_decider(t)
                }
            })
        }
        "approval.not_assigned" => tasks
            .iter()
            .rev()
            .find(|t| t.decided_by == Some(actor.id))
            .or_else(|| {
                tasks
                    .iter()
                    .rev()
                    .filter(|t| t.assignee_id == actor.id)
                    .find_map(stage_decider)
            }),
        _ => None,
    };
    match about {
        Some(t) => decided(t),
        None => e.arg("ref", subject_ref),
    }
}

/// Checks, without changing anything, that `actor` could decide `target` now, so a transport
/// can say "already decided" before asking for a reason.
pub async fn precheck(desk: &Desk, actor: &Employee, target: Target) -> DeskResult<()> {
    let mut conn = desk.store.pool().acquire().await?;
    let (latest, wanted) = locate(&mut conn, desk, actor, target).await?;
    if latest.status() != ApprovalStatus::Pending {
        return Err(explain_closed(&mut conn, actor, &latest).await?.into());
    }
    take_seat(&mut conn, desk, actor, &latest, wanted)
        .await
        .map(|_| ())
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

/// Who decided, as the outcome notice and the audit trail record it.
pub(crate) struct Decider<'a> {
    pub handle: &'a str,
    pub on_behalf_of: Option<&'a str>,
    /// "Name" or "Name (Other)" when deciding on someone's behalf.
    pub display: &'a str,
    pub comment: Option<&'a str>,
}

/// Records an approver's decision. Concurrent decisions serialize on the round's row; a
/// decision on something already decided changes nothing and says who decided it.
pub async fn decide(
    desk: &Desk,
    actor: &Employee,
    target: Target,
    decision: Decision,
    comment: Option<&str>,
) -> DeskResult<Decided> {
    decide_with(desk, actor, target, decision, comment, None).await
}

/// Where a decision was made, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Via {
    /// A command or a prompt's button (Discord, the console).
    #[default]
    Chat,
    /// The web desk's inbox.
    Web,
    /// A link in an approval email (confirmed on its page).
    Email,
}

impl Via {
    /// What the audit summary adds: nothing for chat.
    fn note(self) -> &'static str {
        match self {
            Via::Chat => "",
            Via::Web => " (on the web)",
            Via::Email => " (from email)",
        }
    }
}

/// [`decide`], with the grade a decision records (an opportunity's priority); each subject
/// checks what it needs ([`crate::approval::subject::Subject::check_decision`]).
pub async fn decide_with(
    desk: &Desk,
    actor: &Employee,
    target: Target,
    decision: Decision,
    comment: Option<&str>,
    grade: Option<&str>,
) -> DeskResult<Decided> {
    decide_via(desk, actor, target, (decision, comment, grade), Via::Chat).await
}

/// [`decide_with`] from a transport that the audit trail names (the web inbox, an email link).
pub async fn decide_via(
    desk: &Desk,
    actor: &Employee,
    target: Target,
    (decision, comment, grade): (Decision, Option<&str>, Option<&str>),
    via: Via,
) -> DeskResult<Decided> {
    check_comment(decision, comment)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut tx = desk.begin().await?;
    let (latest, wanted) = locate(&mut tx, desk, actor, target).await?;
    let Some(approval) = rows::lock_approval(&mut tx, latest.id).await? else {
        // Someone ended the round first; read it again to say how (the copy above is stale).
        let now_closed = rows::get(&mut tx, latest.id).await?.unwrap_or(latest);
        return Err(explain_closed(&mut tx, actor, &now_closed).await?.into());
    };
    let subject_ref = approval.subject_ref.clone();
    let Seat {
        dir,
        stages,
        stage,
        tasks,
        acting,
    } = take_seat(&mut tx, desk, actor, &approval, wanted).await?;
    let subject = desk.subjects.of(&approval)?;
    let verdict = Verdict {
        decision,
        grade,
        comment,
    };
    subject.check_decision(&subject_ref, &verdict)?;
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
    subject
        .on_decided(&mut tx, &approval, verdict, actor, now)
        .await?;
    let stage_tasks: Vec<&TaskRow> = tasks.iter().filter(|t| t.stage_id == stage.id).collect();
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
    let outcome = stage_outcome(stage.mode, stage.required as u32, &statuses);
    let behalf_name = acting.on_behalf_of.map(|id| name_of(&dir, id));
    let behalf_handle = acting
        .on_behalf_of
        .and_then(|id| dir.by_id(id))
        .map(|e| e.handle.clone());
    let display = match &behalf_name {
        Some(b) => format!("{} ({b})", actor.name),
        None => actor.name.clone(),
    };
    let decider = Decider {
        handle: &actor.handle,
        on_behalf_of: behalf_handle.as_deref(),
        display: &display,
        comment,
    };
    // Audit events are appended last, just before commit: on PostgreSQL the chain head's row
    // lock is then held only briefly.
    let mut events: Vec<AuditEvent> = vec![decision_event(
        desk,
        &decider,
        &stage,
        &subject_ref,
        (decision, via),
    )];
    let snapshot = shown_round(subject, &approval);
    let progress = match outcome {
        StageOutcome::Pending => {
            // The decider's own prompt is done even though the stage waits for others.
            close_task_prompts(
                &mut tx,
                &approval,
                &[acting.task_id],
                decision.task_status().as_str(),
                Some(&display),
                now,
            )
            .await?;
            let waiting = stage_tasks
                .iter()
                .filter(|t| t.status() == TaskStatus::Open && t.id != acting.task_id)
                .map(|t| name_of(&dir, t.assignee_id))
                .collect();
            Progress::AtStage {
                stage: stage.name.clone(),
                stage_zh: stage.name_zh.clone(),
                approvers: waiting,
            }
        }
        StageOutcome::Approved => {
            rows::void_open_tasks(&mut tx, approval.id, now).await?;
            rows::close_stage(&mut tx, stage.id, StageStatus::Approved, now).await?;
            let ids: Vec<i64> = stage_tasks.iter().map(|t| t.id).collect();
            close_task_prompts(&mut tx, &approval, &ids, "approved", Some(&display), now).await?;
            let next = start_next_stage(
                &mut tx,
                subject,
                &approval,
                &stages,
                Some(stage.idx),
                &dir,
                desk.today(),
                now,
            )
            .await?;
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
                        &display,
                        (n, nz),
                        approvers,
                    );
                    notify::send(&mut tx, &m, now).await?;
                }
                Progress::Finished(status) => {
                    let more = subject
                        .on_finished_audited(&mut tx, &approval, *status, now)
                        .await?;
                    events.push(
                        announce_outcome(
                            &mut tx, desk, &approval, *status, &decider, &snapshot, now,
                        )
                        .await?,
                    );
                    events.extend(more);
                }
            }
            next
        }
        StageOutcome::Rejected | StageOutcome::ChangesRequested => {
            let (status, stage_status) = if outcome == StageOutcome::Rejected {
                (ApprovalStatus::Rejected, StageStatus::Rejected)
            } else {
                (
                    ApprovalStatus::ChangesRequested,
                    StageStatus::ChangesRequested,
                )
            };
            rows::void_open_tasks(&mut tx, approval.id, now).await?;
            rows::close_stage(&mut tx, stage.id, stage_status, now).await?;
            rows::cancel_remaining_stages(&mut tx, approval.id, now).await?;
            rows::finish(&mut tx, approval.id, status, now).await?;
            let more = subject
                .on_finished_audited(&mut tx, &approval, status, now)
                .await?;
            let ids: Vec<i64> = stage_tasks.iter().map(|t| t.id).collect();
            close_task_prompts(
                &mut tx,
                &approval,
                &ids,
                status.as_str(),
                Some(&display),
                now,
            )
            .await?;
            events.push(
                announce_outcome(&mut tx, desk, &approval, status, &decider, &snapshot, now)
                    .await?,
            );
            events.extend(more);
            Progress::Finished(status)
        }
    };
    for e in events {
        audit::append(&mut tx, &desk.keys.audit, e).await?;
    }
    tx.commit().await?;
    Ok(Decided {
        reference: subject_ref,
        decision,
        on_behalf_of: behalf_name,
        stage_ended: outcome != StageOutcome::Pending,
        progress,
    })
}

fn decision_event(
    desk: &Desk,
    d: &Decider<'_>,
    stage: &StageRow,
    subject_ref: &str,
    (decision, via): (Decision, Via),
) -> AuditEvent {
    let (action, word) = match decision {
        Decision::Approve => ("approval.approve", "approved"),
        Decision::Reject => ("approval.reject", "rejected"),
        Decision::Changes => ("approval.changes", "changes requested"),
    };
    let mut summary = format!(
        "stage {} ({}): {word}{}",
        stage.idx + 1,
        stage.name,
        via.note()
    );
    if let Some(c) = d.comment {
        summary.push_str(&format!(" — {c}"));
    }
    audit_event(
        desk.now(),
        d.handle,
        d.on_behalf_of,
        action,
        subject_ref,
        summary,
    )
}

/// Says why a round can no longer be decided: who ended it and how — to those who had a part
/// in it (its requester, its approvers); anyone else hears only that they are not an approver.
async fn explain_closed(conn: &mut Conn, actor: &Employee, approval: &Approval) -> DeskResult<Msg> {
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    let took_part = approval.requester_id == actor.id
        || tasks
            .iter()
            .any(|t| t.assignee_id == actor.id || t.decided_by == Some(actor.id));
    if !crate::access::approvals::may_see_outcome(actor, took_part) {
        return Ok(Msg::new("approval.not_assigned").arg("ref", &approval.subject_ref));
    }
    if approval.status() == ApprovalStatus::Withdrawn {
        return Ok(Msg::new("approval.withdrawn").arg("ref", &approval.subject_ref));
    }
    let last = tasks
        .iter()
        .filter(|t| t.decided_by.is_some())
        .max_by_key(|t| (t.decided_at, t.id));
    let by = match last.and_then(|t| t.decided_by) {
        Some(id) => store::directory::by_id(conn, id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let at = last
        .and_then(|t| t.decided_at)
        .or(approval.closed_at)
        .unwrap_or(0);
    Ok(Msg::new("approval.closed")
        .arg("ref", &approval.subject_ref)
        .arg("status", approval.status().as_str())
        .arg("by", by)
        .arg("at_ms", at))
}
