//! Customer callbacks (the relationship-care step of customer service): the owner is
//! reminded at each occurrence. One-off callbacks are a job; recurring ones are a schedule
//! (cron in the company's time zone) whose occurrences the scheduler fires once each.

use crate::collaboration::callbacks::domain::CallbackStatus;
use crate::collaboration::callbacks::store::{self as rows, Callback, NewCallback};
use crate::domain::directory::Employee;
use crate::domain::repeat::parse_repeat;
use crate::domain::schedule::{CatchUp, Recurrence};
use crate::domain::when::parse_when;
use crate::domain::Msg;
use crate::service::jobs::{self as timed, kind};
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::service_desk::customers::domain::CustomerId;
use crate::service_desk::customers::service::resolve as resolve_customer;
use crate::service_desk::customers::store::Customer;
use crate::store::jobs::NewJob;
use crate::store::schedules::{self, NewSchedule};
use crate::store::{self, audit, Conn};
use serde_json::{json, Value};

fn once_key(id: i64) -> String {
    format!("callback:{id}:once")
}

fn schedule_name(id: i64) -> String {
    format!("callback.{id}")
}

/// What the user asked for.
pub struct CallbackInput<'a> {
    pub customer: &'a str,
    pub when: Option<&'a str>,
    pub repeat: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// Schedules a callback: at `when`, and/or on `repeat` (a cron expression or a plain form
