//! Approval SLAs: a stage's `remind_after` and `escalate_after`, acted on by the scheduler.
//!
//! When a stage starts, its jobs are written in the same transaction: one reminder per task
//! and one escalation for the stage, each with a unique key, so nothing schedules twice. A
//! job that finds its task or stage already decided does nothing. Escalation locks the round
//! like a decision does, so an escalation and a click serialize and exactly one wins.
//!
//! The handlers return their audit events instead of appending them: the scheduler appends a
//! batch's events just before it commits, so the chain head (which every audited action
//! locks) is held only for a moment, as `decide` does.

use crate::approval::delegations::store as delegations;
use crate::approval::domain::{StageStatus, TaskStatus};
use crate::approval::policy::{resolve_specs, ApproverSpec, SubjectFacts};
use crate::approval::service::{
    close_task_prompts, name_of, planned_facts, prompt_task, shown_round,
};
use crate::approval::store::{self as rows, StageRow};
use crate::domain::audit::AuditEvent;
use crate::scheduler::handlers::{none, JobHandler};
use crate::service::jobs::kind;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::jobs::{self, NewJob};
use crate::store::{self, Conn};
use serde_json::{json, Value};

fn remind_key(task_id: i64) -> String {
    format!("sla.remind:task:{task_id}")
}

fn escalate_key(stage_id: i64) -> String {
    format!("sla.escalate:stage:{stage_id}")
}

/// Writes a started stage's SLA jobs: a reminder per task, an escalation for the stage.
/// Returns how many were new (the sweep calls it again for stages that may have them).
pub(crate) async fn schedule_stage(
    conn: &mut Conn,
    stage: &StageRow,
    task_ids: &[i64],
    started_ms: i64,
) -> sqlx::Result<usize> {
    let mut added = 0;
    if let Some(after) = stage.remind_after_s {
        for &task_id in task_ids {
            let job = NewJob::new(
                kind::SLA_REMIND,
                json!({ "task_id": task_id }),
                started_ms + after * 1000,
                remind_key(task_id),
            );
            added += usize::from(jobs::insert(&mut *conn, &job, started_ms).await?.is_some());
        }
    }
    if let (Some(after), Some(_)) = (stage.escalate_after_s, &stage.escalate_to) {
        let job = NewJob::new(
            kind::SLA_ESCALATE,
            json!({ "stage_id": stage.id }),
            started_ms + after * 1000,
            escalate_key(stage.id),
        );
        added += usize::from(jobs::insert(&mut *conn, &job, started_ms).await?.is_some());
    }
    Ok(added)
}

fn id_in(payload: &Value, key: &str) -> DeskResult<i64> {
    payload
        .get(key)
        .and_then(Value::as_i64)
        .ok_or_else(|| anyhow::anyhow!("job payload lacks `{key}`: {payload}").into())
}

