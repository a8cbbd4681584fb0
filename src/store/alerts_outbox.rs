//! The email alerts' outbox (contract §16): story events fanned out into messages, digest
//! runs recorded once per slot, messages claimed under a lease and their outcomes.

use super::alerts::{AlertSubscription, OutboxRow, SUB_COLUMNS, insert_outbox, subscription};
use super::row::{COLUMNS, RawRow, json_list};
use super::{Result, Store};
use crate::model::Article;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;

/// A message claimed for sending, with its subscription.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    /// Outbox row id.
    pub id: i64,
    /// The message as enqueued.
    pub row: OutboxRow,
    /// Attempts before this one.
    pub attempts: i64,
    /// The subscription.
    pub subscription: AlertSubscription,
}

/// A story event due for fan-out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryEvent {
    /// Row id.
    pub id: i64,
    /// The story.
    pub article_id: String,
    /// Its version when the event was written.
    pub version: i64,
    /// `new`, `correction`, `kill`.
    pub kind: String,
    /// When it is due (Unix ms).
    pub due_at: i64,
}

/// The outbox's state for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Messages waiting to be sent.
    pub queued: i64,
    /// When the oldest of them was enqueued (Unix ms).
    pub oldest_ms: Option<i64>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertOutcome {
    /// The server accepted it.
    Sent,
    /// A transient refusal or no answer: try again at this time (Unix ms).
    Retry(i64, String),
    /// A permanent refusal (or the last attempt): the message ends and counts as a failure of
    /// the subscription, which is suspended at `suspend_at` failures.
    Failed(String, i64),
    /// Nothing to send any more (the story was killed before it went out, the key lost its
    /// entitlement): the message ends without counting against the subscription.
    Dropped(String),
}

