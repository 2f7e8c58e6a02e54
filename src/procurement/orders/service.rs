//! Purchase orders: raise one from an approved requisition, review it, email it to the
//! supplier, record the supplier's confirmation, cancel it; see one, list them.

use super::domain::{self as rules, PoInput, PoStatus, MAX_PLACE, MAX_REASON, MAX_TERMS};
use super::progress::{self, Step};
use super::sending::cancel_email;
pub(crate) use super::sending::{contract_filed_for, reviewed};
use super::store::{self as pos, NewPo, PurchaseOrder};
use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::domain::directory::{Directory, Employee};
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::{text, Msg};
use crate::finance::ledger::{self, Charge, Checked, Doc};
use crate::finance::settings::Stage;
use crate::procurement::requisitions::store as reqs;
use crate::procurement::suppliers::store::{self as suppliers, Supplier};
use crate::sales::contracts::domain::CONTRACT;
use crate::sales::contracts::store as contracts;
use crate::service::{audit_event, Desk, DeskResult};

use crate::store::{self, audit, Conn};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The reference of PO `id`, e.g. `PO-000042`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::PurchaseOrder,
        number: id,
    }
}

/// What `/po new` was given.
#[derive(Debug, Clone, Default)]
pub struct NewInput<'a> {
    pub requisition: Option<Reference>,
    pub supplier: Option<Reference>,
    pub unit_price: Option<Money>,
    pub quantity: Option<i64>,
    pub delivery: Option<NaiveDate>,
    pub place: Option<&'a str>,
    pub terms: Option<&'a str>,
    pub important: Option<bool>,
    /// The buyer acknowledged a budget warning (`ack:yes`).
    pub ack: bool,
}

/// A PO as people see it.
#[derive(Debug, Clone)]
pub struct Story {
    pub po: PurchaseOrder,
    pub supplier: Supplier,
    /// Its contracts: (reference, status).
    pub contracts: Vec<(String, ApprovalStatus)>,
    pub progress: Option<Progress>,
    /// What was delivered and what is still due.
    pub delivered: Delivered,
    /// Its goods receipts: (id, accepted, rejected).
    pub receipts: Vec<(i64, i64, i64)>,
    /// Its payment requests: (id, status, amount in minor units).
    pub payments: Vec<(i64, String, i64)>,
    /// Where its budget line stands before and after it, when just raised.
    pub budget: Option<Msg>,
}

/// What a PO's receipts count: accepted, rejected, and what is still due (ordered less
/// accepted and less rejected goods written off by a claim settled by credit or return).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub accepted: i64,
    pub rejected: i64,
    pub due: i64,
}

fn not_found(r: Reference) -> Msg {
    Msg::new("po.not_found").arg("ref", r.to_string())
}

async fn supplier_of(conn: &mut Conn, r: Reference) -> DeskResult<Supplier> {
    let nf = || Msg::new("po.supplier_not_found").arg("ref", r.to_string());
    if r.kind != RefKind::Supplier {
        return Err(nf().into());
    }
    Ok(suppliers::get(conn, r.number).await?.ok_or_else(nf)?)
}

