//! Approval rounds: planning, opening stages, prompting approvers and closing prompts — the
//! I/O half of the approval engine (the rules live in `crate::approval::domain` and
//! `crate::approval::policy`; decisions in `crate::approval::decisions`).

use crate::approval::decisions::Decider;
use crate::approval::delegations::store as delegations;
use crate::approval::domain::{ApprovalStatus, StageStatus, TaskStatus};
use crate::approval::policy::{self, SubjectFacts};
use crate::approval::store::{self as rows, Approval, NewApproval, StageRow, StageSla};
use crate::approval::subject::{Subject, Summary};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Directory, Employee, EmployeeId};
use crate::domain::reference::Reference;
use crate::service::notify;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, outbox, Conn};
use chrono::NaiveDate;
use serde_json::Value;

/// What a new round needs from its subject.
pub struct RoundSpec<'a> {
    pub subject: &'a dyn Subject,
    pub subject_id: i64,
    pub reference: Reference,
    pub round: i64,
    pub facts: SubjectFacts,
    /// What its messages show, frozen with the round.
    pub summary: Summary,
}

/// What a round stores of its subject: the summary its messages show, and the facts its
/// policy was planned with (`policy_facts`), which escalation resolves its target from.
fn stored_snapshot(summary: &Summary, facts: &SubjectFacts) -> String {
    let mut v = serde_json::to_value(summary).unwrap_or(Value::Null);
    v["policy_facts"] = serde_json::to_value(facts).unwrap_or(Value::Null);
    v.to_string()
}

/// The facts a round was planned with; `None` for rounds stored before they were kept.
pub(crate) fn planned_facts(approval: &Approval) -> Option<SubjectFacts> {
    let v: Value = serde_json::from_str(&approval.snapshot).ok()?;
    serde_json::from_value(v.get("policy_facts")?.clone()).ok()
}

/// A round's subject as messages show it: its summary, the decisions its prompts offer and
/// its hints (the `subject` of prompts, reminders, outcomes and `/inbox`).
pub fn shown(subject: &dyn Subject, summary: &Summary) -> Value {
    let mut v = serde_json::to_value(summary).unwrap_or(Value::Null);
    let decisions: Vec<&str> = subject.verbs().iter().map(|v| v.decision.verb()).collect();
    let mut decisions = decisions;
    decisions.dedup();
    v["decisions"] = decisions.into();
    v["graded"] = subject.verbs().iter().any(|v| v.grade.is_some()).into();
    v["hint"] = subject.hint().into();
    v["resubmit"] = subject.resubmit_hint().into();
    v
}

