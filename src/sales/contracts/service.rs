//! Contracts (合同): submitted for a sales order, reviewed by legal through the approval engine
//! (the `contract` policy; the central office joins above the amount it configures), and filed
//! when approved: its status, who approved it, and the document's link.

use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store::Approval;
use crate::domain::directory::{Directory, Employee};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::contracts::domain::CONTRACT;
use crate::sales::contracts::store as rows;
use crate::sales::contracts::store::Contract;
use crate::sales::orders::store::{self as orders_rows, Order};
use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::store as customers;
use crate::service_desk::customers::store::Customer;
use crate::store::{self, audit, Conn};
use serde_json::{json, Value};

/// The reference of contract `id`, e.g. `CTR-000042`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Contract,
        number: id,
    }
}

/// A contract as people see it.
#[derive(Debug, Clone)]
pub struct Story {
    pub contract: Contract,
    /// What it is for: a sales order and its customer, or a purchase order and its supplier.
    pub party: Party,
    pub progress: Option<Progress>,
    /// Who rejected it and why, when its review ended so.
    pub rejection: Option<(String, String)>,
}

/// What a contract is for.
#[derive(Debug, Clone)]
pub enum Party {
    Sale(Box<(Order, Customer)>),
    Purchase(Box<(crate::procurement::orders::store::PurchaseOrder, String)>),
}

impl Party {
    /// The order's reference and the other party's name.
    pub fn names(&self) -> (String, String) {
        match self {
            Party::Sale(b) => (
                crate::sales::orders::service::reference(b.0.id).to_string(),
                b.1.name.clone(),
            ),
            Party::Purchase(b) => (
                crate::procurement::orders::service::reference(b.0.id).to_string(),
                b.1.clone(),
            ),
        }
    }
}

/// Longest document link accepted.
const MAX_URL: usize = 1000;

pub(super) fn check_url(url: &str) -> Result<String, Msg> {
    let u = url.trim();
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= MAX_URL
        && u.len() > "https://".len()
        && !u.chars().any(char::is_whitespace);
    if ok {
        Ok(u.to_string())
    } else {
        Err(Msg::new("contract.bad_url"))
    }
}