/// Raises a PO from an approved requisition to an orderable supplier and opens its review.
pub async fn create(desk: &Desk, actor: &Employee, input: NewInput<'_>) -> DeskResult<Story> {
    crate::access::require(actor, "po.new")?;
    let req_ref = input
        .requisition
        .ok_or_else(|| Msg::new("option.missing").arg("option", "requisition"))?;
    let sup_ref = input
        .supplier
        .ok_or_else(|| Msg::new("option.missing").arg("option", "supplier"))?;
    let place = text::optional("place", input.place, MAX_PLACE)?;
    let terms = text::optional("terms", input.terms, MAX_TERMS)?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let req_nf = || Msg::new("requisition.not_found").arg("ref", req_ref.to_string());
    if req_ref.kind != RefKind::Requisition {
        return Err(req_nf().into());
    }
    // Two POs from one requisition at once: the second waits here, then counts the first.
    if !pos::lock_requisition(&mut tx, req_ref.number, now_ms).await? {
        return Err(req_nf().into());
    }
    let req = reqs::get(&mut tx, req_ref.number)
        .await?
        .ok_or_else(req_nf)?;
    let supplier = supplier_of(&mut tx, sup_ref).await?;
    let ordered = pos::ordered_of(&mut tx, req.id).await?;
    let important = input.important.unwrap_or(false);
    let req_text = req_ref.to_string();
    let sup_text = sup_ref.to_string();
    let draft = rules::check_new(&PoInput {
        requisition: &req_text,
        requisition_status: req.status,
        requisition_quantity: req.draft.quantity,
        requisition_unit_price: req.draft.unit_price,
        ordered,
        supplier: &sup_text,
        supplier_status: supplier.status,
        standing: supplier.standing,
        unit_price: input.unit_price,
        quantity: input.quantity,
        delivery: input.delivery,
        today: desk.today(),
        important,
        contract_threshold_minor: desk.company.procurement.contract_threshold_minor(),
    })?;
    let company = desk.company.currency;
    let checked = if draft.total.currency == company && req.draft.unit_price.currency == company {
        // Only what it adds over the part of the requisition it orders.
        let charge = Charge {
            stage: Stage::PurchaseOrder,
            department: &req.department,
            category: req.draft.category.as_deref(),
            on: ledger::requisition_date(&mut tx, desk, req.id).await?,
            adds: draft.total.minor - draft.quantity * req.draft.unit_price.minor,
            ack: input.ack,
        };
        ledger::check(&mut tx, desk, &charge).await?
    } else {
        Checked::default()
    };
    let id = pos::insert(
        &mut tx,
        &NewPo {
            requisition_id: req.id,
            supplier_id: supplier.id,
            requester_id: req.requester,
            department: &req.department,
            buyer_id: actor.id,
            item: &req.draft.item,
            spec: &req.draft.spec,
            category: req.draft.category.as_deref(),
            draft: &draft,
            delivery_on: input.delivery,
            place: &place,
            terms: &terms,
            important,
        },
        now_ms,
    )
    .await?;
    let po = pos::get(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PO {id} vanished"))?;
    let r = reference(id);
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: id,
        reference: r,
        round: 1,
        // The buyer submits it (never its own approver); the policy's departments and
        // department heads are the requesting department's.
        facts: SubjectFacts {
            requester: actor.id,
            department: po.department.clone(),
            amount_minor: po.total.minor,
            category: po.category.clone(),
        },
        summary: {
            let mut s = super::subject::summary(&po, &supplier, Some(req.draft.unit_price));
            s.facts.extend(ledger::position_facts(desk, &checked));
            s
        },
    };
    let dir = store::directory::load(&mut tx).await?;
    let progress = approvals::open_round(&mut tx, desk, &spec, actor, &dir).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "po.new",
        &r.to_string(),
        format!(
            "from {req_ref} to supplier {sup_ref}: {} × {} = {}{}",
            po.item,
            po.quantity,
            po.total,
            if po.needs_contract {
                ", needs a contract"
            } else {
                ""
            }
        ),
    );
    // The ledger first: the audit append locks the chain's head until the commit.
    ledger::sync(&mut tx, desk, Doc::PurchaseOrder(id), now_ms).await?;
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    ledger::acknowledge(&mut tx, desk, actor, &r.to_string(), &checked).await?;
    tx.commit().await?;
    let delivered = Delivered {
        due: po.quantity,
        ..Delivered::default()
    };
    Ok(Story {
        po,
        supplier,
        contracts: vec![],
        progress: Some(progress),
        delivered,
        receipts: vec![],
        payments: vec![],
        budget: ledger::position_msg(desk, &checked),
    })
}

/// Loads a PO the actor may read (others hear "not found").
async fn readable(conn: &mut Conn, actor: &Employee, r: Reference) -> DeskResult<PurchaseOrder> {
    if r.kind != RefKind::PurchaseOrder {
        return Err(not_found(r).into());
    }
    let po = pos::get(&mut *conn, r.number)
        .await?
        .ok_or_else(|| not_found(r))?;
    if !crate::access::purchase_orders::may_read(
        actor,
        po.requester_id,
        po.buyer_id,
        &po.department,
    ) {
        return Err(not_found(r).into());
    }
    Ok(po)
}

