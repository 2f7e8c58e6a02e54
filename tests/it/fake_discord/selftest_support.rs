//! The serenity bot the fake Discord's self-test drives: a real serenity client (no bizdesk
//! code) whose handler answers every interaction and reports what happened.
//!
//! Not part of the `fake_discord` module: only tests/fake_discord_selftest.rs includes it (with
//! `#[path]`), so the other tests and the bench do not compile it.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    Client, ClientBuilder, Context, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, EventHandler, GatewayIntents, Http,
    HttpBuilder, Interaction as SInteraction, Ready, ShardManager,
};
use tokio::sync::mpsc;

use crate::fake_discord::{FakeDiscord, TOKEN};

pub const T: Duration = Duration::from_secs(15);

#[allow(clippy::large_enum_variant)]
pub enum Ev {
    Ready(Box<Ready>),
    /// The interaction and how the handler's response call went.
    Interaction(SInteraction, Result<(), String>),
}

struct Recorder {
    tx: mpsc::UnboundedSender<Ev>,
}

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let _ = self.tx.send(Ev::Ready(Box::new(ready)));
    }

    async fn interaction_create(&self, ctx: Context, interaction: SInteraction) {
        let result = match &interaction {
            SInteraction::Command(c) => {
                let text = format!("got /{} {:?}", c.data.name, c.data.options());
                c.create_response(
                    &ctx.http,
                    CreateInteractionResponse::Message(
                        CreateInteractionResponseMessage::new().content(text),
                    ),
                )
                .await
            }
            SInteraction::Component(c) => {
                match c
                    .create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                    .await
                {
                    // a deferred update: @original is the clicked message
                    Ok(()) => c
                        .edit_response(
                            &ctx.http,
                            EditInteractionResponse::new()
                                .content(format!("Done: {}", c.data.custom_id))
                                .components(vec![]),
                        )
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                }
            }
            SInteraction::Modal(m) => {
                m.create_response(
                    &ctx.http,
                    CreateInteractionResponse::Message(
                        CreateInteractionResponseMessage::new()
                            .content("thanks")
                            .ephemeral(true),
                    ),
                )
                .await
            }
            SInteraction::Autocomplete(a) => {
                a.create_response(
                    &ctx.http,
                    CreateInteractionResponse::Autocomplete(
                        CreateAutocompleteResponse::new().add_string_choice("Chair", "chair"),
                    ),
                )
                .await
            }
            _ => Ok(()),
        };
        let _ = self.tx.send(Ev::Interaction(
            interaction,
            result.map_err(|e| format!("{e:?}")),
        ));
    }
}

pub struct Bot {
    pub http: Arc<Http>,
    shards: Arc<ShardManager>,
    task: tokio::task::JoinHandle<Result<(), serenity::Error>>,
    events: mpsc::UnboundedReceiver<Ev>,
}

pub fn http_for(fake: &FakeDiscord) -> Http {
    HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .client(reqwest::Client::builder().no_proxy().build().unwrap())
        .build()
}

pub async fn start_bot(fake: &FakeDiscord) -> Bot {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let (tx, events) = mpsc::unbounded_channel();
    let mut client: Client =
        ClientBuilder::new_with_http(http_for(fake), GatewayIntents::DIRECT_MESSAGES)
            .event_handler(Recorder { tx })
            .await
            .expect("client");
    let http = client.http.clone();
    let shards = client.shard_manager.clone();
    let task = tokio::spawn(async move { client.start().await });
    Bot {
        http,
        shards,
        task,
        events,
    }
}

impl Bot {
    pub async fn next(&mut self) -> Ev {
        tokio::time::timeout(T, self.events.recv())
            .await
            .expect("an event within the timeout")
            .expect("event channel open")
    }

    pub async fn ready(&mut self) -> Ready {
        match self.next().await {
            Ev::Ready(r) => *r,
            Ev::Interaction(i, _) => panic!("expected READY, got {i:?}"),
        }
    }

    /// The next interaction and the outcome of the handler's response.
    pub async fn interaction_result(&mut self) -> (SInteraction, Result<(), String>) {
        match self.next().await {
            Ev::Interaction(i, r) => (i, r),
            Ev::Ready(_) => panic!("expected an interaction, got READY"),
        }
    }

    /// The next interaction; its response must have been accepted.
    pub async fn interaction(&mut self) -> SInteraction {
        let (i, r) = self.interaction_result().await;
        r.unwrap_or_else(|e| panic!("response to {i:?} refused: {e}"));
        i
    }

    pub async fn shutdown(self) {
        tokio::time::timeout(T, self.shards.shutdown_all())
            .await
            .expect("shutdown within the timeout");
        tokio::time::timeout(T, self.task)
            .await
            .expect("client task ends")
            .expect("client task not panicked")
            .ok();
    }
}
