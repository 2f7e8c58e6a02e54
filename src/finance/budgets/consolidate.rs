//! Finance's consolidation: every department's draft side by side with last year's actuals,
//! and, once all are submitted, the consolidated budget sent to management's approval.

use super::domain::{sum_by, BudgetKind, DraftStatus, RoundStatus};
use super::service::{audit_subject, company_money, open_approval, reference};
use super::store::{self as rows, Budget, Draft, NewBudget, Round};
use crate::approval::service::Progress;
use crate::approval::subject::{Fact, Summary};
use crate::domain::directory::Employee;
use crate::domain::Msg;
use crate::finance::ledger;
use crate::finance::settings::Level;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit};

/// One department's row of the consolidation.
#[derive(Debug, Clone)]
pub struct DepartmentRow {
    pub department: String,
    pub status: DraftStatus,
    pub comment: String,
    pub lines: usize,
    pub total: i64,
    /// What the department spent last year.
    pub last_year: i64,
}

/// One category's row: what all departments ask for and what was spent on it last year.
#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub category: String,
    pub total: i64,
    pub last_year: i64,
}

/// The consolidation of a round.
#[derive(Debug, Clone)]
pub struct Consolidation {
    pub round: Round,
    pub departments: Vec<DepartmentRow>,
    pub categories: Vec<CategoryRow>,
    pub total: i64,
    pub last_year: i64,
    /// With `submit:yes`: the approval opened and where it stands.
    pub submitted: Option<(Budget, Progress)>,
}

