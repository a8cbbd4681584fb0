//! Management tokens: a fixed prefix (`wfa_`, so a token of another kind is refused before
//! any look-up, and scanners recognise it) and 32 random bytes in hex. Only the SHA-256 is
//! stored; each mail carries a fresh token for its subscription, so no token ever has to be
//! read back from the database.

use sha2::{Digest, Sha256};
use std::fmt;

/// The prefix of every alert token. Never change it: it would void every link ever mailed.
pub const PREFIX: &str = "wfa_";

/// A management token; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AlertToken(String);

impl fmt::Debug for AlertToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AlertToken(…)")
    }
}

impl AlertToken {
    /// A new random token.
    pub fn generate() -> AlertToken {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source");
        AlertToken(format!("{PREFIX}{}", hex(&bytes)))
    }

    /// A token as presented in a URL, if it has the shape of one.
    pub fn parse(s: &str) -> Option<AlertToken> {
        let h = s.strip_prefix(PREFIX)?;
        (h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| AlertToken(s.to_ascii_lowercase()))
    }

    /// The token itself (for the link it goes into).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex SHA-256 of an address, lower-cased: what logs, limits and listings use instead.
pub fn address_hash(email: &str) -> String {
    hex(&Sha256::digest(email.to_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_never_changes_and_debug_hides_the_token() {
        assert_eq!(PREFIX, "wfa_");
        let t = AlertToken::generate();
        assert_eq!(t.expose().len(), 68);
        assert_eq!(AlertToken::parse(t.expose()), Some(t.clone()));
        assert!(!format!("{t:?}").contains(&t.expose()[4..]));
        // The control: tokens of the wrong shape are refused before any look-up.
        assert_eq!(AlertToken::parse("wfa_xyz"), None);
        assert_eq!(
            AlertToken::parse(&format!("wf_pub_{}", "a".repeat(64))),
            None
        );
    }
}
