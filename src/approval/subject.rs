//! What the engine approves: a [`Subject`] kind says everything the engine, the transports and
//! the templates need to know about it, so the engine itself never matches on kinds. Each
//! business area implements it for its own subjects and [`crate::registry`] registers them.

use crate::approval::domain::{ApprovalStatus, Decision};
use crate::approval::store::Approval;
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::service::{Desk, DeskResult};
use crate::store::Conn;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One labelled line prompts, emails, `/inbox` and reminders show: `label` is a message key
/// (`fact.reason`, ...) the reader's language translates; `value` is already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

impl Fact {
    /// A fact, or nothing when the value is empty (absent facts are not shown).
    pub fn of(label: &str, value: impl Into<String>) -> Option<Fact> {
        let value = value.into();
        (!value.trim().is_empty()).then(|| Fact {
            label: label.to_string(),
            value,
        })
    }
}

/// What every approval message shows of its subject, frozen when the round opens (stored as
/// the round's snapshot): a headline, the amount, and the facts in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub headline: String,
    pub total: String,
    pub facts: Vec<Fact>,
}

impl Summary {
    /// Reads a stored snapshot. Rounds opened before subjects summarised themselves stored
    /// their fields by name (`item`, `quantity`, `spec`, ...); those read as the same facts.
    pub fn read(stored: &str) -> Summary {
        let v: Value = serde_json::from_str(stored).unwrap_or(Value::Null);
        if let Ok(s) = serde_json::from_value::<Summary>(v.clone()) {
            return s;
        }
        let text = |k: &str| match &v[k] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let headline = match text("headline") {
            h if !h.is_empty() => h,
            _ => format!("{} × {}", text("item"), text("quantity")),
        };
        let facts = [
            ("fact.spec", "spec"),
            ("fact.reason", "reason"),
            ("fact.needed_by", "needed_by"),
            ("fact.notes", "notes"),
            ("fact.document", "document"),
        ]
        .into_iter()
        .filter_map(|(label, key)| Fact::of(label, text(key)))
        .collect();
        Summary {
            headline,
            total: text("total"),
            facts,
        }
    }
}

/// One decision a subject's prompt offers: its button, its command and its modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verb {
    /// In the button's custom id (`appr:<id>:<task>`): unique across subjects.
    pub id: &'static str,
    pub decision: Decision,
    /// A grade the decision records (an opportunity's priority), passed as `priority:`.
    pub grade: Option<&'static str>,
    /// Message key of the button's label.
    pub label: &'static str,
    /// Whether pressing it asks for a reason first.
    pub needs_comment: bool,
    /// Message key of the title of the modal asking for the reason.
    pub modal_title: &'static str,
}

impl Verb {
    pub const APPROVE: Verb = Verb {
        id: "approve",
        decision: Decision::Approve,
        grade: None,
        label: "button.approve",
        needs_comment: false,
        modal_title: "discord.changes_title",
    };
    pub const REJECT: Verb = Verb {
        id: "reject",
        decision: Decision::Reject,
        grade: None,
        label: "button.reject",
        needs_comment: true,
        modal_title: "discord.reject_title",
    };
    pub const CHANGES: Verb = Verb {
        id: "changes",
        decision: Decision::Changes,
        grade: None,
        label: "button.changes",
        needs_comment: true,
        modal_title: "discord.changes_title",
    };

    /// The command line this decision stands for.
    pub fn command(&self, reference: &str) -> String {
        match self.grade {
            Some(g) => format!(
                "/approval {} ref:{reference} priority:{g}",
                self.decision.verb()
            ),
            None => format!("/approval {} ref:{reference}", self.decision.verb()),
        }
    }
}

/// What a decision carries besides its verb and comment.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    pub decision: Decision,
    pub grade: Option<&'a str>,
    pub comment: Option<&'a str>,
}