/// such as `every month` or `每月1号 10:00`), in the company's time zone.
pub async fn schedule(
    desk: &Desk,
    actor: &Employee,
    input: CallbackInput<'_>,
) -> DeskResult<Callback> {
    let tz = desk.company.time_zone;
    let customer = input.customer.trim();
    if customer.is_empty() {
        return Err(Msg::new("option.missing").arg("option", "customer").into());
    }
    crate::domain::text::at_most("customer", customer, crate::collaboration::MAX_CUSTOMER)?;
    let note = crate::domain::text::optional("note", input.note, crate::collaboration::MAX_NOTE)?;
    let first = input
        .when
        .map(|w| parse_when(w, desk.now(), tz))
        .transpose()?;
    let rule = match input.repeat {
        Some(text) => {
            let local = first.map(|f| f.with_timezone(&tz).naive_local());
            let repeat = parse_repeat(text, local)?;
            let rec = Recurrence::new(&repeat.cron, tz).map_err(|reason| {
                Msg::new("repeat.bad_cron")
                    .arg("input", text)
                    .arg("reason", reason)
            })?;
            // A callback is a call to make: more often than hourly is a typo, not a plan.
            let after = first.unwrap_or_else(|| desk.now());
            if let Some(a) = rec.next_after(after) {
                if rec
                    .next_after(a)
                    .is_some_and(|b| b - a < chrono::Duration::hours(1))
                {
                    return Err(Msg::new("repeat.too_often").arg("input", text).into());
                }
            }
            Some((text.trim(), repeat.cron, rec))
        }
        None => None,
    };
    let due = match (&first, &rule) {
        (Some(f), _) => *f,
        (None, Some((text, _, rec))) => rec
            .next_after(desk.now())
            .ok_or_else(|| Msg::new("repeat.never").arg("input", *text))?,
        (None, None) => return Err(Msg::new("callback.when_or_repeat").into()),
    };
    let mut tx = desk.begin().await?;
    let record = link(&mut tx, actor, customer).await?;
    let customer = record.as_ref().map_or(customer, |r| r.name.as_str());
    let now = store::to_ms(desk.now());
    let mut c = rows::insert(
        &mut tx,
        &NewCallback {
            owner: actor.id,
            customer,
            note: &note,
            repeat_text: rule.as_ref().map(|r| r.0),
            repeat_cron: rule.as_ref().map(|r| r.1.as_str()),
            due_at: store::to_ms(due),
        },
        now,
    )
    .await?;
    if let Some(r) = &record {
        rows::link_customer(&mut tx, c.id, r.id).await?;
        c.customer_id = Some(r.id);
    }
    match &rule {
        Some((_, cron, _)) => {
            let payload = json!({ "id": c.id }).to_string();
            let sid = schedules::create(
                &mut tx,
                &NewSchedule {
                    name: &schedule_name(c.id),
                    kind: kind::CALLBACK,
                    payload: &payload,
                    expr: cron,
                    tz: tz.name(),
                    catch_up: CatchUp::Once.as_str(),
                    next_fire_at: Some(store::to_ms(due)),
                },
                now,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("schedule callback.{} exists already", c.id))?;
            rows::set_schedule(&mut tx, c.id, sid).await?;
            c.schedule_id = Some(sid);
        }
        None => {
            let job = NewJob::new(
                kind::CALLBACK,
                json!({ "id": c.id }),
                store::to_ms(due),
                once_key(c.id),
            );
            timed::schedule(&mut tx, desk.store.backend(), &job, now).await?;
        }
    }
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "callback.schedule",
        &format!("callback #{}", c.id),
        format!(
            "call {} at {}{}",
            whom(c.customer_id),
            due.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
            c.repeat_cron
                .as_deref()
                .map(|r| format!(", repeat `{r}`"))
                .unwrap_or_default()
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(c)
}

/// The customer record `who` names: `#12` and email addresses must name one; a name links
/// only to a customer of exactly that name (ignoring case; two such: the user is asked which),
/// and anything else stays free text, e.g. a prospect not on file, or "Acme, Mr. Zhou".
async fn link(conn: &mut Conn, actor: &Employee, who: &str) -> DeskResult<Option<Customer>> {
    let w = who.trim();
    if w.starts_with('#') || w.contains('@') {
        return resolve_customer(conn, actor, w).await.map(Some);
    }
    let lower = w.to_lowercase();
    let mut exact: Vec<Customer> = crate::service_desk::customers::store::find(&mut *conn, w, 50)
        .await?
        .into_iter()
        .filter(|c| c.name.to_lowercase() == lower)
        .filter(|c| crate::access::customers::may_read(actor, c.owner_id))
        .collect();
    match exact.len() {
        0 => Ok(None),
        1 => Ok(exact.pop()),
        // Several of that name: the same refusal, listing them, that /customer show gives.
        _ => resolve_customer(conn, actor, w).await.map(Some),
    }
}

/// Schedules a one-off callback inside the caller's transaction (a complaint's satisfaction
/// follow-up), linked to a customer record.
pub(crate) async fn schedule_in(
    conn: &mut Conn,
    desk: &Desk,
    owner: i64,
    customer: (CustomerId, &str),
    note: &str,
    due_ms: i64,
) -> DeskResult<Callback> {
    let now = store::to_ms(desk.now());
    let c = rows::insert(
        &mut *conn,
        &NewCallback {
            owner,
            customer: customer.1,
            note,
            repeat_text: None,
            repeat_cron: None,
            due_at: due_ms,
        },
        now,
    )
    .await?;
    rows::link_customer(&mut *conn, c.id, customer.0).await?;
    let job = NewJob::new(
        kind::CALLBACK,
        json!({ "id": c.id }),
        due_ms,
        once_key(c.id),
    );
    timed::schedule(conn, desk.store.backend(), &job, now).await?;
    Ok(c)
}

/// The actor's scheduled callbacks, soonest first.
pub async fn list(desk: &Desk, actor: &Employee) -> DeskResult<Vec<Callback>> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(rows::scheduled_for(&mut conn, actor.id).await?)
}

async fn own_scheduled(conn: &mut Conn, actor: &Employee, id: i64) -> DeskResult<Callback> {
    match rows::get(conn, id).await? {
        Some(c) if c.owner_id == actor.id && c.status == CallbackStatus::Scheduled => Ok(c),
        Some(c) if c.owner_id == actor.id => Err(Msg::new("callback.closed")
            .arg("id", id)
            .arg("status", c.status.as_str())
            .into()),
        _ => Err(Msg::new("callback.not_found").arg("id", id).into()),
    }
}