/// Reminds an approver whose task is still open: a DM with the buttons (and an email if they
/// want prompts by email), also to whoever stands in for them today. Returns the audit event.
pub async fn remind(desk: &Desk, conn: &mut Conn, payload: &Value) -> DeskResult<Vec<AuditEvent>> {
    let task_id = id_in(payload, "task_id")?;
    let Some(task) = rows::task(&mut *conn, task_id).await? else {
        return Ok(vec![]);
    };
    if task.status() != TaskStatus::Open {
        return Ok(vec![]); // decided, voided or escalated meanwhile: nothing to remind
    }
    // The decision lock: a decision committing now either precedes this (and the task is no
    // longer open) or follows it (and closes this reminder's buttons with the prompt's).
    let Some(approval) = rows::lock_approval(&mut *conn, task.approval_id).await? else {
        return Ok(vec![]);
    };
    let task = match rows::task(&mut *conn, task_id).await? {
        Some(t) if t.status() == TaskStatus::Open => t,
        _ => return Ok(vec![]),
    };
    let Some(stage) = rows::stage(&mut *conn, task.stage_id).await? else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let now = store::to_ms(desk.now());
    let snapshot = shown_round(desk.subjects.of(&approval)?, &approval);
    let assignee = name_of(&dir, task.assignee_id);
    let base = json!({
        "ref": approval.subject_ref, "task_id": task.id, "stage": stage.name,
        "stage_zh": stage.name_zh, "requester": name_of(&dir, approval.requester_id),
        "subject": snapshot, "waiting_since_ms": task.created_at, "on_behalf_of": null,
        "at_ms": now,
        "escalate_at_ms": stage.escalate_after_s.filter(|_| stage.escalated_at.is_none())
            .map(|s| stage.started_at.unwrap_or(task.created_at) + s * 1000),
    });
    let to_assignee = notify::message(
        task.assignee_id,
        notify::kind::REMINDER,
        Some(&approval.subject_ref),
        base.clone(),
    );
    notify::send(&mut *conn, &to_assignee, now).await?;
    for delegate in delegations::delegates_of(&mut *conn, task.assignee_id, desk.today()).await? {
        if delegate != approval.requester_id {
            let mut p = base.clone();
            p["on_behalf_of"] = json!(assignee);
            let m = notify::message(
                delegate,
                notify::kind::REMINDER,
                Some(&approval.subject_ref),
                p,
            );
            notify::send(&mut *conn, &m, now).await?;
        }
    }
    let mins = (now - task.created_at) / 60_000;
    let waited = if mins < 120 {
        format!("{mins} min")
    } else {
        format!("{} h", mins / 60)
    };
    let event = audit_event(
        desk.now(),
        "system",
        None,
        "approval.remind",
        &approval.subject_ref,
        format!(
            "stage {} ({}): reminded {assignee}, waiting {waited}",
            stage.idx + 1,
            stage.name
        ),
    );
    Ok(vec![event])
}