/// [`shown`] for a stored round.
pub fn shown_round(subject: &dyn Subject, approval: &Approval) -> Value {
    shown(subject, &Summary::read(&approval.snapshot))
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
pub async fn open_round(
    conn: &mut Conn,
    desk: &Desk,
    spec: &RoundSpec<'_>,
    requester: &Employee,
    dir: &Directory,
) -> DeskResult<Progress> {
    let kind = spec.subject.kind();
    let policy = desk
        .policies
        .get(kind)
        .ok_or_else(|| anyhow::anyhow!("no approval policy for `{kind}` in workflows.toml"))?;
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
    let snapshot = stored_snapshot(&spec.summary, &spec.facts);
    let (approval_id, _) = rows::create(
        &mut *conn,
        &NewApproval {
            subject_kind: kind,
            subject_id: spec.subject_id,
            subject_ref: &subject_ref,
            round: spec.round,
            requester: requester.id,
            policy: kind,
            snapshot: &snapshot,
        },
        &with_sla,
        now,
    )
    .await?;
    let stages = rows::stages(&mut *conn, approval_id).await?;
    let approval = Approval {
        id: approval_id,
        subject_kind: kind.into(),
        subject_id: spec.subject_id,
        subject_ref,
        round: spec.round,
        requester_id: requester.id,
        policy: kind.into(),
        snapshot,
        status: ApprovalStatus::Pending,
        current_stage: None,
        version: 0,
        created_at: now,
        closed_at: None,
    };
    let progress = start_next_stage(
        &mut *conn,
        spec.subject,
        &approval,
        &stages,
        None,
        dir,
        desk.today(),
        now,
    )
    .await?;
    if let Progress::Finished(status) = progress {
        let more = spec
            .subject
            .on_finished_audited(&mut *conn, &approval, status, now)
            .await?;
        // No stage applied: the requester still hears the outcome, and the trail records it.
        let system = Decider {
            handle: "system",
            on_behalf_of: None,
            display: "bizdesk",
            comment: None,
        };
        let event = announce_outcome(
            &mut *conn,
            desk,
            &approval,
            status,
            &system,
            &shown(spec.subject, &spec.summary),
            now,
        )
        .await?;
        audit::append(&mut *conn, &desk.keys.audit, event).await?;
        for e in more {
            audit::append(&mut *conn, &desk.keys.audit, e).await?;
        }
    }
    Ok(progress)
}

/// Starts the first waiting stage after `after` (or the first of all), prompting its approvers;
/// with none left, finishes the round approved.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start_next_stage(
    conn: &mut Conn,
    subject: &dyn Subject,
    approval: &Approval,
    stages: &[StageRow],
    after: Option<i64>,
    dir: &Directory,
    today: NaiveDate,
    now: i64,
) -> DeskResult<Progress> {
    let next = stages
        .iter()
        .find(|s| s.status == StageStatus::Waiting && after.is_none_or(|a| s.idx > a));
    let Some(stage) = next else {
        // The caller mirrors the outcome onto the subject (`Subject::on_finished_audited`).
        rows::finish(&mut *conn, approval.id, ApprovalStatus::Approved, now).await?;
        return Ok(Progress::Finished(ApprovalStatus::Approved));
    };
    let tasks = rows::activate_stage(&mut *conn, approval.id, stage, now).await?;
    let task_ids: Vec<i64> = tasks.iter().map(|(t, _)| *t).collect();
    crate::approval::sla::schedule_stage(&mut *conn, stage, &task_ids, now).await?;
    let mut names = Vec::new();
    for (task_id, assignee) in tasks {
        prompt_task(
            &mut *conn,
            subject,
            approval,
            stage,
            (task_id, assignee),
            dir,
            today,
            None,
            now,
        )
        .await?;
        names.push(name_of(dir, assignee));
    }
    Ok(Progress::AtStage {
        stage: stage.name.clone(),
        stage_zh: stage.name_zh.clone(),
        approvers: names,
    })
}

/// Prompts a task's approver, and whoever stands in for them today (on their behalf).
/// `escalated_from` names the approvers an escalation took the task from.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn prompt_task(
    conn: &mut Conn,
    subject: &dyn Subject,
    approval: &Approval,
    stage: &StageRow,
    (task_id, assignee): (i64, EmployeeId),
    dir: &Directory,
    today: NaiveDate,
    escalated_from: Option<&str>,
    now: i64,
) -> DeskResult<()> {
    let requester = name_of(dir, approval.requester_id);
    let snapshot = shown_round(subject, approval);
    let p = notify::Prompt {
        subject_ref: &approval.subject_ref,
        task_id,
        stage: &stage.name,
        stage_zh: &stage.name_zh,
        requester: &requester,
        subject: &snapshot,
        escalated_from,
    };
    notify::send(&mut *conn, &notify::prompt(assignee, &p, None), now).await?;
    let assignee_name = name_of(dir, assignee);
    for delegate in delegations::delegates_of(&mut *conn, assignee, today).await? {
        if delegate != approval.requester_id {
            let m = notify::prompt(delegate, &p, Some(&assignee_name));
            notify::send(&mut *conn, &m, now).await?;
        }
    }
    Ok(())
}

