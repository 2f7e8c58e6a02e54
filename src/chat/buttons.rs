//! Buttons: what a prompt offers, pressing one, and rendering outbox notifications with them.
//!
//! A prompt's button carries its task id, so it decides exactly the task it was sent for and
//! keeps working after a restart (Discord's `custom_id` holds `appr:<verb>:<task>`).

use crate::approval::decisions::{self, Target};
use crate::approval::domain::Decision;
use crate::chat::actions::{Chat, Reply};
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::{Locale, Msg};
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
    /// How it looks: go ahead, stop, or neither.
    pub style: Style,
    /// Message key of the title of the dialog asking for the reason, when it asks.
    pub modal_title: Option<&'static str>,
}

/// A button's look, by what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Approve, done: green.
    Go,
    /// Reject: red.
    Stop,
    /// Anything else: grey.
    Neutral,
}

impl Style {
    /// The look of a decision's button.
    pub fn of(decision: Decision) -> Style {
        match decision {
            Decision::Approve => Style::Go,
            Decision::Reject => Style::Stop,
            Decision::Changes => Style::Neutral,
        }
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
        let Some(subject) = self.desk.subjects.of_reference(subject_ref) else {
            return Vec::new();
        };
        subject
            .verbs()
            .iter()
            .map(|verb| Action {
                label: self
                    .renderer
                    .msg(locale, &Msg::new(verb.label).arg("ref", subject_ref)),
                command: self
                    .catalog
                    .localize_line(&verb.command(subject_ref), locale),
                needs_comment: verb.needs_comment,
                custom_id: format!("appr:{}:{id}", verb.id),
                reference: Some(subject_ref.to_string()),
                task_id,
                style: Style::of(verb.decision),
                modal_title: Some(verb.modal_title),
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
        if let Some(id) = action.custom_id.strip_prefix("ack:run:") {
            if let Ok(id) = id.parse::<i64>() {
                return self.press_ack(actor, id).await;
            }
        }
        let verb = action.custom_id.split(':').nth(1).unwrap_or_default();
        let verb = self.desk.subjects.verb(verb);
        let (Some(task), Some(verb)) = (action.task_id, verb) else {
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
        let result = decisions::decide_with(
            &self.desk,
            actor,
            Target::Task(task),
            verb.decision,
            comment,
            verb.grade,
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
            (crate::procurement::payments::service::EXCEPTION_NOTE, Some(id)) => {
                reply.actions = self.payment_actions(locale, id)
            }
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
                let verb = self.desk.subjects.verb(verb)?;
                // A task number, or a reference.
                let task_id = id.parse::<i64>().ok();
                let reference = match task_id {
                    Some(_) => None,
                    None => Some(Reference::parse(id).ok()?.to_string()),
                };
                Some(Action {
                    label: self.renderer.msg(locale, &Msg::new(verb.label)),
                    command: verb.command(id),
                    needs_comment: verb.needs_comment,
                    custom_id: format!("appr:{}:{id}", verb.id),
                    reference,
                    task_id,
                    style: Style::of(verb.decision),
                    modal_title: Some(verb.modal_title),
                })
            }
            "fu" => {
                let id: i64 = id.parse().ok()?;
                self.followup_actions(locale, id)
                    .into_iter()
                    .find(|a| a.custom_id == custom_id)
            }
            "pay" => {
                let id: i64 = id.parse().ok()?;
                self.payment_actions(locale, id)
                    .into_iter()
                    .find(|a| a.custom_id == custom_id)
            }
            "ack" if verb == "run" => {
                let id: i64 = id.parse().ok()?;
                // The command line is looked up when pressed (see `press`).
                Some(Action {
                    label: self.renderer.msg(locale, &Msg::new("ledger.ack_button")),
                    command: String::new(),
                    needs_comment: false,
                    custom_id: format!("ack:run:{id}"),
                    reference: None,
                    task_id: None,
                    style: Style::Go,
                    modal_title: None,
                })
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
