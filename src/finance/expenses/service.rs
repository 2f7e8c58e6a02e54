//! Expense claims: claimed (checked against the budget, into approval), withdrawn, mirrored
//! from their approval, and paid by finance. Reading them is in [`super::read`].

use super::domain::{self, ClaimDraft, ClaimInput, ClaimRules, ExpenseStatus};
use super::store::{self as rows, Claim};
use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store::Approval;
use crate::approval::story;
use crate::domain::directory::Employee;
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::finance::ledger::{self, Charge, Checked, Doc};
use crate::finance::settings::Stage;
use crate::procurement::receipts::service::check_url;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::NaiveDate;
use serde_json::json;

/// Chat notification to the claimant: finance paid (part of) their claim.
pub const PAID_NOTE: &str = "expense_paid";

fn rules(desk: &Desk) -> ClaimRules {
    ClaimRules {
        categories: desk.company.categories.clone(),
        currency: desk.company.currency,
        today: desk.today(),
    }
}

/// The reply to a claim: the claim as stored, where its approval stands and what the
/// budget check found.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub claim: Claim,
    pub progress: Progress,
    pub checked: Checked,
}

/// Claims an expense: validated, checked against the department's budget (a `stop`
/// refuses, a `warn` needs `ack`), stored, and sent into the `[expense]` approval.
pub async fn claim(
    desk: &Desk,
    actor: &Employee,
    input: ClaimInput,
    ack: bool,
) -> DeskResult<Claimed> {
    crate::access::require(actor, "expense.claim")?;
    let draft = ClaimDraft::build(input, &rules(desk), check_url)?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let department = actor.department.clone();
    let mut tx = desk.begin().await?;
    let charge = Charge {
        stage: Stage::Expense,
        department: &department,
        category: Some(&draft.category),
        on: draft.spent_on,
        adds: draft.amount.minor,
        ack,
    };
    let checked = ledger::check(&mut tx, desk, &charge).await?;
    let id = rows::insert(&mut tx, actor.id, &department, &draft, now_ms).await?;
    let reference = rows::reference(id);
    let dir = store::directory::load(&mut tx).await?;
    let mut summary = super::subject::summary(desk, &draft);
    summary.facts.extend(ledger::position_facts(desk, &checked));
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: id,
        reference,
        round: 1,
        facts: SubjectFacts {
            requester: actor.id,
            department: department.clone(),
            amount_minor: draft.amount.minor,
            category: Some(draft.category.clone()),
        },
        summary,
    };
    // The receipt comes first, so every later email about it threads under it.
    let receipt = notify::received(
        actor.id,
        &reference.to_string(),
        1,
        &approvals::shown(spec.subject, &spec.summary),
    );
    notify::email_copy(&mut tx, &receipt, now_ms).await?;
    let progress = approvals::open_round(&mut tx, desk, &spec, actor, &dir).await?;
    ledger::sync(&mut tx, desk, Doc::Expense(id), now_ms).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "expense.claim",
        &reference.to_string(),
        format!(
            "{} {} spent on {}, charged to {}",
            draft.category, draft.amount, draft.spent_on, department
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    ledger::acknowledge(&mut tx, desk, actor, &reference.to_string(), &checked).await?;
    let claim = rows::get(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("expense claim {id} vanished"))?;
    tx.commit().await?;
    Ok(Claimed {
        claim,
        progress,
        checked,
    })
}

/// Loads a claim or says it does not exist.
pub async fn load(conn: &mut Conn, reference: Reference) -> DeskResult<Claim> {
    if reference.kind != RefKind::Expense {
        return Err(Msg::new("reference.wrong_kind")
            .arg("input", reference)
            .arg("expected", RefKind::Expense.example())
            .into());
    }
    rows::get(conn, reference.number)
        .await?
        .ok_or_else(|| not_found(reference).into())
}

/// "There is no expense claim …" (also what those who may not read one hear).
pub fn not_found(reference: Reference) -> Msg {
    Msg::new("expense.not_found").arg("ref", reference)
}

/// Withdraws a claim in approval or sent back for changes; only its claimant may. Its open
/// prompts are closed, and the budget it held is released.
pub async fn withdraw(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
) -> DeskResult<Reference> {
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let c = load(&mut tx, reference).await?;
    if c.claimant_id != actor.id {
        let key = if super::read::may_read(&mut tx, desk, actor, &c).await? {
            Msg::new("expense.only_claimant").arg("ref", reference)
        } else {
            not_found(reference)
        };
        return Err(key.into());
    }
    if !c.status.withdrawable() {
        return Err(not_withdrawable(reference, c.status).into());
    }
    if c.status == ExpenseStatus::Pending
        && !story::withdraw(&mut tx, super::subject::KIND, c.id, &actor.name, now_ms).await?
    {
        // A decision ended the round between our read and the lock.
        return Err(now_not_withdrawable(&mut tx, reference).await?.into());
    }
    if !rows::set_status(&mut tx, c.id, &[c.status], ExpenseStatus::Withdrawn, now_ms).await? {
        return Err(now_not_withdrawable(&mut tx, reference).await?.into());
    }
    ledger::sync(&mut tx, desk, Doc::Expense(c.id), now_ms).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "expense.withdraw",
        &reference.to_string(),
        format!("withdrawn while {}", c.status),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(reference)
}

