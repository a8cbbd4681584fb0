//! The background work: the planner turns due story events into messages (fan-out), runs the
//! digest slots and expires unconfirmed subscriptions; the senders claim due messages, send
//! them over the pooled SMTP connection and record the outcome (retry with backoff on 4xx and
//! no answer, end on 5xx). Both follow the change bus, so a story written by this process or
//! another is mailed within a poll interval of becoming visible.

use super::Alerts;
use super::digest;
use super::mail::{Content, Mail};
use super::token::AlertToken;
use crate::metrics::{METRICS, Registry};
use crate::model::{Article, PubStatus};
use crate::pages::Ui;
use crate::store::{
    AlertOutcome, AlertSubscription, ClaimedMessage, OutboxRow, StoreError, StoryEvent,
};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// How long a pending subscription waits for its confirmation.
pub const PENDING_FOR: Duration = Duration::from_secs(48 * 3600);
/// Most story events fanned out per round.
const EVENTS_PER_ROUND: usize = 64;
/// Most messages one sender claims at once.
const CLAIM: usize = 16;
/// Most stories in one digest (the newest).
const DIGEST_MAX: usize = 50;

/// A new `Message-ID` (without brackets), chosen when the message is enqueued.
pub(super) fn message_id(domain: &str, kind: &str, subscription: i64) -> String {
    let mut r = [0u8; 8];
    getrandom::fill(&mut r).expect("the OS random source");
    format!(
        "{kind}.{subscription}.{}.{}@{domain}",
        Utc::now().timestamp_millis(),
        super::token::hex(&r)
    )
}

