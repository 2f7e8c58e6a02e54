//! Gateway mode: serenity's client keeps a websocket to Discord and hands us interactions.

use super::Discord;
use crate::config::Config;
use anyhow::Context;
use serenity::all::{
    ApplicationId, ConnectionStage, Context as Ctx, EventHandler, GatewayIntents, Interaction,
    Ready, ResumedEvent, ShardStageUpdateEvent,
};
use serenity::client::ClientBuilder;
use serenity::http::HttpBuilder;
use std::sync::Arc;
use tokio::sync::watch;

struct Handler {
    discord: Arc<Discord>,
    /// Whether the session is live, for `/readyz`.
    connected: watch::Sender<bool>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Ctx, ready: Ready) {
        self.connected.send_replace(true);
        tracing::info!(bot = %ready.user.name, "connected to Discord");
    }

    async fn resume(&self, _ctx: Ctx, _event: ResumedEvent) {
        self.connected.send_replace(true);
    }

    async fn shard_stage_update(&self, _ctx: Ctx, event: ShardStageUpdateEvent) {
        let live = event.new == ConnectionStage::Connected;
        if self.connected.send_replace(live) && !live {
            tracing::warn!(stage = %event.new, "Discord connection lost; serenity reconnects");
        }
    }

    async fn interaction_create(&self, _ctx: Ctx, interaction: Interaction) {
        // Answer off the event loop so one slow interaction never delays another.
        tokio::spawn(self.discord.clone().answer(interaction));
    }
}

/// Runs the gateway client until `stop` turns true (or serenity gives up), publishing whether
/// the session is live in `connected`.
pub async fn run(
    config: &Config,
    discord: Arc<Discord>,
    mut stop: watch::Receiver<bool>,
    connected: watch::Sender<bool>,
) -> anyhow::Result<()> {
    let d = &config.discord;
    let mut http =
        HttpBuilder::new(d.token.expose()).application_id(ApplicationId::new(discord.app_id));
    if !d.api_base.is_empty() {
        // A test fake or a proxy: serenity honours a proxy only with its rate limiter off, and
        // must not route 127.0.0.1 through the system's proxy settings.
        let client = reqwest::Client::builder().no_proxy().build()?;
        http = http
            .proxy(d.api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true)
            .client(client);
    }
    // `new_with_http` keeps our Http (and its proxy); `Client::builder` would make a fresh one.
    let mut client = ClientBuilder::new_with_http(http.build(), GatewayIntents::empty())
        .event_handler(Handler { discord, connected })
        .await
        .context("building the Discord client")?;
    let shards = client.shard_manager.clone();
    let watcher = tokio::spawn(async move {
        let _ = stop.wait_for(|s| *s).await;
        shards.shutdown_all().await;
    });
    let result = client.start().await.context("Discord gateway");
    watcher.abort();
    result
}
