//! The simulator's token endpoint on the wire: both body encodings, HTTP Basic
//! client authentication, the real service's error bodies, and issued access
//! tokens working beside the static API key.

use super::*;

#[tokio::test]
async fn token_endpoint_speaks_form_json_and_basic_auth() {
    let s = start(7200).await;
    bounded(20, async {
        // Form body, refresh_token grant.
        let rt = s.authorize().await;
        let (status, body) = s
            .token_form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for field in ["access_token", "refresh_token", "scope"] {
            assert!(
                body[field].as_str().is_some_and(|v| !v.is_empty()),
                "{field}: {body}"
            );
        }
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 7200);
        assert!(body["created_at"].as_i64().unwrap() > 1_700_000_000);

        // JSON body, client_credentials grant: no refresh token.
        let (status, cc) = s
            .token_json(&json!({
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID, "client_secret": SECRET,
            }))
            .await;
        assert_eq!(status, StatusCode::OK, "{cc}");
        assert!(cc.get("refresh_token").is_none(), "{cc}");

        // HTTP Basic client authentication.
        let res = s
            .raw
            .post(format!("{}/oauth/token", s.root))
            .basic_auth(CLIENT_ID, Some(SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers().get("cache-control").unwrap(),
            "no-store",
            "token answers are not cached"
        );

        // Every issued access token works on /v2 like the API key; others do not.
        for token in [
            body["access_token"].as_str().unwrap(),
            cc["access_token"].as_str().unwrap(),
            KEY,
        ] {
            let res = s
                .raw
                .get(format!("{}/v2/me.json", s.root))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        let res = s
            .raw
            .get(format!("{}/v2/cadences.json", s.root))
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
    s.handle.shutdown().await;
}

/// A form body as name/value pairs.
type Form<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn token_endpoint_errors_are_the_real_services_bodies() {
    let s = start(7200).await;
    bounded(20, async {
        let cases: [(Form, u16, &str); 5] = [
            (
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", "nope"),
                ],
                401,
                "invalid_client",
            ),
            (
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "unknown"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ],
                400,
                "invalid_grant",
            ),
            (
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ],
                400,
                "invalid_request",
            ),
            (
                &[
                    ("grant_type", "password"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ],
                400,
                "unsupported_grant_type",
            ),
            (
                &[("client_id", CLIENT_ID), ("client_secret", SECRET)],
                400,
                "invalid_request",
            ),
        ];
        for (pairs, status, code) in cases {
            let (got, body) = s.token_form(pairs).await;
            assert_eq!(got.as_u16(), status, "{code}: {body}");
            assert_eq!(body["error"], code, "{body}");
            assert!(
                body["error_description"]
                    .as_str()
                    .is_some_and(|d| d.len() > 20),
                "{body}"
            );
        }
        let oauth = s.get("/_sim/oauth").await;
        assert_eq!(oauth["errors"]["invalid_request"], 2, "{oauth}");
        assert_eq!(oauth["token_requests"], 5);
        assert_eq!(oauth["issued"], json!({}));
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn access_tokens_expire_at_the_configured_time() {
    let s = start(1).await;
    bounded(20, async {
        let (status, body) = s
            .token_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["expires_in"], 1);
        let token = body["access_token"].as_str().unwrap().to_string();
        let me = |t: String| {
            let raw = s.raw.clone();
            let url = format!("{}/v2/me.json", s.root);
            async move { raw.get(url).bearer_auth(t).send().await.unwrap().status() }
        };
        assert_eq!(me(token.clone()).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "expired");
    })
    .await;
    s.handle.shutdown().await;
}
