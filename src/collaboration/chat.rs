//! `/followup` and `/callback`: the commands, and the buttons on their reminders.

use crate::approval::policy::parse_duration;
use crate::chat::actions::{missing, Chat, Reply};
use crate::chat::buttons::Action;
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

impl Chat {
    /// Runs a `followup.*` or `callback.*` action.
    pub(crate) async fn reminders(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
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
        match inv.action.as_str() {
            "followup.add" => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let when = inv.str("when").ok_or_else(|| missing("when"))?;
                let f = followups::add(desk, actor, r, when, inv.str("note")).await?;
                followup("added", &f)
            }
            "followup.list" => {
                let rows: Vec<Value> = followups::list(desk, actor)
                    .await?
                    .iter()
                    .map(followup_row)
                    .collect();
                self.render(locale, "reply/followups.txt", json!({ "rows": rows }))
            }
            "followup.done" => followup(
                "done",
                &followups::close(desk, actor, id()?, FollowupStatus::Done).await?,
            ),
            "followup.cancel" => followup(
                "cancelled",
                &followups::close(desk, actor, id()?, FollowupStatus::Cancelled).await?,
            ),
            "followup.snooze" => {
                let by = parse_duration(inv.str("for").unwrap_or("1h"))
                    .map_err(|_| Msg::new("followup.bad_snooze"))?;
                let minutes = (by.as_secs() / 60) as i64;
                followup(
                    "snoozed",
                    &followups::snooze(desk, actor, id()?, minutes).await?,
                )
            }
            "callback.schedule" => {
                let input = CallbackInput {
                    customer: inv.str("customer").ok_or_else(|| missing("customer"))?,
                    when: inv.str("when"),
                    repeat: inv.str("repeat"),
                    note: inv.str("note"),
                };
                callback("scheduled", &callbacks::schedule(desk, actor, input).await?)
            }
            "callback.list" => {
                let rows: Vec<Value> = callbacks::list(desk, actor)
                    .await?
                    .iter()
                    .map(callback_row)
                    .collect();
                self.render(locale, "reply/callbacks.txt", json!({ "rows": rows }))
            }
            "callback.done" => callback("done", &callbacks::done(desk, actor, id()?).await?),
            "callback.cancel" => {
                callback("cancelled", &callbacks::cancel(desk, actor, id()?).await?)
            }
            other => Err(DeskError::Internal(anyhow::anyhow!(
                "no handler for action {other}"
            ))),
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
        }]
    }
}
