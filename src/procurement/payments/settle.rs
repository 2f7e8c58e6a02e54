//! Finance's answer to a payment request that failed the three-way match: pay the accepted
//! amount, hold it, ask the supplier, override (pay the invoice as it is, with a role from
//! `procurement.override_roles` and a reason) or reject it (with a reason). Paying goes
//! through the `[payment]` approval at the settled amount, like a matched request.

use super::domain::{self, PaymentStatus, Settlement};
use super::service::{
    self as payments, load, money, reference, Story, EXCEPTION_NOTE, QUERY_EMAIL,
};
use super::store as rows;
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::procurement::orders::progress::{self, Step};
use crate::procurement::receipts::service::{po_reference, to_supplier};
use crate::procurement::receipts::store as receipts;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, outbox, Conn};
use serde_json::json;

/// Longest settlement reason (characters).
pub const MAX_REASON: usize = 500;

/// Edits every finance member's exception prompt of `subject_ref` to show it was settled
/// (`outcome`), without its buttons (a hold or a question leaves them: it can still be
/// settled).
pub(crate) async fn close_prompts(
    conn: &mut Conn,
    subject_ref: &str,
    outcome: &str,
    by: &str,
    now_ms: i64,
) -> DeskResult<()> {
    let prompts: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, recipient_id FROM outbox WHERE channel = 'chat' AND kind = $1 \
         AND subject_ref = $2 AND edits_id IS NULL ORDER BY id",
    )
    .bind(EXCEPTION_NOTE)
    .bind(subject_ref)
    .fetch_all(&mut *conn)
    .await?;
    for (id, to) in prompts {
        if let Some(to) = to {
            let m = notify::prompt_closed(to, id, subject_ref, outcome, Some(by), now_ms);
            outbox::enqueue(&mut *conn, &m, now_ms).await?;
        }
    }
    Ok(())
}

/// Settles an exception (finance only).
pub async fn settle(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    action: &str,
    reason: Option<&str>,
) -> DeskResult<Story> {
    crate::access::require(actor, "payment.settle")?;
    let s = Settlement::parse(action).ok_or_else(|| {
        let all: Vec<&str> = Settlement::ALL.iter().map(|s| s.as_str()).collect();
        Msg::new("payment.bad_action")
            .arg("value", action)
            .arg("actions", all.join(", "))
    })?;
    let reason = crate::domain::text::optional("reason", reason, MAX_REASON)?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let story = load(&mut tx, r).await?;
    payments::lock_po(&mut tx, story.po.id, now_ms).await?;
    let story = load(&mut tx, r).await?;
    let p = &story.payment;
    // What the accepted goods are worth now, less what the PO's other live requests claim
    // (the PO is locked: nothing claims meanwhile).
    let accepted_qty = receipts::accepted_total(&mut tx, story.po.id).await?;
    let others = rows::claimed_except(&mut tx, story.po.id, p.id).await?;
    let mut figures = story.figures();
    figures.expected = domain::expected(story.po.unit_price.minor, accepted_qty, others);
    let may_override =
        crate::access::payments::may_override(actor, &desk.company.procurement.override_roles());
    let approve =
        domain::check_settlement(&r.to_string(), p.status, s, figures, may_override, &reason)?;
    // Paying goes to the `[payment]` approval at the settled amount.
    let to = match (s, approve) {
        (_, Some(_)) => PaymentStatus::Pending,
        (Settlement::Hold, None) => PaymentStatus::Held,
        (Settlement::Reject, None) => PaymentStatus::Rejected,
        _ => PaymentStatus::Queried,
    };
    let decision = (approve.is_some() || s == Settlement::Reject).then_some(s.as_str());
    let reason_opt = (!reason.is_empty()).then_some(reason.as_str());
    let moved = rows::set_status(
        &mut tx,
        p.id,
        p.status,
        to,
        decision,
        approve,
        Some(actor.id),
        reason_opt,
        now_ms,
    )
    .await?;
    if !moved {
        return Err(Msg::new("payment.not_settleable")
            .arg("ref", r.to_string())
            .arg("status", "changed")
            .into());
    }
    if s == Settlement::AskSupplier {
        let m = to_supplier(
            &mut tx,
            &story.supplier,
            &story.po,
            QUERY_EMAIL,
            json!({ "invoice": p.invoice, "ordered": money(p, p.ordered_minor),
                    "expected": money(p, p.expected_minor), "invoiced": money(p, p.amount_minor),
                    "accepted_qty": p.accepted_qty, "quantity": story.po.quantity,
                    "reason": reason }),
        )
        .await?;
        outbox::enqueue(&mut tx, &m, now_ms).await?;
    }
    let mut story = load(&mut tx, r).await?;
    let subject_ref = reference(p.id).to_string();
    if let Some(minor) = approve {
        let dir = store::directory::load(&mut tx).await?;
        let requester = dir
            .by_id(p.requester_id)
            .ok_or_else(|| anyhow::anyhow!("payment {} has no requester", p.id))?
            .clone();
        let progress =
            payments::open_approval(&mut tx, desk, &story, minor, &requester, &dir, vec![]).await?;
        progress::moved(&mut tx, story.po.id, Step::Matched, now_ms).await?;
        close_prompts(&mut tx, &subject_ref, "approved", &actor.name, now_ms).await?;
        story = load(&mut tx, r).await?;
        story.progress = Some(progress);
        payments::tell(&mut tx, &story, "settled", Some(actor), now_ms).await?;
    } else {
        if to == PaymentStatus::Rejected {
            close_prompts(&mut tx, &subject_ref, "rejected", &actor.name, now_ms).await?;
        }
        payments::tell(&mut tx, &story, to.as_str(), Some(actor), now_ms).await?;
    }
    let summary = match approve {
        Some(minor) => format!(
            "{s}: {} to approval for {} (invoiced {}, unclaimed accepted value {}){}",
            money(p, minor),
            po_reference(story.po.id),
            money(p, p.amount_minor),
            money(p, figures.expected),
            if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            }
        ),
        None => format!(
            "{s}: {} for {}{}",
            to,
            po_reference(story.po.id),
            if s == Settlement::Reject {
                format!(": {reason}")
            } else {
                String::new()
            }
        ),
    };
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "payment.settle",
        &reference(p.id).to_string(),
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(story)
}
