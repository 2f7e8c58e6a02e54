//! Purchase contracts (采购 4): a PO at or above `procurement.contract_threshold`, or marked
//! important, needs a contract before it is sent. It is reviewed like a sales contract (the
//! same `contract` subject and policy, for the PO's total); filing it sends a PO that waits.

use super::domain::MAX_TERMS;
use super::service::{check_url, reference, Party, Story};
use super::store as rows;
use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, RoundSpec};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::procurement::orders::domain::PoStatus;
use crate::procurement::orders::store::{self as pos, PurchaseOrder};
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};

/// A PO and its supplier's name.
pub(super) async fn po_of(conn: &mut Conn, id: i64) -> DeskResult<(PurchaseOrder, String)> {
    let nf = || {
        Msg::new("po.not_found").arg(
            "ref",
            crate::procurement::orders::service::reference(id).to_string(),
        )
    };
    let po = pos::get(&mut *conn, id).await?.ok_or_else(nf)?;
    let supplier = crate::procurement::suppliers::store::get(conn, po.supplier_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    Ok((po, supplier))
}

/// Submits a PO's contract for review: by procurement or the central office, for a PO that
/// is not rejected or cancelled, one under review or filed at a time.
pub async fn submit(
    desk: &Desk,
    actor: &Employee,
    po_ref: Reference,
    terms: Option<&str>,
    attachment: Option<&str>,
) -> DeskResult<Story> {
    let url = attachment.map(check_url).transpose()?;
    let terms = crate::domain::text::optional("terms", terms, MAX_TERMS)?;
    let nf = || Msg::new("po.not_found").arg("ref", po_ref.to_string());
    if po_ref.kind != RefKind::PurchaseOrder {
        return Err(nf().into());
    }
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    if !pos::lock(&mut tx, po_ref.number, now).await? {
        return Err(nf().into());
    }
    let (po, supplier) = po_of(&mut tx, po_ref.number).await?;
    if !crate::access::purchase_orders::may_handle(actor) {
        let reads = crate::access::purchase_orders::may_read(
            actor,
            po.requester_id,
            po.buyer_id,
            &po.department,
        );
        return Err(if reads {
            Msg::new("po.contract_not_allowed").arg("ref", po_ref.to_string())
        } else {
            nf()
        }
        .into());
    }
    if !po.status.live() || po.status == PoStatus::Received {
        return Err(Msg::new("po.contract_not_now")
            .arg("ref", po_ref.to_string())
            .arg("status", po.status.as_str())
            .into());
    }
    let existing = rows::contracts_of_po(&mut tx, po.id).await?;
    if let Some(c) = existing
        .iter()
        .find(|c| matches!(c.status, ApprovalStatus::Pending | ApprovalStatus::Approved))
    {
        return Err(Msg::new("contract.exists")
            .arg("ref", po_ref.to_string())
            .arg("contract", reference(c.id).to_string())
            .arg("status", c.status.as_str())
            .into());
    }
    let contract = rows::insert_contract(
        &mut tx,
        rows::ContractFor::Po(po.id),
        actor.id,
        &terms,
        url.as_deref(),
        po.total,
        now,
    )
    .await?;
    let r = reference(contract.id);
    let amount = po.total.to_string();
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: contract.id,
        reference: r,
        round: 1,
        // Its submitter is never its own approver; the policy's departments and department
        // heads are those of the department the goods are for (the requisition's).
        facts: SubjectFacts {
            requester: actor.id,
            department: po.department.clone(),
            amount_minor: po.total.minor,
            category: None,
        },
        summary: super::subject::summary(
            format!("{po_ref} · {supplier} · {} × {}", po.item, po.quantity),
            amount.clone(),
            &terms,
            url.as_deref(),
        ),
    };
    let dir = store::directory::load(&mut tx).await?;
    let progress = approvals::open_round(&mut tx, desk, &spec, actor, &dir).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "contract.submit",
        &r.to_string(),
        format!(
            "for {po_ref} (supplier SUP-{:06}, {amount})",
            po.supplier_id
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let contract = rows::contract(&mut tx, contract.id)
        .await?
        .unwrap_or(contract);
    tx.commit().await?;
    Ok(Story {
        contract,
        party: Party::Purchase(Box::new((po, supplier))),
        progress: Some(progress),
        rejection: None,
    })
}
