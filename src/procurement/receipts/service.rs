//! Goods receipts: record what arrived against a PO (its inspection report), open a supplier
//! claim for what was rejected (emailed to the supplier in the PO's thread), show, list, and
//! resolve a claim.

use super::domain::{self, Counted, Resolution, MAX_NOTE, MAX_REASON};
use super::store::{self as rows, NewReceipt, Receipt};
use crate::domain::directory::{Directory, Employee, Role};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::procurement::orders::domain::PoStatus;
use crate::procurement::orders::progress::{self, Step};
use crate::procurement::orders::store::{self as orders, PurchaseOrder};
use crate::procurement::suppliers::scorecard;
use crate::procurement::suppliers::store::{self as suppliers, Supplier};
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::outbox::{NewMessage, EMAIL};
use crate::store::{self, audit, outbox, Conn};
use serde_json::{json, Value};

/// Chat notification to the central office and the requester: a claim opened or resolved.
pub const CLAIM_NOTE: &str = "receipt_claim";
/// Email to the supplier, in the PO's thread: a claim opened or resolved.
pub const CLAIM_EMAIL: &str = "supplier_claim";

/// The reference of receipt `id`, e.g. `GR-000001`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::GoodsReceipt,
        number: id,
    }
}

/// The reference of PO `id`.
pub fn po_reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::PurchaseOrder,
        number: id,
    }
}

/// What `/receipt new` was given.
#[derive(Debug, Clone, Default)]
pub struct NewInput<'a> {
    pub po: Option<Reference>,
    pub accepted: i64,
    pub rejected: Option<i64>,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub attachment: Option<&'a str>,
}

/// A receipt as people see it.
#[derive(Debug, Clone)]
pub struct Story {
    pub receipt: Receipt,
    pub po: PurchaseOrder,
    pub supplier: Supplier,
    /// Accepted on the PO so far, and what is still due.
    pub accepted_total: i64,
    pub still_due: i64,
}

/// A link to a photo or document: http(s), no spaces.
pub fn check_url(url: &str) -> Result<String, Msg> {
    let u = url.trim();
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 1000
        && u.len() > "https://".len()
        && !u.chars().any(char::is_whitespace);
    if ok {
        Ok(u.to_string())
    } else {
        Err(Msg::new("receipt.bad_url"))
    }
}

/// Loads PO `r` or says it does not exist.
pub async fn po_of(conn: &mut Conn, r: Reference) -> DeskResult<PurchaseOrder> {
    let not_found = || Msg::new("receipt.po_not_found").arg("ref", r.to_string());
    if r.kind != RefKind::PurchaseOrder {
        return Err(not_found().into());
    }
    Ok(orders::get(conn, r.number).await?.ok_or_else(not_found)?)
}

/// A PO the actor may know of: its readers (see `access::purchase_orders::may_read`) and
/// whoever may read its receipts; to anyone else it does not exist.
pub async fn visible_po(
    conn: &mut Conn,
    actor: &Employee,
    r: Reference,
) -> DeskResult<PurchaseOrder> {
    let po = po_of(&mut *conn, r).await?;
    if crate::access::receipts::may_read(actor, &po.department) {
        return Ok(po);
    }
    if crate::access::purchase_orders::may_read(actor, po.requester_id, po.buyer_id, &po.department)
    {
        return Ok(po);
    }
    Err(Msg::new("receipt.po_not_found")
        .arg("ref", r.to_string())
        .into())
}

