//! API keys: tokens made, hashed and recognised; the principal a request acts as.
//!
//! A token is `wf_pub_` or `wf_sub_` followed by 64 hex digits (256 random bits). The prefix
//! names its role, so secret scanners and people recognise it and a malformed token is refused
//! before any lookup. Only the SHA-256 of a token is stored; lookups go by that hash and the
//! final comparison is constant-time. Never change the prefixes: it would revoke every token.

use crate::store::{KeyRecord, Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;

/// Prefix of publisher tokens.
pub const PUBLISHER_PREFIX: &str = "wf_pub_";
/// Prefix of subscriber tokens.
pub const SUBSCRIBER_PREFIX: &str = "wf_sub_";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The newsroom: the publishing API and every feed.
    Publisher,
    /// A press office or client: the restricted feeds it lists.
    Subscriber,
}

impl Role {
    /// Parses `publisher` / `subscriber`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "publisher" => Some(Role::Publisher),
            "subscriber" => Some(Role::Subscriber),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Publisher => "publisher",
            Role::Subscriber => "subscriber",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Role::Publisher => PUBLISHER_PREFIX,
            Role::Subscriber => SUBSCRIBER_PREFIX,
        }
    }
}

/// A secret token. Its `Debug` shows only the role prefix, so it cannot leak into logs.
pub struct Token(String);

impl Token {
    /// A new random token for `role`.
    pub fn generate(role: Role) -> Token {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        let mut s = String::with_capacity(71);
        s.push_str(role.prefix());
        for b in bytes {
            s.push_str(&format!("{b:02x}"));
        }
        Token(s)
    }

    /// The token text, to show once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token: what is stored.
    pub fn hash(&self) -> [u8; 32] {
        hash(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}…)", &self.0[..PUBLISHER_PREFIX.len()])
    }
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `s` has the shape of a token of some role (checked before any lookup).
fn role_of(s: &str) -> Option<Role> {
    let role = if s.starts_with(PUBLISHER_PREFIX) {
        Role::Publisher
    } else if s.starts_with(SUBSCRIBER_PREFIX) {
        Role::Subscriber
    } else {
        return None;
    };
    let hex = &s[PUBLISHER_PREFIX.len()..];
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(role)
}

/// A secret string (a token from a URL): compared and passed on, never printed.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A key as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Unique name (what logs and metrics show instead of the token).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Restricted feeds a subscriber key reaches.
    pub feeds: Vec<String>,
    /// The countries the feeds it lists are narrowed to when read with it (empty: none).
    pub countries: Vec<String>,
    /// Requests per minute, if set for this key.
    pub rate_per_minute: Option<u32>,
    hash: [u8; 32],
    expires_at: Option<i64>,
}

/// Why a presented token is refused (all are 401: the client learns nothing more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token of ours, or unknown.
    Unknown,
    /// Revoked.
    Revoked,
    /// Past its expiry.
    Expired,
}

/// The keys of the database, kept in memory and reloaded when the change log's `keys` scope
/// moves (so a revocation by another process is seen within the change-log poll interval).
#[derive(Default)]
pub struct Keyring {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    by_hash: HashMap<[u8; 32], Arc<Key>>,
    revoked: HashMap<[u8; 32], ()>,
    seq: Option<i64>,
}

impl Keyring {
    /// Reloads the keys if the change log's `keys` sequence is not the one loaded.
    pub fn sync(&self, seq: i64, store: &Store) -> Result<(), StoreError> {
        if self.inner.read().expect("keyring lock").seq == Some(seq) {
            return Ok(());
        }
        let records = store.keys()?;
        let mut next = Inner {
            seq: Some(seq),
            ..Inner::default()
        };
        for r in records {
            let Ok(hash): Result<[u8; 32], _> = r.token_hash.as_slice().try_into() else {
                continue;
            };
            if r.revoked_unix.is_some() {
                next.revoked.insert(hash, ());
                continue;
            }
            if let Some(k) = key_of(r, hash) {
                next.by_hash.insert(hash, Arc::new(k));
            }
        }
        let mut inner = self.inner.write().expect("keyring lock");
        // Two reloads may race (the change bus's follower and a look-up for a new key): the
        // one that saw an older sequence read older keys and must not replace newer ones.
        if inner.seq.is_some_and(|loaded| loaded > seq) {
            return Ok(());
        }
        *inner = next;
        Ok(())
    }

    /// The key a token belongs to, if it is valid at `now` (Unix time).
    pub fn authenticate(&self, token: &str, now: i64) -> Result<Arc<Key>, Refusal> {
        let role = role_of(token).ok_or(Refusal::Unknown)?;
        let h = hash(token);
        let inner = self.inner.read().expect("keyring lock");
        if inner.revoked.contains_key(&h) {
            return Err(Refusal::Revoked);
        }
        let key = inner.by_hash.get(&h).ok_or(Refusal::Unknown)?;
        if !bool::from(key.hash.ct_eq(&h)) || key.role != role {
            return Err(Refusal::Unknown);
        }
        if key.expires_at.is_some_and(|e| e <= now) {
            return Err(Refusal::Expired);
        }
        Ok(key.clone())
    }
}

impl Keyring {
    /// The key named `name`, if it is valid at `now` (Unix time): what an email alert
    /// subscription, which keeps the name and never the token, acts as.
    pub fn by_name(&self, name: &str, now: i64) -> Option<Arc<Key>> {
        let inner = self.inner.read().expect("keyring lock");
        inner
            .by_hash
            .values()
            .find(|k| k.name == name)
            .filter(|k| k.expires_at.is_none_or(|e| e > now))
            .cloned()
    }
}

fn key_of(r: KeyRecord, hash: [u8; 32]) -> Option<Key> {
    Some(Key {
        role: Role::parse(&r.role)?,
        name: r.name,
        feeds: r.feeds,
        countries: r.countries,
        rate_per_minute: r.rate_per_minute,
        hash,
        expires_at: r.expires_unix,
    })
}

/// Who a request acts as, decided once per request.
#[derive(Debug, Clone)]
pub enum Principal {
    /// No key.
    Anonymous,
    /// A valid key.
    Key(Arc<Key>),
}

impl Principal {
    /// Whether this principal may use the publishing API.
    pub fn is_publisher(&self) -> bool {
        matches!(self, Principal::Key(k) if k.role == Role::Publisher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_prefixes_never_change() {
        // Changing these revokes every token ever issued.
        assert_eq!(PUBLISHER_PREFIX, "wf_pub_");
        assert_eq!(SUBSCRIBER_PREFIX, "wf_sub_");
        let t = Token::generate(Role::Subscriber);
        assert!(t.expose().starts_with("wf_sub_"));
        assert_eq!(t.expose().len(), 71);
        assert_eq!(role_of(t.expose()), Some(Role::Subscriber));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let t = Token::generate(Role::Publisher);
        let shown = format!("{t:?}");
        assert!(!shown.contains(&t.expose()[8..]));
    }

    #[test]
    fn malformed_tokens_are_refused_before_lookup() {
        assert_eq!(role_of("wf_pub_xyz"), None);
        assert_eq!(role_of(&format!("wf_adm_{}", "a".repeat(64))), None);
        assert_eq!(role_of(&format!("wf_pub_{}", "g".repeat(64))), None);
    }
}
