//! Reading budgets: a department's lines for a year with their history, one `BUD-` approval
//! with its story, and the ledger's figures per category.

use super::domain::{BudgetKind, RoundStatus};
use super::drafts::{view, DraftView};
use super::service::{category, department, heads};
use super::store::{self as rows, Budget, Change, Line, Round};
use crate::approval::story::RoundStory;
use crate::domain::directory::{Directory, Employee};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::finance::ledger::{self, Figures};
use crate::service::{Desk, DeskResult};
use crate::store;
use chrono::Datelike;

/// A department's budget for a year: its draft and lines, and every revision of them.
#[derive(Debug, Clone)]
pub struct DepartmentBudget {
    pub draft: DraftView,
    /// Changes of lines in force, oldest first, with the line each changed.
    pub changes: Vec<(Change, Option<Line>)>,
}

/// `/budget show [department:] [year:]`: one's own department by default, the latest round
/// by default.
pub async fn department_budget(
    desk: &Desk,
    actor: &Employee,
    typed: Option<&str>,
    year: Option<i64>,
) -> DeskResult<DepartmentBudget> {
    let mut conn = desk.store.pool().acquire().await?;
    let dir = store::directory::load(&mut conn).await?;
    let code = match typed {
        Some(t) => department(&dir, t)?.code.clone(),
        None => actor.department.clone(),
    };
    let own = heads(&mut conn, desk, &dir, actor, &code).await?;
    if !crate::access::budgets::may_read(actor, own) {
        return Err(Msg::new("budget.not_allowed").into());
    }
    let round = match year {
        Some(y) => rows::round_of_year(&mut conn, i32::try_from(y).unwrap_or(i32::MAX)).await?,
        None => rows::latest_round(&mut conn).await?,
    };
    let round = round.ok_or_else(|| match year {
        Some(y) => Msg::new("budget.no_round").arg("year", y),
        None => Msg::new("budget.no_rounds"),
    })?;
    let draft = view(&mut conn, &round, &code).await?;
    if draft.draft.is_none() && draft.lines.is_empty() {
        return Err(Msg::new("budget.no_draft")
            .arg("department", &code)
            .arg("year", round.year)
            .into());
    }
    let changes = rows::changes(&mut conn, round.id, &code).await?;
    let changes = changes
        .into_iter()
        .map(|c| {
            let line = draft.lines.iter().find(|l| l.id == c.line_id).cloned();
            (c, line)
        })
        .collect();
    Ok(DepartmentBudget { draft, changes })
}

/// A `BUD-` approval with its round and its approval story.
#[derive(Debug, Clone)]
pub struct BudgetStory {
    pub budget: Budget,
    pub round: Round,
    /// A round's departments and their totals (empty for a revision).
    pub departments: Vec<(String, i64)>,
    pub approvals: Vec<RoundStory>,
    pub dir: Directory,
}

/// `/budget show ref:BUD-…`: finance, management, the central office and auditors; the
/// department's head for a revision of its line; and whoever has (or stands in for) a task
/// on it. Everyone else reads "not found".
pub async fn story(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<BudgetStory> {
    let not_found = || Msg::new("budget.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::Budget {
        return Err(not_found().into());
    }
    let mut conn = desk.store.pool().acquire().await?;
    let budget = rows::budget(&mut conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let dir = store::directory::load(&mut conn).await?;
    let approvals =
        crate::approval::story::rounds(&mut conn, &super::subject::SUBJECT, budget.id).await?;
    let from =
        crate::approval::delegations::store::delegators_of(&mut conn, actor.id, desk.today())
            .await?;
    let involved = approvals.iter().any(|a| a.involves(actor.id, &from));
    let own = match &budget.department_code {
        Some(code) => heads(&mut conn, desk, &dir, actor, code).await?,
        None => false,
    };
    let readable =
        crate::access::budgets::may_read(actor, own) || involved || budget.requested_by == actor.id;
    if !readable {
        return Err(not_found().into());
    }
    let round = rows::round(&mut conn, budget.round_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("budgets row {} has no round", budget.id))?;
    let departments = match budget.kind {
        BudgetKind::Round => super::domain::sum_by(
            rows::lines(&mut conn, round.id, None)
                .await?
                .into_iter()
                .map(|l| (l.department_code, l.amount_minor)),
        ),
        BudgetKind::Revision => vec![],
    };
    Ok(BudgetStory {
        budget,
        round,
        departments,
        approvals,
        dir,
    })
}

/// The ledger's figures for `/budget status`.
#[derive(Debug, Clone)]
pub struct Status {
    pub year: i32,
    /// The department shown, or `None` for all.
    pub department: Option<String>,
    pub category: Option<String>,
    /// Whether the year's budget is in force (else nothing is allocated yet).
    pub in_force: bool,
    pub rows: Vec<(String, String, Figures)>,
    pub totals: Figures,
}

/// `/budget status`: per department and category, allocated, requested, committed, spent and
/// available. Finance, management, the central office and auditors see every department
/// (all by default); a head only their own (the default for them).
pub async fn status(
    desk: &Desk,
    actor: &Employee,
    typed: Option<&str>,
    category_typed: Option<&str>,
    year: Option<i64>,
) -> DeskResult<Status> {
    crate::access::require(actor, "budget.status")?;
    let mut conn = desk.store.pool().acquire().await?;
    let dir = store::directory::load(&mut conn).await?;
    let all = crate::access::budgets::may_read_all(actor);
    let code = match typed {
        Some(t) => Some(department(&dir, t)?.code.clone()),
        None if all => None,
        None => Some(actor.department.clone()),
    };
    if let Some(c) = &code {
        let own = heads(&mut conn, desk, &dir, actor, c).await?;
        if !crate::access::budgets::may_read(actor, own) {
            return Err(Msg::new("budget.not_allowed").into());
        }
    }
    let cat = category_typed.map(|c| category(desk, c)).transpose()?;
    let year = year.unwrap_or(i64::from(desk.today().year()));
    let year = i32::try_from(year).unwrap_or(i32::MAX);
    let in_force = rows::round_of_year(&mut conn, year)
        .await?
        .is_some_and(|r| r.status == RoundStatus::InForce);
    let rows = ledger::figures(&mut conn, year, code.as_deref(), cat.as_deref()).await?;
    let mut totals = Figures::default();
    for (_, _, f) in &rows {
        totals.allocated += f.allocated;
        totals.requested += f.requested;
        totals.committed += f.committed;
        totals.spent += f.spent;
    }
    Ok(Status {
        year,
        department: code,
        category: cat,
        in_force,
        rows,
        totals,
    })
}

/// Whether `actor` may read `r` (for the approval engine, `/followup` and links).
pub async fn may_read(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<bool> {
    crate::approval::subject::readable(story(desk, actor, r).await)
}