/// The supplier of a PO.
pub async fn supplier_of(conn: &mut Conn, po: &PurchaseOrder) -> DeskResult<Supplier> {
    Ok(suppliers::get(conn, po.supplier_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PO {} has no supplier", po.id))?)
}

/// An email to a supplier about PO `po`, in its language, threaded with the PO's emails.
pub async fn to_supplier(
    conn: &mut Conn,
    s: &Supplier,
    po: &PurchaseOrder,
    kind: &'static str,
    extra: Value,
) -> DeskResult<NewMessage> {
    let po_ref = po_reference(po.id).to_string();
    // The PO's buyer is the supplier's contact: named in the email, and its replies reach them.
    let buyer = store::directory::by_id(&mut *conn, po.buyer_id).await?;
    let mut payload = json!({
        "po": po_ref, "item": po.item, "name": s.name, "supplier": s.company, "locale": s.locale,
        "buyer": buyer.as_ref().map(|b| b.name.clone()),
        "buyer_email": buyer.as_ref().map(|b| b.email.clone()),
        "reply_to": buyer.as_ref().map(|b| b.email.clone()),
        "reply_to_name": buyer.as_ref().map(|b| b.name.clone()),
    });
    if let (Value::Object(p), Value::Object(e)) = (&mut payload, extra) {
        p.extend(e);
    }
    Ok(NewMessage {
        channel: EMAIL,
        recipient: None,
        address: Some(s.email.clone()),
        kind,
        subject_ref: Some(po_ref),
        payload,
        edits: None,
    })
}

/// Records a delivery's inspection against a sent or confirmed PO.
pub async fn receive(desk: &Desk, actor: &Employee, input: NewInput<'_>) -> DeskResult<Story> {
    let po_ref = input
        .po
        .ok_or_else(|| Msg::new("option.missing").arg("option", "po"))?;
    let rejected = input.rejected.unwrap_or(0);
    let reason = crate::domain::text::optional("reason", input.reason, MAX_REASON)?;
    let note = crate::domain::text::optional("note", input.note, MAX_REASON)?;
    let attachments: Vec<String> = input
        .attachment
        .map(check_url)
        .transpose()?
        .into_iter()
        .collect();
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    // Two receipts for one PO at once: the second waits here, then counts the first.
    orders::lock(&mut tx, po_ref.number, now_ms).await?;
    let po = visible_po(&mut tx, actor, po_ref).await?;
    if !crate::access::receipts::may_receive(actor, &po.department) {
        return Err(Msg::new("receipt.not_allowed")
            .arg("ref", po_ref.to_string())
            .arg("department", &po.department)
            .into());
    }
    let (so_far, written_off) = rows::counted(&mut tx, po.id).await?;
    let counted = Counted {
        accepted: input.accepted,
        rejected,
        reason: &reason,
    };
    let done = so_far + written_off;
    domain::check(&po_ref.to_string(), po.status, po.quantity, done, counted)?;
    let today = desk.today();
    let receipt = rows::insert(
        &mut tx,
        &NewReceipt {
            po_id: po.id,
            inspector_id: actor.id,
            accepted: input.accepted,
            rejected,
            reason: &reason,
            note: &note,
            attachments: &attachments,
            received_on: &today.to_string(),
            days_late: domain::days_late(today, po.delivery_on),
        },
        now_ms,
    )
    .await?;
    let accepted_total = so_far + input.accepted;
    let done = done + input.accepted;
    if domain::complete(po.quantity, done) {
        rows::set_po_status(&mut tx, po.id, PoStatus::Received.as_str(), now_ms).await?;
    }
    let supplier = supplier_of(&mut tx, &po).await?;
    let r = reference(receipt.id).to_string();
    let still_due = domain::still_due(po.quantity, done);
    if rejected > 0 {
        let m = to_supplier(
            &mut tx,
            &supplier,
            &po,
            CLAIM_EMAIL,
            json!({ "event": "opened", "receipt": r, "accepted": input.accepted,
                    "rejected": rejected, "reason": reason, "received_on": receipt.received_on }),
        )
        .await?;
        outbox::enqueue(&mut tx, &m, now_ms).await?;
        let dir = store::directory::load(&mut tx).await?;
        let facts = json!({ "event": "opened", "ref": r, "po": po_ref.to_string(),
            "item": po.item, "supplier": supplier.name, "rejected": rejected, "reason": reason,
            "by": actor.name });
        for e in claim_audience(&dir, &po, actor) {
            let m = notify::message(e, CLAIM_NOTE, Some(&r), facts.clone());
            notify::send(&mut tx, &m, now_ms).await?;
        }
    }
    let summary = format!(
        "{po_ref} (supplier SUP-{:06}): {} accepted, {rejected} rejected, {still_due} still due{}",
        supplier.id,
        input.accepted,
        if rejected > 0 { "; claim opened" } else { "" }
    );
    progress::moved(&mut tx, po.id, Step::Received, now_ms).await?;
    scorecard::refresh(
        &mut tx,
        &desk.company.procurement.scorecard,
        supplier.id,
        &scorecard::period_of(today),
        now_ms,
    )
    .await?;
    // The audit log last, as everywhere: its lock after the supplier's (a rating takes the
    // supplier's, then the log's).
    let e = audit_event(now, &actor.handle, None, "receipt.new", &r, summary);
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let po = orders::get(&mut tx, po.id).await?.unwrap_or(po);
    tx.commit().await?;
    Ok(Story {
        receipt,
        po,
        supplier,
        accepted_total,
        still_due,
    })
}

/// Who hears of a claim: the central office and the PO's requester (not the actor).
fn claim_audience(dir: &Directory, po: &PurchaseOrder, actor: &Employee) -> Vec<i64> {
    let mut to: Vec<i64> = dir.with_role(Role::Bcmo).iter().map(|e| e.id).collect();
    to.push(po.requester_id);
    to.sort_unstable();
    to.dedup();
    to.retain(|id| *id != actor.id && dir.by_id(*id).is_some_and(|e| e.active));
    to
}

async fn load(conn: &mut Conn, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let not_found = || Msg::new("receipt.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::GoodsReceipt {
        return Err(not_found().into());
    }
    let receipt = rows::get(&mut *conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let po = orders::get(&mut *conn, receipt.po_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("receipt {} has no PO", receipt.id))?;
    if !crate::access::receipts::may_read(actor, &po.department) {
        return Err(not_found().into());
    }
    let supplier = supplier_of(&mut *conn, &po).await?;
    let (accepted_total, written_off) = rows::counted(conn, po.id).await?;
    Ok(Story {
        still_due: domain::still_due(po.quantity, accepted_total + written_off),
        receipt,
        po,
        supplier,
        accepted_total,
    })
}

/// A receipt with its inspection report and claim.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    load(&mut conn, actor, r).await
}

/// Receipts the actor may read, newest first: of one PO, or only open claims.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    po: Option<Reference>,
    open_only: bool,
) -> DeskResult<Vec<Story>> {
    let mut conn = desk.store.pool().acquire().await?;
    let po_id = match po {
        Some(r) => Some(visible_po(&mut conn, actor, r).await?.id),
        None => None,
    };
    // Only what the actor may read, before the limit.
    let department =
        (!crate::access::receipts::may_read_all(actor)).then_some(actor.department.as_str());
    let mut out = Vec::new();
    for rc in rows::list(&mut conn, po_id, open_only, department, 50).await? {
        if let Ok(s) = load(&mut conn, actor, reference(rc.id)).await {
            out.push(s);
        }
    }
    Ok(out)
}

/// Closes a receipt's open claim: the resolution is recorded, the supplier is emailed in the
/// PO's thread, and the requester and the central office are told.
pub async fn resolve(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    resolution: &str,
    note: Option<&str>,
) -> DeskResult<Story> {
    let resolution = Resolution::parse(resolution)
        .ok_or_else(|| Msg::new("receipt.bad_resolution").arg("value", resolution))?;
    let note = crate::domain::text::optional("note", note, MAX_NOTE)?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let story = load(&mut tx, actor, r).await?;
    // Settling runs after (or before) any receipt on the same PO, never beside it.
    orders::lock(&mut tx, story.po.id, now_ms).await?;
    if !crate::access::receipts::may_receive(actor, &story.po.department) {
        return Err(Msg::new("receipt.not_allowed")
            .arg("ref", po_reference(story.po.id).to_string())
            .arg("department", &story.po.department)
            .into());
    }
    if !rows::resolve(
        &mut tx,
        story.receipt.id,
        resolution,
        &note,
        actor.id,
        now_ms,
    )
    .await?
    {
        return Err(Msg::new("receipt.no_open_claim")
            .arg("ref", r.to_string())
            .into());
    }
    let rs = r.to_string();
    let po = &story.po;
    let m = to_supplier(
        &mut tx,
        &story.supplier,
        po,
        CLAIM_EMAIL,
        json!({ "event": "resolved", "receipt": rs, "rejected": story.receipt.rejected,
                "reason": story.receipt.reason, "resolution": resolution, "note": note }),
    )
    .await?;
    outbox::enqueue(&mut tx, &m, now_ms).await?;
    let dir = store::directory::load(&mut tx).await?;
    let facts = json!({ "event": "resolved", "ref": rs, "po": po_reference(po.id).to_string(),
        "item": po.item, "supplier": story.supplier.name, "rejected": story.receipt.rejected,
        "resolution": resolution, "note": note, "by": actor.name });
    for e in claim_audience(&dir, po, actor) {
        let m = notify::message(e, CLAIM_NOTE, Some(&rs), facts.clone());
        notify::send(&mut tx, &m, now_ms).await?;
    }
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "receipt.resolve",
        &rs,
        format!("claim on {} resolved: {resolution}", po_reference(po.id)),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let mut story = load(&mut tx, actor, r).await?;
    // Credited or returned goods are no longer expected: that may complete the PO.
    if resolution.writes_off() && story.po.status.receivable() && story.still_due == 0 {
        rows::set_po_status(&mut tx, story.po.id, PoStatus::Received.as_str(), now_ms).await?;
        story.po.status = PoStatus::Received;
        progress::moved(&mut tx, story.po.id, Step::Received, now_ms).await?;
    }
    tx.commit().await?;
    Ok(story)
}

/// The view of a receipt for replies.
pub fn view(s: &Story, dir: &Directory) -> Value {
    let rc = &s.receipt;
    json!({
        "ref": reference(rc.id).to_string(), "po": po_reference(s.po.id).to_string(),
        "item": s.po.item, "supplier": s.supplier.name, "ordered": s.po.quantity,
        "accepted": rc.accepted, "rejected": rc.rejected, "reason": rc.reason, "note": rc.note,
        "attachments": rc.attachments, "received_on": rc.received_on, "days_late": rc.days_late,
        "inspector": dir.by_id(rc.inspector_id).map(|e| e.name.clone()),
        "created_ms": rc.created_at, "claim": rc.claim_status, "resolution": rc.resolution,
        "resolution_note": rc.resolution_note,
        "resolved_by": rc.resolved_by.and_then(|id| dir.by_id(id)).map(|e| e.name.clone()),
        "accepted_total": s.accepted_total, "still_due": s.still_due,
        "po_status": s.po.status,
    })
}
