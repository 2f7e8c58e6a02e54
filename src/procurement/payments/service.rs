//! Payment requests: checked three ways when requested (a match goes to finance's approval,
//! a mismatch to finance as an exception), shown, listed, and recorded as paid; due-date
//! reminders to finance.

use super::domain::{self, Figures, MatchResult, PaymentStatus};
use super::store::{self as rows, NewPayment, Payment};
use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store::Approval;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Directory, Employee, Role};
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::finance::ledger::{self, Charge, Checked};
use crate::finance::settings::Stage;
use crate::procurement::orders::progress::{self, Step};
use crate::procurement::orders::store::{self as orders, PurchaseOrder};
use crate::procurement::receipts::service::{po_of, po_reference, supplier_of};
use crate::procurement::receipts::store as receipts;
use crate::procurement::suppliers::store::Supplier;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

/// Chat notification to finance: a request failed the match, with the settle buttons.
pub const EXCEPTION_NOTE: &str = "payment_exception";
/// Chat notification to the requester and buyer: the request moved (approved, held, paid…).
pub const UPDATE_NOTE: &str = "payment_update";
/// Chat notification to finance: an approved payment is due soon or overdue.
pub const DUE_NOTE: &str = "payable_due";
/// Email to the supplier, in the PO's thread: finance asks about an invoice.
pub const QUERY_EMAIL: &str = "supplier_query";
/// Days before its due date that finance is reminded of an approved payment.
pub const REMIND_DAYS: i64 = 3;

/// The reference of request `id`, e.g. `PAY-000001`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Payment,
        number: id,
    }
}

/// What `/payment request` was given.
#[derive(Debug, Clone)]
pub struct RequestInput<'a> {
    pub po: Reference,
    pub invoice: &'a str,
    pub amount: Money,
    pub due: Option<NaiveDate>,
    pub attachment: Option<&'a str>,
    /// The requester acknowledged a budget warning (`ack:yes`).
    pub ack: bool,
}

/// A payment request as people see it.
#[derive(Debug, Clone)]
pub struct Story {
    pub payment: Payment,
    pub po: PurchaseOrder,
    pub supplier: Supplier,
    pub progress: Option<Progress>,
}

impl Story {
    /// Its three figures.
    pub fn figures(&self) -> Figures {
        Figures {
            ordered: self.payment.ordered_minor,
            expected: self.payment.expected_minor,
            invoiced: self.payment.amount_minor,
        }
    }
}

/// An amount in the request's currency, formatted.
pub fn money(p: &Payment, minor: i64) -> String {
    crate::domain::money::format_stored(minor, &p.currency)
}

