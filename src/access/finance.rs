//! Who may read and do what in finance: budgets and expense claims.

use super::holds;
use crate::domain::directory::{Employee, EmployeeId, Role};

/// Budgets: rounds, drafts, consolidation, lines in force, the ledger and its reports.
pub mod budgets {
    use super::*;

    /// Who opens rounds, consolidates, returns drafts and revises any line: finance.
    pub const FINANCE: &[Role] = &[Role::Finance];
    /// Who may read budget figures at all (status, reports, drafts): finance, management, the
    /// central office, auditors and department heads (a head only their own department's,
    /// see [`may_read`]).
    pub const READERS: &[Role] = &[
        Role::Finance,
        Role::Management,
        Role::Bcmo,
        Role::Auditor,
        Role::DeptHead,
    ];

    /// Whether `actor` reads every department's budget (not only one they head).
    pub fn may_read_all(actor: &Employee) -> bool {
        holds(
            actor,
            &[Role::Finance, Role::Management, Role::Bcmo, Role::Auditor],
        )
    }

    /// Whether `actor` may read the budget of a department: every department's readers, and
    /// its head (`heads` = `actor` heads it, or stands in for its head today).
    pub fn may_read(actor: &Employee, heads: bool) -> bool {
        may_read_all(actor) || heads
    }

    /// Whether `actor` may draft and submit a department's lines: its head or their delegate
    /// (`heads`, as in [`may_read`]).
    pub fn may_draft(heads: bool) -> bool {
        heads
    }

    /// Whether `actor` may ask to revise a line in force: finance, or the department's head.
    pub fn may_revise(actor: &Employee, heads: bool) -> bool {
        holds(actor, FINANCE) || heads
    }
}

/// Expense claims: an employee's own, read by those who approve or pay them.
pub mod expenses {
    use super::*;

    /// Who reads every claim and pays them: finance; auditors and the central office read.
    pub const READ_ALL: &[Role] = &[Role::Finance, Role::Auditor, Role::Bcmo];

    /// Whether `actor` may read a claim: its claimant, anyone with a task on it (or standing
    /// in for one), its department's head, and [`READ_ALL`].
    pub fn may_read(actor: &Employee, claimant: EmployeeId, involved: bool, head: bool) -> bool {
        actor.id == claimant || involved || head || may_read_all(actor)
    }

    /// Whether `actor` reads (and lists) every claim: [`READ_ALL`].
    pub fn may_read_all(actor: &Employee) -> bool {
        holds(actor, READ_ALL)
    }
}
