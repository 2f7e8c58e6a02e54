//! Expenses as the approval engine sees them.

use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{Subject, Verb};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// The subject kind (and policy name).
pub const KIND: &str = "expense";

/// Expenses: approved, rejected or sent back for changes.
pub struct Expenses;

/// The registered subject.
pub static SUBJECT: Expenses = Expenses;

impl Subject for Expenses {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Expense
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT, Verb::CHANGES]
    }

    fn on_finished<'a>(
        &'a self,
        _conn: &'a mut Conn,
        _approval: &'a Approval,
        _status: ApprovalStatus,
        _now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async { Ok(()) })
    }

    fn may_read<'a>(
        &'a self,
        _desk: &'a Desk,
        _actor: &'a Employee,
        _reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async { Ok(false) })
    }
}