/// Asks for a supplier's invoice to be paid: checked three ways, then to finance's approval
/// (a match) or to finance as an exception (a mismatch).
pub async fn request(desk: &Desk, actor: &Employee, input: RequestInput<'_>) -> DeskResult<Story> {
    crate::access::require(actor, "payment.request")?;
    let mut problems = Vec::new();
    let invoice = domain::invoice_number(input.invoice)
        .map_err(|m| problems.push(m))
        .ok();
    if input.amount.minor <= 0 {
        problems.push(Msg::new("payment.amount_positive"));
    }
    let today = desk.today();
    if let Some(due) = input.due {
        if !crate::domain::horizon::date_within(due, today) {
            problems.push(Msg::new("payment.due_far"));
        }
    }
    let url = match input
        .attachment
        .map(crate::procurement::receipts::service::check_url)
    {
        Some(Err(m)) => {
            problems.push(m);
            None
        }
        Some(Ok(u)) => Some(u),
        None => None,
    };
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let invoice = invoice.unwrap_or_default();
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    // Two requests for one PO at once: the second waits here, then sees what the first claims.
    orders::lock(&mut tx, input.po.number, now_ms).await?;
    let po = po_of(&mut tx, input.po).await?;
    if !po.status.live() {
        return Err(Msg::new("payment.po_not_live")
            .arg("ref", input.po.to_string())
            .arg("status", po.status.as_str())
            .into());
    }
    if input.amount.currency != po.unit_price.currency {
        return Err(Msg::new("payment.wrong_currency")
            .arg("currency", po.unit_price.currency)
            .into());
    }
    if let Some(earlier) = rows::by_invoice(&mut tx, po.supplier_id, &invoice).await? {
        return Err(invoice_used(&invoice, earlier).into());
    }
    let accepted_qty = receipts::accepted_total(&mut tx, po.id).await?;
    let claimed = rows::claimed(&mut tx, po.id).await?;
    let expected = domain::expected(po.unit_price.minor, accepted_qty, claimed);
    if expected <= 0 {
        return Err(Msg::new("payment.nothing_due")
            .arg("ref", input.po.to_string())
            .arg("accepted", accepted_qty)
            .into());
    }
    let checked = if input.amount.currency == desk.company.currency {
        // Only what it adds over what its PO still commits.
        let charge = Charge {
            stage: Stage::Payment,
            department: &po.department,
            category: po.category.as_deref(),
            on: ledger::requisition_date(&mut tx, desk, po.requisition_id).await?,
            adds: input.amount.minor - (po.total.minor - claimed).max(0),
            ack: input.ack,
        };
        ledger::check(&mut tx, desk, &charge).await?
    } else {
        Checked::default()
    };
    let figures = Figures {
        ordered: po.total.minor,
        expected,
        invoiced: input.amount.minor,
    };
    let tol = &desk.company.procurement;
    let verdict = domain::verdict(figures, tol.match_tolerance.percent, tol.tolerance_minor());
    let status = match verdict {
        MatchResult::Matched => PaymentStatus::Pending,
        MatchResult::Mismatch => PaymentStatus::Exception,
    };
    let due = input.due.map(|d| d.to_string());
    let inserted = rows::insert(
        &mut tx,
        &NewPayment {
            po_id: po.id,
            supplier_id: po.supplier_id,
            requester_id: actor.id,
            invoice: &invoice,
            amount_minor: input.amount.minor,
            currency: po.unit_price.currency.as_str(),
            ordered_minor: figures.ordered,
            expected_minor: expected,
            accepted_qty,
            match_result: verdict,
            status,
            due_on: due.as_deref(),
            document_url: url.as_deref(),
        },
        now_ms,
    )
    .await;
    let payment = match inserted {
        Ok(p) => p,
        Err(e) if is_unique(&e) => {
            // Another request took this invoice number between our check and the insert.
            drop(tx);
            let mut conn = desk.store.pool().acquire().await?;
            let earlier = rows::by_invoice(&mut conn, po.supplier_id, &invoice)
                .await?
                .unwrap_or_default();
            return Err(invoice_used(&invoice, earlier).into());
        }
        Err(e) => return Err(e.into()),
    };
    let supplier = supplier_of(&mut tx, &po).await?;
    let r = reference(payment.id);
    let dir = store::directory::load(&mut tx).await?;
    let mut out = Story {
        payment,
        po,
        supplier,
        progress: None,
    };
    match verdict {
        MatchResult::Matched => {
            let amount = out.payment.amount_minor;
            let facts = ledger::position_facts(desk, &checked);
            out.progress =
                Some(open_approval(&mut tx, desk, &out, amount, actor, &dir, facts).await?);
            progress::moved(&mut tx, out.po.id, Step::Matched, now_ms).await?;
        }
        MatchResult::Mismatch => {
            let facts = facts(&out);
            for e in dir.with_role(Role::Finance) {
                if e.active {
                    let m =
                        notify::message(e.id, EXCEPTION_NOTE, Some(&r.to_string()), facts.clone());
                    notify::send(&mut tx, &m, now_ms).await?;
                }
            }
        }
    }
    let p = &out.payment;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "payment.request",
        &r.to_string(),
        format!(
            "{} (supplier SUP-{:06}) invoice {}: {} invoiced, {} expected, {} ordered → {}",
            po_reference(out.po.id),
            out.supplier.id,
            p.invoice,
            money(p, p.amount_minor),
            money(p, p.expected_minor),
            money(p, p.ordered_minor),
            verdict
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    ledger::acknowledge(&mut tx, desk, actor, &r.to_string(), &checked).await?;
    out.payment = rows::get(&mut tx, out.payment.id)
        .await?
        .unwrap_or(out.payment);
    tx.commit().await?;
    Ok(out)
}

/// Opens request `s`'s `[payment]` approval at `amount_minor` (finance, then management
/// above the policy's amount), asked for by `requester`; in the caller's transaction.
pub(crate) async fn open_approval(
    conn: &mut Conn,
    desk: &Desk,
    s: &Story,
    amount_minor: i64,
    requester: &Employee,
    dir: &Directory,
    budget: Vec<crate::approval::subject::Fact>,
) -> DeskResult<Progress> {
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: s.payment.id,
        reference: reference(s.payment.id),
        round: 1,
        facts: SubjectFacts {
            requester: requester.id,
            department: s.po.department.clone(),
            amount_minor,
            category: s.po.category.clone(),
        },
        summary: {
            let mut summary = super::subject::summary(s);
            summary.facts.extend(budget);
            summary
        },
    };
    approvals::open_round(conn, desk, &spec, requester, dir).await
}

