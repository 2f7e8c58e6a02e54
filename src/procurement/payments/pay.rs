//! Recording a supplier payment as paid (finance): the amount and the date, the requester and
//! buyer told, the PO's progress and the budget ledger moved.

use super::domain::PaymentStatus;
use super::service::{load, money, outstanding, tell, Story};
use super::store as rows;
use crate::domain::directory::Employee;
use crate::domain::money::Money;
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::finance::ledger::{self, Doc};
use crate::procurement::orders::progress::{self, Step};
use crate::procurement::receipts::service::po_reference;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit};
use chrono::NaiveDate;

/// Records an approved request as paid (finance only): the amount defaults to the approved
/// amount, the date to today (never in the future).
pub async fn paid(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    date: Option<NaiveDate>,
    amount: Option<Money>,
) -> DeskResult<Story> {
    crate::access::require(actor, "payment.paid")?;
    let today = desk.today();
    let on = date.unwrap_or(today);
    if on > today {
        return Err(Msg::new("payment.paid_future").into());
    }
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let s = load(&mut tx, r).await?;
    let p = &s.payment;
    if p.status != PaymentStatus::Approved {
        return Err(Msg::new("payment.not_approved")
            .arg("ref", r.to_string())
            .arg("status", p.status.as_str())
            .into());
    }
    let remaining = outstanding(p);
    let amount_minor = match amount {
        None => remaining,
        Some(m) if m.currency.as_str() != p.currency => {
            return Err(Msg::new("payment.wrong_currency")
                .arg("currency", &p.currency)
                .into())
        }
        Some(m) if m.minor <= 0 || m.minor > remaining => {
            return Err(Msg::new("payment.bad_paid")
                .arg("approved", money(p, remaining))
                .into())
        }
        Some(m) => m.minor,
    };
    if !rows::paid(&mut tx, p.id, amount_minor, &on.to_string(), now_ms).await? {
        return Err(Msg::new("payment.not_approved")
            .arg("ref", r.to_string())
            .arg("status", "changed")
            .into());
    }
    ledger::sync(&mut tx, desk, Doc::Payment(p.id), now_ms).await?;
    let s = load(&mut tx, r).await?;
    let done = s.payment.status == PaymentStatus::Paid;
    let event = if done { "paid" } else { "part_paid" };
    tell(&mut tx, &s, event, Some(actor), now_ms).await?;
    if done {
        progress::moved(&mut tx, s.po.id, Step::Paid, now_ms).await?;
    }
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "payment.paid",
        &r.to_string(),
        format!(
            "{} paid on {on} for {} (supplier SUP-{:06}), {} to pay",
            money(&s.payment, amount_minor),
            po_reference(s.po.id),
            s.supplier.id,
            money(&s.payment, outstanding(&s.payment))
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(s)
}
