//! When things go wrong around a refresh: the token file cannot be written,
//! two sltui processes refresh one profile at once, the token endpoint is
//! unreachable.

use super::*;

#[tokio::test]
async fn new_tokens_are_saved_before_use_and_kept_when_saving_fails() {
    let s = start(7200).await;
    let (c, _) = s.authorized_client().await;
    let file = s.token_file();
    bounded(20, async {
        c.me().await.expect("first request");
        let accepted = |v: Value| v["bearer_accepted"].as_u64().unwrap();
        // Make the rename impossible (even as root): a non-empty directory
        // takes the token file's place.
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir_all(file.join("blocker")).unwrap();
        s.post("/_sim/oauth/revoke").await;
        let before = accepted(s.get("/_sim/oauth").await);
        let err = c.me().await.expect_err("cannot save the rotated token");
        let text = err.to_string();
        assert!(text.contains("could not save the OAuth tokens"), "{text}");
        assert_eq!(s.issued("refresh_token").await, 2, "it did refresh");
        assert_eq!(
            accepted(s.get("/_sim/oauth").await),
            before,
            "the new access token was not used before it was saved"
        );
        // Once the file can be written, the kept tokens are saved, then used.
        std::fs::remove_dir_all(&file).unwrap();
        c.me().await.expect("saved and used");
        assert_eq!(s.issued("refresh_token").await, 2, "no extra refresh");
        let rt = stored(&file).refresh_token.expect("saved refresh token");
        let (status, _) = s
            .token_form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the saved refresh token is the live one"
        );
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn two_processes_sharing_a_token_file_never_spend_a_refresh_token_twice() {
    let s = start(7200).await;
    // Two clients with their own token providers, like two sltui processes
    // (the dashboard and `sltui report`) on one profile.
    let (a, _) = s.authorized_client().await;
    let b = s.client_with(s.settings(Grant::RefreshToken));
    bounded(30, async {
        let (ra, rb) = tokio::join!(a.me(), b.me());
        ra.expect("a");
        rb.expect("b");
        assert_eq!(
            s.issued("refresh_token").await,
            1,
            "the second waited for the first and took its tokens from the file"
        );
        s.post("/_sim/oauth/revoke").await;
        let spawn = |c: &ApiClient| {
            let c = c.clone();
            tokio::spawn(async move { c.me().await })
        };
        let tasks: Vec<_> = (0..8).flat_map(|_| [spawn(&a), spawn(&b)]).collect();
        for t in tasks {
            t.await.expect("task").expect("request");
        }
        assert_eq!(s.issued("refresh_token").await, 2);
        let oauth = s.get("/_sim/oauth").await;
        assert_eq!(oauth["errors"], json!({}), "no invalid_grant: {oauth}");
        let lock = std::fs::File::open(s.token_file().with_extension("json.lock"))
            .expect("the lock file stays beside the token file");
        assert!(lock.try_lock().is_ok(), "the refresh lock is released");
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn an_early_refresh_that_cannot_connect_keeps_the_current_token() {
    let s = start(7200).await;
    bounded(30, async {
        let (status, body) = s
            .token_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .await;
        assert_eq!(status, StatusCode::OK);
        // A token endpoint that refuses connections.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let token_url = format!("http://{}/oauth/token", closed.local_addr().unwrap());
        drop(closed);
        let mut settings = s.settings(Grant::ClientCredentials);
        settings.token_url = token_url.clone();
        let cached = |expires_at: i64| StoredTokens {
            access_token: body["access_token"].as_str().map(String::from),
            expires_at: Some(expires_at),
            expires_in: Some(7200),
            client_id: Some(CLIENT_ID.into()),
            token_url: Some(token_url.clone()),
            ..StoredTokens::default()
        };
        let now = chrono::Utc::now().timestamp();
        // 30 s left of 7200: inside the refresh margin, so due for refresh.
        write_tokens(&settings.token_file, &cached(now + 30)).unwrap();
        let c = s.client_with(settings.clone());
        c.me()
            .await
            .expect("the current token is used while the refresh fails");
        assert_eq!(s.unauthorized().await, 0);
        // An expired token cannot be used: the error names the token endpoint.
        write_tokens(&settings.token_file, &cached(now - 1)).unwrap();
        let err = s.client_with(settings).me().await.expect_err("no token");
        let text = err.to_string();
        assert!(
            text.contains("getting an OAuth access token from") && text.contains(&token_url),
            "{text}"
        );
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn a_fresh_token_refused_again_says_to_reauthorize_not_to_check_the_key() {
    // The token endpoint is another SalesLoft's (sim `a`): every access token it
    // issues is refused by the API (sim `b`), even the fresh one of the replay.
    let a = start(7200).await;
    let b = start(7200).await;
    let client_for = |grant| {
        let mut cfg = ApiConfig::new(&b.handle.base_url(), None);
        cfg.oauth = Some(a.settings(grant));
        cfg.max_retries = 0;
        ApiClient::new(cfg).expect("client")
    };
    bounded(20, async {
        let c = client_for(Grant::ClientCredentials);
        let err = c.me().await.expect_err("the API refuses the token");
        let text = err.to_string();
        assert_eq!(err.status(), Some(401), "{err:?}");
        assert!(!text.contains("SALESLOFT_API_KEY"), "{text}");
        assert!(
            text.contains("profile `team`") && text.contains("client_id, client secret, token_url"),
            "{text}"
        );
        assert_eq!(
            b.unauthorized().await,
            2,
            "refused, refreshed, replayed once"
        );
        assert_eq!(a.issued("client_credentials").await, 2);

        let rt = a.authorize().await;
        store_refresh_token(&a.token_file(), &rt);
        let c = client_for(Grant::RefreshToken);
        let err = c
            .people(&Query::new().set("per_page", 1))
            .await
            .expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("sltui auth import --profile team")
                && !text.contains("SALESLOFT_API_KEY"),
            "{text}"
        );
        assert_eq!(b.unauthorized().await, 4);
        // The doctor's probe replays too, and says the same.
        let probe = c.probe("me.json").await;
        let shown = probe.error.expect("refused").to_string();
        assert!(shown.contains("sltui auth import"), "{shown}");
        assert_eq!(b.unauthorized().await, 6);
        for secret in [SECRET, rt.as_str()] {
            assert!(!text.contains(secret) && !shown.contains(secret));
        }
    })
    .await;
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}
