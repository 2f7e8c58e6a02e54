//! The chat channel: outbox messages delivered as Discord DMs, and prompt edits applied to the
//! DM they were sent as. Message ids are stored on the row (`channel:message`), so a later
//! edit finds its prompt, also after a restart.

use super::{backoff, settlement, Verdict};
use crate::chat::discord::rest::RestError;
use crate::chat::discord::{components, Discord};
use crate::domain::Locale;
use crate::service::notify::kind;
use crate::store::outbox::{Message, OutboxStatus};
use crate::store::{self, outbox};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// How long a claimed row stays ours before another worker may take it.
const LEASE: Duration = Duration::from_secs(60);
/// The longest one send may take (two REST calls at their 15 s timeout, plus margin). A row
/// is sent only while its lease has at least this long left, so no other worker can have
/// taken it meanwhile; outcomes are recorded only while the lease is still ours.
const SEND_BUDGET: Duration = Duration::from_secs(35);
/// How many rows one claim takes.
const BATCH: i64 = 20;

/// Delivers chat messages to Discord.
pub struct DiscordOutbox {
    discord: Arc<Discord>,
    /// DM channel per Discord user, so each user's channel is opened once.
    channels: Mutex<HashMap<String, String>>,
}

impl DiscordOutbox {
    /// A worker for this bot.
    pub fn new(discord: Arc<Discord>) -> Self {
        DiscordOutbox {
            discord,
            channels: Mutex::new(HashMap::new()),
        }
    }

