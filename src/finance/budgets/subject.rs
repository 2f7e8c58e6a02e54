//! Budgets as the approval engine sees them: a round's consolidated budget or a revision of a
//! line in force, approved by management (`[budget]` in `workflows.toml`).

use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{Subject, Verb};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// The subject kind (and policy name).
pub const KIND: &str = "budget";

/// Budgets: approved, rejected or sent back for changes.
pub struct Budgets;

/// The registered subject.
pub static SUBJECT: Budgets = Budgets;

impl Subject for Budgets {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Budget
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT, Verb::CHANGES]
    }

    fn hint(&self) -> Option<&'static str> {
        Some("budget.prompt_hint")
    }

    fn resubmit_hint(&self) -> Option<&'static str> {
        Some("budget.resubmit_hint")
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            super::revise::decided(conn, approval, status, now)
                .await
                .map(drop)
        })
    }

    /// `budget.in_force` / `budget.revised` besides the engine's own outcome event.
    fn on_finished_audited<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<Vec<AuditEvent>>> {
        Box::pin(super::revise::decided(conn, approval, status, now))
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(super::read::may_read(desk, actor, reference))
    }
}
