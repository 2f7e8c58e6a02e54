//! A requisition as the approval engine sees it.

use super::domain::RequisitionDraft;
use super::service::{show, KIND};
use super::store as reqs;
use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// Requisitions: approved, rejected or sent back for changes and resubmitted.
pub struct Requisitions;

/// The registered subject.
pub static SUBJECT: Requisitions = Requisitions;

/// What its approval messages show of a requisition at one round.
pub fn summary(d: &RequisitionDraft) -> Summary {
    Summary {
        headline: format!("{} × {}", d.item, d.quantity),
        total: d.total.to_string(),
        facts: [
            Fact::of("fact.spec", d.spec.clone()),
            Fact::of("fact.reason", d.reason.clone()),
            Fact::of(
                "fact.needed_by",
                d.needed_by.map(|n| n.to_string()).unwrap_or_default(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

impl Subject for Requisitions {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Requisition
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT, Verb::CHANGES]
    }

    fn resubmit_hint(&self) -> Option<&'static str> {
        Some("requisition.resubmit_hint")
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            reqs::set_status(conn, approval.subject_id, status, now).await?;
            Ok(())
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
