//! The email alerts' tables (contract §16; the logic is in `src/alerts`): subscriptions, their
//! token hashes, the per-address confirmation clock, and the story event a write leaves in its
//! own transaction (the outbox, its fan-out and the digest runs are in `alerts_outbox.rs`). Every step is a short transaction,
//! safe with several processes on one database: a message is sent by whichever process claims
//! it (a lease), a digest slot is enqueued by whichever records its run first.

use super::row::{json_list, to_json};
use super::{Result, Store};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSubscription {
    /// Row id.
    pub id: i64,
    /// The address (only ever written into a message's envelope and `To`).
    pub email: String,
    /// Hex SHA-256 of the lower-cased address: what logs and the CLI's JSON show beside it.
    pub email_hash: String,
    /// Topic ids (empty: every topic).
    pub topics: Vec<String>,
    /// ISO 3166-1 alpha-2 codes (empty: anywhere).
    pub countries: Vec<String>,
    /// Primary language subtag a story must have (`None`: any).
    pub language: Option<String>,
    /// The language of the mail itself (`es`, `en`).
    pub ui: String,
    /// Saved search, canonical form.
    pub q: Option<String>,
    /// `immediate`, `daily` or `weekly`.
    pub frequency: String,
    /// The subscriber key whose entitlements reach restricted stories, by name.
    pub key_name: Option<String>,
    /// `pending`, `active` or `suspended`.
    pub state: String,
    /// When it was made (Unix ms).
    pub created_at: i64,
    /// When it was confirmed (Unix ms).
    pub confirmed_at: Option<i64>,
    /// Permanent delivery failures since the last success.
    pub failures: i64,
    /// The next digest holds stories seen after this (Unix ms).
    pub digest_from: i64,
}

/// What a subscription asks for (new, or changed on the management page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    /// Topic ids.
    pub topics: Vec<String>,
    /// Country codes.
    pub countries: Vec<String>,
    /// Story language.
    pub language: Option<String>,
    /// Mail language.
    pub ui: String,
    /// Saved search.
    pub q: Option<String>,
    /// `immediate`, `daily`, `weekly`.
    pub frequency: String,
    /// Subscriber key name.
    pub key_name: Option<String>,
}

/// A message to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// For which subscription.
    pub subscription_id: i64,
    /// `confirm`, `story`, `correction`, `kill`, `digest`.
    pub kind: &'static str,
    /// The story (story, correction, kill).
    pub article_id: String,
    /// The story's version (corrections).
    pub version: i64,
    /// The digest period (`daily:2026-12-07`).
    pub digest: String,
    /// The digest's stories.
    pub stories: Vec<String>,
    /// `Message-ID` (without angle brackets), fixed when enqueued so retries keep it.
    pub message_id: String,
    /// The first message about the story (corrections and kills reply to it).
    pub in_reply_to: Option<String>,
}

pub(super) const SUB_COLUMNS: &str = "s.id, s.email, s.email_hash, s.topics, s.countries, s.language, s.ui, s.q, \
     s.frequency, s.key_name, s.state, s.created_at, s.confirmed_at, s.failures, s.digest_from";

pub(super) fn subscription(
    r: &rusqlite::Row<'_>,
    at: usize,
) -> rusqlite::Result<AlertSubscription> {
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let s: String = r.get(at + i)?;
        json_list(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
        })
    };
    Ok(AlertSubscription {
        id: r.get(at)?,
        email: r.get(at + 1)?,
        email_hash: r.get(at + 2)?,
        topics: list(3)?,
        countries: list(4)?,
        language: r.get(at + 5)?,
        ui: r.get(at + 6)?,
        q: r.get(at + 7)?,
        frequency: r.get(at + 8)?,
        key_name: r.get(at + 9)?,
        state: r.get(at + 10)?,
        created_at: r.get(at + 11)?,
        confirmed_at: r.get(at + 12)?,
        failures: r.get(at + 13)?,
        digest_from: r.get(at + 14)?,
    })
}

pub(super) fn insert_outbox(
    tx: &Connection,
    rows: &[OutboxRow],
    due_at: i64,
    now: i64,
) -> Result<usize> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO alert_outbox (subscription_id, kind, article_id, version, digest, stories, \
         message_id, in_reply_to, due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut n = 0;
    for r in rows {
        n += st.execute(params![
            r.subscription_id,
            r.kind,
            r.article_id,
            r.version,
            r.digest,
            to_json(&r.stories),
            r.message_id,
            r.in_reply_to,
            due_at,
            now
        ])?;
    }
    Ok(n)
}

/// Called by a story write inside its transaction: records that `article_id` became (or will
/// become, at `due_at`, its embargo lift) visible, was corrected, or was killed, so alerts are
/// sent once that transaction commits and never lost if the process dies after it. Nothing is
/// written while no subscription is active (a bulk import into a fresh wire).
pub(super) fn story_event(
    tx: &Connection,
    article_id: &str,
    version: i64,
    kind: &str,
    due_at: i64,
) -> Result<()> {
    let any: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM alert_subscriptions WHERE state = 'active')")?
        .query_row([], |r| r.get(0))?;
    if any {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO alert_events (article_id, version, kind, due_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![article_id, version, kind, due_at])?;
    }
    Ok(())
}

