//! The email channel: outbox rows rendered in the recipient's language and sent through the
//! [`Mailer`], several at once over the SMTP pool. A row's Message-ID comes from its id, so a
//! redelivery (after a crash mid-send) carries the same one and the receiver can drop it.

use super::{backoff, settlement, Verdict};
use crate::chat::render::Renderer;
use crate::mail::{compose, Mailer, SendError};
use crate::service::Desk;
use crate::store::{self, outbox, outbox::Message};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a claimed row stays ours before another worker may take it.
const LEASE: Duration = Duration::from_secs(300);
/// A row is sent only while its lease has at least this long left (a send is bounded by the
/// SMTP timeout at each step); outcomes are recorded only while the lease is still ours.
const SEND_BUDGET: Duration = Duration::from_secs(120);

/// Delivers email.
#[derive(Clone)]
pub struct EmailOutbox {
    desk: Desk,
    renderer: Arc<Renderer>,
    mailer: Arc<Mailer>,
    /// Messages in flight at once (the SMTP pool's size).
    concurrency: usize,
    /// Rows one claim takes.
    batch: i64,
    /// How long an approve-from-email link works (`web.link_valid_days`).
    link_valid_ms: i64,
}

impl EmailOutbox {
    /// A worker sending up to `concurrency` messages at once.
    pub fn new(
        desk: Desk,
        renderer: Arc<Renderer>,
        mailer: Arc<Mailer>,
        concurrency: usize,
    ) -> Self {
        let concurrency = concurrency.max(1);
        EmailOutbox {
            desk,
            renderer,
            mailer,
            concurrency,
            batch: (concurrency * 8).clamp(16, 256) as i64,
            link_valid_ms: 7 * 86_400_000,
        }
    }

    /// Approve-from-email links work this long (default 7 days).
    pub fn with_link_validity(mut self, ms: i64) -> Self {
        self.link_valid_ms = ms;
        self
    }

