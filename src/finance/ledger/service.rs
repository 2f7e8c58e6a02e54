//! Moving documents' positions, checking `budget.control`, and reading a line's figures.

use super::domain::{Compared, Figures, Split};
use crate::approval::subject::Fact;
use crate::finance::settings::Stage;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use chrono::NaiveDate;

/// A document the ledger holds a position for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Requisition(i64),
    PurchaseOrder(i64),
    Payment(i64),
    Expense(i64),
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
    /// `None`: the department has no budget in force for the year (nothing checked).
    pub year: Option<Compared>,
    /// The warnings the author acknowledged (empty when none).
    pub acknowledged: Vec<Compared>,
    /// The category charged (the default one when the document has none).
    pub category: String,
}

/// Checks `charge` against `budget.control`, in the caller's transaction, after locking the
/// department's budget for the year so that concurrent charges are checked one after the
/// other (call it before writing the document). Refuses with the figures (`budget.stop`,
/// or `budget.warn` when a warning is not acknowledged); records nothing itself.
pub async fn check(conn: &mut Conn, desk: &Desk, charge: &Charge<'_>) -> DeskResult<Checked> {
    let _ = (conn, desk, charge);
    todo!()
}

/// Recomputes where `doc`'s amount stands from its current state and moves its position
/// there (recording the move), in the caller's transaction; then sends the line's 80 % /
/// 100 % notices that are due (each once). Call after every change of the document's state.
pub async fn sync(conn: &mut Conn, desk: &Desk, doc: Doc, now_ms: i64) -> DeskResult<()> {
    let _ = (conn, desk, doc, now_ms);
    todo!()
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
    let _ = (conn, year, department, category);
    todo!()
}

/// The facts an approval prompt shows of a checked document: the line's availability before
/// and after it, and any acknowledged warning. Empty when nothing was checked.
pub fn position_facts(desk: &Desk, checked: &Checked) -> Vec<Fact> {
    let _ = (desk, checked, Split::default());
    Vec::new()
}
