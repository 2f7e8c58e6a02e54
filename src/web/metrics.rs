//! (to be built)

use super::Web;
use axum::Router;

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new()
}

/// Wraps every route to count requests (to be built).
pub(super) fn layer(router: Router<Web>) -> Router<Web> {
    router
}