/// Whom a callback is for, as the audit trail says it: a customer record by number, never a
/// name (the trail cannot be erased).
fn whom(customer_id: Option<CustomerId>) -> String {
    match customer_id {
        Some(id) => format!("customer #{id}"),
        None => "a customer not on file".to_string(),
    }
}

/// Records a callback as made. A one-off callback is then closed; a recurring one counts the
/// call and keeps its schedule (`cancel` stops it).
pub async fn done(desk: &Desk, actor: &Employee, id: i64) -> DeskResult<Callback> {
    let mut tx = desk.begin().await?;
    let c = own_scheduled(&mut tx, actor, id).await?;
    let now = store::to_ms(desk.now());
    if c.schedule_id.is_some() {
        rows::count_done(&mut tx, id).await?;
    } else {
        // The job first, then the callback: the order a firing job takes them.
        crate::store::jobs::cancel(&mut tx, &once_key(id), now).await?;
        rows::close(&mut tx, id, CallbackStatus::Done, now).await?;
    }
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "callback.done",
        &format!("callback #{id}"),
        format!("called {}", whom(c.customer_id)),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    let out = rows::get(&mut tx, id).await?.unwrap_or(c);
    tx.commit().await?;
    Ok(out)
}

/// Stops a callback: no more reminders.
pub async fn cancel(desk: &Desk, actor: &Employee, id: i64) -> DeskResult<Callback> {
    let mut tx = desk.begin().await?;
    let c = own_scheduled(&mut tx, actor, id).await?;
    let now = store::to_ms(desk.now());
    match c.schedule_id {
        Some(sid) => schedules::stop(&mut tx, sid, now).await?,
        None => {
            crate::store::jobs::cancel(&mut tx, &once_key(id), now).await?;
        }
    }
    rows::close(&mut tx, id, CallbackStatus::Cancelled, now).await?;
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "callback.cancel",
        &format!("callback #{id}"),
        format!("stopped calls to {}", whom(c.customer_id)),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    let out = rows::get(&mut tx, id).await?.unwrap_or(c);
    tx.commit().await?;
    Ok(out)
}

/// The scheduler's handler: reminds the owner of one occurrence (`fire_at`), and records the
/// next one.
pub async fn fire(desk: &Desk, conn: &mut Conn, payload: &Value, fire_at: i64) -> DeskResult<()> {
    let Some(id) = payload.get("id").and_then(Value::as_i64) else {
        return Err(anyhow::anyhow!("callback job without id: {payload}").into());
    };
    let Some(c) = rows::get(&mut *conn, id).await? else {
        return Ok(());
    };
    if c.status != CallbackStatus::Scheduled {
        return Ok(());
    }
    let next = match c.schedule_id {
        Some(sid) => schedules::get(&mut *conn, sid)
            .await?
            .and_then(|s| s.next_fire_at)
            .filter(|n| *n > fire_at),
        None => None,
    };
    let now = store::to_ms(desk.now());
    if !rows::fired(&mut *conn, id, now, next).await? {
        return Ok(()); // closed while this job waited for the row
    }
    // A linked customer's phone and email, as they are now, to call without looking up.
    let record = match c.customer_id {
        Some(cid) => crate::service_desk::customers::store::get(&mut *conn, cid).await?,
        None => None,
    };
    let m = notify::message(
        c.owner_id,
        notify::kind::CALLBACK_DUE,
        None,
        json!({ "id": c.id, "customer": c.customer, "note": c.note, "due_at_ms": fire_at,
                "next_ms": next, "repeat": c.repeat_text,
                "phone": record.as_ref().map(|r| r.phone.clone()).unwrap_or_default(),
                "email": record.as_ref().map(|r| r.email.clone()).unwrap_or_default(),
                "customer_id": c.customer_id }),
    );
    notify::send(conn, &m, now).await?;
    Ok(())
}
