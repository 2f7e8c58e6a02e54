//! Certificates and the supplier jobs: filing a certificate (a newer one of a kind replaces
//! the older, and lifts a suspension its expiry caused), the daily check that reminds before
//! expiry and suspends on the day after, and the periodic evaluation.

use super::domain::{expired_required, SupplierStatus};
use super::scorecard;
use super::service::{load, reference, story, Story};
use super::store::{self as rows, Supplier};
use crate::access;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Employee, Role};
use crate::domain::reference::Reference;
use crate::domain::when::local_to_utc;
use crate::domain::Msg;
use crate::procurement::settings::cert_kind;
use crate::service::notify::{self, kind as note};
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::{Days, NaiveDate, NaiveTime};
use serde_json::json;

/// What filing a certificate did.
#[derive(Debug, Clone)]
pub struct Filed {
    pub story: Story,
    pub kind: String,
    pub expires: NaiveDate,
    /// Whether it lifted a suspension.
    pub lifted: bool,
}

/// Files a certificate of `kind` valid until `expires` (today or later).
pub async fn file(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    kind: &str,
    expires: NaiveDate,
    attachment: Option<&str>,
) -> DeskResult<Filed> {
    access::require(actor, "supplier.cert")?;
    let Some(kind) = cert_kind(kind) else {
        return Err(Msg::new("supplier.bad_cert_kind")
            .arg("value", kind.chars().take(60).collect::<String>())
            .into());
    };
    let today = desk.today();
    if expires < today {
        return Err(Msg::new("supplier.cert_past")
            .arg("date", expires.to_string())
            .into());
    }
    let url = attachment.map(super::subject::check_url).transpose()?;
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    rows::lock(&mut tx, r.number, now).await?;
    let s = load(&mut tx, r).await?;
    rows::add_cert(&mut tx, s.id, &kind, expires, url.as_deref(), actor.id, now).await?;
    let mut events = vec![audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.cert",
        &r.to_string(),
        format!("certificate {kind} valid until {expires}"),
    )];
    let mut lifted = false;
    if s.status == SupplierStatus::Suspended
        && s.suspended_reason
            .as_deref()
            .is_some_and(|w| w.starts_with("cert:"))
        && expired(&mut tx, desk, s.id, today).await?.is_empty()
    {
        rows::set_status(&mut tx, s.id, SupplierStatus::Qualified, None, now).await?;
        lifted = true;
        events.push(audit_event(
            desk.now(),
            &actor.handle,
            None,
            "supplier.reinstate",
            &r.to_string(),
            format!("supplier {r} qualified again: certificate {kind} renewed"),
        ));
    }
    for e in events {
        audit::append(&mut tx, &desk.keys.audit, e).await?;
    }
    let s = load(&mut tx, r).await?;
    let story = story(&mut tx, actor, s).await?;
    tx.commit().await?;
    Ok(Filed {
        story,
        kind,
        expires,
        lifted,
    })
}

/// The required certificate kinds of a supplier whose current certificate expired before
/// `today`.
async fn expired(
    conn: &mut Conn,
    desk: &Desk,
    supplier_id: i64,
    today: NaiveDate,
) -> DeskResult<Vec<String>> {
    let current: Vec<(String, NaiveDate)> = rows::current_certs(conn, supplier_id)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.kind, c.expires_on.parse().ok()?)))
        .collect();
    Ok(expired_required(
        &current,
        &desk.company.procurement.required_certificates,
        today,
    ))
}

/// The owner (while active) and the central office, without repeats.
async fn recipients(conn: &mut Conn, owner: i64) -> DeskResult<Vec<i64>> {
    let dir = store::directory::load(conn).await?;
    let mut to: Vec<i64> = dir
        .by_id(owner)
        .filter(|e| e.active)
        .map(|e| e.id)
        .into_iter()
        .collect();
    for e in dir.with_role(Role::Bcmo) {
        if !to.contains(&e.id) {
            to.push(e.id);
        }
    }
    Ok(to)
}

/// The day a job fired, company time.
fn day_of(desk: &Desk, at_ms: i64) -> NaiveDate {
    store::from_ms(at_ms)
        .with_timezone(&desk.company.time_zone)
        .date_naive()
}