async fn order_of(conn: &mut Conn, r: Reference) -> DeskResult<(Order, Customer)> {
    let not_found = || Msg::new("order.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::SalesOrder {
        return Err(not_found().into());
    }
    let o = orders_rows::get(&mut *conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let c = customers::get(conn, o.customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} has no customer", o.id))?;
    Ok((o, c))
}

/// Submits an order's contract for review. One contract per order is under review or filed
/// at a time; after a rejection a new one may be submitted.
pub async fn submit(
    desk: &Desk,
    actor: &Employee,
    order_ref: Reference,
    terms: Option<&str>,
    attachment: Option<&str>,
) -> DeskResult<Story> {
    let url = attachment.map(check_url).transpose()?;
    let terms =
        crate::domain::text::optional("terms", terms, crate::sales::contracts::domain::MAX_TERMS)?;
    let terms = terms.as_str();
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    // Two submissions for one order at once: the second waits here, then sees the first.
    orders_rows::lock(&mut tx, order_ref.number, now).await?;
    let (order, customer) = order_of(&mut tx, order_ref).await?;
    if !desk.may_handle_order(actor, order.owner_id) {
        return Err(Msg::new("contract.not_allowed")
            .arg("ref", order_ref.to_string())
            .arg("roles", desk.order_roles_text())
            .into());
    }
    let existing = rows::contracts_of(&mut tx, order.id).await?;
    if let Some(c) = existing
        .iter()
        .find(|c| matches!(c.status, ApprovalStatus::Pending | ApprovalStatus::Approved))
    {
        return Err(Msg::new("contract.exists")
            .arg("ref", order_ref.to_string())
            .arg("contract", reference(c.id).to_string())
            .arg("status", c.status.as_str())
            .into());
    }
    let contract = rows::insert_contract(
        &mut tx,
        rows::ContractFor::Order(order.id),
        actor.id,
        terms,
        url.as_deref(),
        order.amount,
        now,
    )
    .await?;
    let r = reference(contract.id);
    let amount = order.amount.to_string();
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: contract.id,
        reference: r,
        round: 1,
        facts: SubjectFacts {
            requester: actor.id,
            department: actor.department.clone(),
            amount_minor: order.amount.minor,
            category: None,
        },
        summary: super::subject::summary(
            format!("{order_ref} · {}", customer.name),
            amount.clone(),
            terms,
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
        format!("for {order_ref} (customer #{}, {amount})", customer.id),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let contract = rows::contract(&mut tx, contract.id)
        .await?
        .unwrap_or(contract);
    tx.commit().await?;
    Ok(Story {
        contract,
        party: Party::Sale(Box::new((order, customer))),
        progress: Some(progress),
        rejection: None,
    })
}

/// Mirrors a finished review onto the contract (in the decision's transaction): an approved
/// contract is filed with the names of everyone who approved it.
pub(crate) async fn reviewed(
    conn: &mut Conn,
    approval: &Approval,
    status: ApprovalStatus,
    now: i64,
) -> DeskResult<()> {
    let approved_by = if status == ApprovalStatus::Approved {
        let dir = store::directory::load(&mut *conn).await?;
        Some(
            approvals::approvers_of(&mut *conn, approval.id, &dir)
                .await?
                .join(", "),
        )
    } else {
        None
    };
    rows::set_contract_status(
        &mut *conn,
        approval.subject_id,
        status,
        approved_by.as_deref(),
        now,
    )
    .await?;
    if status == ApprovalStatus::Approved {
        let po = rows::contract(&mut *conn, approval.subject_id)
            .await?
            .and_then(|c| c.po_id);
        if let Some(po) = po {
            crate::procurement::orders::service::contract_filed_for(conn, po, now).await?;
        }
    }
    Ok(())
}

/// A contract with its order and review. Its terms and document are for those who deal with
/// it: its submitter, the order's handlers (`sales.order_roles`), its reviewers, legal,
/// finance, the central office, management and auditors.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let not_found = || Msg::new("contract.not_found").arg("ref", r.to_string());
    let mut conn = desk.store.pool().acquire().await?;
    if r.kind != RefKind::Contract {
        return Err(not_found().into());
    }
    let contract = rows::contract(&mut conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let reviewer =
        match crate::approval::store::latest_for(&mut conn, CONTRACT, contract.id).await? {
            Some(a) => crate::approval::store::tasks(&mut conn, a.id)
                .await?
                .iter()
                .any(|t| t.assignee_id == actor.id || t.decided_by == Some(actor.id)),
            None => false,
        };
    let (party, may_see) = match (contract.order_id, contract.po_id) {
        (Some(order_id), _) => {
            let (order, customer) = order_of(
                &mut conn,
                crate::sales::orders::service::reference(order_id),
            )
            .await?;
            let may_see = crate::access::orders::may_read_contract(
                actor,
                contract.submitter_id,
                reviewer,
                order.owner_id,
                &desk.company.order_roles,
            );
            (Party::Sale(Box::new((order, customer))), may_see)
        }
        (None, Some(po_id)) => {
            let (po, supplier) = super::purchase::po_of(&mut conn, po_id).await?;
            let may_see = reviewer
                || contract.submitter_id == actor.id
                || crate::access::purchase_orders::may_read_contract(actor);
            (Party::Purchase(Box::new((po, supplier))), may_see)
        }
        (None, None) => return Err(not_found().into()),
    };
    if !may_see {
        return Err(not_found().into());
    }
    let dir = store::directory::load(&mut conn).await?;
    let progress =
        approvals::standing(&mut conn, &super::subject::SUBJECT, contract.id, &dir).await?;
    let rejection =
        approvals::rejection(&mut conn, &super::subject::SUBJECT, contract.id, &dir).await?;
    Ok(Story {
        contract,
        party,
        progress,
        rejection,
    })
}

/// The view of a contract for replies (the chat layer adds where its review stands).
pub fn view(s: &Story, dir: &Directory) -> Value {
    let c = &s.contract;
    let (order, party) = s.party.names();
    json!({
        "ref": reference(c.id).to_string(), "order": order, "purchase": c.po_id.is_some(),
        "customer": party, "amount": c.amount.to_string(),
        "terms": c.terms, "document": c.document_url, "status": c.status,
        "approved_by": c.approved_by, "filed_ms": c.filed_at,
        "submitter": dir.by_id(c.submitter_id).map(|e| e.name.clone()), "created_ms": c.created_at,
        "rejected_by": s.rejection.as_ref().map(|r| &r.0), "reason": s.rejection.as_ref().map(|r| &r.1),
    })
}

/// An order's contracts, oldest first, as `(reference, status)` for its status view.
pub async fn of_order(desk: &Desk, order_id: i64) -> DeskResult<Vec<Value>> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(rows::contracts_of(&mut conn, order_id)
        .await?
        .iter()
        .map(|c| json!({ "ref": reference(c.id).to_string(), "status": c.status }))
        .collect())
}
