//! A sales contract as the approval engine sees it: reviewed by legal, approved (filed) or
//! rejected, never sent back.

use super::service::{reviewed, show};
use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb, Verdict};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::contracts::domain::check_review;
use crate::sales::contracts::domain::CONTRACT;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// Sales contracts.
pub struct Contracts;

/// The registered subject.
pub static SUBJECT: Contracts = Contracts;

/// What the review prompt shows: the order and customer, the amount, the terms and document.
pub fn summary(headline: String, amount: String, terms: &str, document: Option<&str>) -> Summary {
    Summary {
        headline,
        total: amount,
        facts: [
            Fact::of("fact.terms", terms),
            Fact::of("fact.document", document.unwrap_or_default()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

impl Subject for Contracts {
    fn kind(&self) -> &'static str {
        CONTRACT
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Contract
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT]
    }

    fn check_decision(&self, reference: &str, d: &Verdict<'_>) -> Result<(), Msg> {
        check_review(reference, d.decision, d.grade.is_some())
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(reviewed(conn, approval, status, now))
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async move { readable(show(desk, actor, reference).await) })
    }
}
