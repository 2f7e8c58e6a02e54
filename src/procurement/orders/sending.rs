//! Sending a PO to its supplier: when its review (and, if it needs one, its contract's
//! review) ends, in the decision's transaction; and telling the supplier of a cancellation.

use super::domain::{self as rules, PoStatus};
use super::progress::{self, Step};
use super::service::reference;
use super::store::{self as pos, PurchaseOrder};
use crate::approval::domain::ApprovalStatus;
use crate::procurement::suppliers::store as suppliers;
use crate::sales::contracts::store as contracts;
use crate::service::DeskResult;
use crate::store::outbox::{NewMessage, EMAIL};
use crate::store::{self, outbox, Conn};
use serde_json::json;

/// Mirrors the end of a PO's review (in the decision's transaction): approved POs are sent
/// unless they wait for their contract; rejected ones are rejected.
pub(crate) async fn reviewed(
    conn: &mut Conn,
    po_id: i64,
    status: ApprovalStatus,
    now_ms: i64,
) -> DeskResult<()> {
    match status {
        ApprovalStatus::Approved => {
            // The PO's row lock first (as its contract's review takes it), then a fresh read:
            // the two reviews finishing at once then run one after the other, and the second
            // sees what the first did.
            if !pos::lock(&mut *conn, po_id, now_ms).await? {
                return Ok(());
            }
            let Some(po) = pos::get(&mut *conn, po_id).await? else {
                return Ok(());
            };
            if !pos::move_status(
                &mut *conn,
                po_id,
                &[PoStatus::Pending],
                PoStatus::Approved,
                now_ms,
            )
            .await?
            {
                return Ok(());
            }
            if rules::sendable(po.needs_contract, contract_filed(conn, po_id).await?) {
                send(conn, po_id, now_ms).await?;
            } else {
                progress::moved(conn, po_id, Step::Approved, now_ms).await?;
            }
        }
        ApprovalStatus::Rejected | ApprovalStatus::Withdrawn => {
            let to = if status == ApprovalStatus::Rejected {
                PoStatus::Rejected
            } else {
                PoStatus::Cancelled
            };
            let moved =
                pos::move_status(&mut *conn, po_id, &[PoStatus::Pending], to, now_ms).await?;
            if moved && status == ApprovalStatus::Rejected {
                progress::moved(conn, po_id, Step::Rejected, now_ms).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

async fn contract_filed(conn: &mut Conn, po_id: i64) -> DeskResult<bool> {
    Ok(contracts::contracts_of_po(conn, po_id)
        .await?
        .iter()
        .any(|c| c.status == ApprovalStatus::Approved))
}

/// A PO's contract was filed (in the review's transaction): a PO waiting for it is sent.
pub(crate) async fn contract_filed_for(conn: &mut Conn, po_id: i64, now_ms: i64) -> DeskResult<()> {
    // The PO's row lock first (as the PO's own review takes it), then a fresh read.
    if !pos::lock(&mut *conn, po_id, now_ms).await? {
        return Ok(());
    }
    let Some(po) = pos::get(&mut *conn, po_id).await? else {
        return Ok(());
    };
    if po.status == PoStatus::Approved {
        send(conn, po_id, now_ms).await?;
    }
    Ok(())
}

/// Tells the supplier of a PO it was sent that the PO is cancelled, in the PO's thread.
pub(crate) async fn cancel_email(
    conn: &mut Conn,
    po: &PurchaseOrder,
    now_ms: i64,
) -> DeskResult<()> {
    let Some(supplier) = suppliers::get(&mut *conn, po.supplier_id).await? else {
        return Ok(());
    };
    let buyer = store::directory::by_id(&mut *conn, po.buyer_id).await?;
    let r = reference(po.id).to_string();
    let email = NewMessage {
        channel: EMAIL,
        recipient: None,
        address: Some(supplier.email.clone()),
        kind: crate::service::notify::kind::PO_CANCELLED,
        subject_ref: Some(r.clone()),
        payload: json!({
            "ref": r, "name": supplier.name, "locale": supplier.locale.map(|l| l.tag()),
            "item": po.item, "quantity": po.quantity, "total": po.total.to_string(),
            "buyer": buyer.as_ref().map(|b| b.name.clone()),
            "buyer_email": buyer.as_ref().map(|b| b.email.clone()),
            "reply_to": buyer.as_ref().map(|b| b.email.clone()),
            "reply_to_name": buyer.as_ref().map(|b| b.name.clone()),
        }),
        edits: None,
    };
    outbox::enqueue(&mut *conn, &email, now_ms).await?;
    Ok(())
}

/// Emails an approved PO to its supplier and marks it sent, in the caller's transaction.
pub(crate) async fn send(conn: &mut Conn, po_id: i64, now_ms: i64) -> DeskResult<()> {
    if !pos::move_status(
        &mut *conn,
        po_id,
        &[PoStatus::Approved],
        PoStatus::Sent,
        now_ms,
    )
    .await?
    {
        return Ok(());
    }
    let po = pos::get(&mut *conn, po_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PO {po_id} vanished"))?;
    let supplier = suppliers::get(&mut *conn, po.supplier_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PO {po_id} has no supplier"))?;
    let buyer = store::directory::by_id(&mut *conn, po.buyer_id).await?;
    let r = reference(po.id).to_string();
    let email = NewMessage {
        channel: EMAIL,
        recipient: None,
        address: Some(supplier.email.clone()),
        kind: crate::service::notify::kind::PO_SENT,
        subject_ref: Some(r.clone()),
        payload: json!({
            "ref": r, "name": supplier.name, "supplier_company": supplier.company,
            "locale": supplier.locale.map(|l| l.tag()),
            "item": po.item, "spec": po.spec, "quantity": po.quantity,
            "unit_price": po.unit_price.to_string(), "total": po.total.to_string(),
            "delivery": po.delivery_on.map(|d| d.to_string()), "place": po.place,
            "terms": po.terms,
            "buyer": buyer.as_ref().map(|b| b.name.clone()),
            "buyer_email": buyer.as_ref().map(|b| b.email.clone()),
            "reply_to": buyer.as_ref().map(|b| b.email.clone()),
            "reply_to_name": buyer.as_ref().map(|b| b.name.clone()),
        }),
        edits: None,
    };
    outbox::enqueue(&mut *conn, &email, now_ms).await?;
    progress::moved(conn, po_id, Step::Sent, now_ms).await?;
    Ok(())
}
