//! Follow-ups: "remind me about REQ-000042 tomorrow at 9". Each is a row plus one job per
//! firing; a snooze bumps the row's `seq` and writes the next job, so an older job that fires
//! late does nothing.

use crate::approval::subject::readable;
use crate::collaboration::followups::domain::FollowupStatus;
use crate::collaboration::followups::store::{self as rows, Followup};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::when::parse_when;
use crate::domain::Msg;
use crate::service::jobs::{self as timed, kind};
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::jobs::NewJob;
use crate::store::{self, audit, Conn};
use chrono::Duration;
use serde_json::{json, Value};

fn fire_key(id: i64, seq: i64) -> String {
    format!("followup:{id}:{seq}")
}

/// Whether `actor` may read what `r` names: an approval subject says so itself, other kinds
/// are asked of their own `show`, so a follow-up follows the same rules as reading the thing.
/// Something one may not read is refused like something that does not exist; kinds without
/// records yet (purchase orders) exist nowhere.
async fn may_read(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<bool> {
    if let Some(subject) = desk.subjects.by_ref(r.kind) {
        return subject.may_read(desk, actor, r).await;
    }
    match r.kind {
        RefKind::Inquiry => {
            readable(crate::service_desk::inquiries::service::show(desk, actor, r).await)
        }
        RefKind::SalesOrder => readable(crate::sales::orders::service::status(desk, r).await),
        _ => Ok(false),
    }
}

async fn schedule_fire(desk: &Desk, conn: &mut Conn, f: &Followup, now: i64) -> sqlx::Result<()> {
    let job = NewJob::new(
        kind::FOLLOWUP,
        json!({ "id": f.id, "seq": f.seq }),
        f.due_at,
        fire_key(f.id, f.seq),
    );
    timed::schedule(conn, desk.store.backend(), &job, now).await?;
    Ok(())
}

/// Sets a follow-up on a reference at a time the actor typed (company time zone).
pub async fn add(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
    when: &str,
    note: Option<&str>,
) -> DeskResult<Followup> {
    let due = parse_when(when, desk.now(), desk.company.time_zone)?;
    let note = crate::domain::text::optional("note", note, crate::collaboration::MAX_NOTE)?;
    let note = note.as_str();
    if !may_read(desk, actor, reference).await? {
        return Err(Msg::new("followup.no_such_ref")
            .arg("ref", reference.to_string())
            .into());
    }
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let f = rows::insert(
        &mut tx,
        actor.id,
        &reference.to_string(),
        note,
        store::to_ms(due),
        now,
    )
    .await?;
    schedule_fire(desk, &mut tx, &f, now).await?;
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "followup.add",
        &f.subject_ref,
        format!(
            "follow-up #{} due {}",
            f.id,
            due.with_timezone(&desk.company.time_zone)
                .format("%Y-%m-%d %H:%M %Z")
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(f)
}

/// The actor's open follow-ups, soonest first.
pub async fn list(desk: &Desk, actor: &Employee) -> DeskResult<Vec<Followup>> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(rows::open_for(&mut conn, actor.id).await?)
}

/// The actor's own follow-up, still open, or why not.
async fn own_open(conn: &mut Conn, actor: &Employee, id: i64) -> DeskResult<Followup> {
    match rows::get(conn, id).await? {
        Some(f) if f.owner_id == actor.id && f.status == FollowupStatus::Open => Ok(f),
        Some(f) if f.owner_id == actor.id => Err(Msg::new("followup.closed")
            .arg("id", id)
            .arg("status", f.status.as_str())
            .into()),
        _ => Err(Msg::new("followup.not_found").arg("id", id).into()),
    }
}

/// Closes one of the actor's follow-ups as `done` or `cancelled`.
pub async fn close(
    desk: &Desk,
    actor: &Employee,
    id: i64,
    status: FollowupStatus,
) -> DeskResult<Followup> {
    let mut tx = desk.begin().await?;
    let f = own_open(&mut tx, actor, id).await?;
    let now = store::to_ms(desk.now());
    // The job first, then the follow-up: the order a firing job takes them, so the two wait
    // for each other instead of deadlocking.
    crate::store::jobs::cancel(&mut tx, &fire_key(f.id, f.seq), now).await?;
    if !rows::close(&mut tx, id, status, now).await? {
        return Err(Msg::new("followup.not_found").arg("id", id).into());
    }
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        &format!(
            "followup.{}",
            if status == FollowupStatus::Done {
                "done"
            } else {
                "cancel"
            }
        ),
        &f.subject_ref,
        format!("follow-up #{id} {}", status.as_str()),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(Followup {
        status,
        closed_at: Some(now),
        ..f
    })
}

/// How long a snooze lasts when nobody says (minutes).
pub const DEFAULT_SNOOZE_MINUTES: i64 = 60;

/// Fires one of the actor's follow-ups again after `minutes` from now.
pub async fn snooze(desk: &Desk, actor: &Employee, id: i64, minutes: i64) -> DeskResult<Followup> {
    if !(1..=60 * 24 * 365).contains(&minutes) {
        return Err(Msg::new("followup.bad_snooze").into());
    }
    let mut tx = desk.begin().await?;
    let f = own_open(&mut tx, actor, id).await?;
    let now = store::to_ms(desk.now());
    let due = now + Duration::minutes(minutes).num_milliseconds();
    crate::store::jobs::cancel(&mut tx, &fire_key(f.id, f.seq), now).await?;
    let Some(seq) = rows::reschedule(&mut tx, id, due).await? else {
        return Err(Msg::new("followup.not_found").arg("id", id).into());
    };
    let f = Followup {
        seq,
        due_at: due,
        ..f
    };
    schedule_fire(desk, &mut tx, &f, now).await?;
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "followup.snooze",
        &f.subject_ref,
        format!("follow-up #{id} snoozed {minutes} min"),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(f)
}

/// The scheduler's handler: DMs the owner with the note and Done / Snooze buttons, if the
/// follow-up is still open and this job is its current one.
pub async fn fire(desk: &Desk, conn: &mut Conn, payload: &Value) -> DeskResult<()> {
    let (Some(id), Some(seq)) = (
        payload.get("id").and_then(Value::as_i64),
        payload.get("seq").and_then(Value::as_i64),
    ) else {
        return Err(anyhow::anyhow!("follow-up job without id/seq: {payload}").into());
    };
    let Some(f) = rows::get(&mut *conn, id).await? else {
        return Ok(());
    };
    if f.status != FollowupStatus::Open || f.seq != seq {
        return Ok(()); // done, cancelled or snoozed since this job was written
    }
    let now = store::to_ms(desk.now());
    if !rows::mark_fired(&mut *conn, id, seq, now).await? {
        return Ok(()); // closed or snoozed while this job waited for the row
    }
    let m = notify::message(
        f.owner_id,
        notify::kind::FOLLOWUP_DUE,
        Some(&f.subject_ref),
        json!({ "id": f.id, "ref": f.subject_ref, "note": f.note, "due_at_ms": f.due_at,
                "snoozed": f.seq > 0 }),
    );
    notify::send(conn, &m, now).await?;
    Ok(())
}
