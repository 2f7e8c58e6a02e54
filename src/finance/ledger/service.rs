//! Moving documents' positions, checking `budget.control`, and reading a line's figures.

use super::domain::{self, Compared, Figures, Verdict};
use super::store as rows;
use crate::approval::subject::Fact;
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::finance::company_money;
use crate::finance::settings::{Level, Stage};
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{audit, Conn};
use chrono::{Datelike, NaiveDate};

/// A document the ledger holds a position for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Requisition(i64),
    PurchaseOrder(i64),
    Payment(i64),
    Expense(i64),
}

impl Doc {
    /// Its reference, the position's key: `REQ-000042`.
    pub fn reference(self) -> String {
        let (kind, number) = match self {
            Doc::Requisition(id) => (RefKind::Requisition, id),
            Doc::PurchaseOrder(id) => (RefKind::PurchaseOrder, id),
            Doc::Payment(id) => (RefKind::Payment, id),
            Doc::Expense(id) => (RefKind::Expense, id),
        };
        Reference { kind, number }.to_string()
    }
}

/// A document about to add to a budget line, as [`check`] sees it.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    pub stage: Stage,
    pub department: &'a str,
    /// The category as the document has it; `None` is `budget.default_category`.
    pub category: Option<&'a str>,
    /// The date it is charged on (a requisition's submission, a claim's date; a PO and a
    /// payment are charged where their requisition was).
    pub on: NaiveDate,
    /// What it adds to the line, in minor units (a PO: only what it adds over the part of its
    /// requisition it orders; may be ≤ 0, then nothing is checked).
    pub adds: i64,
    /// The author acknowledged a warning (`ack:yes` or the button).
    pub ack: bool,
}

/// What [`check`] found, for the reply and the approval prompt.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The year's line as it stands before the document; `None`: the department has no budget
    /// in force for the year (nothing checked).
    pub year: Option<Compared>,
    /// The warnings the author acknowledged (empty when none).
    pub acknowledged: Vec<Compared>,
    /// The category charged (the default one when the document has none).
    pub category: String,
    /// The department charged.
    pub department: String,
}

/// The figures of a compared period as message arguments.
fn figures_msg(desk: &Desk, key: &'static str, charged: &Checked, c: &Compared) -> Msg {
    Msg::new(key)
        .arg("department", &charged.department)
        .arg("category", &charged.category)
        .arg("level", c.level.as_str())
        .arg("period", &c.period)
        .arg("allocated", company_money(desk, c.allocated))
        .arg("used", company_money(desk, c.used))
        .arg("available", company_money(desk, c.available()))
        .arg("adds", company_money(desk, c.adds))
        .arg("after", company_money(desk, c.after()))
        .arg("over", company_money(desk, -c.after()))
}

/// Checks `charge` against `budget.control`, in the caller's transaction, after locking its
/// line so that concurrent charges against it are checked one after the other (call it before
/// writing the document). Refuses with the figures (`ledger.stop`, or
/// `ledger.warn` when a warning is not acknowledged); records nothing itself.
pub async fn check(conn: &mut Conn, desk: &Desk, charge: &Charge<'_>) -> DeskResult<Checked> {
    let mut out = Checked {
        category: super::moves::category_of(desk, charge.category),
        department: charge.department.to_string(),
        ..Checked::default()
    };
    let year = charge.on.year();
    // Most departments most of the year: no budget in force, one read and done.
    if rows::department_lines(&mut *conn, year, charge.department)
        .await?
        .is_empty()
    {
        return Ok(out);
    }
    rows::lock_line(&mut *conn, year, charge.department, &out.category).await?;
    // Read under the lock: a revision of the line may have committed since.
    let lines = rows::lines(&mut *conn, year, charge.department, &out.category).await?;
    let used = rows::used_by_month(&mut *conn, year, charge.department, &out.category).await?;
    let settings = &desk.company.budget;
    out.year = Some(Compared {
        level: Level::Year,
        period: year.to_string(),
        control: settings.control(Level::Year, charge.stage),
        allocated: domain::allocated_in(&lines, &domain::months_of(&year.to_string())),
        used: used.iter().sum(),
        adds: charge.adds.max(0),
    });
    if charge.adds <= 0 {
        return Ok(out);
    }
    let compared = domain::compare(
        settings,
        charge.stage,
        charge.on,
        &lines,
        &used,
        charge.adds,
    );
    match domain::verdict(&compared) {
        Verdict::Pass => Ok(out),
        Verdict::Stop(c) => {
            let mut msgs = vec![figures_msg(desk, "ledger.stop", &out, &c)];
            msgs.extend(no_category(charge, &out));
            Err(msgs.into())
        }
        Verdict::Warn(ws) if charge.ack => {
            out.acknowledged = ws;
            Ok(out)
        }
        Verdict::Warn(ws) => {
            let mut msgs: Vec<Msg> = ws
                .iter()
                .map(|c| figures_msg(desk, "ledger.warn", &out, c))
                .collect();
            msgs.extend(no_category(charge, &out));
            msgs.push(Msg::new("ledger.ack_hint"));
            Err(msgs.into())
        }
    }
}

