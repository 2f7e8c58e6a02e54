//! Revisions of a line in force through management's approval, and what a finished `BUD-`
//! approval does: a round comes into force (or goes back to finance), a revision changes its
//! line with the change kept in the line's history.

use super::domain::{self, BudgetKind, BudgetStatus, DraftStatus, RoundStatus};
use super::service::{
    check_line, department, department_facts, heads, money, open_approval, reference, tell,
    UPDATE_NOTE,
};
use super::store::{self as rows, Budget, Change, NewBudget, NewLine};
use crate::approval::domain::ApprovalStatus;
use crate::approval::service::Progress;
use crate::approval::store::Approval;
use crate::approval::subject::{Fact, Summary};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Employee;
use crate::domain::money::Money;
use crate::domain::Msg;
use crate::finance::ledger;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::Datelike;
use serde_json::json;

/// What `/budget revise` was given.
#[derive(Debug, Clone)]
pub struct RevisionInput<'a> {
    pub department: &'a str,
    pub category: &'a str,
    pub amount: Money,
    pub reason: &'a str,
    pub period: Option<&'a str>,
    pub year: Option<i64>,
}

/// Asks management to change a line of a budget in force (finance, or the department's
/// head): a `BUD-` revision; nothing changes until it is approved.
pub async fn revise(
    desk: &Desk,
    actor: &Employee,
    input: RevisionInput<'_>,
) -> DeskResult<(Budget, Progress)> {
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let code = department(&dir, input.department)?.code.clone();
    let own = heads(&mut tx, desk, &dir, actor, &code).await?;
    if !crate::access::budgets::may_revise(actor, own) {
        return Err(Msg::new("budget.not_reviser")
            .arg("department", &code)
            .into());
    }
    let year = input.year.unwrap_or(i64::from(desk.today().year()));
    let year = i32::try_from(year).unwrap_or(i32::MAX);
    let mut problems = Vec::new();
    let cat = check_line(desk, input.category, input.amount, &mut problems);
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(Msg::new("budget.reason_needed"));
    }
    let round = rows::round_of_year(&mut tx, year)
        .await?
        .filter(|r| r.status == RoundStatus::InForce);
    let period = match &round {
        Some(r) => domain::line_period(year, r.period, input.period)
            .map_err(|m| problems.push(m))
            .ok(),
        None => {
            problems.push(Msg::new("budget.not_in_force").arg("year", year));
            None
        }
    };
    let (round, cat, period) = match (round, cat, period) {
        (Some(r), Some(c), Some(p)) if problems.is_empty() => (r, c, p),
        _ => return Err(problems.into()),
    };
    // Two revisions of one line at once: the second waits here, then sees the first pending.
    rows::lock_round(&mut tx, round.id, now_ms).await?;
    let old = rows::line(&mut tx, round.id, &code, &cat, &period)
        .await?
        .map_or(0, |l| l.amount_minor);
    if old == input.amount.minor {
        return Err(Msg::new("budget.revise_same")
            .arg("amount", money(old, &input.amount.currency.to_string()))
            .into());
    }
    if let Some(id) = rows::pending_revision(&mut tx, round.id, &code, &cat, &period).await? {
        return Err(Msg::new("budget.revision_pending")
            .arg("ref", reference(id).to_string())
            .into());
    }
    let currency = desk.company.currency.to_string();
    let budget = rows::insert_budget(
        &mut tx,
        &NewBudget {
            kind: BudgetKind::Revision,
            round_id: round.id,
            requested_by: actor.id,
            amount_minor: input.amount.minor,
            currency: &currency,
            line: Some((&code, &cat, &period)),
            old_minor: Some(old),
            reason,
        },
        now_ms,
    )
    .await?;
    let facts = (code.as_str(), Some(cat.as_str()));
    // Management sees what the line's documents hold, so a cut below it is a known choice.
    let mut shown = summary(&budget);
    let year: i32 = period
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or_default();
    if let Some((_, _, f)) = ledger::figures(&mut tx, year, Some(&code), Some(&cat))
        .await?
        .into_iter()
        .next()
    {
        let after = f.allocated - old + input.amount.minor - f.used();
        shown.facts.extend(Fact::of(
            "fact.budget_used",
            format!(
                "{} · {} → {}",
                money(f.used(), &currency),
                money(f.available(), &currency),
                money(after, &currency)
            ),
        ));
    }
    let progress = open_approval(&mut tx, desk, actor, &budget, facts, shown).await?;
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "budget.revise",
        &reference(budget.id).to_string(),
        format!(
            "{code} {cat} {period}: {} → {} asked",
            money(old, &currency),
            money(input.amount.minor, &currency)
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let budget = rows::budget(&mut tx, budget.id).await?.unwrap_or(budget);
    tx.commit().await?;
    Ok((budget, progress))
}

