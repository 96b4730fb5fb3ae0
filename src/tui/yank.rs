//! `y`: copies the selected row's id to the system clipboard with the OSC 52
//! terminal sequence (works over ssh and in tmux with `set-clipboard on`); `y`
//! again on the same row within a few seconds copies its name, then its email,
//! so what the screen shows can be typed into the CLI.

use std::time::{Duration, Instant};

use super::pages::View;

/// A second `y` within this long copies the row's next field.
pub(crate) const AGAIN: Duration = Duration::from_secs(4);

/// The last copy: which row (view and id), which field, when.
#[derive(Debug, Clone, PartialEq)]
pub struct LastYank {
    pub(crate) row: (View, u64),
    pub(crate) field: usize,
    pub(crate) at: Instant,
}

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
        assert_eq!(osc52("ada@x.io"), "\x1b]52;c;YWRhQHguaW8=\x07");
    }
}