    /// Delivers until `stop` turns true, polling every `poll` when idle.
    pub async fn run(self, mut stop: watch::Receiver<bool>, poll: Duration) {
        tracing::info!(to = %self.mailer.describe(), "email outbox started");
        loop {
            let busy = match self.drain_once().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "email outbox: claim failed");
                    false
                }
            };
            if busy && !*stop.borrow() {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// Claims one batch of due email, sends it and records the outcomes; returns how many
    /// rows it claimed.
    pub async fn drain_once(&self) -> anyhow::Result<usize> {
        let desk = &self.desk;
        let claimed = {
            let mut tx = desk.store.begin().await?;
            let now = store::to_ms(desk.now());
            let lease = LEASE.as_millis() as i64;
            let rows =
                outbox::claim_email(&mut tx, desk.store.backend(), now, lease, self.batch).await?;
            tx.commit().await?;
            rows
        };
        if claimed.is_empty() {
            return Ok(0);
        }
        let n = claimed.len();
        let outcomes: Vec<(i64, i64, i64, Verdict)> = futures::stream::iter(claimed)
            .map(|m| {
                let this = self.clone();
                async move {
                    let held = m.locked_until.unwrap_or_default();
                    let now = store::to_ms(this.desk.now());
                    let verdict = if now + SEND_BUDGET.as_millis() as i64 > held {
                        Verdict::Wait(Duration::ZERO, "lease running out".into())
                    } else {
                        this.deliver(&m).await
                    };
                    (m.id, held, m.attempts, verdict)
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let now = store::to_ms(desk.now());
        let mut tx = desk.store.begin().await?;
        for (id, held, attempts, verdict) in &outcomes {
            match verdict {
                Verdict::Retry(_, reason) => {
                    tracing::info!(id, attempts, reason = %without_addresses(reason), "email not sent yet; will retry")
                }
                Verdict::Dead(reason) => {
                    tracing::warn!(id, reason = %without_addresses(reason), "email undeliverable (dead letter)")
                }
                _ => {}
            }
            let settle = settlement(verdict, *attempts, now);
            crate::metrics::global().delivery("email", &settle);
            outbox::settle(&mut tx, *id, *held, settle, now).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn deliver(&self, m: &Message) -> Verdict {
        match self.compose(m).await {
            Ok(Ok((msg, stem))) => match self.mailer.send(msg, &stem).await {
                Ok(provider) => Verdict::Sent(provider),
                Err(SendError::Permanent(reason)) => Verdict::Dead(reason),
                Err(SendError::Transient(reason)) => Verdict::Retry(backoff(m.attempts), reason),
            },
            // The message cannot be made (bad address, broken template): retrying will not help;
            // the operator fixes the cause and runs `bizdesk outbox retry`.
            Ok(Err(reason)) => Verdict::Dead(reason),
            // The database failed us: try again.
            Err(e) => Verdict::Retry(backoff(m.attempts), format!("{e:#}")),
        }
    }

    /// The message for a row, or why it cannot be made.
    async fn compose(
        &self,
        m: &Message,
    ) -> anyhow::Result<Result<(lettre::Message, String), String>> {
        let desk = &self.desk;
        let Some(address) = m.address.as_deref() else {
            return Ok(Err("no address".into()));
        };
        let mut payload: Value = match serde_json::from_str(&m.payload) {
            Ok(v) => v,
            Err(e) => return Ok(Err(format!("payload is not JSON: {e}"))),
        };
        let mut conn = desk.store.pool().acquire().await?;
        let recipient = match m.recipient_id {
            Some(id) => store::directory::by_id(&mut conn, id).await?,
            None => None,
        };
        let locale = recipient
            .as_ref()
            .and_then(|r| r.locale)
            .or_else(|| {
                payload
                    .get("locale")
                    .and_then(Value::as_str)
                    .and_then(crate::domain::Locale::parse)
            })
            .unwrap_or(desk.company.locale);
        let to_name = recipient.as_ref().map(|r| r.name.clone()).or_else(|| {
            payload
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        let thread: Vec<String> = match &m.subject_ref {
            Some(subject) => outbox::thread_before(&mut conn, subject, address, m.id)
                .await?
                .into_iter()
                .map(|(id, at)| compose::message_id(id, at, &self.mailer.domain))
                .collect(),
            None => Vec::new(),
        };
        drop(conn);
        if let Value::Object(map) = &mut payload {
            map.insert("company".into(), json!(desk.company.name_in(locale)));
            map.insert("recipient".into(), json!(to_name));
            map.insert("in_thread".into(), json!(!thread.is_empty()));
            if LINKED_KINDS.contains(&m.kind.as_str()) {
                let links = m.recipient_id.map(|to| self.decision_links(to, map));
                map.insert("links".into(), json!(links.unwrap_or_default()));
                let days = (self.link_valid_ms + 86_399_999) / 86_400_000;
                map.insert("link_days".into(), json!(days));
            }
        }
        let content = match compose::render(
            &self.renderer,
            locale,
            &m.kind,
            &payload,
            desk.company.discord,
        ) {
            Ok(c) => c,
            Err(e) => return Ok(Err(format!("template: {e:#}"))),
        };
        // A message may say who its replies reach (a PO's buyer, for its supplier): the
        // payload's `reply_to` address, else the configured one.
        let own_reply_to = payload
            .get("reply_to")
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<lettre::Address>().ok())
            .map(|a| {
                let name = payload.get("reply_to_name").and_then(Value::as_str);
                lettre::message::Mailbox::new(name.map(str::to_string), a)
            });
        // The sender's name in the reader's language when it is the company's own name (an
        // explicit `smtp.from_name` stays as written).
        let from = match &self.mailer.from.name {
            Some(n) if *n == desk.company.name => lettre::message::Mailbox::new(
                Some(desk.company.name_in(locale).to_string()),
                self.mailer.from.email.clone(),
            ),
            _ => self.mailer.from.clone(),
        };
        let env = compose::Envelope {
            from: &from,
            reply_to: own_reply_to.as_ref().or(self.mailer.reply_to.as_ref()),
            to: address,
            to_name: to_name.as_deref(),
            message_id: compose::message_id(m.id, m.created_at, &self.mailer.domain),
            thread: &thread,
        };
        Ok(match compose::build(&env, content) {
            Ok(msg) => Ok((msg, format!("{:06}-{}", m.id, m.kind))),
            Err(e) => Err(format!("{e:#}")),
        })
    }
}

/// The notifications whose email carries Approve / Reject / Request changes links.
const LINKED_KINDS: [&str; 2] = ["approval_prompt", "approval_reminder"];

impl EmailOutbox {
    /// A prompt's decision links for its recipient, one per decision its subject allows:
    /// `{public_url}/a/{token}?d=approve`, the token signed for this task and approver.
    fn decision_links(&self, to: i64, payload: &serde_json::Map<String, Value>) -> Vec<Value> {
        let Some(task_id) = payload.get("task_id").and_then(Value::as_i64) else {
            return Vec::new();
        };
        let desk = &self.desk;
        let link = crate::approval::link_token::Link {
            task_id,
            employee_id: to,
            expires_ms: store::to_ms(desk.now()) + self.link_valid_ms,
        };
        let key = crate::approval::link_token::key(&desk.keys.satisfaction);
        let token = crate::approval::link_token::sign(&key, &link);
        let base = desk.company.public_url.trim_end_matches('/');
        payload
            .get("subject")
            .and_then(|s| s.get("decisions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|d| json!({ "decision": d, "url": format!("{base}/a/{token}?d={d}") }))
            .collect()
    }
}

/// A delivery failure for the log: email addresses (a customer's, in "`…` is not a valid email
/// address" or a server's "recipient rejected") become `[address]`; the outbox row keeps the
/// full reason for `bizdesk outbox list --failed`.
fn without_addresses(reason: &str) -> String {
    static ADDRESS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    ADDRESS
        .get_or_init(|| {
            regex::Regex::new(r"[^\s<>`'\x22,;:()]+@[^\s<>`'\x22,;:()]+").expect("valid regex")
        })
        .replace_all(reason, "[address]")
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_stay_out_of_the_log() {
        assert_eq!(
            super::without_addresses(
                "`zj@huadong` is not a valid email address; 550 <a.b@c.cn> rejected"
            ),
            "`[address]` is not a valid email address; 550 <[address]> rejected"
        );
    }
}
