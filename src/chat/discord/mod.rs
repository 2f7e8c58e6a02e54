//! The Discord transport: slash commands, buttons and modals over the gateway (a websocket
//! from this process) or over HTTP (Discord POSTs to `/discord/interactions`). Both hand each
//! interaction to [`interactions::handle`]; neither holds business rules.

pub mod components;
pub mod endpoint;
pub mod gateway;
pub mod interactions;
pub mod link;
pub mod register;
pub mod rest;

use crate::chat::Chat;
use crate::config::Config;
use anyhow::Context;
use interactions::Outcome;
use rest::Rest;
use serde_json::{json, Value};
use serenity::all::Interaction;
use std::sync::Arc;
use std::time::Duration;

/// How long an interaction may run before it is answered with "thinking…" (Discord allows 3 s
/// for the first response; the rest covers the network).
pub const DEADLINE: Duration = Duration::from_millis(2200);

/// The bot: the chat desk plus Discord's REST API.
#[derive(Clone, Debug)]
pub struct Discord {
    pub chat: Chat,
    pub rest: Rest,
    pub app_id: u64,
    pub deadline: Duration,
}

impl Discord {
    /// Connects to Discord's REST API and learns the application id when it is not configured.
    pub async fn new(config: &Config, chat: Chat) -> anyhow::Result<Discord> {
        let d = &config.discord;
        let rest = Rest::new(&d.api_base, d.token.expose())?;
        let app_id = match d.application_id {
            Some(id) => id,
            // A bot's user id is its application's id; ask for the application first, then
            // for the bot user (the one every Discord, real or fake, answers).
            None => match rest.application_id().await {
                Ok(id) => id,
                Err(_) => rest
                    .bot_user_id()
                    .await
                    .context("asking Discord who this bot is")?,
            },
        };
        Ok(Discord {
            chat,
            rest,
            app_id,
            deadline: DEADLINE,
        })
    }

    /// Registers every command (bulk overwrite): in one server when `guild` is set (instant),
    /// else globally. Returns how many Discord accepted.
    pub async fn register_commands(&self, guild: Option<u64>) -> anyhow::Result<usize> {
        let body = register::registration_body(&self.chat.catalog);
        self.rest
            .register_commands(self.app_id, guild, &body)
            .await
            .context("registering slash commands")
    }

    /// Works out the first response within the deadline. When the work is slower, the first
    /// response is a deferral and the still-running work is handed back: the caller sends the
    /// first response, then calls [`Discord::finish`] so the edit never precedes the deferral.
    pub async fn respond(&self, interaction: Interaction) -> (Option<Value>, Option<Deferred>) {
        let (started, kind) = (std::time::Instant::now(), kind_of(&interaction));
        let token = interaction_token(&interaction);
        let fallback = interactions::slow_fallback(&self.chat, &interaction);
        let chat = self.chat.clone();
        let mut work = tokio::spawn(async move { interactions::handle(&chat, &interaction).await });
        let (how, answer) = match tokio::time::timeout(self.deadline, &mut work).await {
            Ok(Ok(outcome)) => ("direct", (outcome.response(), None)),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "interaction handler failed");
                let body = json!({ "type": 4, "data": components::text("⚠️") });
                ("error", (Some(body), None))
            }
            // Autocomplete cannot be deferred, and a modal cannot follow a deferral: answer
            // those directly (the decision itself checks everything again on submit).
            Err(_) if fallback.is_some() => ("direct", (fallback.and_then(|o| o.response()), None)),
            Err(_) => {
                let deferred = token.map(|token| Deferred { token, work });
                let body = json!({ "type": 5, "data": { "flags": 64 } });
                ("deferred", (Some(body), deferred))
            }
        };
        crate::metrics::global().discord_answered(kind, how, started.elapsed());
        answer
    }

    /// Finishes a deferred interaction: waits for the work and edits its answer in. Retries a
    /// few times while Discord does not know the deferral yet (10015, unknown message).
    pub async fn finish(&self, deferred: Deferred) {
        let body = match deferred.work.await {
            Ok(Outcome::Message(data)) => data,
            Ok(Outcome::Duplicate) => return,
            Ok(_) | Err(_) => components::text("⚠️ Please try again."),
        };
        let mut body = body;
        if let Some(obj) = body.as_object_mut() {
            obj.remove("flags"); // fixed by the deferral; an edit cannot change it
        }
        for attempt in 0..4u64 {
            match self
                .rest
                .edit_original(self.app_id, &deferred.token, &body)
                .await
            {
                Ok(()) => return,
                Err(e) if attempt < 3 => {
                    tracing::debug!(error = %e, "deferred edit not accepted yet; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
                }
                Err(e) => tracing::warn!(error = %e, "cannot edit a deferred response"),
            }
        }
    }

    /// Answers an interaction that arrived over the gateway: first response by REST, then the
    /// deferred edit if the work was slow.
    pub async fn answer(self: Arc<Self>, interaction: Interaction) {
        let (id, token) = (
            interaction.id().get().to_string(),
            interaction_token(&interaction),
        );
        let (first, deferred) = self.respond(interaction).await;
        if let (Some(body), Some(token)) = (first, token) {
            if let Err(e) = self.rest.interaction_callback(&id, &token, &body).await {
                tracing::warn!(interaction = %id, error = %e, "cannot answer an interaction");
                return;
            }
        }
        if let Some(d) = deferred {
            self.finish(d).await;
        }
    }
}

/// A deferred interaction: its token and the work still running.
pub struct Deferred {
    token: String,
    work: tokio::task::JoinHandle<Outcome>,
}

/// The interaction's kind, as a metrics label.
fn kind_of(i: &Interaction) -> &'static str {
    match i {
        Interaction::Command(_) => "command",
        Interaction::Autocomplete(_) => "autocomplete",
        Interaction::Component(_) => "component",
        Interaction::Modal(_) => "modal",
        _ => "other",
    }
}

fn interaction_token(i: &Interaction) -> Option<String> {
    match i {
        Interaction::Command(c) | Interaction::Autocomplete(c) => Some(c.token.clone()),
        Interaction::Component(c) => Some(c.token.clone()),
        Interaction::Modal(m) => Some(m.token.clone()),
        _ => None,
    }
}
