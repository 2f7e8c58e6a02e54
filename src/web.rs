//! The HTTP server: health now; the Discord interactions endpoint and web pages later.

use crate::service::Desk;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

/// The routes bizdesk serves.
pub fn router(desk: Desk) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .with_state(desk)
}

/// 200 when the database answers, 503 otherwise.
async fn health(State(desk): State<Desk>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(desk.store.pool()).await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