fn not_withdrawable(reference: Reference, status: ExpenseStatus) -> Msg {
    Msg::new("expense.not_withdrawable")
        .arg("ref", reference)
        .arg("status", status.as_str())
}

/// "Cannot withdraw", with the status as it is now (not as first read).
async fn now_not_withdrawable(conn: &mut Conn, reference: Reference) -> DeskResult<Msg> {
    let status = rows::get(conn, reference.number).await?.map(|c| c.status);
    Ok(not_withdrawable(
        reference,
        status.unwrap_or(ExpenseStatus::Pending),
    ))
}

/// Mirrors how a claim's round ended onto the claim, in the ending transaction, and moves
/// its budget position (approved: requested → committed; otherwise released).
pub(crate) async fn decided(
    conn: &mut Conn,
    approval: &Approval,
    status: ApprovalStatus,
    now_ms: i64,
) -> DeskResult<()> {
    let to = match status {
        ApprovalStatus::Approved => ExpenseStatus::Approved,
        ApprovalStatus::Rejected => ExpenseStatus::Rejected,
        ApprovalStatus::ChangesRequested => ExpenseStatus::ChangesRequested,
        ApprovalStatus::Withdrawn => ExpenseStatus::Withdrawn,
        ApprovalStatus::Pending => return Ok(()),
    };
    rows::set_status(
        conn,
        approval.subject_id,
        &[ExpenseStatus::Pending],
        to,
        now_ms,
    )
    .await?;
    ledger::resync(conn, Doc::Expense(approval.subject_id), now_ms).await?;
    Ok(())
}

/// A payment recorded: the claim after it, and what was paid now.
#[derive(Debug, Clone)]
pub struct Paid {
    pub claim: Claim,
    pub now_minor: i64,
}

/// Records (part of) an approved claim as paid (finance only): the amount defaults to what
/// is unpaid, the date to today (never in the future). Fully paid, the claim is `paid`; the
/// ledger moves what was paid from committed to spent, and the claimant is told.
pub async fn paid(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
    date: Option<NaiveDate>,
    amount: Option<Money>,
) -> DeskResult<Paid> {
    crate::access::require(actor, "payment.paid")?;
    let today = desk.today();
    let on = date.unwrap_or(today);
    if on > today {
        return Err(Msg::new("expense.paid_future").arg("date", on).into());
    }
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let c = load(&mut tx, reference).await?;
    let r = reference.to_string();
    // Four eyes: a finance member does not record the payment of their own claim.
    if c.claimant_id == actor.id {
        return Err(Msg::new("expense.own_claim").arg("ref", &r).into());
    }
    let now_minor = domain::payment(
        &r,
        c.status,
        c.amount_minor,
        c.paid_minor,
        &c.currency,
        amount,
    )?;
    if !rows::paid(&mut tx, c.id, now_minor, &on.to_string(), now_ms).await? {
        let now_status = rows::get(&mut tx, c.id)
            .await?
            .map_or(c.status, |c| c.status);
        return Err(Msg::new("expense.not_payable_status")
            .arg("ref", &r)
            .arg("status", now_status.as_str())
            .into());
    }
    let claim = load(&mut tx, reference).await?;
    ledger::sync(&mut tx, desk, Doc::Expense(c.id), now_ms).await?;
    if claim.claimant_id != actor.id {
        let payload = json!({
            "ref": r, "description": claim.description, "paid_now": claim.money(now_minor),
            "paid": claim.money(claim.paid_minor), "amount": claim.money(claim.amount_minor),
            "unpaid": claim.money(claim.unpaid()), "paid_on": on.to_string(),
            "done": claim.status == ExpenseStatus::Paid,
        });
        let m = notify::message(claim.claimant_id, PAID_NOTE, Some(&r), payload);
        notify::send(&mut tx, &m, now_ms).await?;
    }
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "expense.paid",
        &r,
        format!(
            "{} paid on {on}, {} of {} paid, {}",
            claim.money(now_minor),
            claim.money(claim.paid_minor),
            claim.money(claim.amount_minor),
            claim.status
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(Paid { claim, now_minor })
}