fn invoice_used(invoice: &str, earlier: i64) -> Msg {
    Msg::new("payment.invoice_used")
        .arg("invoice", invoice)
        .arg("earlier", reference(earlier).to_string())
}

fn is_unique(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// What a notification about a request shows: the PO, supplier, invoice and three figures.
pub fn facts(s: &Story) -> Value {
    let p = &s.payment;
    json!({
        "id": p.id, "ref": reference(p.id).to_string(), "po": po_reference(s.po.id).to_string(),
        "item": s.po.item, "supplier": s.supplier.name, "invoice": p.invoice,
        "ordered": money(p, p.ordered_minor), "expected": money(p, p.expected_minor),
        "invoiced": money(p, p.amount_minor), "accepted_qty": p.accepted_qty,
        "quantity": s.po.quantity, "status": p.status, "match": p.match_result,
        "approved": p.approved_minor.map(|m| money(p, m)),
        "paid": p.paid_minor.map(|m| money(p, m)), "paid_on": p.paid_on, "due": p.due_on,
        "remaining": (p.status == PaymentStatus::Approved && p.paid_minor.unwrap_or(0) > 0)
            .then(|| money(p, outstanding(p))),
    })
}

/// What is still to pay of an approved request: its approved amount less what was paid.
pub fn outstanding(p: &Payment) -> i64 {
    p.approved_minor
        .unwrap_or(p.amount_minor)
        .saturating_sub(p.paid_minor.unwrap_or(0))
        .max(0)
}

/// Loads request `r` with its PO and supplier, or says it does not exist.
pub async fn load(conn: &mut Conn, r: Reference) -> DeskResult<Story> {
    let not_found = || Msg::new("payment.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::Payment {
        return Err(not_found().into());
    }
    let payment = rows::get(&mut *conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let po = orders::get(&mut *conn, payment.po_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("payment {} has no PO", payment.id))?;
    let supplier = supplier_of(conn, &po).await?;
    Ok(Story {
        payment,
        po,
        supplier,
        progress: None,
    })
}

/// A payment request with its match and where its approval stands.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    crate::access::require(actor, "payment.show")?;
    let mut conn = desk.store.pool().acquire().await?;
    let mut s = load(&mut conn, r).await?;
    let dir = store::directory::load(&mut conn).await?;
    s.progress =
        approvals::standing(&mut conn, &super::subject::SUBJECT, s.payment.id, &dir).await?;
    Ok(s)
}

/// Payment requests, newest first, optionally of one status.
pub async fn list(desk: &Desk, actor: &Employee, status: Option<&str>) -> DeskResult<Vec<Story>> {
    crate::access::require(actor, "payment.list")?;
    let status = status
        .map(|s| {
            PaymentStatus::parse(s).ok_or_else(|| {
                let all: Vec<&str> = PaymentStatus::ALL.iter().map(|s| s.as_str()).collect();
                Msg::new("payment.bad_status")
                    .arg("value", s)
                    .arg("statuses", all.join(", "))
            })
        })
        .transpose()?;
    let mut conn = desk.store.pool().acquire().await?;
    let mut out = Vec::new();
    for p in rows::list(&mut conn, status, 50).await? {
        out.push(load(&mut conn, reference(p.id)).await?);
    }
    Ok(out)
}

/// Mirrors a finished approval onto the request (in the decision's transaction).
pub(crate) async fn decided(
    conn: &mut Conn,
    approval: &Approval,
    status: ApprovalStatus,
    now: i64,
) -> DeskResult<()> {
    let Some(p) = rows::get(&mut *conn, approval.subject_id).await? else {
        return Ok(());
    };
    let to = match status {
        ApprovalStatus::Approved => PaymentStatus::Approved,
        ApprovalStatus::Rejected => PaymentStatus::Rejected,
        _ => return Ok(()),
    };
    // A settled exception keeps the amount and decision finance settled it with.
    let approved =
        (to == PaymentStatus::Approved).then_some(p.approved_minor.unwrap_or(p.amount_minor));
    let decision = (to == PaymentStatus::Approved && p.decision.is_none()).then_some("approved");
    rows::set_status(
        conn,
        p.id,
        PaymentStatus::Pending,
        to,
        decision,
        approved,
        None,
        None,
        now,
    )
    .await?;
    Ok(())
}

/// Tells the requester and the PO's buyer (not `actor`) how a request moved.
pub async fn tell(
    conn: &mut Conn,
    s: &Story,
    event: &str,
    actor: Option<&Employee>,
    now_ms: i64,
) -> DeskResult<()> {
    let mut to = vec![s.payment.requester_id, s.po.buyer_id];
    to.sort_unstable();
    to.dedup();
    let mut f = facts(s);
    f["event"] = json!(event);
    f["by"] = json!(actor.map(|a| a.name.clone()));
    f["decision"] = json!(s.payment.decision);
    f["reason"] = json!(s.payment.reason);
    let r = reference(s.payment.id).to_string();
    for id in to {
        if actor.is_some_and(|a| a.id == id) {
            continue;
        }
        let m = notify::message(id, UPDATE_NOTE, Some(&r), f.clone());
        notify::send(&mut *conn, &m, now_ms).await?;
    }
    Ok(())
}

pub use super::pay::paid;

/// The view of a request for replies.
pub fn view(s: &Story, dir: &Directory) -> Value {
    let p = &s.payment;
    let mut v = facts(s);
    v["requester"] = json!(dir.by_id(p.requester_id).map(|e| e.name.clone()));
    v["decided_by"] = json!(p
        .decided_by
        .and_then(|id| dir.by_id(id))
        .map(|e| e.name.clone()));
    v["decision"] = json!(p.decision);
    v["reason"] = json!(p.reason);
    v["document"] = json!(p.document_url);
    v["created_ms"] = json!(p.created_at);
    v
}

/// Approved payments due within [`REMIND_DAYS`] or overdue on `day`, as digest rows.
pub async fn payables(
    conn: &mut Conn,
    day: NaiveDate,
    overdue_only: bool,
) -> DeskResult<Vec<Value>> {
    let until = if overdue_only {
        day - Duration::days(1)
    } else {
        day + Duration::days(REMIND_DAYS)
    };
    let mut out = Vec::new();
    for p in rows::approved_due_by(&mut *conn, &until.to_string()).await? {
        let s = load(&mut *conn, reference(p.id)).await?;
        let mut f = facts(&s);
        let due = p.due_on.clone().unwrap_or_default();
        f["overdue"] = json!(due < day.to_string());
        f["outstanding"] = json!(money(&p, outstanding(&p)));
        out.push(f);
    }
    Ok(out)
}

/// Requests that failed the three-way match and wait for finance to settle them (an
/// exception, held, or queried with the supplier), oldest first, for finance's digest.
pub async fn unsettled(conn: &mut Conn) -> DeskResult<Vec<Value>> {
    let mut out = Vec::new();
    for status in [
        PaymentStatus::Exception,
        PaymentStatus::Held,
        PaymentStatus::Queried,
    ] {
        for p in rows::list(&mut *conn, Some(status), 50).await? {
            out.push(facts(&load(&mut *conn, reference(p.id)).await?));
        }
    }
    out.sort_by_key(|f| f["id"].as_i64());
    Ok(out)
}

/// The scheduler's handler: reminds finance of each approved payment once when it is due
/// within [`REMIND_DAYS`] and once when it is overdue, one message to each finance member.
pub async fn remind(desk: &Desk, conn: &mut Conn, fire_at: i64) -> DeskResult<Vec<AuditEvent>> {
    let day = store::from_ms(fire_at)
        .with_timezone(&desk.company.time_zone)
        .date_naive();
    let until = (day + Duration::days(REMIND_DAYS)).to_string();
    let today = day.to_string();
    let mut todo: Vec<(Payment, bool)> = Vec::new();
    for p in rows::overdue_unreminded(&mut *conn, &today).await? {
        todo.push((p, true));
    }
    for p in rows::due_unreminded(&mut *conn, &today, &until).await? {
        todo.push((p, false));
    }
    if todo.is_empty() {
        return Ok(vec![]);
    }
    let dir = store::directory::load(&mut *conn).await?;
    let now = store::to_ms(desk.now());
    for (p, overdue) in todo {
        if !rows::reminded(&mut *conn, p.id, overdue, now).await? {
            continue;
        }
        let s = load(&mut *conn, reference(p.id)).await?;
        let mut f = facts(&s);
        f["overdue"] = json!(overdue);
        f["outstanding"] = json!(money(&p, outstanding(&p)));
        let r = reference(p.id).to_string();
        for e in dir.with_role(Role::Finance) {
            if e.active {
                let m = notify::message(e.id, DUE_NOTE, Some(&r), f.clone());
                notify::send(&mut *conn, &m, now).await?;
            }
        }
    }
    Ok(vec![])
}

/// The PO a request is for, locked (settlements run one after another per PO).
pub async fn lock_po(conn: &mut Conn, po_id: i64, now_ms: i64) -> DeskResult<()> {
    orders::lock(conn, po_id, now_ms).await?;
    Ok(())
}

/// Finance members, for tests and the digest.
pub fn finance(dir: &Directory) -> Vec<&Employee> {
    dir.with_role(Role::Finance)
}