async fn story(conn: &mut Conn, po: PurchaseOrder) -> DeskResult<Story> {
    let supplier = suppliers::get(&mut *conn, po.supplier_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PO {} has no supplier", po.id))?;
    let contracts = contracts::contracts_of_po(&mut *conn, po.id)
        .await?
        .into_iter()
        .map(|c| {
            (
                crate::sales::contracts::service::reference(c.id).to_string(),
                c.status,
            )
        })
        .collect();
    let dir = store::directory::load(&mut *conn).await?;
    let progress = approvals::standing(&mut *conn, &super::subject::SUBJECT, po.id, &dir).await?;
    let (accepted, written_off) =
        crate::procurement::receipts::store::counted(&mut *conn, po.id).await?;
    let receipts = pos::receipts_of(&mut *conn, po.id).await?;
    let payments = pos::payments_of(&mut *conn, po.id).await?;
    let delivered = Delivered {
        accepted,
        rejected: receipts.iter().map(|r| r.2).sum(),
        due: (po.quantity - accepted - written_off).max(0),
    };
    Ok(Story {
        po,
        supplier,
        contracts,
        progress,
        delivered,
        receipts,
        payments,
        budget: None,
    })
}

/// A PO with its supplier, contracts and review.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let po = readable(&mut conn, actor, r).await?;
    story(&mut conn, po).await
}

/// Which POs `/po list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Mine,
    Open,
    All,
}

/// POs for `/po list`: one's own (raised or asked for); open or all ones for those who may
/// read every PO.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    scope: Scope,
    status: Option<PoStatus>,
) -> DeskResult<Vec<(PurchaseOrder, String)>> {
    let mut conn = desk.store.pool().acquire().await?;
    let everyone = crate::access::purchase_orders::may_read_all(actor);
    let person = (scope == Scope::Mine || !everyone).then_some(actor.id);
    let rows = pos::list(&mut conn, person, scope == Scope::Open, status, 50).await?;
    let mut out = Vec::new();
    for po in rows {
        let name = suppliers::get(&mut conn, po.supplier_id)
            .await?
            .map(|s| s.name)
            .unwrap_or_default();
        out.push((po, name));
    }
    Ok(out)
}

/// Loads and locks a PO for a change by procurement or the central office.
async fn for_change(
    conn: &mut Conn,
    actor: &Employee,
    r: Reference,
    now_ms: i64,
) -> DeskResult<PurchaseOrder> {
    if r.kind != RefKind::PurchaseOrder || !pos::lock(&mut *conn, r.number, now_ms).await? {
        return Err(not_found(r).into());
    }
    readable(conn, actor, r).await
}

/// Records the supplier's confirmation of a sent PO, with a new delivery date if it moved.
pub async fn confirm(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    delivery: Option<NaiveDate>,
) -> DeskResult<Story> {
    crate::access::require(actor, "po.confirm")?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let po = for_change(&mut tx, actor, r, now_ms).await?;
    rules::check_confirm(&r.to_string(), po.status)?;
    if let Some(d) = delivery {
        if d < desk.today() {
            return Err(Msg::new("po.delivery_past").arg("date", d).into());
        }
        pos::set_delivery(&mut tx, po.id, d).await?;
    }
    pos::move_status(
        &mut tx,
        po.id,
        &[PoStatus::Sent],
        PoStatus::Confirmed,
        now_ms,
    )
    .await?;
    progress::moved(&mut tx, po.id, Step::Confirmed, now_ms).await?;
    let summary = match delivery {
        Some(d) => format!("confirmed by the supplier, delivery {d}"),
        None => "confirmed by the supplier".to_string(),
    };
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "po.confirm",
        &r.to_string(),
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let po = pos::get(&mut tx, po.id).await?.unwrap_or(po);
    let s = story(&mut tx, po).await?;
    tx.commit().await?;
    Ok(s)
}

