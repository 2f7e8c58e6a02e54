//! HTTP mode: Discord POSTs interactions to `/discord/interactions`. Every request must carry a
//! valid Ed25519 signature over timestamp ‖ body, made with the application's key; anything
//! else gets 401. Stateless, so several bizdesk processes can sit behind one load balancer.

use super::Discord;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serenity::all::Interaction;
use serenity::interactions_endpoint::Verifier;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
struct Endpoint {
    discord: Arc<Discord>,
    verifier: Arc<Verifier>,
}

/// The route, given the application's public key (hex).
pub fn router(discord: Arc<Discord>, public_key: &str) -> anyhow::Result<Router> {
    let bytes =
        hex::decode(public_key).map_err(|_| anyhow::anyhow!("discord.public_key is not hex"))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("discord.public_key must be 32 bytes (64 hex characters)"))?;
    let verifier = Verifier::try_new(key)
        .map_err(|_| anyhow::anyhow!("discord.public_key is not an Ed25519 key"))?;
    let state = Endpoint {
        discord,
        verifier: Arc::new(verifier),
    };
    Ok(Router::new()
        .route("/discord/interactions", post(interaction))
        .with_state(state))
}

/// How far a signed request's timestamp may be from our clock. A captured request replayed
/// later than this is refused before anything reads it (a replay inside the window acts at
/// most once: interaction ids are recorded).
const MAX_SKEW_SECS: u64 = 300;

/// Whether Discord's `X-Signature-Timestamp` (Unix seconds) is within [`MAX_SKEW_SECS`] of
/// `now`, either way. This is the transport's wall clock, not the desk's (which
/// `--clock-offset` may move).
fn fresh(timestamp: &str, now: std::time::SystemTime) -> bool {
    let Ok(sent) = timestamp.trim().parse::<u64>() else {
        return false;
    };
    let now = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    now.abs_diff(sent) <= MAX_SKEW_SECS
}

async fn interaction(State(ep): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (signature, timestamp) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    );
    if signature.is_empty() || ep.verifier.verify(&signature, &timestamp, &body).is_err() {
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    if !fresh(&timestamp, std::time::SystemTime::now()) {
        return (StatusCode::UNAUTHORIZED, "stale request timestamp").into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "an interaction we cannot read");
            return (StatusCode::BAD_REQUEST, "unreadable interaction").into_response();
        }
    };
    let (first, deferred) = ep.discord.respond(interaction).await;
    if let Some(deferred) = deferred {
        // Our HTTP answer is the deferral: edit only once it has had time to reach Discord
        // (and `finish` retries while Discord does not know it yet).
        let discord = ep.discord.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            discord.finish(deferred).await;
        });
    }
    match first {
        Some(body) => Json(body).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::fresh;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_within_five_minutes_either_way_are_fresh() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(fresh("1800000000", now));
        assert!(fresh("1799999700", now));
        assert!(fresh("1800000300", now));
        assert!(!fresh("1799999699", now));
        assert!(!fresh("1800000301", now));
        assert!(!fresh("", now));
        assert!(!fresh("soon", now));
        assert!(!fresh("-5", now));
    }
}