/// When the document named no category: it was charged to the default one, which a
/// category of its own may avoid.
fn no_category(charge: &Charge<'_>, out: &Checked) -> Option<Msg> {
    charge
        .category
        .is_none()
        .then(|| Msg::new("ledger.no_category").arg("category", &out.category))
}

/// Records in the audit trail that `actor` acknowledged `checked`'s warnings for `reference`
/// (nothing when there were none), in the caller's transaction.
pub async fn acknowledge(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    reference: &str,
    checked: &Checked,
) -> DeskResult<()> {
    if checked.acknowledged.is_empty() {
        return Ok(());
    }
    let over: Vec<String> = checked
        .acknowledged
        .iter()
        .map(|c| {
            format!(
                "{} {} over by {} ({} available, {} asked)",
                c.level,
                c.period,
                company_money(desk, -c.after()),
                company_money(desk, c.available()),
                company_money(desk, c.adds)
            )
        })
        .collect();
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "budget.acknowledge",
        reference,
        format!(
            "budget warning acknowledged for {} / {}: {}",
            checked.department,
            checked.category,
            over.join("; ")
        ),
    );
    audit::append(conn, &desk.keys.audit, e).await?;
    Ok(())
}

/// The facts an approval prompt shows of a checked document: the line's availability before
/// and after it, and any acknowledged warning. Empty when nothing was checked.
pub fn position_facts(desk: &Desk, checked: &Checked) -> Vec<Fact> {
    let Some(y) = &checked.year else {
        return Vec::new();
    };
    let mut out = vec![
        Fact::of(
            "fact.budget_line",
            format!(
                "{} · {} · {}: {}",
                checked.department,
                checked.category,
                y.period,
                company_money(desk, y.allocated)
            ),
        ),
        Fact::of(
            "fact.budget_available",
            format!(
                "{} → {}",
                company_money(desk, y.available()),
                company_money(desk, y.after())
            ),
        ),
    ];
    for c in &checked.acknowledged {
        out.push(Fact::of(
            "fact.budget_warning",
            format!("{}: −{}", c.period, company_money(desk, -c.after())),
        ));
    }
    out.into_iter().flatten().collect()
}

/// The line of a reply that says where the budget stands before and after a document, in
/// the reader's words (`None` when nothing was checked).
pub fn position_msg(desk: &Desk, checked: &Checked) -> Option<Msg> {
    let y = checked.year.as_ref()?;
    Some(figures_msg(desk, "ledger.position", checked, y))
}

/// The figures of each line of `year` (every department, or one; every category, or one):
/// what is allocated by the budgets in force and what documents hold, one row per department
/// and category that has either, ordered by department and category.
pub async fn figures(
    conn: &mut Conn,
    year: i32,
    department: Option<&str>,
    category: Option<&str>,
) -> DeskResult<Vec<(String, String, Figures)>> {
    let mut map: std::collections::BTreeMap<(String, String), Figures> = Default::default();
    let wanted =
        |d: &str, c: &str| department.is_none_or(|x| x == d) && category.is_none_or(|x| x == c);
    for (d, c, a) in rows::allocated(&mut *conn, year).await? {
        if wanted(&d, &c) {
            map.entry((d, c)).or_default().allocated += a;
        }
    }
    for (d, c, s) in rows::held(&mut *conn, year).await? {
        if wanted(&d, &c) {
            map.entry((d, c)).or_default().add_split(&s);
        }
    }
    Ok(map.into_iter().map(|((d, c), f)| (d, c, f)).collect())
}
