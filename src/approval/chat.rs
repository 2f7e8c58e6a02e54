//! `/inbox`, `/approval` (approve, reject, changes) and `/delegate`: the approval engine's
//! commands.

use crate::approval::decisions::{self, Target};
use crate::approval::delegations::service as delegations;
use crate::approval::domain::Decision;
use crate::approval::inbox;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;
use serde_json::{json, Value};

/// The approval engine's actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("inbox", |c, a, _, l| Box::pin(c.inbox(a, l))),
        Handler::new("approval.approve", |c, a, i, l| {
            Box::pin(c.decide(a, i, l, Decision::Approve))
        }),
        Handler::new("approval.reject", |c, a, i, l| {
            Box::pin(c.decide(a, i, l, Decision::Reject))
        }),
        Handler::new("approval.changes", |c, a, i, l| {
            Box::pin(c.decide(a, i, l, Decision::Changes))
        }),
        Handler::new("delegate.set", |c, a, i, l| {
            Box::pin(c.delegate_set(a, i, l))
        }),
        Handler::new("delegate.off", |c, a, _, l| Box::pin(c.delegate_off(a, l))),
        Handler::new("delegate.show", |c, a, _, l| {
            Box::pin(c.delegate_show(a, l))
        }),
    ]
}

impl Chat {
    /// `/inbox`: one's open tasks, each with its decision buttons.
    async fn inbox(&self, actor: &Employee, locale: Locale) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let items = inbox::open_tasks(desk, actor).await?;
        let now_ms = desk.now().timestamp_millis();
        let rows: Vec<Value> = items
            .iter()
            .map(|i| views::inbox_row(i, now_ms, locale))
            .collect();
        // Each kind's hint once (how an opportunity is assessed, ...).
        let mut hints: Vec<&str> = Vec::new();
        for i in &items {
            if let Some(h) = i.subject["hint"].as_str() {
                if !hints.contains(&h) {
                    hints.push(h);
                }
            }
        }
        let ctx = json!({ "rows": rows, "hints": hints });
        let mut reply = self.render(locale, "reply/inbox.txt", ctx)?;
        for i in &items {
            reply
                .actions
                .extend(self.decision_actions(locale, &i.reference, None));
        }
        Ok(reply)
    }

    /// `/approval approve|reject|changes`.
    async fn decide(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        decision: Decision,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
        let out = decisions::decide_with(
            desk,
            actor,
            Target::Ref(reference),
            decision,
            inv.str("comment"),
            inv.str("priority"),
        )
        .await?;
        self.decided_reply(locale, &out)
    }

    /// `/delegate set`.
    async fn delegate_set(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let to = inv.handle("to").ok_or_else(|| missing("to"))?;
        let until = inv.date("until").ok_or_else(|| missing("until"))?;
        let d = delegations::set(&self.desk, actor, to, inv.date("from"), until).await?;
        self.render(
            locale,
            "reply/delegated.txt",
            json!({
                "to": d.other, "from": d.starts_on.to_string(), "until": d.ends_on.to_string(),
            }),
        )
    }

    /// `/delegate off`.
    async fn delegate_off(&self, actor: &Employee, locale: Locale) -> Result<Reply, DeskError> {
        let n = delegations::off(&self.desk, actor).await?;
        self.render(locale, "reply/delegation_off.txt", json!({ "count": n }))
    }

    /// `/delegate show`.
    async fn delegate_show(&self, actor: &Employee, locale: Locale) -> Result<Reply, DeskError> {
        let (given, held) = delegations::show(&self.desk, actor).await?;
        self.render(
            locale,
            "reply/delegations.txt",
            json!({
                "given": delegation_rows(&given), "held": delegation_rows(&held),
            }),
        )
    }
}

/// Delegations as rows for a reply.
pub(crate) fn delegation_rows(v: &[delegations::DelegationView]) -> Vec<Value> {
    v.iter()
        .map(|d| json!({ "name": d.other, "from": d.starts_on.to_string(), "until": d.ends_on.to_string() }))
        .collect()
}
