//! Buttons: what a prompt offers, pressing one, and rendering outbox notifications with them.
//!
//! A prompt's button carries its task id, so it decides exactly the task it was sent for and
//! keeps working after a restart (Discord's `custom_id` holds `appr:<verb>:<task>`).

use crate::approval::decisions::{self, Target};
use crate::approval::domain::Decision;
use crate::chat::actions::{Chat, Reply};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::{Locale, Msg};
use crate::sales::domain::Priority;
use crate::service::notify::kind;
use crate::service::DeskError;
use crate::store::outbox;
use serde_json::Value;

/// A button, as data: the console shows it as a numbered action, Discord as a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: String,
    /// The equivalent command line (the comment is appended when `needs_comment`).
    pub command: String,
    /// Reject and Request changes ask for a reason first.
    pub needs_comment: bool,
    /// Discord's button id: only the action and ids, so it works after a restart.
    pub custom_id: String,
    /// The subject the button decides.
    pub reference: Option<String>,
    /// The task a prompt's button decides: only that one, never a later stage's.
    pub task_id: Option<i64>,
}

/// Decision buttons: verb (in the custom id), decision, whether it asks for a reason, label.
/// An opportunity's prompt approves with a priority (`high`, `medium`, `low`), and asks for
/// the assessment in words.
const VERBS: [(&str, Decision, bool, &str); 6] = [
    ("approve", Decision::Approve, false, "button.approve"),
    ("reject", Decision::Reject, true, "button.reject"),
    ("changes", Decision::Changes, true, "button.changes"),
    ("high", Decision::Approve, true, "button.feasible_high"),
    ("medium", Decision::Approve, true, "button.feasible_medium"),
    ("low", Decision::Approve, true, "button.feasible_low"),
];

