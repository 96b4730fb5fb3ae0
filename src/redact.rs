//! Secrets taken out of what is shown: a database URL without its password.
//! Used by the configuration's checks and by the store's messages, so it sits
//! below both and imports nothing of the crate.

/// A database URL (or a `key=value` connection string) without its password.
pub fn database_url(url: &str) -> String {
    let url = url.trim();
    // Any `scheme://` URL (a wrong scheme is reported, with the URL, redacted too).
    if let Some(i) = url.find("://") {
        let (scheme, rest) = (&url[..i + 3], &url[i + 3..]);
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        // The user info ends at the last `@` before the path.
        let path_at = main.find('/').unwrap_or(main.len());
        let main = match main[..path_at].rfind('@') {
            Some(at) => {
                let user = &main[..at];
                let user = user.split_once(':').map_or(user, |(u, _)| u);
                let sep = if main[..at].contains(':') { ":***" } else { "" };
                format!("{user}{sep}{}", &main[at..])
            }
            None => main.to_string(),
        };
        let query = query.map(|q| {
            q.split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect::<Vec<_>>()
                .join("&")
        });
        return match query {
            Some(q) => format!("{scheme}{main}?{q}"),
            None => format!("{scheme}{main}"),
        };
    }
    // key=value form: hide the value of `password`.
    url.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn redact_hides_the_password_and_keeps_the_rest() {
        assert_eq!(
            database_url("postgres://hub:s3cret@db.example:5432/team?sslmode=require"),
            "postgres://hub:***@db.example:5432/team?sslmode=require"
        );
        assert_eq!(
            database_url("postgresql://hub@db/team?password=s3cret&x=1"),
            "postgresql://hub@db/team?password=***&x=1"
        );
        assert_eq!(
            database_url("postgres://a:b@c@host/db"),
            "postgres://a:***@host/db",
            "a password holding @"
        );
        assert_eq!(
            database_url("host=db user=hub password=s3cret dbname=team"),
            "host=db user=hub password=*** dbname=team"
        );
        assert_eq!(database_url("postgres://host/db"), "postgres://host/db");
    }
}
