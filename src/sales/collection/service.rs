//! Collection (回款): payment terms on a sales order as installments (amounts due by dates),
//! reminders to finance and the order's owner before and after each due date while it is
//! owed (through the scheduler), and payments recorded, which settle the earliest first.

use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Employee, Role};
use crate::domain::money::{Currency, Money};
use crate::domain::reference::Reference;
use crate::domain::when::local_to_utc;
use crate::domain::Msg;
use crate::sales::orders::domain::{owed, Installment};
use crate::service::jobs::kind;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::service_desk::customers::domain::CustomerId;
use crate::service_desk::customers::store as customers;
use crate::store::jobs::NewJob;
use crate::store::{self, audit, decode, Conn};
use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::{json, Value};

/// Days before a due date that the first reminder goes out.
pub const DAYS_BEFORE: i64 = 3;

/// An order's payment position.
#[derive(Debug, Clone)]
pub struct Position {
    pub id: i64,
    pub customer_id: CustomerId,
    pub owner_id: i64,
    pub amount_minor: i64,
    pub currency: Currency,
    pub paid_minor: i64,
    /// The payment terms, in due order.
    pub installments: Vec<Installment>,
}

impl Position {
    /// What is still owed on the order.
    pub fn outstanding(&self) -> i64 {
        (self.amount_minor - self.paid_minor).max(0)
    }

    /// The part of the order no installment covers yet.
    pub fn unscheduled(&self) -> i64 {
        let scheduled: i64 = self.installments.iter().map(|i| i.amount_minor).sum();
        (self.amount_minor - scheduled).max(0)
    }

    /// Each installment with what is still owed of it.
    pub fn schedule(&self) -> Vec<(Installment, i64)> {
        self.installments
            .iter()
            .copied()
            .zip(owed(&self.installments, self.paid_minor))
            .collect()
    }

    /// An amount in the order's currency, for people.
    pub fn money(&self, minor: i64) -> String {
        Money::new(minor, self.currency).to_string()
    }
}

async fn position(conn: &mut Conn, r: Reference) -> DeskResult<Position> {
    let (id, customer_id, owner_id, amount_minor, currency, paid_minor): (
        i64,
        CustomerId,
        i64,
        i64,
        String,
        i64,
    ) = sqlx::query_as(
        "SELECT id, customer_id, owner_id, amount_minor, currency, paid_minor FROM orders WHERE id = $1",
    )
    .bind(r.number)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Msg::new("order.not_found").arg("ref", r.to_string()))?;
    Ok(Position {
        id,
        customer_id,
        owner_id,
        amount_minor,
        currency: decode::column("orders", id, "currency", &currency).map_err(sqlx::Error::from)?,
        paid_minor,
        installments: installments(conn, id).await?,
    })
}

/// An order's installments, in due order.
pub(crate) async fn installments(conn: &mut Conn, order_id: i64) -> sqlx::Result<Vec<Installment>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, due, amount_minor FROM payment_terms WHERE order_id = $1 ORDER BY due",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, due, amount_minor)| {
            let due = due
                .parse()
                .map_err(|_| decode::unknown("payment_terms", id, "due", &due))?;
            Ok(Installment { due, amount_minor })
        })
        .collect()
}

/// Who handles an order's money: whoever may handle the order (`sales.order_roles`), and
/// finance.
fn may_handle(desk: &Desk, actor: &Employee, p: &Position) -> bool {
    crate::access::orders::may_collect(actor, p.owner_id, &desk.company.order_roles)
}

fn not_allowed(desk: &Desk, r: Reference) -> Msg {
    Msg::new("order.not_allowed")
        .arg("ref", r.to_string())
        .arg("roles", format!("{} / finance", desk.order_roles_text()))
}

/// 09:00 on a day, company time, in UTC ms.
fn morning(desk: &Desk, day: NaiveDate) -> i64 {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
    store::to_ms(local_to_utc(day.and_time(nine), desk.company.time_zone))
}