    /// Delivers until `stop` turns true, polling every `poll` when idle.
    pub async fn run(self, mut stop: watch::Receiver<bool>, poll: Duration) {
        loop {
            let busy = match self.drain_once().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "chat outbox: claim failed");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// Claims one batch of due messages and delivers it; returns how many it handled.
    pub async fn drain_once(&self) -> anyhow::Result<usize> {
        let desk = &self.discord.chat.desk;
        let lease = LEASE.as_millis() as i64;
        // Every write goes through the store's writer (one connection on SQLite).
        let claimed = {
            let mut tx = desk.store.begin().await?;
            let now = store::to_ms(desk.now());
            let rows =
                outbox::claim_discord(&mut tx, desk.store.backend(), now, lease, BATCH).await?;
            tx.commit().await?;
            rows
        };
        // After a 429 the rest of the batch waits too, instead of earning more 429s.
        let mut paused: Option<Duration> = None;
        for m in &claimed {
            let Some(held) = m.locked_until else { continue };
            let now = store::to_ms(desk.now());
            let verdict = if let Some(wait) = paused {
                Verdict::RateLimited(wait)
            } else if now + SEND_BUDGET.as_millis() as i64 > held {
                // Our lease could run out mid-send and another worker take the row: leave it.
                Verdict::Wait(Duration::ZERO, "lease running out".into())
            } else {
                self.deliver(m).await
            };
            if let Verdict::RateLimited(wait) = &verdict {
                paused = Some(*wait);
            }
            if let Verdict::Dead(reason) = &verdict {
                tracing::warn!(id = m.id, kind = %m.kind, reason = %reason, "chat message undeliverable");
            }
            let now = store::to_ms(desk.now());
            let settle = settlement(&verdict, m.attempts, now);
            crate::metrics::global().delivery("chat", &settle);
            let mut tx = desk.store.begin().await?;
            outbox::settle(&mut tx, m.id, held, settle, now).await?;
            tx.commit().await?;
        }
        Ok(claimed.len())
    }

    /// One delivery attempt.
    async fn deliver(&self, m: &Message) -> Verdict {
        match self.try_deliver(m).await {
            Ok(v) => v,
            Err(e) => Verdict::Retry(backoff(m.attempts), format!("{e:#}")),
        }
    }

    async fn try_deliver(&self, m: &Message) -> anyhow::Result<Verdict> {
        let chat = &self.discord.chat;
        let mut conn = chat.desk.store.pool().acquire().await?;
        let Some(recipient) =
            store::directory::by_id(&mut conn, m.recipient_id.unwrap_or_default()).await?
        else {
            return Ok(Verdict::Dead("recipient not in the directory".into()));
        };
        let Some(user) = recipient.discord_id.clone() else {
            return Ok(Verdict::Dead("recipient has no Discord id".into()));
        };
        let locale = recipient.locale.unwrap_or(chat.desk.company.locale);
        let original = match m.edits_id {
            Some(id) => outbox::get(&mut conn, id).await?,
            None => None,
        };
        drop(conn);
        if m.kind == kind::PROMPT_CLOSED {
            return Ok(self.close_prompt(m, original, locale).await);
        }
        if m.edits_id.is_some() {
            if let Some(v) = self.replace(m, original, locale).await {
                return Ok(v);
            }
        }
        let reply = chat.notification(locale, m);
        let body = components::dm(&reply.text, &reply.actions);
        let channel = match self.channel(&user).await {
            Ok(c) => c,
            Err(e) => return Ok(verdict(m, e)),
        };
        Ok(
            match self.discord.rest.post_message(&channel, &body).await {
                Ok(message) => Verdict::Sent(format!("{channel}:{message}")),
                Err(e) => verdict(m, e),
            },
        )
    }

    /// Replaces an earlier DM's content with this message's own rendering (a PO's progress,
    /// edited in place as it moves). `None`: the original never reached Discord (dead, or
    /// delivered elsewhere), so this one is sent as a new message instead.
    async fn replace(
        &self,
        m: &Message,
        original: Option<Message>,
        locale: Locale,
    ) -> Option<Verdict> {
        let original = original?;
        if original.status == OutboxStatus::Pending {
            return Some(Verdict::Retry(
                Duration::from_secs(1),
                "waiting for the message it edits to be sent".into(),
            ));
        }
        if original.status == OutboxStatus::Dead {
            return None;
        }
        // The message this edits may itself have been an edit: the DM is the one it names.
        let (channel, message) = original.provider_id.as_deref()?.split_once(':')?;
        let reply = self.discord.chat.notification(locale, m);
        let body = components::dm(&reply.text, &reply.actions);
        Some(
            match self
                .discord
                .rest
                .edit_message(channel, message, &body)
                .await
            {
                Ok(()) => Verdict::Sent(format!("{channel}:{message}")),
                Err(e) => verdict(m, e),
            },
        )
    }

    /// Edits a prompt's DM to show its outcome, with the buttons removed.
    async fn close_prompt(
        &self,
        m: &Message,
        original: Option<Message>,
        locale: Locale,
    ) -> Verdict {
        let Some(original) = original else {
            return Verdict::Dead("the prompt it closes does not exist".into());
        };
        match original.status {
            OutboxStatus::Pending => {
                return Verdict::Retry(
                    Duration::from_secs(1),
                    "waiting for the prompt to be sent".into(),
                )
            }
            OutboxStatus::Dead => return Verdict::Sent("prompt-never-delivered".into()),
            _ => {}
        }
        let Some((channel, message)) = original
            .provider_id
            .as_deref()
            .and_then(|p| p.split_once(':'))
        else {
            // Delivered elsewhere (the console): nothing to edit in Discord.
            return Verdict::Sent("not-in-discord".into());
        };
        let chat = &self.discord.chat;
        let prompt = chat.notification(locale, &original).text;
        let outcome = chat.notification(locale, m).text;
        let mut body = components::dm(&format!("{prompt}\n\n{outcome}"), &[]);
        body["components"] = json!([]);
        match self
            .discord
            .rest
            .edit_message(channel, message, &body)
            .await
        {
            Ok(()) => Verdict::Sent(format!("{channel}:{message}")),
            Err(e) => verdict(m, e),
        }
    }

    async fn channel(&self, user: &str) -> Result<String, RestError> {
        if let Some(c) = self.channels.lock().await.get(user) {
            return Ok(c.clone());
        }
        let c = self.discord.rest.dm_channel(user).await?;
        self.channels
            .lock()
            .await
            .insert(user.to_string(), c.clone());
        Ok(c)
    }
}

/// The retry policy: 429 waits as told; 5xx and network errors back off; other 4xx are never
/// retried blindly (Discord bans bots that keep making invalid requests).
fn verdict(m: &Message, e: RestError) -> Verdict {
    match e {
        RestError::RateLimited(wait) => Verdict::RateLimited(wait),
        RestError::Refused {
            code: RestError::DMS_CLOSED,
            ..
        } => Verdict::Dead("DMs closed (Discord 50007)".into()),
        RestError::Refused {
            status,
            code,
            message,
        } => Verdict::Dead(format!(
            "Discord refused ({status}, code {code}): {message}"
        )),
        e @ (RestError::Server { .. } | RestError::Network(_)) => {
            Verdict::Retry(backoff(m.attempts), e.to_string())
        }
    }
}
