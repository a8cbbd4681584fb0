//! Email alerts for press offices (contract §16): subscriptions with double opt-in, the pages
//! that make and manage them, the outbox a story write fills, the workers that mail immediate
//! alerts and digests over SMTP, corrections and kills. The only module that speaks SMTP.
//!
//! Shape (after GOV.UK's email-alert-api): a story write records a story event in its own
//! transaction (`store/alerts.rs`), due when the story becomes visible; the planner fans events
//! out into one outbox row per subscription and message, and records each digest slot once;
//! senders claim rows under a lease, send, and record the outcome.

mod digest;
mod labels;
pub mod mail;
pub mod pages;
pub mod request;
#[cfg(test)]
mod tests;
pub mod token;
mod worker;

pub use request::{Address, Input};
pub use token::{AlertToken, address_hash};

use crate::auth::{Keyring, Principal};
use crate::changes::ChangeBus;
use crate::config::{Config, MailSettings};
use crate::feeds::Feeds;
use crate::model::{Article, FieldError};
use crate::pages::Ui;
use crate::store::{AlertSubscription, Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Why an alert request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// Bad fields: a 400 naming each.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The token names no subscription (forged, expired, or the subscription ended): a 404
    /// that says nothing about any address.
    #[error("no such subscription")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The alerts service: built by `App` when `[mail]` is configured.
pub struct Alerts {
    config: Arc<Config>,
    settings: MailSettings,
    store: Arc<Store>,
    keyring: Arc<Keyring>,
    feeds: Arc<Feeds>,
    changes: Arc<ChangeBus>,
    mailer: mail::Mailer,
    stopping: AtomicBool,
    work: (Mutex<u64>, Condvar),
}

impl Alerts {
    /// Builds the service and starts its planner and senders; `None` without `[mail]`.
    pub fn start(
        config: Arc<Config>,
        store: Arc<Store>,
        keyring: Arc<Keyring>,
        feeds: Arc<Feeds>,
        changes: Arc<ChangeBus>,
    ) -> Result<Option<Arc<Alerts>>, String> {
        let Some(alerts) = Alerts::new(config, store, keyring, feeds, changes)? else {
            return Ok(None);
        };
        let alerts = Arc::new(alerts);
        let a = alerts.clone();
        std::thread::Builder::new()
            .name("wirefeed-alerts-plan".into())
            .spawn(move || {
                // Mail is background work: a digest never starves feed serving.
                crate::threads::run_in_background();
                worker::plan(a)
            })
            .map_err(|e| e.to_string())?;
        // One sender per SMTP connection, so a slow relay round trip is paid in parallel
        // (docs/benchmarks.md, Email alerts).
        for i in 0..alerts.settings.connections {
            let a = alerts.clone();
            std::thread::Builder::new()
                .name(format!("wirefeed-alerts-send-{i}"))
                .spawn(move || {
                    crate::threads::run_in_background();
                    worker::send_loop(a)
                })
                .map_err(|e| e.to_string())?;
        }
        Ok(Some(alerts))
    }

    /// The service without its workers; `None` without `[mail]`.
    fn new(
        config: Arc<Config>,
        store: Arc<Store>,
        keyring: Arc<Keyring>,
        feeds: Arc<Feeds>,
        changes: Arc<ChangeBus>,
    ) -> Result<Option<Alerts>, String> {
        let Some(settings) = config.mail.clone() else {
            return Ok(None);
        };
        let mailer = mail::Mailer::new(&config, &settings)?;
        Ok(Some(Alerts {
            config,
            settings,
            store,
            keyring,
            feeds,
            changes,
            mailer,
            stopping: AtomicBool::new(false),
            work: (Mutex::new(0), Condvar::new()),
        }))
    }

    /// Stops the workers after their current message (claims of unsent ones lapse and the
    /// next start sends them).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.wake_senders();
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    fn wake_senders(&self) {
        let (lock, cv) = &self.work;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        cv.notify_all();
    }

    fn wait_for_work(&self, timeout: Duration) {
        let (lock, cv) = &self.work;
        let g = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = *g;
        let _ = cv
            .wait_timeout_while(g, timeout, |g| *g == seen && !self.stopping())
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// Whether a subscription may be mailed `a`: restricted stories need its subscriber key
    /// to be valid now and entitled to them (decided by `feeds`, as for every reader).
    fn entitled(&self, s: &AlertSubscription, a: &Article, now: i64) -> bool {
        if !a.restricted {
            return true;
        }
        match s
            .key_name
            .as_deref()
            .and_then(|n| self.keyring.by_name(n, now))
        {
            Some(k) => self.feeds.may_read(a, &Principal::Key(k)),
            None => false,
        }
    }

    /// The config the pages are rendered with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The site's default page language.
    pub fn default_ui(&self) -> Ui {
        Ui::from_tag(&self.config.agency.language).unwrap_or(Ui::En)
    }

    /// `POST /alerts`: checks the request; a good one makes a pending subscription and
    /// enqueues its confirmation, unless this address had one within `mail.confirm_interval`
    /// (the answer is the same either way).
    pub fn subscribe(&self, input: &Input, now_ms: i64) -> Result<(), AlertError> {
        let (email, filter) = request::check(
            &self.config,
            &self.keyring,
            input,
            true,
            self.default_ui(),
            now_ms / 1000,
        )
        .map_err(AlertError::Invalid)?;
        let email = email.expect("checked with need_email");
        let hash = address_hash(email.as_str());
        let domain = self.settings.domain.clone();
        let made = self.store.alerts_subscribe(
            email.as_str(),
            &hash,
            &filter,
            self.settings.confirm_interval.as_millis() as i64,
            now_ms,
            &|id| worker::message_id(&domain, "confirm", id),
        )?;
        match made {
            Some(id) => {
                tracing::info!(
                    subscription = id,
                    address = &hash[..12],
                    "alerts: subscription pending"
                );
                self.wake_senders();
            }
            None => {
                tracing::info!(
                    address = &hash[..12],
                    "alerts: confirmation already sent within the interval"
                )
            }
        }
        Ok(())
    }

    /// The subscription a token reaches.
    pub fn by_token(&self, token: &str) -> Result<AlertSubscription, AlertError> {
        let t = AlertToken::parse(token).ok_or(AlertError::NotFound)?;
        self.store
            .alerts_by_token(&t.hash())?
            .ok_or(AlertError::NotFound)
    }

    /// `GET /alerts/confirm`: confirms (or resumes) the subscription; returns it.
    pub fn confirm(&self, token: &str, now_ms: i64) -> Result<AlertSubscription, AlertError> {
        let s = self.by_token(token)?;
        if self.store.alerts_confirm(s.id, now_ms)? {
            tracing::info!(subscription = s.id, "alerts: subscription confirmed");
        }
        self.by_token(token)
    }

    /// `POST /alerts/manage`: changes what the subscription asks for (a suspended one
    /// resumes).
    pub fn update(
        &self,
        token: &str,
        input: &Input,
        now_ms: i64,
    ) -> Result<AlertSubscription, AlertError> {
        let s = self.by_token(token)?;
        let (_, filter) = request::check(
            &self.config,
            &self.keyring,
            input,
            false,
            Ui::from_tag(&s.ui).unwrap_or(Ui::En),
            now_ms / 1000,
        )
        .map_err(AlertError::Invalid)?;
        // A key left empty keeps the one the subscription has.
        let filter = crate::store::AlertFilter {
            key_name: filter.key_name.or(s.key_name.clone()),
            ..filter
        };
        self.store.alerts_update(s.id, &filter)?;
        if s.state == "suspended" {
            self.store.alerts_confirm(s.id, now_ms)?;
        }
        self.by_token(token)
    }

    /// `POST /alerts/unsubscribe`: ends the subscription (RFC 8058 one-click).
    pub fn unsubscribe(&self, token: &str) -> Result<Ui, AlertError> {
        let s = self.by_token(token)?;
        self.store.alerts_delete(s.id)?;
        tracing::info!(subscription = s.id, "alerts: unsubscribed");
        Ok(Ui::from_tag(&s.ui).unwrap_or(Ui::En))
    }
}

/// `wirefeed check`: the `from` mailbox, the SMTP URL and the DKIM key file (when one is
/// configured) must load as the server would load them.
pub fn check_mail(config: &Config) -> Vec<String> {
    match &config.mail {
        Some(m) => mail::Mailer::new(config, m).err().into_iter().collect(),
        None => Vec::new(),
    }
}

/// One subscription as `wirefeed alerts list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    /// The address.
    pub email: String,
    /// `pending`, `active`, `suspended`.
    pub state: String,
    /// `immediate`, `daily`, `weekly`.
    pub frequency: String,
    /// Topic ids.
    pub topics: Vec<String>,
    /// Country codes.
    pub countries: Vec<String>,
    /// Story language.
    pub language: Option<String>,
    /// Saved search.
    pub q: Option<String>,
    /// The subscriber key's name.
    pub key: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub confirmed_at: Option<String>,
    /// Permanent failures since the last success.
    pub failures: i64,
    /// Messages sent, queued, failed.
    pub sent: i64,
    /// Messages waiting.
    pub queued: i64,
    /// Messages failed.
    pub failed: i64,
}

fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(crate::model::rfc3339)
        .unwrap_or_default()
}

/// Every subscription (`wirefeed alerts list`).
pub fn list(store: &Store) -> Result<Vec<Listed>, StoreError> {
    store
        .alerts_list()?
        .into_iter()
        .map(|s| {
            let (sent, queued, failed) = store.alerts_message_counts(s.id)?;
            Ok(Listed {
                email: s.email,
                state: s.state,
                frequency: s.frequency,
                topics: s.topics,
                countries: s.countries,
                language: s.language,
                q: s.q,
                key: s.key_name,
                created_at: rfc3339_ms(s.created_at),
                confirmed_at: s.confirmed_at.map(rfc3339_ms),
                failures: s.failures,
                sent,
                queued,
                failed,
            })
        })
        .collect()
}

/// Erases an address: its subscriptions, their messages and tokens, its confirmation clock
/// (`wirefeed alerts remove`). Returns how many subscriptions it had.
pub fn remove(store: &Store, email: &str) -> Result<usize, StoreError> {
    store.alerts_remove_address(&address_hash(email.trim()))
}