/// A kind of thing the approval engine decides on (a requisition, an opportunity, ...).
pub trait Subject: Send + Sync {
    /// Its kind: the policy's name in `workflows.toml` and the rounds' `subject_kind`.
    fn kind(&self) -> &'static str;
    /// The kind of its references (`REQ-`, `OPP-`, ...).
    fn ref_kind(&self) -> RefKind;
    /// The decisions its prompts offer, in button order.
    fn verbs(&self) -> &'static [Verb];
    /// A message key shown under its prompts and in `/inbox` (arguments: `ref`).
    fn hint(&self) -> Option<&'static str> {
        None
    }
    /// A message key telling the requester how to resubmit after changes were requested.
    fn resubmit_hint(&self) -> Option<&'static str> {
        None
    }
    /// Refuses a decision the subject does not take as given (a missing grade, ...). By
    /// default: one of its verbs' decisions, with a grade only where a verb has one.
    fn check_decision(&self, reference: &str, d: &Verdict<'_>) -> Result<(), Msg> {
        let verbs = self.verbs();
        if d.grade.is_some() && verbs.iter().all(|v| v.grade.is_none()) {
            return Err(Msg::new("approval.grade_not_here").arg("ref", reference));
        }
        if verbs
            .iter()
            .any(|v| v.decision == d.decision && v.grade == d.grade)
        {
            Ok(())
        } else {
            Err(Msg::new("approval.not_offered")
                .arg("ref", reference)
                .arg("decision", d.decision.verb()))
        }
    }
    /// Records what a decision says about the subject (in the decision's transaction).
    fn on_decided<'a>(
        &'a self,
        _conn: &'a mut Conn,
        _approval: &'a Approval,
        _decided: Verdict<'a>,
        _actor: &'a Employee,
        _now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        Box::pin(async { Ok(()) })
    }
    /// Mirrors how a round ended onto the subject (in the ending transaction).
    fn on_finished<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<()>>;
    /// [`Subject::on_finished`], returning the audit events the outcome adds to the engine's
    /// own (`budget.in_force`, ...), which the engine appends in the same transaction. By
    /// default: none.
    fn on_finished_audited<'a>(
        &'a self,
        conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        now: i64,
    ) -> BoxFuture<'a, DeskResult<Vec<crate::domain::audit::AuditEvent>>> {
        Box::pin(async move {
            self.on_finished(conn, approval, status, now).await?;
            Ok(Vec::new())
        })
    }
    /// Whether `actor` may read the subject behind `reference`.
    fn may_read<'a>(
        &'a self,
        desk: &'a Desk,
        actor: &'a Employee,
        reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>>;
}

/// Whether a reading succeeded for its reader: a refusal (which reads like "not found") is
/// `false`, anything else that failed is an error. For [`Subject::may_read`] built on `show`.
pub fn readable<T>(shown: DeskResult<T>) -> DeskResult<bool> {
    match shown {
        Ok(_) => Ok(true),
        Err(crate::service::DeskError::User(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The registered subject kinds, looked up by kind or by reference kind.
#[derive(Default)]
pub struct Subjects {
    by_kind: BTreeMap<&'static str, &'static dyn Subject>,
}

impl Subjects {
    /// Registers these subjects. Two with the same kind, reference kind or verb id are a
    /// programming error, caught by the registry test at start-up.
    pub fn new(all: &[&'static dyn Subject]) -> Subjects {
        let mut by_kind = BTreeMap::new();
        for s in all {
            assert!(
                by_kind.insert(s.kind(), *s).is_none(),
                "subject kind `{}` registered twice",
                s.kind()
            );
        }
        Subjects { by_kind }
    }

    pub fn by_kind(&self, kind: &str) -> Option<&'static dyn Subject> {
        self.by_kind.get(kind).copied()
    }

    pub fn by_ref(&self, kind: RefKind) -> Option<&'static dyn Subject> {
        self.by_kind
            .values()
            .copied()
            .find(|s| s.ref_kind() == kind)
    }

    /// The subject of a reference like `REQ-000042`.
    pub fn of_reference(&self, reference: &str) -> Option<&'static dyn Subject> {
        self.by_ref(Reference::parse(reference).ok()?.kind)
    }

    /// A verb by its id (a button's custom id names only the verb).
    pub fn verb(&self, id: &str) -> Option<Verb> {
        self.by_kind
            .values()
            .flat_map(|s| s.verbs())
            .find(|v| v.id == id)
            .copied()
    }

    /// The kinds, for checks against `workflows.toml`.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_kind.keys().copied()
    }

    /// The subject of a stored round; a round of an unregistered kind is an internal error.
    pub fn of(&self, approval: &Approval) -> DeskResult<&'static dyn Subject> {
        self.by_kind(&approval.subject_kind).ok_or_else(|| {
            anyhow::anyhow!(
                "approvals row {}: unknown subject kind `{}`",
                approval.id,
                approval.subject_kind
            )
            .into()
        })
    }
}