/// The verbs a subject's prompt offers, by its reference's kind, with their labels.
fn verbs_for(subject_ref: &str) -> Vec<(&'static str, &'static str)> {
    let label = |verb: &str| VERBS.iter().find(|v| v.0 == verb).map_or("", |v| v.3);
    let pick = |verbs: &[&'static str]| verbs.iter().map(|v| (*v, label(v))).collect();
    match Reference::parse(subject_ref).map(|r| r.kind) {
        Ok(RefKind::Opportunity) => {
            let mut v: Vec<_> = pick(&["high", "medium", "low"]);
            v.push(("reject", "button.not_feasible"));
            v
        }
        Ok(RefKind::Contract) => pick(&["approve", "reject"]),
        _ => pick(&["approve", "reject", "changes"]),
    }
}

/// The command line a decision button stands for.
fn command_for(verb: &str, id: &str) -> String {
    match Priority::parse(verb) {
        Some(p) => format!("/approval approve ref:{id} priority:{}", p.as_str()),
        None => format!("/approval {verb} ref:{id}"),
    }
}

impl Chat {
    /// Approve / Reject / Request changes for a subject (and, from a prompt, its task).
    pub(crate) fn decision_actions(
        &self,
        locale: Locale,
        subject_ref: &str,
        task_id: Option<i64>,
    ) -> Vec<Action> {
        let id = task_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| subject_ref.to_string());
        verbs_for(subject_ref)
            .into_iter()
            .filter_map(|(verb, label)| {
                let (_, _, needs_comment, _) = VERBS.iter().find(|v| v.0 == verb)?;
                Some(Action {
                    label: self
                        .renderer
                        .msg(locale, &Msg::new(label).arg("ref", subject_ref)),
                    command: self
                        .catalog
                        .localize_line(&command_for(verb, subject_ref), locale),
                    needs_comment: *needs_comment,
                    custom_id: format!("appr:{verb}:{id}"),
                    reference: Some(subject_ref.to_string()),
                    task_id,
                })
            })
            .collect()
    }

    /// Whether a decision button can still be used by `actor`; `Some(reply)` says why not.
    /// Lets a transport refuse a stale button before asking for a reason.
    pub async fn precheck(&self, actor: &Employee, action: &Action) -> Option<Reply> {
        let target = target_of(action)?;
        match decisions::precheck(&self.desk, actor, target).await {
            Ok(()) => None,
            Err(DeskError::User(msgs)) => Some(self.user_error(self.locale_of(actor), &msgs)),
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "precheck failed");
                None // let the action itself run and report
            }
        }
    }

    /// Presses a button: a prompt's decision goes to exactly its task; other buttons run
    /// their command line. `comment` answers `needs_comment`.
    pub async fn press(&self, actor: &Employee, action: &Action, comment: Option<&str>) -> Reply {
        let verb = action.custom_id.split(':').nth(1).unwrap_or_default();
        let decision = VERBS.iter().find(|v| v.0 == verb).map(|v| v.1);
        let (Some(task), Some(decision)) = (action.task_id, decision) else {
            let line = match comment {
                Some(c) => format!(
                    "{} comment:\"{}\"",
                    action.command,
                    c.replace('\\', "\\\\").replace('"', "\\\"")
                ),
                None => action.command.clone(),
            };
            return self.run_line(actor, &line).await;
        };
        let locale = self.locale_of(actor);
        let priority = Priority::parse(verb);
        let result = decisions::decide_with(
            &self.desk,
            actor,
            Target::Task(task),
            decision,
            comment,
            priority,
        )
        .await;
        match result.and_then(|out| self.decided_reply(locale, &out)) {
            Ok(reply) => reply,
            Err(e) => self.failure(actor, "press", e),
        }
    }

    /// Renders an outbox notification for its recipient, with its buttons.
    pub fn notification(&self, locale: Locale, m: &outbox::Message) -> Reply {
        let payload: Value = serde_json::from_str(&m.payload).unwrap_or(Value::Null);
        let name = format!("notify/{}.txt", m.kind);
        let text = self.renderer.render(locale, &name, &payload).unwrap_or_else(|e| {
            tracing::error!(id = m.id, kind = %m.kind, error = %format!("{e:#}"), "notification cannot be rendered");
            format!("[{}] {}", m.kind, m.subject_ref.clone().unwrap_or_default())
        });
        let mut reply = Reply::ok(text);
        let id = payload.get("id").and_then(Value::as_i64);
        match (m.kind.as_str(), id) {
            (kind::APPROVAL_PROMPT | kind::REMINDER, _) => {
                let subject_ref = payload
                    .get("ref")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let task = payload.get("task_id").and_then(Value::as_i64);
                reply.actions = self.decision_actions(locale, subject_ref, task);
            }
            (kind::FOLLOWUP_DUE, Some(id)) => reply.actions = self.followup_actions(locale, id),
            (kind::CALLBACK_DUE, Some(id)) => reply.actions = self.callback_actions(locale, id),
            _ => {}
        }
        reply
    }

    /// The action a button's custom id stands for (Discord hands back only the id). Only ids
    /// we issue are accepted, so no free text reaches a command line.
    pub fn action_for_custom_id(&self, custom_id: &str, locale: Locale) -> Option<Action> {
        let mut parts = custom_id.splitn(3, ':');
        let (kind, verb, id) = (parts.next()?, parts.next()?, parts.next()?);
        match kind {
            "appr" | "apprm" => {
                let (_, _, needs_comment, label) = VERBS.iter().find(|v| v.0 == verb)?;
                // A task number, or a reference.
                let task_id = id.parse::<i64>().ok();
                let reference = match task_id {
                    Some(_) => None,
                    None => Some(Reference::parse(id).ok()?.to_string()),
                };
                Some(Action {
                    label: self.renderer.msg(locale, &Msg::new(label)),
                    command: command_for(verb, id),
                    needs_comment: *needs_comment,
                    custom_id: format!("appr:{verb}:{id}"),
                    reference,
                    task_id,
                })
            }
            "fu" => {
                let id: i64 = id.parse().ok()?;
                self.followup_actions(locale, id)
                    .into_iter()
                    .find(|a| a.custom_id == custom_id)
            }
            "cb" => {
                let id: i64 = id.parse().ok()?;
                self.callback_actions(locale, id)
                    .into_iter()
                    .find(|a| a.custom_id == custom_id)
            }
            _ => None,
        }
    }
}

/// What a decision button targets: its task when it has one, else its subject.
fn target_of(action: &Action) -> Option<Target> {
    match (action.task_id, action.reference.as_deref()) {
        (Some(task), _) => Some(Target::Task(task)),
        (None, Some(r)) => Reference::parse(r).ok().map(Target::Ref),
        (None, None) => None,
    }
}
