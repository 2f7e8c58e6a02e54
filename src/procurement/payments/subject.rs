//! A matched payment request as the approval engine sees it: finance (and management above
//! the policy's amount) approve or reject it.

use super::domain::PAYMENT;
use super::service::{decided, money, show, Story};
use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb, Verdict};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::procurement::receipts::service::po_reference;
use crate::sales::contracts::domain::check_review;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// Supplier payments.
pub struct Payments;

/// The registered subject.
pub static SUBJECT: Payments = Payments;

/// What the approval prompt shows: supplier, PO, invoice and the three figures.
pub fn summary(s: &Story) -> Summary {
    let p = &s.payment;
    Summary {
        headline: format!(
            "{} · {} · {}",
            po_reference(s.po.id),
            s.supplier.name,
            p.invoice
        ),
        // A settled exception is approved at the amount finance settled it with.
        total: money(p, p.approved_minor.unwrap_or(p.amount_minor)),
        facts: [
            Fact::of("fact.supplier", s.supplier.name.clone()),
            Fact::of(
                "fact.po",
                format!("{} · {}", po_reference(s.po.id), s.po.item),
            ),
            Fact::of("fact.invoice", p.invoice.clone()),
            Fact::of("fact.ordered", money(p, p.ordered_minor)),
            Fact::of(
                "fact.accepted_value",
                format!(
                    "{} ({} / {})",
                    money(p, p.expected_minor),
                    p.accepted_qty,
                    s.po.quantity
                ),
            ),
            Fact::of("fact.invoiced", money(p, p.amount_minor)),
            Fact::of("fact.due", p.due_on.clone().unwrap_or_default()),
            // How finance settled it is in the label (in the reader's language).
            match (p.decision.as_deref(), p.approved_minor) {
                (Some("override"), Some(m)) => Fact::of("fact.settled_override", money(p, m)),
                (Some(_), Some(m)) => Fact::of("fact.settled_pay_accepted", money(p, m)),
                _ => None,
            },
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

impl Subject for Payments {
    fn kind(&self) -> &'static str {
        PAYMENT
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Payment
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT]
    }

    fn check_decision(&self, reference: &str, d: &Verdict<'_>) -> Result<(), Msg> {
        check_review(reference, d.decision, d.grade.is_some())
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(decided(conn, approval, status, now))
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
