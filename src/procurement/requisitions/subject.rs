//! A requisition as the approval engine sees it.

use super::domain::RequisitionDraft;
use super::service::{show, KIND};
use super::store as reqs;
use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Locale;
use crate::service::notify::{self, kind};
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

/// Tells procurement an approved requisition is theirs to buy (who may raise its POs:
/// `access::purchase_orders::BUYERS`), in the decision's transaction.
async fn to_buyers(conn: &mut Conn, id: i64, now: i64) -> DeskResult<()> {
    let Some(r) = reqs::get(&mut *conn, id).await? else {
        return Ok(());
    };
    let dir = crate::store::directory::load(&mut *conn).await?;
    let dept = dir.department(&r.department);
    let payload = serde_json::json!({
        "ref": r.reference.to_string(), "item": r.draft.item, "quantity": r.draft.quantity,
        "total": r.draft.total.to_string(),
        "department": dept.map_or(r.department.clone(), |d| d.display_name(Locale::En).to_string()),
        "department_zh": dept.map_or(r.department.clone(), |d| d.display_name(Locale::ZhCn).to_string()),
        "needed_by": r.draft.needed_by.map(|d| d.to_string()),
    });
    for e in dir.employees.iter().filter(|e| {
        e.active && e.id != r.requester && e.has_role(crate::domain::directory::Role::Procurement)
    }) {
        let m = notify::message(
            e.id,
            kind::REQUISITION_TO_BUY,
            Some(&r.reference.to_string()),
            payload.clone(),
        );
        notify::send(&mut *conn, &m, now).await?;
    }
    Ok(())
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
            let doc = crate::finance::ledger::Doc::Requisition(approval.subject_id);
            crate::finance::ledger::resync(conn, doc, now).await?;
            if status == ApprovalStatus::Approved {
                to_buyers(conn, approval.subject_id, now).await?;
            }
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
