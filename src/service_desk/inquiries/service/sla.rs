//! Service levels of inquiries: the scheduler's reminders, breaches and escalations while
//! the first answer or the resolution is missing.

use super::{facts, members, reference};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Role;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::service_desk::customers::store as customers;
use crate::service_desk::inquiries::domain::{EventKind, SlaStep, Status};
use crate::service_desk::inquiries::store as rows;
use crate::store::{self, Conn};
use serde_json::{json, Value};

/// The scheduler's handler for a service level, while the first answer (`response`) or the
/// resolution is still missing: at [`SlaStep::Remind`] reminds the owner (or the department's
/// members when nobody took it); at [`SlaStep::Breach`] records the miss on the inquiry and
/// tells the owner and the department head; at [`SlaStep::Escalate`] tells the central office.
/// Returns the audit event.
pub async fn sla_check(
    desk: &Desk,
    conn: &mut Conn,
    payload: &Value,
) -> DeskResult<Vec<AuditEvent>> {
    let (Some(id), Some(check)) = (
        payload.get("id").and_then(Value::as_i64),
        payload.get("check").and_then(Value::as_str),
    ) else {
        return Err(anyhow::anyhow!("inquiry SLA job without id/check: {payload}").into());
    };
    // Jobs written before the steps existed carry no `step`: they are the deadline (and, for
    // a resolution, told the central office at once, as they still do).
    let legacy = payload.get("step").is_none();
    let warning = payload.get("warning").and_then(Value::as_bool) == Some(true);
    let step = payload
        .get("step")
        .and_then(Value::as_str)
        .and_then(SlaStep::parse)
        .unwrap_or(if warning {
            SlaStep::Remind
        } else {
            SlaStep::Breach
        });
    let Some(i) = rows::get(&mut *conn, id).await? else {
        return Ok(vec![]);
    };
    let met =
        i.status == Status::Resolved || (check == "response" && i.first_response_at.is_some());
    if met {
        return Ok(vec![]);
    }
    let Some(c) = customers::get(&mut *conn, i.customer_id).await? else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let now = store::to_ms(desk.now());
    let handler: Vec<i64> = match i.owner_id {
        Some(o) => vec![o],
        None => members(&dir, &i.department_code)
            .iter()
            .map(|e| e.id)
            .collect(),
    };
    let mut to = match step {
        SlaStep::Remind => handler,
        SlaStep::Breach => {
            rows::add_event(&mut *conn, i.id, EventKind::Breach, None, check, now).await?;
            let mut to = handler;
            to.extend(dir.head_of(&i.department_code).map(|h| h.id));
            if legacy && check == "resolution" {
                to.extend(dir.with_role(Role::Bcmo).iter().map(|e| e.id));
            }
            to
        }
        SlaStep::Escalate => dir.with_role(Role::Bcmo).iter().map(|e| e.id).collect(),
    };
    to.sort_unstable();
    to.dedup();
    let mut f = facts(&i, &c, &dir);
    f["check"] = json!(check);
    f["step"] = json!(step.as_str());
    f["due_ms"] = payload.get("due_ms").cloned().unwrap_or(json!(now));
    let r = reference(i.id).to_string();
    for e in to {
        let m = notify::message(e, notify::kind::INQUIRY_SLA, Some(&r), f.clone());
        notify::send(&mut *conn, &m, now).await?;
    }
    let state = match step {
        SlaStep::Remind => "due soon",
        SlaStep::Breach => "late",
        SlaStep::Escalate => "late, escalated to the central office",
    };
    Ok(vec![audit_event(
        desk.now(),
        "system",
        None,
        &format!("inquiry.sla_{}", step.as_str()),
        &r,
        format!(
            "{check} {state} ({} {}, {})",
            i.kind, i.priority, i.department_code
        ),
    )])
}