/// The daily certificate check (job `supplier.certs`): reminds the owner and the central
/// office once, `cert_reminder_days` before a certificate expires; suspends a qualified
/// supplier whose required certificate expired (the day after its last valid day) without
/// a newer one.
pub async fn daily(desk: &Desk, conn: &mut Conn, at_ms: i64) -> DeskResult<Vec<AuditEvent>> {
    let today = day_of(desk, at_ms);
    let now = store::to_ms(desk.now());
    let ahead = today + Days::new(u64::from(desk.company.procurement.cert_reminder_days));
    for c in rows::certs_to_remind(&mut *conn, today, ahead).await? {
        let Some(s) = rows::get(&mut *conn, c.supplier_id).await? else {
            continue;
        };
        let r = reference(s.id).to_string();
        let payload =
            json!({ "ref": r, "name": s.name, "kind": c.kind, "expires_on": c.expires_on });
        for to in recipients(&mut *conn, s.owner_id).await? {
            let m = notify::message(to, note::SUPPLIER_CERT_EXPIRING, Some(&r), payload.clone());
            notify::send(&mut *conn, &m, now).await?;
        }
        rows::mark_reminded(&mut *conn, c.id, now).await?;
    }
    let mut events = Vec::new();
    for id in rows::qualified_with_expired(&mut *conn, today).await? {
        let kinds = expired(&mut *conn, desk, id, today).await?;
        let Some(kind) = kinds.first() else {
            continue;
        };
        let Some(s) = rows::get(&mut *conn, id).await? else {
            continue;
        };
        events.push(suspend(desk, conn, &s, kind, now).await?);
    }
    Ok(events)
}

/// Suspends a supplier for an expired required certificate and tells the owner and the
/// central office.
async fn suspend(
    desk: &Desk,
    conn: &mut Conn,
    s: &Supplier,
    kind: &str,
    now: i64,
) -> DeskResult<AuditEvent> {
    let r = reference(s.id).to_string();
    rows::set_status(
        &mut *conn,
        s.id,
        SupplierStatus::Suspended,
        Some(&format!("cert:{kind}")),
        now,
    )
    .await?;
    let payload = json!({ "ref": r, "name": s.name, "kind": kind });
    for to in recipients(&mut *conn, s.owner_id).await? {
        let m = notify::message(to, note::SUPPLIER_SUSPENDED, Some(&r), payload.clone());
        notify::send(&mut *conn, &m, now).await?;
    }
    Ok(audit_event(
        desk.now(),
        "system",
        None,
        "supplier.suspend",
        &r,
        format!("supplier {r} suspended: required certificate {kind} expired"),
    ))
}

/// The periodic evaluation (job `supplier.evaluation`): for the period that ended before the
/// day it runs, refreshes the scorecard of every supplier with purchase orders in it and
/// sends the central office one message listing them, to rate each.
pub async fn evaluation(desk: &Desk, conn: &mut Conn, at_ms: i64) -> DeskResult<Vec<AuditEvent>> {
    let day = day_of(desk, at_ms);
    let period = scorecard::period_of(day.pred_opt().unwrap_or(day));
    let Some((first, last)) = scorecard::bounds(&period) else {
        return Ok(vec![]);
    };
    let tz = desk.company.time_zone;
    let start = |d: NaiveDate| store::to_ms(local_to_utc(d.and_time(NaiveTime::MIN), tz));
    let now = store::to_ms(desk.now());
    let card = desk.company.procurement.scorecard;
    let mut listed = Vec::new();
    for id in rows::ordered_between(&mut *conn, start(first), start(last + Days::new(1))).await? {
        scorecard::refresh(&mut *conn, &card, id, &period, now).await?;
        if let Some(s) = rows::get(&mut *conn, id).await? {
            listed.push(json!({
                "ref": reference(s.id).to_string(), "name": s.name,
                "score": s.score, "standing": s.standing,
            }));
        }
    }
    if listed.is_empty() {
        return Ok(vec![]);
    }
    let dir = store::directory::load(&mut *conn).await?;
    let payload = json!({ "period": period, "suppliers": listed });
    for e in dir.with_role(Role::Bcmo) {
        let m = notify::message(e.id, note::SUPPLIER_EVALUATION, None, payload.clone());
        notify::send(&mut *conn, &m, now).await?;
    }
    Ok(vec![])
}