/// Escalates a stage that is still waiting: its open tasks go to `escalate_to` (who may then
/// decide; the former approvers' buttons say so), the requester and the former approvers are
/// told, and the trail records it (the event is returned). A stage escalates once.
pub async fn escalate(
    desk: &Desk,
    conn: &mut Conn,
    payload: &Value,
) -> DeskResult<Vec<AuditEvent>> {
    let stage_id = id_in(payload, "stage_id")?;
    let Some(stage) = rows::stage(&mut *conn, stage_id).await? else {
        return Ok(vec![]);
    };
    if stage.status != StageStatus::Active || stage.escalated_at.is_some() {
        return Ok(vec![]);
    }
    // The same lock a decision takes: an escalation and a click serialize.
    let Some(approval) = rows::lock_approval(&mut *conn, stage.approval_id).await? else {
        return Ok(vec![]); // the round ended meanwhile
    };
    // Read the stage again under the lock: a decision may have closed it while we waited.
    let stage = match rows::stage(&mut *conn, stage_id).await? {
        Some(s) if s.status == StageStatus::Active && s.escalated_at.is_none() => s,
        _ => return Ok(vec![]),
    };
    if approval.current_stage != Some(stage.idx) {
        return Ok(vec![]);
    }
    let open: Vec<_> = rows::tasks(&mut *conn, approval.id)
        .await?
        .into_iter()
        .filter(|t| t.stage_id == stage.id && t.status() == TaskStatus::Open)
        .collect();
    let Some(first) = open.first() else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let now = store::to_ms(desk.now());
    let spec = stage.escalate_to.as_deref().map(ApproverSpec::parse);
    let Some(Ok(spec)) = spec else {
        return Err(anyhow::anyhow!("stage {} has no usable escalate_to", stage.id).into());
    };
    // The facts the round was planned with; rounds stored before those were kept fall back
    // to the requester's department as it is now.
    let facts = planned_facts(&approval).unwrap_or_else(|| SubjectFacts {
        requester: approval.requester_id,
        department: dir
            .by_id(approval.requester_id)
            .map(|e| e.department.clone())
            .unwrap_or_default(),
        amount_minor: 0,
        category: None,
    });
    let open_ids: Vec<i64> = open.iter().map(|t| t.assignee_id).collect();
    let targets: Vec<i64> = match spec {
        // Up the chain past whoever has the task now (a head's own request is already with
        // the head above).
        ApproverSpec::Superior => {
            let mut excluded = open_ids.clone();
            excluded.push(approval.requester_id);
            crate::approval::policy::superior(&dir, &facts.department, &excluded)
                .into_iter()
                .collect()
        }
        _ => resolve_specs(std::slice::from_ref(&spec), &facts, &dir, true)
            .into_iter()
            .filter(|id| !open_ids.contains(id))
            .collect(),
    };
    let former: Vec<String> = open.iter().map(|t| name_of(&dir, t.assignee_id)).collect();
    let former_text = former.join(", ");
    if targets.is_empty() {
        // Nobody to escalate to (the role is empty, or only the current approvers hold it):
        // the stage stays with its approvers and the trail says why.
        let event = audit_event(
            desk.now(),
            "system",
            None,
            "approval.escalate_skipped",
            &approval.subject_ref,
            format!(
                "stage {} ({}): nobody else holds {spec}; stays with {former_text}",
                stage.idx + 1,
                stage.name
            ),
        );
        rows::mark_escalated(&mut *conn, stage.id, now).await?;
        return Ok(vec![event]);
    }
    let closed = rows::escalate_stage(&mut *conn, stage.id, now).await?;
    let target_names: Vec<String> = targets.iter().map(|id| name_of(&dir, *id)).collect();
    let targets_text = target_names.join(", ");
    let closed_ids: Vec<i64> = closed.iter().map(|t| t.id).collect();
    close_task_prompts(
        &mut *conn,
        &approval,
        &closed_ids,
        "escalated",
        Some(&targets_text),
        now,
    )
    .await?;
    let stage_now = rows::stage(&mut *conn, stage.id).await?.unwrap_or(stage);
    for target in &targets {
        let task_id =
            rows::add_escalated_task(&mut *conn, &stage_now, *target, first.id, now).await?;
        prompt_task(
            &mut *conn,
            desk.subjects.of(&approval)?,
            &approval,
            &stage_now,
            (task_id, *target),
            &dir,
            desk.today(),
            Some(&former_text),
            now,
        )
        .await?;
    }
    let news = json!({
        "ref": approval.subject_ref, "stage": stage_now.name, "stage_zh": stage_now.name_zh,
        "from": former, "to": target_names, "waiting_since_ms": stage_now.started_at,
    });
    let mut told = vec![approval.requester_id];
    told.extend(open.iter().map(|t| t.assignee_id));
    told.dedup();
    for to in told {
        let m = notify::message(
            to,
            notify::kind::ESCALATED,
            Some(&approval.subject_ref),
            news.clone(),
        );
        notify::send(&mut *conn, &m, now).await?;
    }
    let event = audit_event(
        desk.now(),
        "system",
        None,
        "approval.escalate",
        &approval.subject_ref,
        format!(
            "stage {} ({}): escalated from {former_text} to {targets_text} ({spec})",
            stage_now.idx + 1,
            stage_now.name
        ),
    );
    Ok(vec![event])
}

/// Writes the SLA jobs of every active stage that lacks them (rounds opened before the
/// scheduler existed, or by an older version); returns how many were added.
pub async fn sweep(conn: &mut Conn) -> DeskResult<usize> {
    let mut added = 0;
    for stage in rows::active_stages_with_sla(&mut *conn).await? {
        if stage.escalated_at.is_some() {
            continue;
        }
        let open: Vec<i64> = rows::tasks(&mut *conn, stage.approval_id)
            .await?
            .into_iter()
            .filter(|t| t.stage_id == stage.id && t.status() == TaskStatus::Open)
            .map(|t| t.id)
            .collect();
        let started = stage.started_at.unwrap_or_default();
        added += schedule_stage(&mut *conn, &stage, &open, started).await?;
    }
    Ok(added)
}

/// The approval engine's job kinds: reminders, escalations and the sweep that schedules them.
pub fn jobs() -> Vec<JobHandler> {
    vec![
        JobHandler::new(kind::SLA_REMIND, |d, c, p, _| Box::pin(remind(d, c, p))),
        JobHandler::new(kind::SLA_ESCALATE, |d, c, p, _| Box::pin(escalate(d, c, p))),
        JobHandler::new(kind::SLA_SWEEP, |_, c, _, _| {
            Box::pin(async move { sweep(c).await.map(none) })
        }),
    ]
}
