//! A purchase order as the approval engine sees it: reviewed by the central office (and
//! finance above the policy's amount), approved or rejected. A PO to a supplier in poor
//! standing carries a warning its approver acknowledges in a comment.

use super::domain::{check_acknowledged, PURCHASE_ORDER};
use super::service::{reviewed, show};
use super::store::{self as pos, PurchaseOrder};
use crate::approval::domain::{ApprovalStatus, Decision};
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb, Verdict};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::procurement::suppliers::store::Supplier;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// Purchase orders.
pub struct PurchaseOrders;

/// The registered subject.
pub static SUBJECT: PurchaseOrders = PurchaseOrders;

/// What the review prompt shows: supplier, item × quantity, unit price, delivery, the
/// warning (and that approving needs a comment acknowledging it).
/// `requisition_price` is the approved requisition's unit price, shown when the PO's differs.
pub fn summary(
    po: &PurchaseOrder,
    supplier: &Supplier,
    requisition_price: Option<crate::domain::money::Money>,
) -> Summary {
    let approved_price = requisition_price
        .filter(|p| *p != po.unit_price)
        .map(|p| p.to_string())
        .unwrap_or_default();
    // Which standing warns is in the label (in the reader's language); the value is its score.
    let (warning_label, warning) = match po.warning.as_deref() {
        Some(w) => (
            if w == "poor" {
                "fact.warning_poor"
            } else {
                "fact.warning"
            },
            supplier
                .score
                .map_or_else(|| w.to_string(), |s| format!("{s}/100")),
        ),
        None => ("fact.warning", String::new()),
    };
    let delivery = match (po.delivery_on, po.place.trim()) {
        (Some(d), "") => d.to_string(),
        (Some(d), p) => format!("{d} · {p}"),
        (None, p) => p.to_string(),
    };
    Summary {
        headline: format!("{} × {} · {}", po.item, po.quantity, supplier.name),
        total: po.total.to_string(),
        facts: [
            Fact::of("fact.supplier", supplier.name.clone()),
            Fact::of("fact.spec", po.spec.clone()),
            Fact::of("fact.unit_price", po.unit_price.to_string()),
            Fact::of("fact.requisition_price", approved_price),
            Fact::of("fact.delivery", delivery),
            Fact::of("fact.terms", po.terms.clone()),
            Fact::of("fact.contract", if po.needs_contract { "✓" } else { "" }),
            // The label says that approving needs a comment acknowledging it.
            Fact::of(warning_label, warning),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

impl Subject for PurchaseOrders {
    fn kind(&self) -> &'static str {
        PURCHASE_ORDER
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::PurchaseOrder
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT]
    }

    fn on_decided<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        decided: Verdict<'a>,
        _actor: &'a Employee,
        _now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            let Some(po) = pos::get(conn, approval.subject_id).await? else {
                return Ok(());
            };
            check_acknowledged(
                &approval.subject_ref,
                po.warning.as_deref(),
                decided.decision == Decision::Approve,
                decided.comment,
            )?;
            Ok(())
        })
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            reviewed(&mut *conn, approval.subject_id, status, now).await?;
            let doc = crate::finance::ledger::Doc::PurchaseOrder(approval.subject_id);
            crate::finance::ledger::resync(conn, doc, now).await
        })
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async move { readable(show(desk, actor, reference).await) })
    }
}
