//! An opportunity as the approval engine sees it: its approval is the central office's
//! assessment, a priority and the feasibility in words.

use super::service::{assessed, show};
use crate::approval::domain::{ApprovalStatus, Decision};
use crate::approval::store::Approval;
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb, Verdict};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::opportunities::domain::check_assessment;
use crate::sales::opportunities::domain::Priority;
use crate::sales::opportunities::domain::OPPORTUNITY;
use crate::sales::opportunities::store as rows;
use crate::sales::opportunities::store::Opportunity;
use crate::service::{Desk, DeskResult};
use crate::service_desk::customers::store::Customer;
use crate::store::Conn;
use futures::future::BoxFuture;

/// Opportunities: feasible with a priority, or not feasible.
pub struct Opportunities;

/// The registered subject.
pub static SUBJECT: Opportunities = Opportunities;

const fn feasible(id: &'static str, label: &'static str) -> Verb {
    Verb {
        id,
        decision: Decision::Approve,
        grade: Some(id),
        label,
        needs_comment: true,
        modal_title: "discord.assess_title",
    }
}

const VERBS: [Verb; 4] = [
    feasible("high", "button.feasible_high"),
    feasible("medium", "button.feasible_medium"),
    feasible("low", "button.feasible_low"),
    Verb {
        label: "button.not_feasible",
        ..Verb::REJECT
    },
];

/// What the assessment prompt shows.
pub fn summary(o: &Opportunity, customer: &Customer, value: Option<String>) -> Summary {
    Summary {
        headline: format!("{} · {}", o.title, customer.name),
        total: value.unwrap_or_else(|| "—".into()),
        facts: Fact::of("fact.notes", o.notes.clone())
            .into_iter()
            .collect(),
    }
}

impl Subject for Opportunities {
    fn kind(&self) -> &'static str {
        OPPORTUNITY
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Opportunity
    }

    fn verbs(&self) -> &'static [Verb] {
        &VERBS
    }

    fn hint(&self) -> Option<&'static str> {
        Some("sales.assess_hint")
    }

    fn check_decision(&self, reference: &str, d: &Verdict<'_>) -> Result<(), Msg> {
        let priority = match d.grade {
            Some(g) => Some(
                Priority::parse(g)
                    .ok_or_else(|| Msg::new("sales.assessment_needed").arg("ref", reference))?,
            ),
            None => None,
        };
        check_assessment(reference, d.decision, priority, d.comment)
    }

    fn on_decided<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        verdict: Verdict<'a>,
        actor: &'a Employee,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            let priority = verdict.grade.and_then(Priority::parse);
            assessed(conn, approval, priority, verdict.comment, actor, now).await?;
            Ok(())
        })
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            rows::set_opportunity_status(conn, approval.subject_id, status, now).await?;
            Ok(())
        })
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        _actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async move { readable(show(desk, reference).await) })
    }
}
