//! API keys: names, roles, scopes and the SHA-256 of each token (never the token itself).

use super::row::{json_list, to_json, ts};
use super::{Result, Store};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeSet;

/// Change-log scope of the key table: servers reload their keys when it moves.
pub const SCOPE_KEYS: &str = "keys";

/// One stored key, as `keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyRecord {
    /// Unique name.
    pub name: String,
    /// `publisher` or `subscriber`.
    pub role: String,
    /// Restricted feeds a subscriber key reaches.
    pub feeds: Vec<String>,
    /// The countries its feeds are narrowed to (empty: none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Requests per minute for this key, if not the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_minute: Option<u32>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if it expires.
    pub expires_at: Option<String>,
    /// RFC 3339, if revoked.
    pub revoked_at: Option<String>,
    /// RFC 3339, last request with it.
    pub last_seen_at: Option<String>,
    /// Requests made with it.
    pub requests: u64,
    /// Of those, answered 304.
    pub not_modified: u64,
    /// The last feed it read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_feed: Option<String>,
    /// SHA-256 of the token: for the server's lookup only, never shown.
    #[serde(skip)]
    pub token_hash: Vec<u8>,
    /// Unix times, for the server.
    #[serde(skip)]
    pub expires_unix: Option<i64>,
    /// Unix time of revocation, for the server.
    #[serde(skip)]
    pub revoked_unix: Option<i64>,
}

/// A key to create.
pub struct NewKey<'a> {
    /// Unique name.
    pub name: &'a str,
    /// `publisher` or `subscriber`.
    pub role: &'a str,
    /// Subscriber scope.
    pub feeds: &'a [String],
    /// Countries the key's feeds are narrowed to.
    pub countries: &'a [String],
    /// SHA-256 of the token.
    pub token_hash: &'a [u8],
    /// Per-key rate.
    pub rate_per_minute: Option<u32>,
    /// Expiry (Unix time).
    pub expires_at: Option<i64>,
}

fn rfc(t: Option<i64>) -> Result<Option<String>> {
    t.map(|t| ts(t).map(crate::model::rfc3339)).transpose()
}

fn touch_keys(tx: &rusqlite::Connection, now: i64) -> Result<()> {
    super::write::touch(tx, &BTreeSet::from([SCOPE_KEYS.to_owned()]), now).map(drop)
}

impl Store {
    /// Creates a key; `Ok(false)` if the name is taken.
    pub fn add_key(&self, k: &NewKey<'_>, now: DateTime<Utc>) -> Result<bool> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ?1)",
                [k.name],
                |r| r.get(0),
            )?;
            if taken {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO api_keys (name, role, feeds, token_hash, rate_per_minute, created_at, expires_at, countries) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    k.name,
                    k.role,
                    to_json(k.feeds),
                    k.token_hash,
                    k.rate_per_minute,
                    now.timestamp(),
                    k.expires_at,
                    to_json(k.countries)
                ],
            )?;
            touch_keys(&tx, now.timestamp())?;
            tx.commit()?;
            Ok(true)
        })
    }

    /// Revokes a key at once; `Ok(false)` if there is no key of that name.
    pub fn revoke_key(&self, name: &str, now: DateTime<Utc>) -> Result<bool> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE name = ?1",
                params![name, now.timestamp()],
            )?;
            if n > 0 {
                touch_keys(&tx, now.timestamp())?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
    }

    /// The change log's sequence number of the keys, read now (0: none were ever added).
    pub fn keys_seq(&self) -> Result<i64> {
        self.with_conn(|c| {
            let seq = c
                .prepare_cached("SELECT seq FROM changes WHERE scope = ?1")?
                .query_row([SCOPE_KEYS], |r| r.get(0))
                .optional()?;
            Ok(seq.unwrap_or(0))
        })
    }

    /// Every key, by name.
    pub fn keys(&self) -> Result<Vec<KeyRecord>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT name, role, feeds, token_hash, rate_per_minute, created_at, expires_at, revoked_at, \
                 last_seen_at, requests, not_modified, last_feed, countries FROM api_keys ORDER BY name",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, i64>(9)?,
                        r.get::<_, i64>(10)?,
                        r.get::<_, Option<String>>(11)?,
                        r.get::<_, String>(12)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|row| {
                    Ok(KeyRecord {
                        name: row.0,
                        role: row.1,
                        feeds: json_list(&row.2)?,
                        countries: json_list(&row.12)?,
                        token_hash: row.3,
                        rate_per_minute: row.4.map(|r| r.clamp(0, i64::from(u32::MAX)) as u32),
                        created_at: crate::model::rfc3339(ts(row.5)?),
                        expires_at: rfc(row.6)?,
                        revoked_at: rfc(row.7)?,
                        last_seen_at: rfc(row.8)?,
                        requests: row.9.max(0) as u64,
                        not_modified: row.10.max(0) as u64,
                        last_feed: row.11,
                        expires_unix: row.6,
                        revoked_unix: row.7,
                    })
                })
                .collect()
        })
    }

    /// Adds usage counted in memory to the stored totals, in one transaction for all keys.
    pub fn record_key_usage(
        &self,
        usage: &[(String, u64, u64, i64, Option<String>)],
    ) -> Result<()> {
        if usage.is_empty() {
            return Ok(());
        }
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut st = tx.prepare_cached(
                    "UPDATE api_keys SET requests = requests + ?2, not_modified = not_modified + ?3, \
                     last_seen_at = max(coalesce(last_seen_at, 0), ?4), last_feed = coalesce(?5, last_feed) \
                     WHERE name = ?1",
                )?;
                for (name, requests, not_modified, seen, feed) in usage {
                    st.execute(params![name, *requests as i64, *not_modified as i64, seen, feed])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Whether a key of that name exists.
    pub fn key_exists(&self, name: &str) -> Result<bool> {
        self.with_conn(|c| {
            Ok(
                c.query_row("SELECT 1 FROM api_keys WHERE name = ?1", [name], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }
}

#[cfg(any())]
impl From<StoreError> for String {
    fn from(e: StoreError) -> Self {
        e.to_string()
    }
}