impl Store {
    /// Makes a pending subscription and enqueues its confirmation, unless a confirmation went
    /// to this address less than `interval_ms` ago (then nothing is written). Returns the new
    /// subscription's id.
    pub fn alerts_subscribe(
        &self,
        email: &str,
        email_hash: &str,
        filter: &AlertFilter,
        interval_ms: i64,
        now: i64,
        message_id: &dyn Fn(i64) -> String,
    ) -> Result<Option<i64>> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let last: Option<i64> = tx
                .query_row(
                    "SELECT sent_at FROM alert_confirmations WHERE email_hash = ?1",
                    [email_hash],
                    |r| r.get(0),
                )
                .optional()?;
            if last.is_some_and(|t| now - t < interval_ms) {
                return Ok(None);
            }
            let id: i64 = tx.query_row(
                "INSERT INTO alert_subscriptions (email, email_hash, topics, countries, language, ui, q, \
                 frequency, key_name, state, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10) RETURNING id",
                params![
                    email,
                    email_hash,
                    to_json(&filter.topics),
                    to_json(&filter.countries),
                    filter.language,
                    filter.ui,
                    filter.q,
                    filter.frequency,
                    filter.key_name,
                    now
                ],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO alert_confirmations (email_hash, sent_at) VALUES (?1, ?2) \
                 ON CONFLICT (email_hash) DO UPDATE SET sent_at = excluded.sent_at",
                params![email_hash, now],
            )?;
            let row = OutboxRow {
                subscription_id: id,
                kind: "confirm",
                article_id: String::new(),
                version: 0,
                digest: String::new(),
                stories: Vec::new(),
                message_id: message_id(id),
                in_reply_to: None,
            };
            insert_outbox(&tx, &[row], now, now)?;
            tx.commit()?;
            Ok(Some(id))
        })
    }

    /// Remembers a token (by its hash) as reaching a subscription.
    pub fn alerts_add_token(&self, subscription_id: i64, hash: &[u8; 32], now: i64) -> Result<()> {
        self.with_conn(|c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO alert_tokens (token_hash, subscription_id, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![&hash[..], subscription_id, now])?;
            Ok(())
        })
    }

    /// The subscription a token hash reaches, if any.
    pub fn alerts_by_token(&self, hash: &[u8; 32]) -> Result<Option<AlertSubscription>> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {SUB_COLUMNS} FROM alert_tokens t JOIN alert_subscriptions s ON s.id = t.subscription_id \
                 WHERE t.token_hash = ?1"
            ))?
            .query_row([&hash[..]], |r| subscription(r, 0))
            .optional()?)
        })
    }

    /// Confirms a pending subscription (a suspended one is resumed); its first digest holds
    /// stories seen from now on. Whether it was pending or suspended.
    pub fn alerts_confirm(&self, id: i64, now: i64) -> Result<bool> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "UPDATE alert_subscriptions SET state = 'active', confirmed_at = coalesce(confirmed_at, ?2), \
                 failures = 0, digest_from = max(digest_from, ?2) WHERE id = ?1 AND state <> 'active'",
            )?
            .execute(params![id, now])?
                > 0)
        })
    }

    /// Replaces what a subscription asks for.
    pub fn alerts_update(&self, id: i64, f: &AlertFilter) -> Result<bool> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "UPDATE alert_subscriptions SET topics = ?2, countries = ?3, language = ?4, ui = ?5, q = ?6, \
                 frequency = ?7, key_name = ?8 WHERE id = ?1",
            )?
            .execute(params![
                id,
                to_json(&f.topics),
                to_json(&f.countries),
                f.language,
                f.ui,
                f.q,
                f.frequency,
                f.key_name
            ])?
                > 0)
        })
    }

    /// Ends a subscription: the row, its tokens and its messages are erased.
    pub fn alerts_delete(&self, id: i64) -> Result<bool> {
        self.with_conn(|c| {
            Ok(
                c.prepare_cached("DELETE FROM alert_subscriptions WHERE id = ?1")?
                    .execute([id])?
                    > 0,
            )
        })
    }

    /// Erases every subscription of an address, their history, and its confirmation clock
    /// (`wirefeed alerts remove`). Returns how many subscriptions there were.
    pub fn alerts_remove_address(&self, email_hash: &str) -> Result<usize> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "DELETE FROM alert_subscriptions WHERE email_hash = ?1",
                [email_hash],
            )?;
            tx.execute(
                "DELETE FROM alert_confirmations WHERE email_hash = ?1",
                [email_hash],
            )?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Every subscription, oldest first.
    pub fn alerts_list(&self) -> Result<Vec<AlertSubscription>> {
        self.with_conn(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {SUB_COLUMNS} FROM alert_subscriptions s ORDER BY s.id"
            ))?;
            let rows = st.query_map([], |r| subscription(r, 0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Active subscriptions of one frequency.
    pub fn alerts_active(&self, frequency: &str) -> Result<Vec<AlertSubscription>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {SUB_COLUMNS} FROM alert_subscriptions s WHERE s.state = 'active' AND s.frequency = ?1 ORDER BY s.id"
            ))?;
            let rows = st.query_map([frequency], |r| subscription(r, 0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Erases pending subscriptions made before `before` (Unix ms); how many.
    pub fn alerts_expire_pending(&self, before: i64) -> Result<usize> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "DELETE FROM alert_subscriptions WHERE state = 'pending' AND created_at < ?1",
            )?
            .execute([before])?)
        })
    }
}