/// What management's prompt shows of a revision: the line, its amount before and after, and
/// why.
pub fn summary(b: &Budget) -> Summary {
    let code = b.department_code.clone().unwrap_or_default();
    let cat = b.category.clone().unwrap_or_default();
    let period = b.period.clone().unwrap_or_default();
    Summary {
        headline: format!("{code} · {cat} · {period}"),
        total: money(b.amount_minor, &b.currency),
        facts: [
            Fact::of(
                "fact.budget_change",
                format!(
                    "{} → {}",
                    money(b.old_minor.unwrap_or(0), &b.currency),
                    money(b.amount_minor, &b.currency)
                ),
            ),
            Fact::of("fact.reason", b.reason.clone()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

/// Mirrors a finished `BUD-` approval (in the decision's transaction): a round approved comes
/// into force (its drafts approved, every head told); not approved, it goes back to finance
/// (drafting, drafts still submitted, so finance may return some and submit again). A
/// revision approved sets its line (creating it if needed) and keeps the change in history.
/// Returns the audit events of what changed (`budget.in_force`, `budget.revised`), for a
/// caller holding the audit key to append.
pub async fn decided(
    conn: &mut Conn,
    approval: &Approval,
    status: ApprovalStatus,
    now: i64,
) -> DeskResult<Vec<AuditEvent>> {
    let Some(b) = rows::budget(&mut *conn, approval.subject_id).await? else {
        return Ok(vec![]);
    };
    let to = match status {
        ApprovalStatus::Approved => BudgetStatus::Approved,
        ApprovalStatus::Rejected => BudgetStatus::Rejected,
        ApprovalStatus::ChangesRequested => BudgetStatus::ChangesRequested,
        ApprovalStatus::Withdrawn => BudgetStatus::Withdrawn,
        _ => return Ok(vec![]),
    };
    if !rows::set_budget_status(&mut *conn, b.id, BudgetStatus::Pending, to, now).await? {
        return Ok(vec![]);
    }
    let approved = to == BudgetStatus::Approved;
    match (b.kind, approved) {
        (BudgetKind::Round, true) => in_force(conn, &b, now).await,
        (BudgetKind::Round, false) => {
            rows::set_round_status(
                &mut *conn,
                b.round_id,
                RoundStatus::InReview,
                RoundStatus::Drafting,
                now,
            )
            .await?;
            Ok(vec![])
        }
        (BudgetKind::Revision, true) => revised(conn, &b, now).await,
        (BudgetKind::Revision, false) => Ok(vec![]),
    }
}

/// An event of the engine's decision, recorded by the system on the `BUD-` reference.
fn event(b: &Budget, action: &str, now: i64, summary: String) -> AuditEvent {
    audit_event(
        store::from_ms(now),
        "bizdesk",
        None,
        action,
        &reference(b.id).to_string(),
        summary,
    )
}

async fn in_force(conn: &mut Conn, b: &Budget, now: i64) -> DeskResult<Vec<AuditEvent>> {
    let id = b.round_id;
    rows::set_round_status(
        &mut *conn,
        id,
        RoundStatus::InReview,
        RoundStatus::InForce,
        now,
    )
    .await?;
    rows::set_drafts(
        &mut *conn,
        id,
        DraftStatus::Submitted,
        DraftStatus::Approved,
        now,
    )
    .await?;
    let Some(round) = rows::round(&mut *conn, id).await? else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let r = reference(b.id).to_string();
    for d in rows::drafts(&mut *conn, id).await? {
        let Some(head) = dir.head_of(&d.department_code) else {
            continue;
        };
        let lines = rows::lines(&mut *conn, id, Some(&d.department_code)).await?;
        let mut f = department_facts(&dir, &d.department_code);
        f["event"] = json!("in_force");
        f["ref"] = json!(r);
        f["year"] = json!(round.year);
        f["total"] = json!(money(
            lines.iter().map(|l| l.amount_minor).sum(),
            &b.currency
        ));
        f["lines"] = json!(lines.len());
        f["by"] = json!("");
        f["comment"] = json!("");
        tell(&mut *conn, head.id, UPDATE_NOTE, Some(&r), f, false, now).await?;
    }
    let summary = format!(
        "{} budget in force: {}",
        round.year,
        money(b.amount_minor, &b.currency)
    );
    Ok(vec![event(b, "budget.in_force", now, summary)])
}

async fn revised(conn: &mut Conn, b: &Budget, now: i64) -> DeskResult<Vec<AuditEvent>> {
    let (Some(code), Some(cat), Some(period)) = (&b.department_code, &b.category, &b.period) else {
        return Err(anyhow::anyhow!("budgets row {} is a revision without its line", b.id).into());
    };
    // The ledger checks documents against this line under the same lock: none is checked
    // against the old amount while the new one commits.
    let year = period
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or_default();
    crate::finance::ledger::lock_line(&mut *conn, year, code, cat).await?;
    let old = rows::line(&mut *conn, b.round_id, code, cat, period)
        .await?
        .map_or(0, |l| l.amount_minor);
    let line = rows::upsert_line(
        &mut *conn,
        &NewLine {
            round_id: b.round_id,
            department_code: code,
            category: cat,
            period,
            amount_minor: b.amount_minor,
            currency: &b.currency,
            note: None,
            updated_by: b.requested_by,
        },
        now,
    )
    .await?;
    rows::insert_change(
        &mut *conn,
        &Change {
            line_id: line.id,
            budget_id: b.id,
            old_minor: old,
            new_minor: b.amount_minor,
            reason: b.reason.clone(),
            changed_at: now,
        },
    )
    .await?;
    let dir = store::directory::load(&mut *conn).await?;
    if let Some(head) = dir.head_of(code).filter(|h| h.id != b.requested_by) {
        let mut f = department_facts(&dir, code);
        f["event"] = json!("revised");
        f["ref"] = json!(reference(b.id).to_string());
        f["year"] = json!(period.get(..4).unwrap_or_default());
        f["category"] = json!(cat);
        f["period"] = json!(period);
        f["total"] = json!(money(b.amount_minor, &b.currency));
        f["old"] = json!(money(old, &b.currency));
        f["lines"] = json!(1);
        f["by"] = json!("");
        f["comment"] = json!(b.reason);
        let r = reference(b.id).to_string();
        tell(&mut *conn, head.id, UPDATE_NOTE, Some(&r), f, false, now).await?;
    }
    let summary = format!(
        "{code} {cat} {period}: {} → {}",
        money(old, &b.currency),
        money(b.amount_minor, &b.currency)
    );
    Ok(vec![event(b, "budget.revised", now, summary)])
}
