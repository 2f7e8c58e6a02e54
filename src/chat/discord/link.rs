//! Keeping Discord connected without making the rest of bizdesk wait for it: when Discord
//! cannot be reached at start (or later), email, the scheduler and the web server keep
//! running while this task learns who the bot is, registers the slash commands and holds the
//! gateway, each retried with capped exponential backoff and jitter. Whether the gateway is
//! connected is published for `GET /readyz`.

use super::{gateway, Discord};
use crate::chat::Chat;
use crate::config::Config;
use crate::outbox::discord::DiscordOutbox;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Capped exponential backoff with jitter: each wait is a random point between half and all
/// of `min · 2^failures`, never more than `max`, so many processes do not retry in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// Starts at `min`, doubling up to `max`.
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
            failures: 0,
        }
    }

    /// The backoff configured in `discord.reconnect_min_ms` and `discord.reconnect_max_ms`.
    pub fn from_config(config: &Config) -> Backoff {
        let d = &config.discord;
        Backoff::new(
            Duration::from_millis(d.reconnect_min_ms),
            Duration::from_millis(d.reconnect_max_ms),
        )
    }

    /// How long to wait after one more failure.
    pub fn next_wait(&mut self) -> Duration {
        let factor = 2u32.saturating_pow(self.failures.min(20));
        self.failures = self.failures.saturating_add(1);
        let cap = self.min.saturating_mul(factor).min(self.max);
        cap.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// After a success: the next failure waits `min` again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Waits `wait`, or until `stop` turns true; `true` when stopping.
async fn sleep_or_stop(wait: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    let stopped = tokio::select! {
        _ = tokio::time::sleep(wait) => false,
        _ = stop.wait_for(|s| *s) => true,
    };
    stopped || *stop.borrow()
}

/// Starts the gateway connection in the background; returns its task and whether Discord is
/// connected now (for `/readyz`). Never fails: an unreachable Discord is retried until `stop`.
pub fn spawn_gateway(
    config: &Config,
    chat: Chat,
    stop: watch::Receiver<bool>,
) -> (tokio::task::JoinHandle<()>, watch::Receiver<bool>) {
    let (connected, ready) = watch::channel(false);
    let task = tokio::spawn(run_gateway(config.clone(), chat, stop, connected));
    (task, ready)
}

async fn run_gateway(
    config: Config,
    chat: Chat,
    mut stop: watch::Receiver<bool>,
    connected: watch::Sender<bool>,
) {
    let mut backoff = Backoff::from_config(&config);
    // Who the bot is (the application id, unless configured): the first REST call.
    let discord = loop {
        match Discord::new(&config, chat.clone()).await {
            Ok(d) => break Arc::new(d),
            Err(e) => {
                let wait = backoff.next_wait();
                if is_refusal(&e) {
                    tracing::warn!(attempt = backoff.failures(), retry_in = ?wait, "Discord refused the bot (is discord.token right?): {e:#}");
                } else {
                    tracing::warn!(attempt = backoff.failures(), retry_in = ?wait, "Discord is not reachable: {e:#}");
                }
                if sleep_or_stop(wait, &mut stop).await {
                    return;
                }
            }
        }
    };
    backoff.reset();
    let mut helpers = vec![tokio::spawn(
        DiscordOutbox::new(discord.clone()).run(stop.clone(), Duration::from_millis(500)),
    )];
    helpers.extend(register_with_retries(&config, discord.clone(), stop.clone()).await);
    loop {
        // serenity asks for the gateway's address once, and on failure uses the real
        // Discord's: ask first, so a fake or proxy that is down is retried here.
        let attempt = match discord.rest.gateway_url().await {
            Ok(_) => gateway::run(&config, discord.clone(), stop.clone(), connected.clone()).await,
            Err(e) => Err(anyhow::Error::new(e).context("asking Discord for the gateway")),
        };
        let was_connected = *connected.borrow();
        connected.send_replace(false);
        if *stop.borrow() {
            break;
        }
        if was_connected {
            backoff.reset();
        }
        let wait = backoff.next_wait();
        match attempt {
            Ok(()) => {
                tracing::warn!(attempt = backoff.failures(), retry_in = ?wait, "Discord gateway closed; reconnecting")
            }
            Err(e) => {
                tracing::warn!(attempt = backoff.failures(), retry_in = ?wait, "Discord gateway unavailable: {e:#}")
            }
        }
        if sleep_or_stop(wait, &mut stop).await {
            break;
        }
    }
    for h in helpers.drain(..) {
        let _ = tokio::time::timeout(Duration::from_secs(10), h).await;
    }
}

/// Registers the slash commands now; when Discord cannot take them yet, keeps retrying in the
/// background with backoff and returns that task (commands registered earlier keep working
/// meanwhile). A refusal (4xx other than 429) is not retried: the same request would fail the
/// same way, and `bizdesk discord register` tries again after the cause is fixed.
pub async fn register_with_retries(
    config: &Config,
    discord: Arc<Discord>,
    mut stop: watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let guild = config.discord.guild_id;
    let mut backoff = Backoff::from_config(config);
    let wait = register_once(&discord, guild, &mut backoff).await?;
    Some(tokio::spawn(async move {
        let mut wait = wait;
        while !sleep_or_stop(wait, &mut stop).await {
            match register_once(&discord, guild, &mut backoff).await {
                Some(w) => wait = w,
                None => return,
            }
        }
    }))
}

/// One registration attempt: `None` when finished (registered, or refused for good), else how
/// long to wait before the next.
async fn register_once(
    discord: &Discord,
    guild: Option<u64>,
    backoff: &mut Backoff,
) -> Option<Duration> {
    match discord.register_commands(guild).await {
        Ok(n) => {
            let scope = guild.map_or("globally".to_string(), |g| format!("in server {g}"));
            tracing::info!(commands = n, "registered slash commands {scope}");
            None
        }
        Err(e) if is_refusal(&e) => {
            tracing::error!(error = %format!("{e:#}"), "Discord refused the slash commands; fix the cause, then run `bizdesk discord register`");
            None
        }
        Err(e) => {
            let wait = backoff.next_wait().max(retry_after(&e));
            tracing::warn!(attempt = backoff.failures(), retry_in = ?wait, "could not register slash commands: {e:#}");
            Some(wait)
        }
    }
}

/// Discord's `retry_after` on a 429, else nothing.
fn retry_after(e: &anyhow::Error) -> Duration {
    e.chain()
        .find_map(|c| match c.downcast_ref::<super::rest::RestError>() {
            Some(super::rest::RestError::RateLimited(d)) => Some(*d),
            _ => None,
        })
        .unwrap_or_default()
}

fn is_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<super::rest::RestError>(),
            Some(super::rest::RestError::Refused { .. })
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000));
        let waits: Vec<Duration> = (0..8).map(|_| b.next_wait()).collect();
        for (i, w) in waits.iter().enumerate() {
            let cap = Duration::from_millis((100u64 << i).min(1000));
            assert!(
                *w >= cap / 2 && *w <= cap,
                "wait {i}: {w:?} not in [{:?}, {cap:?}]",
                cap / 2
            );
        }
        assert_eq!(b.failures(), 8);
        b.reset();
        assert!(b.next_wait() <= Duration::from_millis(100));
    }
}