/// Adds an installment to the payment terms: `amount` (default: what no installment covers
/// yet) due on `due`; an installment already due that day gets the new amount instead, and an
/// amount of 0 removes it. Reminders go to finance and the owner at 09:00 [`DAYS_BEFORE`] days
/// before and the day after the due date, while the installment is owed (a reminder finds a
/// changed or removed installment and does nothing).
pub async fn terms(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    due: NaiveDate,
    amount: Option<Money>,
) -> DeskResult<Position> {
    let removing = amount.is_some_and(|m| m.minor == 0);
    // An installment already past may still be removed (renegotiated terms), not added.
    if due < desk.today() && !removing {
        return Err(Msg::new("order.due_past").into());
    }
    let mut tx = desk.begin().await?;
    // Concurrent changes to one order's terms serialize here (their sum is checked below).
    crate::sales::orders::store::lock(&mut tx, r.number, store::to_ms(desk.now())).await?;
    let p = position(&mut tx, r).await?;
    if !may_handle(desk, actor, &p) {
        return Err(not_allowed(desk, r).into());
    }
    if amount.is_some_and(|m| m.currency != p.currency) {
        return Err(Msg::new("order.wrong_currency")
            .arg("currency", p.currency)
            .into());
    }
    if removing {
        let Some(gone) = p.installments.iter().find(|i| i.due == due).copied() else {
            return Err(Msg::new("order.no_installment")
                .arg("ref", r.to_string())
                .arg("due", due.to_string())
                .into());
        };
        sqlx::query("DELETE FROM payment_terms WHERE order_id = $1 AND due = $2")
            .bind(p.id)
            .bind(due.to_string())
            .execute(&mut *tx)
            .await?;
        let e = audit_event(
            desk.now(),
            &actor.handle,
            None,
            "order.terms",
            &r.to_string(),
            format!("removed {} due {due}", p.money(gone.amount_minor)),
        );
        audit::append(&mut tx, &desk.keys.audit, e).await?;
        let p = position(&mut tx, r).await?;
        tx.commit().await?;
        return Ok(p);
    }
    // What other installments leave for this one.
    let others: i64 = p
        .installments
        .iter()
        .filter(|i| i.due != due)
        .map(|i| i.amount_minor)
        .sum();
    let room = (p.amount_minor - others).max(0);
    let amount_due = amount.map_or(room, |m| m.minor);
    if amount_due <= 0 || amount_due > room {
        return Err(Msg::new("order.bad_amount_due")
            .arg("max", p.money(room))
            .into());
    }
    let now = store::to_ms(desk.now());
    sqlx::query("DELETE FROM payment_terms WHERE order_id = $1 AND due = $2")
        .bind(p.id)
        .bind(due.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO payment_terms (order_id, due, amount_minor, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(p.id)
    .bind(due.to_string())
    .bind(amount_due)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (when, day) in [
        ("before", due - Duration::days(DAYS_BEFORE)),
        ("after", due + Duration::days(1)),
    ] {
        let at = morning(desk, day);
        if at <= now {
            continue;
        }
        let job = NewJob::new(
            kind::COLLECTION,
            json!({ "id": p.id, "when": when, "due": due.to_string() }),
            at,
            format!("order.collect:{}:{due}:{when}", p.id),
        );
        crate::store::jobs::insert(&mut tx, &job, now).await?;
    }
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.terms",
        &r.to_string(),
        format!("{} due {due}", p.money(amount_due)),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let p = position(&mut tx, r).await?;
    tx.commit().await?;
    Ok(p)
}

/// Records a payment (at most what is still owed).
pub async fn paid(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    amount: Money,
    on: Option<NaiveDate>,
) -> DeskResult<Position> {
    let on = on.unwrap_or_else(|| desk.today());
    if on > desk.today() {
        return Err(Msg::new("order.paid_future").into());
    }
    let mut tx = desk.begin().await?;
    // Two payments at once: the second waits here, then checks against the first.
    crate::sales::orders::store::lock(&mut tx, r.number, store::to_ms(desk.now())).await?;
    let p = position(&mut tx, r).await?;
    if !may_handle(desk, actor, &p) {
        return Err(not_allowed(desk, r).into());
    }
    if amount.currency != p.currency {
        return Err(Msg::new("order.wrong_currency")
            .arg("currency", p.currency)
            .into());
    }
    let owed = (p.amount_minor - p.paid_minor).max(0);
    if amount.minor <= 0 || amount.minor > owed {
        return Err(Msg::new("order.bad_payment")
            .arg("owed", p.money(owed))
            .into());
    }
    let now = store::to_ms(desk.now());
    sqlx::query("INSERT INTO payments (order_id, amount_minor, paid_on, author_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(p.id)
        .bind(amount.minor)
        .bind(on.to_string())
        .bind(actor.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE orders SET paid_minor = paid_minor + $2, updated_at = $3 WHERE id = $1")
        .bind(p.id)
        .bind(amount.minor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.paid",
        &r.to_string(),
        format!("{} received on {on}", p.money(amount.minor)),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let p = position(&mut tx, r).await?;
    tx.commit().await?;
    Ok(p)
}

/// The scheduler's handler: reminds finance and the owner of an unpaid amount before or after
/// its due date, if the terms are still those the job was written for.
pub async fn remind(desk: &Desk, conn: &mut Conn, payload: &Value) -> DeskResult<Vec<AuditEvent>> {
    let (Some(id), Some(when), Some(due)) = (
        payload.get("id").and_then(Value::as_i64),
        payload.get("when").and_then(Value::as_str),
        payload.get("due").and_then(Value::as_str),
    ) else {
        return Err(anyhow::anyhow!("collection job without id/when/due: {payload}").into());
    };
    let r = Reference {
        kind: crate::domain::reference::RefKind::SalesOrder,
        number: id,
    };
    let p = match position(&mut *conn, r).await {
        Ok(p) => p,
        Err(_) => return Ok(vec![]),
    };
    // Still owed of the installment this job was written for (none: changed or paid since).
    let Some(owed_now) = p
        .schedule()
        .into_iter()
        .find(|(i, _)| i.due.to_string() == due)
        .map(|(_, o)| o)
        .filter(|o| *o > 0)
    else {
        return Ok(vec![]);
    };
    let customer = customers::get(&mut *conn, p.customer_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let dir = store::directory::load(&mut *conn).await?;
    let mut to: Vec<i64> = dir.with_role(Role::Finance).iter().map(|e| e.id).collect();
    to.push(p.owner_id);
    to.sort_unstable();
    to.dedup();
    let now = store::to_ms(desk.now());
    let facts = json!({
        "ref": r.to_string(), "customer": customer, "outstanding": p.money(owed_now),
        "due": due, "overdue": when == "after",
    });
    for e in to {
        let m = notify::message(
            e,
            notify::kind::PAYMENT_DUE,
            Some(&r.to_string()),
            facts.clone(),
        );
        notify::send(&mut *conn, &m, now).await?;
    }
    Ok(if when == "after" {
        vec![audit_event(
            desk.now(),
            "system",
            None,
            "order.overdue",
            &r.to_string(),
            format!("{} unpaid, due {due}", p.money(owed_now)),
        )]
    } else {
        vec![]
    })
}