/// Cancels a PO that nothing was received or paid for yet; a PO in review has its round
/// closed.
pub async fn cancel(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    reason: Option<&str>,
) -> DeskResult<Story> {
    crate::access::require(actor, "po.cancel")?;
    let reason = text::optional("reason", reason, MAX_REASON)?;
    if reason.is_empty() {
        return Err(Msg::new("option.missing").arg("option", "reason").into());
    }
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    // Its own review and its contracts' reviews are locked before the PO (the engine's
    // order), so a decision on either at the same moment waits or is refused.
    let mut reviewing = Vec::new();
    if r.kind == RefKind::PurchaseOrder {
        let kind = super::domain::PURCHASE_ORDER;
        crate::procurement::review::lock_open_round(&mut tx, kind, r.number).await?;
        for c in crate::sales::contracts::store::contracts_of_po(&mut tx, r.number).await? {
            if c.status == ApprovalStatus::Pending {
                crate::procurement::review::lock_open_round(&mut tx, CONTRACT, c.id).await?;
                reviewing.push(c.id);
            }
        }
    }
    let po = for_change(&mut tx, actor, r, now_ms).await?;
    let touched = pos::received_or_paid(&mut tx, po.id).await?;
    rules::check_cancel(&r.to_string(), po.status, touched)?;
    if po.status == PoStatus::Pending {
        crate::procurement::review::withdraw_round(
            &mut tx,
            super::domain::PURCHASE_ORDER,
            po.id,
            &actor.name,
            now_ms,
        )
        .await?;
    }
    pos::move_status(
        &mut tx,
        po.id,
        &[
            PoStatus::Pending,
            PoStatus::Approved,
            PoStatus::Sent,
            PoStatus::Confirmed,
        ],
        PoStatus::Cancelled,
        now_ms,
    )
    .await?;
    pos::set_cancel_reason(&mut tx, po.id, &reason).await?;
    // A contract still in review for a cancelled PO is withdrawn with it.
    for id in reviewing {
        crate::procurement::review::withdraw_round(&mut tx, CONTRACT, id, &actor.name, now_ms)
            .await?;
        crate::sales::contracts::store::set_contract_status(
            &mut tx,
            id,
            ApprovalStatus::Withdrawn,
            None,
            now_ms,
        )
        .await?;
    }
    if matches!(po.status, PoStatus::Sent | PoStatus::Confirmed) {
        cancel_email(&mut tx, &po, now_ms).await?;
    }
    progress::moved(&mut tx, po.id, Step::Cancelled, now_ms).await?;
    ledger::sync(&mut tx, desk, Doc::PurchaseOrder(po.id), now_ms).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "po.cancel",
        &r.to_string(),
        format!("cancelled ({})", po.status.as_str()),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let po = pos::get(&mut tx, po.id).await?.unwrap_or(po);
    let s = story(&mut tx, po).await?;
    tx.commit().await?;
    Ok(s)
}

/// The view of a PO for replies.
pub fn view(s: &Story, dir: &Directory) -> Value {
    let p = &s.po;
    let name = |id: i64| dir.by_id(id).map(|e| e.name.clone());
    json!({
        "ref": reference(p.id).to_string(),
        "requisition": Reference { kind: RefKind::Requisition, number: p.requisition_id }.to_string(),
        "supplier_ref": Reference { kind: RefKind::Supplier, number: p.supplier_id }.to_string(),
        "supplier": s.supplier.name, "item": p.item, "spec": p.spec, "quantity": p.quantity,
        "unit_price": p.unit_price.to_string(), "total": p.total.to_string(),
        "delivery": p.delivery_on.map(|d| d.to_string()), "place": p.place, "terms": p.terms,
        "important": p.important, "needs_contract": p.needs_contract, "warning": p.warning,
        "status": p.status.as_str(), "requester": name(p.requester_id), "buyer": name(p.buyer_id),
        "sent_ms": p.sent_at, "confirmed_ms": p.confirmed_at, "cancel_reason": p.cancel_reason,
        "created_ms": p.created_at,
        "contracts": s.contracts.iter().map(|(r, st)| json!({"ref": r, "status": st.as_str()})).collect::<Vec<_>>(),
        "accepted": s.delivered.accepted, "rejected": s.delivered.rejected, "due": s.delivered.due,
        "receipts": s.receipts.iter().map(|(id, a, r)| json!({
            "ref": Reference { kind: RefKind::GoodsReceipt, number: *id }.to_string(),
            "accepted": a, "rejected": r,
        })).collect::<Vec<_>>(),
        "payments": s.payments.iter().map(|(id, st, minor)| json!({
            "ref": Reference { kind: RefKind::Payment, number: *id }.to_string(),
            "status": st, "amount": Money::new(*minor, p.total.currency).to_string(),
        })).collect::<Vec<_>>(),
    })
}