pub(crate) fn name_of(dir: &Directory, id: EmployeeId) -> String {
    dir.by_id(id)
        .map(|e| e.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
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
    close_task_prompts(conn, approval, &task_ids, outcome, by, now).await
}

/// Edits the prompts sent for these tasks to show the outcome (once per prompt).
pub(crate) async fn close_task_prompts(
    conn: &mut Conn,
    approval: &Approval,
    task_ids: &[i64],
    outcome: &str,
    by: Option<&str>,
    now: i64,
) -> DeskResult<()> {
    let closed = outbox::closed_prompt_ids(&mut *conn, &approval.subject_ref).await?;
    for p in outbox::prompts_for_tasks(&mut *conn, &approval.subject_ref).await? {
        if closed.contains(&p.id) {
            continue;
        }
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

/// Tells the requester how a round ended; returns the audit event recording the outcome, for
/// the caller to append with its others.
pub(crate) async fn announce_outcome(
    conn: &mut Conn,
    desk: &Desk,
    approval: &Approval,
    status: ApprovalStatus,
    decider: &Decider<'_>,
    snapshot: &Value,
    now: i64,
) -> DeskResult<AuditEvent> {
    let m = notify::outcome(
        approval.requester_id,
        &approval.subject_ref,
        status.as_str(),
        Some(decider.display),
        decider.comment,
        snapshot,
    );
    notify::send(conn, &m, now).await?;
    Ok(audit_event(
        desk.now(),
        decider.handle,
        decider.on_behalf_of,
        &format!("approval.{}", status.as_str()),
        &approval.subject_ref,
        format!("round {} {}", approval.round, status.as_str()),
    ))
}

/// Where a subject's latest round stands: the active stage and who it waits on, or how it
/// ended. `None` when the subject never had a round.
pub(crate) async fn standing(
    conn: &mut Conn,
    subject: &dyn Subject,
    subject_id: i64,
    dir: &Directory,
) -> DeskResult<Option<Progress>> {
    let Some(approval) = rows::latest_for(&mut *conn, subject.kind(), subject_id).await? else {
        return Ok(None);
    };
    if approval.status() != ApprovalStatus::Pending {
        return Ok(Some(Progress::Finished(approval.status())));
    }
    let stages = rows::stages(&mut *conn, approval.id).await?;
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    let Some(stage) = stages
        .iter()
        .find(|s| Some(s.idx) == approval.current_stage)
    else {
        return Ok(Some(Progress::Finished(approval.status())));
    };
    let approvers = tasks
        .iter()
        .filter(|t| t.stage_id == stage.id && t.status == TaskStatus::Open)
        .map(|t| name_of(dir, t.assignee_id))
        .collect();
    Ok(Some(Progress::AtStage {
        stage: stage.name.clone(),
        stage_zh: stage.name_zh.clone(),
        approvers,
    }))
}

/// Who ended a subject's latest round by rejecting it, and why; `None` unless it was rejected
/// by someone (a withdrawal or an approval has no such reason).
pub(crate) async fn rejection(
    conn: &mut Conn,
    subject: &dyn Subject,
    subject_id: i64,
    dir: &Directory,
) -> DeskResult<Option<(String, String)>> {
    let Some(approval) = rows::latest_for(&mut *conn, subject.kind(), subject_id).await? else {
        return Ok(None);
    };
    if approval.status != ApprovalStatus::Rejected {
        return Ok(None);
    }
    let tasks = rows::tasks(&mut *conn, approval.id).await?;
    Ok(tasks
        .iter()
        .filter(|t| t.status == crate::approval::domain::TaskStatus::Rejected)
        .max_by_key(|t| t.decided_at)
        .map(|t| {
            let who = name_of(dir, t.decided_by.unwrap_or(t.assignee_id));
            (who, t.comment.clone().unwrap_or_default())
        }))
}

/// The names of everyone who approved a round's stages, in order, without repeats.
pub(crate) async fn approvers_of(
    conn: &mut Conn,
    approval_id: i64,
    dir: &Directory,
) -> DeskResult<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for t in rows::tasks(conn, approval_id).await? {
        if t.status == TaskStatus::Approved {
            let n = name_of(dir, t.decided_by.unwrap_or(t.assignee_id));
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    Ok(names)
}
