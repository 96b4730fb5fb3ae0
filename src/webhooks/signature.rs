//! `x-salesloft-signature`: the hex HMAC-SHA1 of the raw request body, keyed by the
//! subscription's `callback_token` (salesloft-api.md §7, CONFIRMED). Not SHA-256,
//! no timestamp header, no `timestamp.body` signing: those are stale claims.

use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// Whether `header` is the signature of `body` under `token`.
///
/// The hex digits are decoded first (either case, surrounding spaces ignored) and the
/// 20 bytes are compared in constant time, so the answer time does not tell an
/// attacker how many leading bytes of a forged signature were right.
pub fn verify(token: &[u8], body: &[u8], header: &str) -> bool {
    let Some(given) = decode_hex(header.trim()) else {
        return false;
    };
    let Ok(mut mac) = HmacSha1::new_from_slice(token) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The signature SalesLoft sends for `body`: lower-case hex.
pub fn sign(token: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha1::new_from_slice(token).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_2202_test_vector() {
        // RFC 2202, HMAC-SHA-1 test case 2.
        let sig = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert!(verify(b"Jefe", b"what do ya want for nothing?", &sig));
        assert!(verify(
            b"Jefe",
            b"what do ya want for nothing?",
            " EFFCDF6AE5EB2FA2D27416D5F184DF9C259A7C79 "
        ));
    }

    #[test]
    fn rejects_wrong_short_and_garbled_signatures() {
        let body = br#"{"id": 1}"#;
        let good = sign(b"token", body);
        assert!(verify(b"token", body, &good));
        assert!(!verify(b"other", body, &good), "another key");
        assert!(!verify(b"token", br#"{"id": 2}"#, &good), "another body");
        assert!(!verify(b"token", body, &good[..38]), "truncated");
        assert!(!verify(b"token", body, ""), "empty");
        assert!(
            !verify(b"token", body, &format!("z{}", &good[1..])),
            "not hex"
        );
        assert!(!verify(b"token", body, "é"), "not ascii");
        let mut flipped = good.into_bytes();
        flipped[39] = if flipped[39] == b'0' { b'1' } else { b'0' };
        assert!(!verify(
            b"token",
            body,
            &String::from_utf8(flipped).unwrap()
        ));
    }
}
