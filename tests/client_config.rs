//! Client configuration: base URL normalisation, key validation, redaction.

use sltui::api::models::{Email, Person};
use sltui::api::{ApiClient, ApiConfig, ApiError, CursorPosition, Query};

#[test]
fn base_urls_are_normalised() {
    let n = |u: &str| ApiConfig::normalize_base_url(u);
    assert_eq!(
        n("https://api.salesloft.com").unwrap(),
        "https://api.salesloft.com/v2"
    );
    assert_eq!(
        n("https://api.salesloft.com/").unwrap(),
        "https://api.salesloft.com/v2"
    );
    assert_eq!(
        n("https://api.salesloft.com/v2/").unwrap(),
        "https://api.salesloft.com/v2"
    );
    assert_eq!(
        n(" http://127.0.0.1:8080 ").unwrap(),
        "http://127.0.0.1:8080/v2"
    );
    for bad in [
        "",
        "api.salesloft.com",
        "ftp://x.example",
        "https://u:p@x.example",
        "https://x.example/?a=1",
    ] {
        assert!(matches!(n(bad), Err(ApiError::Config { .. })), "{bad}");
    }
    let err = n("https://user:hunter2@x.example").unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn keys_are_checked_and_never_shown() {
    let key = "ak_0123456789abcdef";
    let cfg = ApiConfig::new("https://api.salesloft.com", Some(key.into()));
    assert_eq!(cfg.timeout.as_secs(), 20);
    assert_eq!((cfg.max_retries, cfg.budget_limit), (3, 600));
    assert!(!format!("{cfg:?}").contains(key));
    let client = ApiClient::new(cfg).unwrap();
    assert_eq!(client.base_url(), "https://api.salesloft.com/v2");
    assert!(!format!("{client:?}").contains(key));

    // A trailing newline from a key file is fine; inner spaces are not.
    assert!(ApiClient::new(ApiConfig::new("http://h", Some(format!("{key}\n")))).is_ok());
    for bad in ["", "   ", "ak one", "ak\u{7f}x", "ak\u{e9}"] {
        let err = ApiClient::new(ApiConfig::new("http://h", Some(bad.into()))).unwrap_err();
        assert!(matches!(err, ApiError::Config { .. }), "{bad:?}");
        assert!(err.to_string().contains("SALESLOFT_API_KEY"));
    }
    assert!(ApiClient::new(ApiConfig::new("http://h", None)).is_ok());
}

fn assert_send<T: Send + 'static>(_: T) {}

#[test]
fn clients_streams_and_futures_can_move_to_a_worker_task() {
    let c = ApiClient::new(ApiConfig::new("http://127.0.0.1:9", None)).unwrap();
    assert_send(c.clone());
    assert_send(c.budget().clone());
    let c2 = c.clone();
    assert_send(async move { c2.me().await });
    let c3 = c.clone();
    assert_send(async move { c3.people(&Query::new()).await });
    let mut s = c.cursor::<Email>("activities/emails", Query::new(), CursorPosition::start());
    assert_send(async move { s.next_batch().await });
    let mut w = c.page_walk::<Person>("people", Query::new());
    assert_send(async move { w.next_page().await });
}
