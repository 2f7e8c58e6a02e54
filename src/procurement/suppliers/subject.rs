//! A supplier's qualification review as the approval engine sees it: the central office,
//! then legal (policy `[supplier]`), approve or reject. Approved: the supplier is
//! *qualified*; rejected: it stays a *candidate* and may be submitted again (next round).

use super::domain::SupplierStatus;
use super::service::{load, story};
use super::store as rows;
use crate::access;
use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store::{self as approval_rows, Approval};
use crate::approval::subject::{readable, Fact, Subject, Summary, Verb};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use futures::future::BoxFuture;

/// The subject kind name used by the policy and approval rows.
pub const KIND: &str = "supplier";

/// Qualification reviews of suppliers.
pub struct Suppliers;

/// The registered subject.
pub static SUBJECT: Suppliers = Suppliers;

impl Subject for Suppliers {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::Supplier
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT]
    }

    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async move {
            if status == ApprovalStatus::Approved {
                if let Some(s) = rows::get(&mut *conn, approval.subject_id).await? {
                    if matches!(
                        s.status,
                        SupplierStatus::Candidate | SupplierStatus::Disqualified
                    ) {
                        rows::set_status(conn, s.id, SupplierStatus::Qualified, None, now).await?;
                    }
                }
            }
            Ok(())
        })
    }

    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async move { readable(super::service::show(desk, actor, reference).await) })
    }
}

/// Longest document link accepted.
const MAX_URL: usize = 1000;

/// A document link: `http(s)://…`, no spaces.
pub(crate) fn check_url(url: &str) -> Result<String, Msg> {
    let u = url.trim();
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= MAX_URL
        && u.len() > "https://".len()
        && !u.chars().any(char::is_whitespace);
    if ok {
        Ok(u.to_string())
    } else {
        Err(Msg::new("supplier.bad_url"))
    }
}

/// What `/supplier qualify` answers.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub story: super::service::Story,
    pub round: i64,
    pub progress: Progress,
}

/// Submits a candidate (or disqualified) supplier for qualification review: one review at
/// a time; after a rejection the next submission opens the next round.
pub async fn qualify(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    note: Option<&str>,
    attachment: Option<&str>,
) -> DeskResult<Submitted> {
    access::require(actor, "supplier.qualify")?;
    let note = crate::domain::text::optional("note", note, super::domain::MAX_NOTE)?;
    let url = attachment.map(check_url).transpose()?;
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    // Two submissions at once: the second waits here, then sees the first's round.
    rows::lock(&mut tx, r.number, now).await?;
    let s = load(&mut tx, r).await?;
    if let Some(a) = approval_rows::latest_for(&mut tx, KIND, s.id).await? {
        if a.status() == ApprovalStatus::Pending {
            return Err(Msg::new("supplier.review_pending")
                .arg("ref", r.to_string())
                .into());
        }
    }
    if matches!(
        s.status,
        SupplierStatus::Qualified | SupplierStatus::Suspended
    ) {
        return Err(Msg::new("supplier.already_qualified")
            .arg("ref", r.to_string())
            .arg("status", s.status.as_str())
            .into());
    }
    let round = s.round + 1;
    rows::set_round(&mut tx, s.id, round).await?;
    let headline = if s.company.is_empty() {
        s.name.clone()
    } else {
        format!("{} · {}", s.name, s.company)
    };
    // The prompt's "total" place shows what it would supply.
    let total = if s.categories.is_empty() {
        "–".to_string()
    } else {
        s.categories.join(", ")
    };
    // The reviewers see the certificates on file and which required ones are missing.
    let certs = rows::current_certs(&mut tx, s.id).await?;
    let on_file: Vec<String> = certs
        .iter()
        .map(|c| format!("{} ({})", c.kind, c.expires_on))
        .collect();
    let missing: Vec<&str> = desk
        .company
        .procurement
        .required_certificates
        .iter()
        .map(String::as_str)
        .filter(|k| !certs.iter().any(|c| c.kind == *k))
        .collect();
    let spec = RoundSpec {
        subject: &SUBJECT,
        subject_id: s.id,
        reference: r,
        round,
        facts: SubjectFacts {
            requester: actor.id,
            department: actor.department.clone(),
            amount_minor: 0,
            category: s.categories.first().cloned(),
        },
        summary: Summary {
            headline,
            total,
            facts: [
                Fact::of("fact.notes", note.clone()),
                Fact::of("fact.document", url.clone().unwrap_or_default()),
                Fact::of("fact.certificates", on_file.join(", ")),
                Fact::of("fact.missing_certificates", missing.join(", ")),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
    };
    let dir = store::directory::load(&mut tx).await?;
    let progress = approvals::open_round(&mut tx, desk, &spec, actor, &dir).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.qualify",
        &r.to_string(),
        format!("supplier {r} submitted for qualification, round {round}"),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let s = load(&mut tx, r).await?;
    let story = story(&mut tx, actor, s).await?;
    tx.commit().await?;
    Ok(Submitted {
        story,
        round,
        progress,
    })
}
