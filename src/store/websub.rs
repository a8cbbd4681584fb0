//! The WebSub hub's tables: subscriptions, the document last pushed per topic, and the
//! delivery queue (docs/api.md, Push (WebSub)). Every step is a short transaction, safe with several
//! processes on one database: a topic's change is enqueued by whichever process sees it first
//! (compare-and-set on its hash), a delivery is sent by whichever claims it (a lease).

use super::{Result, Store};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// A verified subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Row id.
    pub id: i64,
    /// Where deliveries go, exactly as the subscriber sent it.
    pub callback: String,
    /// The feed URL subscribed to, exactly as sent (it may carry a `token=`).
    pub topic: String,
    /// The HMAC secret, if one was given.
    pub secret: Option<String>,
    /// Lease granted, in seconds.
    pub lease_seconds: i64,
    /// When the lease ends (Unix time).
    pub expires_at: i64,
    /// When it was first verified (Unix time).
    pub created_at: i64,
}

/// A subscription as `wirefeed websub list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSubscription {
    /// The subscription.
    pub subscription: Subscription,
    /// When a delivery last got an answer (Unix time).
    pub last_delivery_at: Option<i64>,
    /// The HTTP status of that answer.
    pub last_status: Option<i64>,
    /// Failed delivery attempts since the last success.
    pub failures: i64,
    /// Attempts made for the pending delivery, if one is queued.
    pub pending_attempts: Option<i64>,
}

/// A subscription to store after a successful verification.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    /// Callback URL.
    pub callback: &'a str,
    /// Topic URL.
    pub topic: &'a str,
    /// HMAC secret.
    pub secret: Option<&'a str>,
    /// Lease in seconds.
    pub lease_seconds: i64,
    /// Now (Unix time).
    pub now: i64,
    /// Hash of the topic's current document: a new topic starts from it, so subscribing
    /// pushes nothing until the document changes.
    pub hash: &'a str,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The subscription.
    pub subscription: Subscription,
    /// Which enqueueing this send answers; a newer one while sending means send again.
    pub generation: i64,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// How long the queue is (for `/metrics` and `websub list`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Pending deliveries.
    pub pending: i64,
    /// When the oldest pending delivery was enqueued (Unix ms), if any.
    pub oldest_ms: Option<i64>,
}

const SUBSCRIPTION_COLUMNS: &str =
    "s.id, s.callback, s.topic, s.secret, s.lease_seconds, s.expires_at, s.created_at";

fn subscription(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        id: r.get(0)?,
        callback: r.get(1)?,
        topic: r.get(2)?,
        secret: r.get(3)?,
        lease_seconds: r.get(4)?,
        expires_at: r.get(5)?,
        created_at: r.get(6)?,
    })
}

