//! `/payment cancel`: the requester (or finance) takes back a request that was not decided
//! yet. It stops claiming the accepted goods' value and frees its invoice number; a pending
//! request's approval round is withdrawn.

use super::domain::{PaymentStatus, PAYMENT};
use super::service::{self as payments, load, reference, Story};
use super::settle::{close_prompts, MAX_REASON};
use super::store as rows;
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::procurement::receipts::service::po_reference;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit};

/// Cancels request `r` (its requester or finance, while it is pending, an exception, held
/// or queried), saying why.
pub async fn cancel(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    reason: Option<&str>,
) -> DeskResult<Story> {
    crate::access::require(actor, "payment.cancel")?;
    let reason = crate::domain::text::optional("reason", reason, MAX_REASON)?;
    if reason.is_empty() {
        return Err(Msg::new("payment.cancel_reason")
            .arg("ref", r.to_string())
            .into());
    }
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let story = load(&mut tx, r).await?;
    payments::lock_po(&mut tx, story.po.id, now_ms).await?;
    let story = load(&mut tx, r).await?;
    let p = &story.payment;
    if !crate::access::payments::may_cancel(actor, p.requester_id) {
        return Err(Msg::new("payment.not_yours")
            .arg("ref", r.to_string())
            .into());
    }
    if !p.status.cancellable() {
        return Err(Msg::new("payment.not_cancellable")
            .arg("ref", r.to_string())
            .arg("status", p.status.as_str())
            .into());
    }
    let subject_ref = reference(p.id).to_string();
    // The round first (its row lock, as a decision takes it), then the request: a decision
    // at the same moment waits for this or wins, never deadlocks with it.
    if p.status == PaymentStatus::Pending {
        crate::procurement::review::withdraw_round(&mut tx, PAYMENT, p.id, &actor.name, now_ms)
            .await?;
    }
    let moved = rows::set_status(
        &mut tx,
        p.id,
        p.status,
        PaymentStatus::Cancelled,
        Some("cancelled"),
        None,
        Some(actor.id),
        Some(&reason),
        now_ms,
    )
    .await?;
    if !moved {
        return Err(Msg::new("payment.not_cancellable")
            .arg("ref", r.to_string())
            .arg("status", "changed")
            .into());
    }
    if p.status != PaymentStatus::Pending {
        close_prompts(&mut tx, &subject_ref, "withdrawn", &actor.name, now_ms).await?;
    }
    let story = load(&mut tx, r).await?;
    payments::tell(&mut tx, &story, "cancelled", Some(actor), now_ms).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "payment.cancel",
        &subject_ref,
        format!(
            "cancelled ({}) for {}: {reason}",
            p.status,
            po_reference(story.po.id)
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(story)
}
