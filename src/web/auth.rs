//! (to be built)

use super::Web;
use axum::Router;

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new()
}
