//! Expenses as the approval engine sees them.

use super::domain::ClaimDraft;
use super::service::decided;
use crate::approval::domain::ApprovalStatus;
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Locale;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;

/// The subject kind (and policy name).
pub const KIND: &str = "expense";

/// Expenses: approved, rejected or sent back for changes.
pub struct Expenses;

/// The registered subject.
pub static SUBJECT: Expenses = Expenses;

/// A category's name in both languages (`Travel · 差旅`), for facts frozen with a round that
/// readers of either language see.
pub fn category_name(desk: &Desk, code: &str) -> String {
    let terms = &desk.company.terms;
    let en = terms.name("requisition_categories", code, Locale::En);
    let zh = terms.name("requisition_categories", code, Locale::ZhCn);
    if en == zh {
        en.to_string()
    } else {
        format!("{en} · {zh}")
    }
}

/// What its approval messages show of a claim: the description, the amount, the category,
/// the date and the receipt (the caller adds the budget position).
pub fn summary(desk: &Desk, d: &ClaimDraft) -> Summary {
    Summary {
        headline: d.description.clone(),
        total: d.amount.to_string(),
        facts: [
            Fact::of("fact.expense_category", category_name(desk, &d.category)),
            Fact::of("fact.spent_on", d.spent_on.to_string()),
            Fact::of("fact.document", d.document_url.clone().unwrap_or_default()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

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

    fn resubmit_hint(&self) -> Option<&'static str> {
        Some("expense.resubmit_hint")
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(decided(conn, approval, status, now))
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async move { readable(super::read::show(desk, actor, reference).await) })
    }
}