/// Shows `year`'s drafts side by side with last year's actuals (finance); with `submit`,
/// sends the consolidated budget to management once every department has submitted.
pub async fn consolidate(
    desk: &Desk,
    actor: &Employee,
    year: i64,
    submit: bool,
) -> DeskResult<Consolidation> {
    crate::access::require(actor, "budget.consolidate")?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let year = i32::try_from(year).unwrap_or(i32::MAX);
    let mut tx = desk.begin().await?;
    let round = rows::round_of_year(&mut tx, year)
        .await?
        .ok_or_else(|| Msg::new("budget.no_round").arg("year", year))?;
    let round = if submit {
        rows::lock_round(&mut tx, round.id, now_ms)
            .await?
            .unwrap_or(round)
    } else {
        round
    };
    let drafts = rows::drafts(&mut tx, round.id).await?;
    let lines = rows::lines(&mut tx, round.id, None).await?;
    let actuals = ledger::figures(&mut tx, year - 1, None, None).await?;
    let spent_by_dept = sum_by(actuals.iter().map(|(d, _, f)| (d.clone(), f.spent)));
    let spent_by_cat = sum_by(actuals.iter().map(|(_, c, f)| (c.clone(), f.spent)));
    let spent_of = |rows: &[(String, i64)], key: &str| {
        rows.iter().find(|(k, _)| k == key).map_or(0, |(_, v)| *v)
    };
    let departments: Vec<DepartmentRow> = drafts
        .iter()
        .map(|d: &Draft| {
            let own = lines
                .iter()
                .filter(|l| l.department_code == d.department_code);
            DepartmentRow {
                department: d.department_code.clone(),
                status: d.status,
                comment: d.comment.clone(),
                lines: own.clone().count(),
                total: own.map(|l| l.amount_minor).sum(),
                last_year: spent_of(&spent_by_dept, &d.department_code),
            }
        })
        .collect();
    let asked = sum_by(lines.iter().map(|l| (l.category.clone(), l.amount_minor)));
    let mut cats: Vec<String> = asked.iter().map(|(c, _)| c.clone()).collect();
    cats.extend(spent_by_cat.iter().map(|(c, _)| c.clone()));
    cats.sort();
    cats.dedup();
    let categories = cats
        .into_iter()
        .map(|c| CategoryRow {
            total: spent_of(&asked, &c),
            last_year: spent_of(&spent_by_cat, &c),
            category: c,
        })
        .collect();
    let total = lines.iter().map(|l| l.amount_minor).sum();
    let mut out = Consolidation {
        round,
        departments,
        categories,
        total,
        last_year: actuals.iter().map(|(_, _, f)| f.spent).sum(),
        submitted: None,
    };
    if submit {
        out.submitted = Some(send(&mut tx, desk, actor, &out).await?);
        // With management now.
        out.round = rows::round(&mut tx, out.round.id)
            .await?
            .unwrap_or(out.round);
        let e = audit_event(
            now,
            &actor.handle,
            None,
            "budget.consolidate_submit",
            &audit_subject(year, None),
            format!(
                "{} departments, {} to management as {}",
                out.departments.len(),
                company_money(desk, out.total),
                out.submitted
                    .as_ref()
                    .map(|(b, _)| reference(b.id).to_string())
                    .unwrap_or_default()
            ),
        );
        audit::append(&mut tx, &desk.keys.audit, e).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// Opens the consolidated budget's `[budget]` approval, in the caller's transaction.
async fn send(
    conn: &mut crate::store::Conn,
    desk: &Desk,
    actor: &Employee,
    c: &Consolidation,
) -> DeskResult<(Budget, Progress)> {
    let round = &c.round;
    if round.status != RoundStatus::Drafting {
        return Err(Msg::new("budget.round_not_drafting")
            .arg("year", round.year)
            .arg("status", round.status.as_str())
            .into());
    }
    if c.departments.is_empty() {
        return Err(Msg::new("budget.nothing_to_consolidate")
            .arg("year", round.year)
            .into());
    }
    let dir = store::directory::load(&mut *conn).await?;
    // Every department with a head, including one that gained its head after the round opened.
    let submitted = |code: &str| {
        c.departments
            .iter()
            .any(|d| d.department == code && d.status == DraftStatus::Submitted)
    };
    let mut missing: Vec<&str> = c
        .departments
        .iter()
        .filter(|d| d.status != DraftStatus::Submitted)
        .map(|d| d.department.as_str())
        .collect();
    for d in &dir.departments {
        if dir.head_of(&d.code).is_some()
            && !submitted(&d.code)
            && !missing.contains(&d.code.as_str())
        {
            missing.push(&d.code);
        }
    }
    if !missing.is_empty() {
        return Err(Msg::new("budget.not_all_submitted")
            .arg("departments", missing.join(", "))
            .into());
    }
    let now_ms = store::to_ms(desk.now());
    let currency = desk.company.currency.to_string();
    let budget = rows::insert_budget(
        &mut *conn,
        &NewBudget {
            kind: BudgetKind::Round,
            round_id: round.id,
            requested_by: actor.id,
            amount_minor: c.total,
            currency: &currency,
            line: None,
            old_minor: None,
            reason: "",
        },
        now_ms,
    )
    .await?;
    rows::set_round_status(
        &mut *conn,
        round.id,
        RoundStatus::Drafting,
        RoundStatus::InReview,
        now_ms,
    )
    .await?;
    let facts = (actor.department.as_str(), None);
    let progress = open_approval(&mut *conn, desk, actor, &budget, facts, summary(desk, c)).await?;
    let budget = rows::budget(&mut *conn, budget.id).await?.unwrap_or(budget);
    Ok((budget, progress))
}

/// What management's prompt shows: the year, the total against last year's actuals, and
/// each department's total.
fn summary(desk: &Desk, c: &Consolidation) -> Summary {
    let year = c.round.year;
    let mut facts: Vec<Fact> = [
        // Frozen with the round and read in either language.
        Fact::of(
            "fact.budget_period",
            match c.round.period {
                Level::Year => "year · 年",
                Level::Quarter => "quarter · 季度",
                Level::Month => "month · 月",
            },
        ),
        Fact::of("fact.budget_last_year", company_money(desk, c.last_year)),
    ]
    .into_iter()
    .flatten()
    .collect();
    facts.extend(c.departments.iter().filter_map(|d| {
        Fact::of(
            "fact.budget_department",
            format!("{} · {}", d.department, company_money(desk, d.total)),
        )
    }));
    Summary {
        headline: format!("Budget {year} · {year}年度预算"),
        total: company_money(desk, c.total),
        facts,
    }
}