impl Store {
    /// Stores a verified subscription; a re-subscription (same callback and topic) replaces
    /// the secret and the lease and keeps any pending delivery.
    pub fn websub_subscribe(&self, s: &NewSubscription<'_>) -> Result<i64> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id: i64 = tx.query_row(
                "INSERT INTO websub_subscriptions (callback, topic, secret, lease_seconds, expires_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5 + ?4, ?5) \
                 ON CONFLICT (callback, topic) DO UPDATE SET secret = excluded.secret, \
                 lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at \
                 RETURNING id",
                params![s.callback, s.topic, s.secret, s.lease_seconds, s.now],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO websub_topics (topic, hash) VALUES (?1, ?2)",
                params![s.topic, s.hash],
            )?;
            tx.commit()?;
            Ok(id)
        })
    }

    /// Removes a subscription (and its pending delivery); whether there was one.
    pub fn websub_unsubscribe(&self, callback: &str, topic: &str) -> Result<bool> {
        self.with_conn(|c| {
            let n = c.execute(
                "DELETE FROM websub_subscriptions WHERE callback = ?1 AND topic = ?2",
                params![callback, topic],
            )?;
            Ok(n > 0)
        })
    }

    /// Removes a subscription by id (a 410 from its callback, or its key no longer valid).
    pub fn websub_drop(&self, id: i64) -> Result<()> {
        self.with_conn(|c| {
            c.execute("DELETE FROM websub_subscriptions WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Every subscription (ended leases included until they are removed), by topic then callback.
    pub fn websub_subscriptions(&self) -> Result<Vec<ListedSubscription>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {SUBSCRIPTION_COLUMNS}, s.last_delivery_at, s.last_status, s.failures, d.attempts \
                 FROM websub_subscriptions s LEFT JOIN websub_deliveries d ON d.subscription_id = s.id \
                 ORDER BY s.topic, s.callback"
            ))?;
            let rows = st.query_map([], |r| {
                Ok(ListedSubscription {
                    subscription: subscription(r)?,
                    last_delivery_at: r.get(7)?,
                    last_status: r.get(8)?,
                    failures: r.get(9)?,
                    pending_attempts: r.get(10)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The live subscriptions to `topic`.
    pub fn websub_subscribers(&self, topic: &str, now: i64) -> Result<Vec<Subscription>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM websub_subscriptions s \
                 WHERE s.topic = ?1 AND s.expires_at > ?2"
            ))?;
            let rows = st.query_map(params![topic, now], subscription)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Each topic with a live subscription, and the hash of the document last pushed for it.
    pub fn websub_topics(&self, now: i64) -> Result<Vec<(String, String)>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT t.topic, t.hash FROM websub_topics t WHERE EXISTS \
                 (SELECT 1 FROM websub_subscriptions s WHERE s.topic = t.topic AND s.expires_at > ?1)",
            )?;
            let rows = st.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Records that `topic`'s document changed from `old` to `new` and enqueues a delivery for
    /// each live subscriber (a pending one is coalesced: it will send the latest document).
    /// Returns how many were enqueued; 0 when another process already recorded this change.
    pub fn websub_topic_changed(
        &self,
        topic: &str,
        old: &str,
        new: &str,
        now_ms: i64,
    ) -> Result<usize> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let won = tx.execute(
                "UPDATE websub_topics SET hash = ?3 WHERE topic = ?1 AND hash = ?2",
                params![topic, old, new],
            )?;
            if won == 0 {
                return Ok(0);
            }
            let n = tx.execute(
                "INSERT INTO websub_deliveries (subscription_id, due_at, enqueued_at) \
                 SELECT id, ?2, ?2 FROM websub_subscriptions WHERE topic = ?1 AND expires_at > ?2 / 1000 \
                 ON CONFLICT (subscription_id) DO UPDATE SET generation = generation + 1",
                params![topic, now_ms],
            )?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Claims up to `limit` due deliveries for `lease_ms`, at most one per callback and none for
    /// a callback in `busy` (each callback gets its deliveries one at a time, in order).
    pub fn websub_claim(
        &self,
        now_ms: i64,
        busy: &dyn Fn(&str) -> bool,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Claimed>> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let candidates = {
                let mut st = tx.prepare_cached(&format!(
                    "SELECT {SUBSCRIPTION_COLUMNS}, d.generation, d.attempts FROM websub_deliveries d \
                     JOIN websub_subscriptions s ON s.id = d.subscription_id \
                     WHERE d.due_at <= ?1 AND d.lease_until <= ?1 ORDER BY d.due_at LIMIT ?2"
                ))?;
                let rows = st.query_map(params![now_ms, (limit * 4) as i64], |r| {
                    Ok(Claimed {
                        subscription: subscription(r)?,
                        generation: r.get(7)?,
                        attempts: r.get(8)?,
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut taken: Vec<Claimed> = Vec::new();
            for d in candidates {
                if taken.len() == limit
                    || busy(&d.subscription.callback)
                    || taken
                        .iter()
                        .any(|t| t.subscription.callback == d.subscription.callback)
                {
                    continue;
                }
                tx.execute(
                    "UPDATE websub_deliveries SET lease_until = ?2 WHERE subscription_id = ?1",
                    params![d.subscription.id, now_ms + lease_ms],
                )?;
                taken.push(d);
            }
            tx.commit()?;
            Ok(taken)
        })
    }

    /// A claimed delivery succeeded. If the topic changed again meanwhile, the delivery stays
    /// queued (due now) to send the newer document.
    pub fn websub_delivered(
        &self,
        id: i64,
        generation: i64,
        status: u16,
        now_ms: i64,
    ) -> Result<()> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE websub_subscriptions SET last_delivery_at = ?2, last_status = ?3, failures = 0 WHERE id = ?1",
                params![id, now_ms / 1000, status],
            )?;
            let n = c.execute(
                "DELETE FROM websub_deliveries WHERE subscription_id = ?1 AND generation = ?2",
                params![id, generation],
            )?;
            if n == 0 {
                c.execute(
                    "UPDATE websub_deliveries SET attempts = 0, due_at = ?2, lease_until = 0, last_error = NULL \
                     WHERE subscription_id = ?1",
                    params![id, now_ms],
                )?;
            }
            Ok(())
        })
    }

    /// A claimed delivery failed: retried at `retry_at_ms`, or dropped when `retry_at_ms` is
    /// `None` (attempts exhausted). The subscription stays.
    pub fn websub_failed(
        &self,
        id: i64,
        attempts: i64,
        retry_at_ms: Option<i64>,
        error: &str,
        status: Option<u16>,
        now_ms: i64,
    ) -> Result<()> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE websub_subscriptions SET failures = failures + 1, \
                 last_delivery_at = CASE WHEN ?2 IS NULL THEN last_delivery_at ELSE ?3 END, \
                 last_status = coalesce(?2, last_status) WHERE id = ?1",
                params![id, status, now_ms / 1000],
            )?;
            match retry_at_ms {
                Some(at) => c.execute(
                    "UPDATE websub_deliveries SET attempts = ?2, due_at = ?3, lease_until = 0, last_error = ?4 \
                     WHERE subscription_id = ?1",
                    params![id, attempts, at, error],
                )?,
                None => c.execute(
                    "DELETE FROM websub_deliveries WHERE subscription_id = ?1",
                    [id],
                )?,
            };
            Ok(())
        })
    }

    /// Removes subscriptions whose lease ended, and topics nobody subscribes to.
    pub fn websub_expire(&self, now: i64) -> Result<usize> {
        self.with_conn(|c| {
            let n = c.execute(
                "DELETE FROM websub_subscriptions WHERE expires_at <= ?1",
                [now],
            )?;
            c.execute(
                "DELETE FROM websub_topics WHERE NOT EXISTS \
                 (SELECT 1 FROM websub_subscriptions s WHERE s.topic = websub_topics.topic)",
                [],
            )?;
            Ok(n)
        })
    }

    /// When the next delivery is due (Unix ms), if any is queued.
    pub fn websub_next_due(&self) -> Result<Option<i64>> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT min(max(due_at, lease_until)) FROM websub_deliveries",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
        })
    }

    /// The queue's length and age.
    pub fn websub_queue(&self) -> Result<QueueStats> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*), min(enqueued_at) FROM websub_deliveries",
                [],
                |r| {
                    Ok(QueueStats {
                        pending: r.get(0)?,
                        oldest_ms: r.get(1)?,
                    })
                },
            )?)
        })
    }
}