/// An error's text with every word that holds an `@` replaced: SMTP replies often quote the
/// address, and addresses never reach logs or the database's error column.
pub(super) fn redact(text: &str) -> String {
    text.split(' ')
        .map(|w| if w.contains('@') { "[address]" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect()
}

/// The planner's loop (one thread).
pub(super) fn plan(alerts: Arc<Alerts>) {
    let mut sub = alerts.changes.subscribe();
    let mut expired = Instant::now() - Duration::from_secs(3600);
    let mut counted = Instant::now() - Duration::from_secs(10);
    while !alerts.stopping() {
        let now = Utc::now();
        if expired.elapsed() >= Duration::from_secs(60) {
            expired = Instant::now();
            let before = now.timestamp_millis() - PENDING_FOR.as_millis() as i64;
            match alerts.store.alerts_expire_pending(before) {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    subscriptions = n,
                    "alerts: unconfirmed subscriptions expired"
                ),
                Err(e) => tracing::warn!(error = %e, "alerts: cannot expire pending subscriptions"),
            }
        }
        let mut moved = false;
        let mut failed = false;
        match fan_out(&alerts, now) {
            Ok(n) => moved |= n > 0,
            Err(e) => {
                failed = true;
                tracing::warn!(error = %e, "alerts: cannot fan story events out");
            }
        }
        for frequency in ["daily", "weekly"] {
            match run_digest(&alerts, frequency, now) {
                Ok(n) => moved |= n > 0,
                Err(e) => tracing::warn!(error = %e, frequency, "alerts: cannot run the digest"),
            }
        }
        if moved {
            alerts.wake_senders();
        }
        if counted.elapsed() >= Duration::from_secs(1) {
            counted = Instant::now();
            if let Ok(s) = alerts.store.alerts_outbox_stats() {
                METRICS.alerts_queue_depth.store(s.queued, Relaxed);
            }
        }
        // Woken by a write (the change bus), else at the next event due (an embargo lift
        // needs no write), at most a second later.
        let next = alerts
            .store
            .alerts_next_event()
            .ok()
            .flatten()
            .map(|t| t - Utc::now().timestamp_millis());
        let wait = next
            .filter(|&ms| ms > 0)
            .map_or(Duration::from_secs(1), |ms| {
                Duration::from_millis(ms as u64)
            })
            .min(Duration::from_secs(1));
        // An event due now is fanned out at once, unless storage just failed (then in a second).
        if failed || next.is_none_or(|ms| ms > 0) {
            sub.wait(if failed { Duration::from_secs(1) } else { wait });
        }
    }
}

/// Whether a subscription asks for this story (and may see it).
pub(super) fn wants(alerts: &Alerts, s: &AlertSubscription, a: &Article, now: i64) -> bool {
    (s.topics.is_empty() || s.topics.iter().any(|t| a.topics.contains(t)))
        && (s.countries.is_empty() || s.countries.iter().any(|c| a.places.contains(c)))
        && s.language
            .as_deref()
            .is_none_or(|l| crate::model::lang_key(&a.content.language) == l)
        && alerts.entitled(s, a, now)
}

/// Of `articles`, those each saved search matches: (q → matching ids).
fn q_matches(
    alerts: &Alerts,
    subs: &[AlertSubscription],
    articles: &[&Article],
) -> Result<std::collections::HashMap<String, std::collections::BTreeSet<String>>, StoreError> {
    let mut out = std::collections::HashMap::new();
    let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    for q in subs.iter().filter_map(|s| s.q.as_deref()) {
        if out.contains_key(q) {
            continue;
        }
        let expr = crate::store::SearchQuery::parse(q)
            .map(|p| p.match_expr())
            .unwrap_or_default();
        let hits = if expr.is_empty() {
            Default::default()
        } else {
            alerts.store.alerts_matching(&expr, &ids)?
        };
        out.insert(q.to_owned(), hits);
    }
    Ok(out)
}

pub(super) fn fan_out(alerts: &Alerts, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let now_ms = now.timestamp_millis();
    let mut enqueued = 0;
    for ev in alerts.store.alerts_due_events(now_ms, EVENTS_PER_ROUND)? {
        let article = alerts.store.get(&ev.article_id, now.timestamp())?;
        // An embargo moved later after the event was written: wait for the new lift.
        if let Some(a) = &article
            && ev.kind != "kill"
            && let Some(e) = a.content.embargo_until
            && e > now
        {
            alerts
                .store
                .alerts_postpone_event(ev.id, e.timestamp_millis())?;
            continue;
        }
        let rows = match &article {
            Some(a) => rows_for(alerts, &ev, a, now.timestamp())?,
            None => Vec::new(),
        };
        enqueued += alerts.store.alerts_fan_out(&ev, &rows, now_ms)?;
        if !rows.is_empty() {
            tracing::info!(story = %ev.article_id, kind = %ev.kind, messages = rows.len(), "alerts: enqueued");
        }
    }
    Ok(enqueued)
}

fn rows_for(
    alerts: &Alerts,
    ev: &StoryEvent,
    a: &Article,
    now: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let domain = &alerts.settings.domain;
    match ev.kind.as_str() {
        "new" => {
            if a.status != PubStatus::Usable {
                return Ok(Vec::new());
            }
            let subs = alerts.store.alerts_active("immediate")?;
            let hits = q_matches(alerts, &subs, &[a])?;
            Ok(subs
                .iter()
                .filter(|s| wants(alerts, s, a, now))
                .filter(|s| {
                    s.q.as_deref()
                        .is_none_or(|q| hits.get(q).is_some_and(|h| h.contains(a.id.as_str())))
                })
                .map(|s| OutboxRow {
                    subscription_id: s.id,
                    kind: "story",
                    article_id: a.id.as_str().to_owned(),
                    version: 0,
                    digest: String::new(),
                    stories: Vec::new(),
                    message_id: message_id(domain, "story", s.id),
                    in_reply_to: None,
                })
                .collect())
        }
        kind @ ("correction" | "kill") => {
            let kind: &'static str = if kind == "kill" { "kill" } else { "correction" };
            Ok(alerts
                .store
                .alerts_recipients(a.id.as_str())?
                .into_iter()
                .map(|(sub, first)| OutboxRow {
                    subscription_id: sub,
                    kind,
                    article_id: a.id.as_str().to_owned(),
                    version: ev.version,
                    digest: String::new(),
                    stories: Vec::new(),
                    message_id: message_id(domain, kind, sub),
                    in_reply_to: Some(first),
                })
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// Runs `frequency`'s latest slot if no process has; returns the messages enqueued.
pub(super) fn run_digest(
    alerts: &Alerts,
    frequency: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let s = &alerts.settings;
    let slot = digest::latest(now, s.timezone, s.digest_time, frequency, s.weekly_day);
    if alerts.store.alerts_digest_ran(frequency, &slot.period)? {
        return Ok(0);
    }
    let slot_ms = slot.at.timestamp_millis();
    let subs: Vec<AlertSubscription> = alerts
        .store
        .alerts_active(frequency)?
        .into_iter()
        .filter(|s| s.digest_from < slot_ms)
        .collect();
    let from = subs.iter().map(|s| s.digest_from).min().unwrap_or(slot_ms);
    let seen = alerts.store.alerts_seen_between(from, slot_ms)?;
    let articles: Vec<&Article> = seen.iter().map(|(_, a)| a).collect();
    let hits = q_matches(alerts, &subs, &articles)?;
    let now_s = now.timestamp();
    let mut rows = Vec::new();
    for sub in &subs {
        let stories: Vec<String> = seen
            .iter()
            .filter(|(at, a)| {
                *at > sub.digest_from
                    && wants(alerts, sub, a, now_s)
                    && sub
                        .q
                        .as_deref()
                        .is_none_or(|q| hits.get(q).is_some_and(|h| h.contains(a.id.as_str())))
            })
            .take(DIGEST_MAX)
            .map(|(_, a)| a.id.as_str().to_owned())
            .collect();
        // Nothing new: no mail.
        if stories.is_empty() {
            continue;
        }
        rows.push(OutboxRow {
            subscription_id: sub.id,
            kind: "digest",
            article_id: String::new(),
            version: 0,
            digest: slot.period.clone(),
            stories,
            message_id: message_id(&s.domain, "digest", sub.id),
            in_reply_to: None,
        });
    }
    let covered: Vec<i64> = subs.iter().map(|s| s.id).collect();
    let n = rows.len();
    if alerts.store.alerts_digest_run(
        frequency,
        &slot.period,
        slot_ms,
        &rows,
        &covered,
        now.timestamp_millis(),
    )? {
        tracing::info!(frequency, period = %slot.period, messages = n, "alerts: digest enqueued");
        Ok(n)
    } else {
        Ok(0)
    }
}

/// A sender's loop (several threads share the pooled transport).
pub(super) fn send_loop(alerts: Arc<Alerts>) {
    let lease_ms = (alerts.settings.timeout * 3 + Duration::from_secs(10)).as_millis() as i64;
    while !alerts.stopping() {
        let now = Utc::now().timestamp_millis();
        let claimed = match alerts.store.alerts_claim(now, CLAIM, lease_ms) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "alerts: cannot claim messages");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            let next = alerts.store.alerts_next_due().ok().flatten();
            let wait = next
                .map(|t| t - Utc::now().timestamp_millis())
                .filter(|&ms| ms > 0)
                .map_or(Duration::from_millis(500), |ms| {
                    Duration::from_millis(ms as u64)
                })
                .min(Duration::from_millis(500));
            alerts.wait_for_work(wait);
            continue;
        }
        for m in claimed {
            if alerts.stopping() {
                // Its lease lapses; the next start sends it.
                break;
            }
            let outcome = attempt(&alerts, &m);
            let now = Utc::now().timestamp_millis();
            match alerts.store.alerts_record(&m, &outcome, now) {
                // Counted once recorded: a metric never runs ahead of the outbox it reports on.
                Ok(()) => count(&outcome),
                Err(e) => {
                    tracing::warn!(error = %e, "alerts: cannot record a delivery (it will be sent again)");
                }
            }
        }
    }
}

fn count(outcome: &AlertOutcome) {
    match outcome {
        AlertOutcome::Sent => Registry::inc(&METRICS.alerts_sent),
        AlertOutcome::Retry(..) => Registry::inc(&METRICS.alerts_retried),
        AlertOutcome::Failed(..) => Registry::inc(&METRICS.alerts_failed),
        AlertOutcome::Dropped(_) => {}
    }
}

fn ui_of(s: &AlertSubscription) -> Ui {
    Ui::from_tag(&s.ui).unwrap_or(Ui::En)
}

/// One attempt at one message: what it says, built and handed to the SMTP server.
fn attempt(alerts: &Alerts, m: &ClaimedMessage) -> AlertOutcome {
    let s = &m.subscription;
    let address = &s.email_hash[..12];
    let now = Utc::now();
    if m.row.kind != "confirm" && s.state != "active" {
        return AlertOutcome::Dropped("the subscription is not active".into());
    }
    let load = |id: &str| alerts.store.get(id, now.timestamp());
    let content_articles: Result<Vec<Article>, StoreError> = match m.row.kind {
        "confirm" => Ok(Vec::new()),
        "digest" => m
            .row
            .stories
            .iter()
            .map(|id| load(id))
            .filter_map(Result::transpose)
            .collect(),
        _ => load(&m.row.article_id).map(|a| a.into_iter().collect()),
    };
    let mut articles = match content_articles {
        Ok(a) => a,
        Err(e) => return retry(alerts, m, format!("cannot read the story: {e}")),
    };
    // Killed since (a kill notice is the exception), or no longer entitled: not mailed.
    articles.retain(|a| {
        (m.row.kind == "kill" || a.status == PubStatus::Usable)
            && a.visible_at(now)
            && alerts.entitled(s, a, now.timestamp())
    });
    let content = match m.row.kind {
        "confirm" => Content::Confirm,
        _ if articles.is_empty() => {
            return AlertOutcome::Dropped("no story left to mail".into());
        }
        "story" => Content::Story(&articles[0]),
        "correction" => Content::Correction(&articles[0]),
        "kill" => Content::Kill(&articles[0]),
        _ => Content::Digest(&s.frequency, &articles),
    };
    let token = AlertToken::generate();
    // The token is stored before the mail leaves, so its links work when it arrives.
    if let Err(e) = alerts
        .store
        .alerts_add_token(s.id, &token.hash(), now.timestamp_millis())
    {
        return retry(alerts, m, format!("cannot store the token: {e}"));
    }
    let (subject, text, html) = super::mail::render(&alerts.config, ui_of(s), &content, &token);
    let mail = Mail {
        subject,
        text,
        html,
        message_id: m.row.message_id.clone(),
        in_reply_to: m.row.in_reply_to.clone(),
        token,
    };
    let msg = match alerts.mailer.build(&alerts.config, &mail, &s.email) {
        Ok(msg) => msg,
        Err(e) => {
            tracing::warn!(subscription = s.id, %address, error = %redact(&e), "alerts: cannot build a message");
            return AlertOutcome::Failed(redact(&e), i64::from(alerts.settings.max_failures));
        }
    };
    match alerts.mailer.send(&msg) {
        Ok(()) => {
            tracing::info!(subscription = s.id, %address, kind = m.row.kind, "alerts: sent");
            AlertOutcome::Sent
        }
        Err(e) if e.is_permanent() => {
            let why = redact(&crate::text::error_chain(&e));
            tracing::warn!(subscription = s.id, %address, kind = m.row.kind, error = %why, "alerts: refused for good");
            AlertOutcome::Failed(why, i64::from(alerts.settings.max_failures))
        }
        Err(e) => retry(alerts, m, crate::text::error_chain(&e)),
    }
}

/// A transient failure: again after `retry_base · 2^attempts` (at most an hour), or failed
/// after the last attempt.
fn retry(alerts: &Alerts, m: &ClaimedMessage, why: String) -> AlertOutcome {
    let why = redact(&why);
    let attempts = m.attempts + 1;
    let address = &m.subscription.email_hash[..12];
    if attempts >= i64::from(alerts.settings.max_attempts) {
        tracing::warn!(subscription = m.subscription.id, %address, attempts, error = %why, "alerts: dropped after its last attempt");
        return AlertOutcome::Failed(why, i64::from(alerts.settings.max_failures));
    }
    let base = alerts.settings.retry_base.as_millis() as i64;
    let delay = base
        .saturating_mul(1 << (attempts - 1).clamp(0, 20))
        .min(3_600_000)
        .max(base);
    tracing::info!(subscription = m.subscription.id, %address, attempts, error = %why, "alerts: will retry");
    AlertOutcome::Retry(Utc::now().timestamp_millis() + delay, why)
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_redacted_from_smtp_replies() {
        assert_eq!(
            super::redact("550 5.1.1 <desk@embassy.example>: Recipient address rejected"),
            "550 5.1.1 [address] Recipient address rejected"
        );
        // The control: a reply without an address is kept.
        assert_eq!(super::redact("451 4.3.0 try later"), "451 4.3.0 try later");
    }
}