impl Store {
    /// Story events due at `now` (Unix ms), oldest first.
    pub fn alerts_due_events(&self, now: i64, limit: usize) -> Result<Vec<StoryEvent>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, article_id, version, kind, due_at FROM alert_events WHERE due_at <= ?1 \
                 ORDER BY due_at, id LIMIT ?2",
            )?;
            let rows = st.query_map(params![now, limit as i64], |r| {
                Ok(StoryEvent {
                    id: r.get(0)?,
                    article_id: r.get(1)?,
                    version: r.get(2)?,
                    kind: r.get(3)?,
                    due_at: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// When the next story event is due (Unix ms).
    pub fn alerts_next_event(&self) -> Result<Option<i64>> {
        self.with_conn(|c| {
            Ok(c.prepare_cached("SELECT min(due_at) FROM alert_events")?
                .query_row([], |r| r.get(0))?)
        })
    }

    /// Moves a story event to a later time (its embargo was moved).
    pub fn alerts_postpone_event(&self, id: i64, due_at: i64) -> Result<()> {
        self.with_conn(|c| {
            c.prepare_cached("UPDATE alert_events SET due_at = ?2 WHERE id = ?1")?
                .execute(params![id, due_at])?;
            Ok(())
        })
    }

    /// Subscriptions that were sent a story, alone or in a digest: (subscription, the
    /// `Message-ID` of the first mail that carried it).
    pub fn alerts_recipients(&self, article_id: &str) -> Result<Vec<(i64, String)>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                // SQLite takes the bare columns of an aggregate query with one min() from the
                // row holding the minimum: the first mail that carried the story.
                "SELECT subscription_id, message_id, min(id) FROM ( \
                   SELECT subscription_id, message_id, id FROM alert_outbox \
                   WHERE article_id = ?1 AND kind = 'story' AND state = 'sent' \
                   UNION ALL \
                   SELECT subscription_id, message_id, id FROM alert_outbox \
                   WHERE kind = 'digest' AND state = 'sent' \
                   AND EXISTS (SELECT 1 FROM json_each(stories) WHERE value = ?1)) \
                 GROUP BY subscription_id ORDER BY subscription_id",
            )?;
            let rows = st.query_map([article_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Fans one story event out: its messages are enqueued, unsent mails of a killed story
    /// are dropped, and the event is removed, in one transaction (a crash before it commits
    /// fans out again; the outbox's unique key keeps every message single).
    pub fn alerts_fan_out(
        &self,
        event: &StoryEvent,
        rows: &[OutboxRow],
        now: i64,
    ) -> Result<usize> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if event.kind == "kill" {
                tx.prepare_cached(
                    "UPDATE alert_outbox SET state = 'dropped', last_error = 'the story was killed before it was sent' \
                     WHERE article_id = ?1 AND kind IN ('story', 'correction') AND state = 'queued' AND lease_until < ?2",
                )?
                .execute(params![event.article_id, now])?;
            }
            let n = insert_outbox(&tx, rows, now, now)?;
            tx.prepare_cached("DELETE FROM alert_events WHERE id = ?1")?
                .execute([event.id])?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Records a digest slot and enqueues its messages in one transaction; `false` (and
    /// nothing written) when the slot was already recorded, by this process or another.
    /// Each subscription's next digest starts at `slot_at`.
    pub fn alerts_digest_run(
        &self,
        frequency: &str,
        period: &str,
        slot_at: i64,
        rows: &[OutboxRow],
        covered: &[i64],
        now: i64,
    ) -> Result<bool> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let fresh = tx.execute(
                "INSERT OR IGNORE INTO alert_digest_runs (frequency, period, slot_at, ran_at, messages) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![frequency, period, slot_at, now, rows.len() as i64],
            )? > 0;
            if !fresh {
                return Ok(false);
            }
            insert_outbox(&tx, rows, now, now)?;
            let mut st = tx.prepare_cached(
                "UPDATE alert_subscriptions SET digest_from = max(digest_from, ?2) WHERE id = ?1",
            )?;
            for id in covered {
                st.execute(params![id, slot_at])?;
            }
            drop(st);
            tx.commit()?;
            Ok(true)
        })
    }

    /// Whether a digest slot was recorded.
    pub fn alerts_digest_ran(&self, frequency: &str, period: &str) -> Result<bool> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM alert_digest_runs WHERE frequency = ?1 AND period = ?2)",
            )?
            .query_row(params![frequency, period], |r| r.get(0))?)
        })
    }

    /// Usable stories that became visible in `(from, to]` (Unix ms) and are not embargoed at
    /// `to`, newest first, each with the moment it became visible: what digests choose from.
    pub fn alerts_seen_between(&self, from: i64, to: i64) -> Result<Vec<(i64, Article)>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS}, seen_at FROM articles WHERE seen_at > ?1 AND seen_at <= ?2 AND status = 'usable' \
                 AND coalesce(embargo_until, 0) * 1000 <= ?2 ORDER BY published_at DESC, id DESC LIMIT 5000"
            ))?;
            // `seen_at` follows the article's columns, however many there are.
            let seen_column = COLUMNS.split(", ").count();
            let raws = st
                .query_map(params![from, to], |r| {
                    Ok((r.get::<_, i64>(seen_column)?, RawRow::read(r)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raws.into_iter()
                .map(|(seen, raw)| Ok((seen, raw.into_article()?)))
                .collect()
        })
    }

    /// Which of `ids` match a saved search (an FTS5 expression from
    /// [`super::SearchQuery::match_expr`]).
    pub fn alerts_matching(&self, match_expr: &str, ids: &[&str]) -> Result<BTreeSet<String>> {
        let expr = super::fts::scoped(match_expr, None, None);
        self.with_conn(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT a.id FROM articles a WHERE a.id = ?1 AND EXISTS \
                 (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?2 AND rowid = {})",
                super::fts::key_sql("a")
            ))?;
            let mut out = BTreeSet::new();
            for id in ids {
                if let Some(found) = st
                    .query_row(params![id, expr], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    out.insert(found);
                }
            }
            Ok(out)
        })
    }

    /// Claims up to `limit` due messages for `lease_ms` (another claim after that sends them
    /// again: a crash mid-send loses nothing).
    pub fn alerts_claim(
        &self,
        now: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<ClaimedMessage>> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out: Vec<ClaimedMessage> = {
                let mut st = tx.prepare_cached(&format!(
                    "SELECT o.id, o.subscription_id, o.kind, o.article_id, o.version, o.digest, o.stories, \
                     o.message_id, o.in_reply_to, o.attempts, {SUB_COLUMNS} \
                     FROM alert_outbox o JOIN alert_subscriptions s ON s.id = o.subscription_id \
                     WHERE o.state = 'queued' AND o.due_at <= ?1 AND o.lease_until <= ?1 \
                     ORDER BY o.due_at, o.id LIMIT ?2"
                ))?;
                st.query_map(params![now, limit as i64], |r| {
                    let kind: String = r.get(2)?;
                    let stories: String = r.get(6)?;
                    Ok(ClaimedMessage {
                        id: r.get(0)?,
                        row: OutboxRow {
                            subscription_id: r.get(1)?,
                            kind: kind_str(&kind),
                            article_id: r.get(3)?,
                            version: r.get(4)?,
                            digest: r.get(5)?,
                            stories: json_list(&stories).unwrap_or_default(),
                            message_id: r.get(7)?,
                            in_reply_to: r.get(8)?,
                        },
                        attempts: r.get(9)?,
                        subscription: subscription(r, 10)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            let mut st =
                tx.prepare_cached("UPDATE alert_outbox SET lease_until = ?2 WHERE id = ?1")?;
            for m in &out {
                st.execute(params![m.id, now + lease_ms])?;
            }
            drop(st);
            tx.commit()?;
            Ok(out)
        })
    }

    /// Records how a claimed message's attempt ended.
    pub fn alerts_record(
        &self,
        m: &ClaimedMessage,
        outcome: &AlertOutcome,
        now: i64,
    ) -> Result<()> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let attempts = m.attempts + 1;
            match outcome {
                AlertOutcome::Sent => {
                    tx.prepare_cached(
                        "UPDATE alert_outbox SET state = 'sent', sent_at = ?2, attempts = ?3, lease_until = 0, \
                         last_error = NULL, stories = CASE WHEN kind = 'digest' THEN stories ELSE '[]' END WHERE id = ?1",
                    )?
                    .execute(params![m.id, now, attempts])?;
                    tx.prepare_cached("UPDATE alert_subscriptions SET failures = 0 WHERE id = ?1")?
                        .execute([m.subscription.id])?;
                }
                AlertOutcome::Retry(due, why) => {
                    tx.prepare_cached(
                        "UPDATE alert_outbox SET attempts = ?2, due_at = ?3, lease_until = 0, last_error = ?4 WHERE id = ?1",
                    )?
                    .execute(params![m.id, attempts, due, why])?;
                }
                AlertOutcome::Failed(why, suspend_at) => {
                    tx.prepare_cached(
                        "UPDATE alert_outbox SET state = 'failed', attempts = ?2, lease_until = 0, last_error = ?3 WHERE id = ?1",
                    )?
                    .execute(params![m.id, attempts, why])?;
                    tx.prepare_cached(
                        "UPDATE alert_subscriptions SET failures = failures + 1, \
                         state = CASE WHEN failures + 1 >= ?2 AND state = 'active' THEN 'suspended' ELSE state END \
                         WHERE id = ?1",
                    )?
                    .execute(params![m.subscription.id, suspend_at])?;
                }
                AlertOutcome::Dropped(why) => {
                    tx.prepare_cached(
                        "UPDATE alert_outbox SET state = 'dropped', attempts = ?2, lease_until = 0, last_error = ?3 WHERE id = ?1",
                    )?
                    .execute(params![m.id, attempts, why])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// When the next queued message is due (Unix ms).
    pub fn alerts_next_due(&self) -> Result<Option<i64>> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "SELECT min(max(due_at, lease_until)) FROM alert_outbox WHERE state = 'queued'",
            )?
            .query_row([], |r| r.get(0))?)
        })
    }

    /// The outbox's depth and age.
    pub fn alerts_outbox_stats(&self) -> Result<OutboxStats> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "SELECT count(*), min(created_at) FROM alert_outbox WHERE state = 'queued'",
            )?
            .query_row([], |r| {
                Ok(OutboxStats {
                    queued: r.get(0)?,
                    oldest_ms: r.get(1)?,
                })
            })?)
        })
    }

    /// Messages by state, for one subscription (`wirefeed alerts list`): (sent, queued, failed).
    pub fn alerts_message_counts(&self, subscription_id: i64) -> Result<(i64, i64, i64)> {
        self.with_conn(|c| {
            Ok(c.prepare_cached(
                "SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'queued'), \
                 count(*) FILTER (WHERE state = 'failed') FROM alert_outbox WHERE subscription_id = ?1",
            )?
            .query_row([subscription_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
        })
    }
}

fn kind_str(s: &str) -> &'static str {
    match s {
        "confirm" => "confirm",
        "story" => "story",
        "correction" => "correction",
        "kill" => "kill",
        _ => "digest",
    }
}
