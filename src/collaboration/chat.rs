//! `/followup` and `/callback`: the commands, and the buttons on their reminders.

use crate::approval::policy::parse_duration;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::buttons::{Action, Style};
use crate::collaboration::callbacks::service::{self as callbacks, CallbackInput};
use crate::collaboration::callbacks::store::Callback;
use crate::collaboration::followups::domain::FollowupStatus;
use crate::collaboration::followups::service as followups;
use crate::collaboration::followups::store::Followup;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::DeskError;
use serde_json::{json, Value};

fn followup_row(f: &Followup) -> Value {
    json!({ "id": f.id, "ref": f.subject_ref, "note": f.note, "due_at_ms": f.due_at,
            "status": f.status })
}

fn callback_row(c: &Callback) -> Value {
    json!({ "id": c.id, "customer": c.customer, "note": c.note, "due_at_ms": c.due_at,
            "repeat": c.repeat_text, "cron": c.repeat_cron, "status": c.status,
            "done_count": c.done_count })
}

/// The `/followup` and `/callback` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    FollowupAdd,
    FollowupList,
    FollowupDone,
    FollowupCancel,
    FollowupSnooze,
    CallbackSchedule,
    CallbackList,
    CallbackDone,
    CallbackCancel,
}

/// The `/followup` and `/callback` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("followup.add", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::FollowupAdd))
        }),
        Handler::new("followup.list", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::FollowupList))
        }),
        Handler::new("followup.done", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::FollowupDone))
        }),
        Handler::new("followup.cancel", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::FollowupCancel))
        }),
        Handler::new("followup.snooze", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::FollowupSnooze))
        }),
        Handler::new("callback.schedule", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::CallbackSchedule))
        }),
        Handler::new("callback.list", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::CallbackList))
        }),
        Handler::new("callback.done", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::CallbackDone))
        }),
        Handler::new("callback.cancel", |c, a, i, l| {
            Box::pin(c.reminders(a, i, l, Verb::CallbackCancel))
        }),
    ]
}

impl Chat {
    /// Runs a `followup.*` or `callback.*` action.
    async fn reminders(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let id = || inv.int("id").ok_or_else(|| missing("id"));
        let followup = |event: &str, f: &Followup| {
            self.render(
                locale,
                "reply/followup.txt",
                json!({ "event": event, "f": followup_row(f) }),
            )
        };
        let callback = |event: &str, c: &Callback| {
            self.render(
                locale,
                "reply/callback.txt",
                json!({ "event": event, "c": callback_row(c) }),
            )
        };
        match verb {
            Verb::FollowupAdd => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let when = inv.str("when").ok_or_else(|| missing("when"))?;
                let f = followups::add(desk, actor, r, when, inv.str("note")).await?;
                followup("added", &f)
            }
            Verb::FollowupList => {
                let rows: Vec<Value> = followups::list(desk, actor)
                    .await?
                    .iter()
                    .map(followup_row)
                    .collect();
                self.render(locale, "reply/followups.txt", json!({ "rows": rows }))
            }
            Verb::FollowupDone => followup(
                "done",
                &followups::close(desk, actor, id()?, FollowupStatus::Done).await?,
            ),
            Verb::FollowupCancel => followup(
                "cancelled",
                &followups::close(desk, actor, id()?, FollowupStatus::Cancelled).await?,
            ),
            Verb::FollowupSnooze => {
                let minutes = match inv.str("for") {
                    Some(typed) => {
                        let by =
                            parse_duration(typed).map_err(|_| Msg::new("followup.bad_snooze"))?;
                        (by.as_secs() / 60) as i64
                    }
                    None => followups::DEFAULT_SNOOZE_MINUTES,
                };
                followup(
                    "snoozed",
                    &followups::snooze(desk, actor, id()?, minutes).await?,
                )
            }
            Verb::CallbackSchedule => {
                let input = CallbackInput {
                    customer: inv.str("customer").ok_or_else(|| missing("customer"))?,
                    when: inv.str("when"),
                    repeat: inv.str("repeat"),
                    note: inv.str("note"),
                };
                callback("scheduled", &callbacks::schedule(desk, actor, input).await?)
            }
            Verb::CallbackList => {
                let rows: Vec<Value> = callbacks::list(desk, actor)
                    .await?
                    .iter()
                    .map(callback_row)
                    .collect();
                self.render(locale, "reply/callbacks.txt", json!({ "rows": rows }))
            }
            Verb::CallbackDone => callback("done", &callbacks::done(desk, actor, id()?).await?),
            Verb::CallbackCancel => {
                callback("cancelled", &callbacks::cancel(desk, actor, id()?).await?)
            }
        }
    }

    /// Done / Snooze 1 h / Snooze 1 day on a follow-up reminder.
    pub(crate) fn followup_actions(&self, locale: Locale, id: i64) -> Vec<Action> {
        [
            ("done", "button.done", format!("/followup done id:{id}")),
            (
                "1h",
                "button.snooze_1h",
                format!("/followup snooze id:{id} for:1h"),
            ),
            (
                "1d",
                "button.snooze_1d",
                format!("/followup snooze id:{id} for:1d"),
            ),
        ]
        .into_iter()
        .map(|(verb, label, command)| Action {
            label: self.renderer.msg(locale, &Msg::new(label)),
            command: self.catalog.localize_line(&command, locale),
            needs_comment: false,
            custom_id: format!("fu:{verb}:{id}"),
            reference: Some(format!("followup:{id}")),
            task_id: None,
            style: if verb == "done" {
                Style::Go
            } else {
                Style::Neutral
            },
            modal_title: None,
        })
        .collect()
    }

    /// Done on a callback reminder.
    pub(crate) fn callback_actions(&self, locale: Locale, id: i64) -> Vec<Action> {
        vec![Action {
            label: self.renderer.msg(locale, &Msg::new("button.done")),
            command: self
                .catalog
                .localize_line(&format!("/callback done id:{id}"), locale),
            needs_comment: false,
            custom_id: format!("cb:done:{id}"),
            reference: Some(format!("callback:{id}")),
            task_id: None,
            style: Style::Go,
            modal_title: None,
        }]
    }
}
