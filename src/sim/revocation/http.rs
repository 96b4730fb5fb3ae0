//! The test-only `/_sim/key` endpoints over the shared [`super::KeyRevocation`].

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::super::shared::Shared;

/// The sim's key routes, merged into the main router.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/key", get(show))
        .route("/_sim/key/revoke", post(revoke))
        .route("/_sim/key/restore", post(restore))
}

fn answer(s: &Shared) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/json; charset=utf-8")],
        s.revocation.state(Instant::now()).to_string(),
    )
        .into_response()
}

async fn show(State(s): State<Arc<Shared>>) -> Response {
    answer(&s)
}

async fn revoke(State(s): State<Arc<Shared>>) -> Response {
    s.revocation.revoke_at(Instant::now());
    tracing::info!("simulator: the API key is revoked");
    answer(&s)
}

async fn restore(State(s): State<Arc<Shared>>) -> Response {
    s.revocation.restore();
    tracing::info!("simulator: the API key works again");
    answer(&s)
}
