//! Serving an axum app in a spawned task and stopping it gracefully.
//!
//! Shared by the simulator (`sim`) and the webhook receiver (`webhooks`), which must
//! not depend on each other; this module depends on neither.
//!
//! The stop is a oneshot: sending on it, or dropping it, makes the server stop
//! accepting and finish the requests it has. [`stop`] does that and waits at most
//! [`GRACE`] for them before aborting the task.

use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`stop`] lets requests in progress finish before aborting the server.
pub const GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` in a spawned task until the returned sender is used or
/// dropped. `what` names the server in the error logged if serving fails.
pub fn spawn(
    listener: TcpListener,
    app: Router,
    what: &'static str,
) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!("{what} stopped: {e}");
        }
    });
    (stop_tx, server)
}

/// Tells the server to stop (when `signal` is still there) and waits up to [`GRACE`]
/// for it to finish, aborting it after that. New connections are refused from the
/// signal on; axum runs each connection in a task of its own, so a request still
/// running after the grace keeps its connection until its handler returns.
pub async fn stop(signal: Option<oneshot::Sender<()>>, server: Option<JoinHandle<()>>) {
    stop_within(signal, server, GRACE).await;
}

/// [`stop`] with another grace period.
pub async fn stop_within(
    signal: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    grace: Duration,
) {
    if let Some(tx) = signal {
        let _ = tx.send(());
    }
    if let Some(server) = server {
        let abort = server.abort_handle();
        if tokio::time::timeout(grace, server).await.is_err() {
            abort.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Instant;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    /// `/slow` answers after `slow`, `/` at once.
    async fn serve_test_app(slow: Duration) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/", get(|| async { "up" })).route(
            "/slow",
            get(move || async move {
                tokio::time::sleep(slow).await;
                "done"
            }),
        );
        let (tx, server) = spawn(listener, app, "test server");
        (addr, tx, server)
    }

    /// Sends a GET for `path` and returns the connection, the request not yet answered.
    async fn send_get(addr: SocketAddr, path: &str) -> TcpStream {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n");
        conn.write_all(req.as_bytes()).await.unwrap();
        conn
    }

    async fn read_all(mut conn: TcpStream) -> String {
        let mut out = Vec::new();
        let _ = conn.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    async fn refuses(addr: SocketAddr) -> bool {
        TcpStream::connect(addr).await.is_err()
    }

    #[tokio::test]
    async fn a_request_in_progress_is_answered_before_the_server_stops() {
        let (addr, tx, server) = serve_test_app(Duration::from_millis(300)).await;
        assert!(read_all(send_get(addr, "/").await).await.ends_with("up"));
        let conn = send_get(addr, "/slow").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let answer = tokio::spawn(read_all(conn));
        stop_within(Some(tx), Some(server), Duration::from_secs(5)).await;
        let answer = answer.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("done"), "{answer}");
        assert!(refuses(addr).await, "the port still accepts after the stop");
    }

    #[tokio::test]
    async fn the_wait_for_a_request_longer_than_the_grace_is_cut_off() {
        let (addr, tx, server) = serve_test_app(Duration::from_secs(60)).await;
        let conn = send_get(addr, "/slow").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let t0 = Instant::now();
        stop_within(Some(tx), Some(server), Duration::from_millis(200)).await;
        let waited = t0.elapsed();
        assert!(waited >= Duration::from_millis(200), "{waited:?}");
        assert!(waited < Duration::from_secs(3), "{waited:?}");
        assert!(
            refuses(addr).await,
            "the port still accepts after the abort"
        );
        drop(conn);
    }

    #[tokio::test]
    async fn dropping_the_signal_stops_the_server_too() {
        let (addr, tx, server) = serve_test_app(Duration::ZERO).await;
        drop(tx);
        tokio::time::timeout(Duration::from_secs(3), server)
            .await
            .expect("the server kept running without its stop sender")
            .unwrap();
        assert!(refuses(addr).await);
        // Stopping an already stopped server with no signal left returns at once.
        stop(None, None).await;
    }
}
