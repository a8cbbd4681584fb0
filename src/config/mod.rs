//! `feeds.toml` → a checked [`Config`], reporting every problem with its line.

mod check;
mod raw;

pub use check::{check_base_url, parse_duration};

use crate::model::TopicId;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The IPTC Media Topic scheme URI, which the `medtop:` alias stands for.
pub const MEDTOP_SCHEME: &str = "http://cv.iptc.org/newscodes/mediatopic/";

/// A checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The agency that publishes the wire.
    pub agency: Agency,
    /// Address to listen on, if configured.
    pub bind: Option<String>,
    /// Peers whose forwarding header is believed (`[server] trusted_proxies`).
    pub trusted_proxies: Vec<IpNet>,
    /// Which header those proxies write (`[server] forwarded_header`): only that one is read,
    /// so a client cannot slip in the other.
    pub forwarded_header: ForwardedHeader,
    /// HTTP worker threads.
    pub workers: usize,
    /// SQLite database path (resolved against the config file's folder).
    pub database: PathBuf,
    /// The line of `storage.database` in the config, if it was set there.
    pub database_line: Option<usize>,
    /// Folder imported on first start, if any.
    pub seed_dir: Option<PathBuf>,
    /// Feed defaults.
    pub feeds: FeedSettings,
    /// How much more a headline match weighs than a body match.
    pub headline_weight: f64,
    /// The learned model's weights file (`classifier.model`, resolved against the config's
    /// folder); `None` = rules only.
    pub model: Option<PathBuf>,
    /// Topics, in file order.
    pub topics: Vec<Topic>,
    /// Feeds, in file order, always including one per topic, `all` and `kills`.
    pub feed_list: Vec<FeedDef>,
    /// `[api]`.
    pub api: ApiSettings,
    /// `[limits]`.
    pub limits: LimitSettings,
    /// `[websub]`.
    pub websub: WebSubSettings,
    /// `[cdn]`.
    pub cdn: CdnSettings,
    /// `[media]`, and `storage.media_dir`.
    pub media: MediaSettings,
    /// `[mail]`: email alerts (contract §16); `None` when the section is absent (no alerts).
    pub mail: Option<MailSettings>,
}

/// `[mail]`: email alerts (contract §16, docs/operations.md, Email alerts).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Where mail is handed over: `smtp://host:port` (plain, or STARTTLS when the server
    /// offers it with `?tls=required`), `smtps://host:port` (TLS).
    pub smtp_url: String,
    /// The `From` mailbox (`Agency Alerts <alerts@wire.example>`).
    pub from: String,
    /// The domain of `from`: `Message-ID`s, `List-Id`, DKIM's `d=`.
    pub domain: String,
    /// DKIM selector and private key file (PEM, RSA or Ed25519), both or neither.
    pub dkim: Option<(String, PathBuf)>,
    /// Local time of the daily and weekly digests, as (hour, minute).
    pub digest_time: (u32, u32),
    /// IANA time zone of `digest_time` (`Europe/Madrid`).
    pub timezone: chrono_tz::Tz,
    /// Day of the weekly digest.
    pub weekly_day: chrono::Weekday,
    /// At most one confirmation mail per address per this.
    pub confirm_interval: Duration,
    /// First retry after a transient failure; doubled per attempt, at most an hour.
    pub retry_base: Duration,
    /// Attempts per message before it counts as failed.
    pub max_attempts: u32,
    /// Permanent failures in a row that suspend a subscription.
    pub max_failures: u32,
    /// SMTP connection and command timeout.
    pub timeout: Duration,
    /// SMTP connections (and sender threads) used at once.
    pub connections: u32,
    /// The `mailto:` of `List-Unsubscribe` (default: the `from` address).
    pub unsubscribe_mailto: String,
}

/// `[media]`: pictures (docs/api.md, Pictures).
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// `storage.media_dir` resolved against the config's folder; `None`: beside the database,
    /// named after it (`wirefeed.db` → `wirefeed.media/`).
    pub dir: Option<PathBuf>,
    /// Largest upload, in bytes (`max_upload_mb`, default 50).
    pub max_upload_bytes: usize,
    /// Most pixels an image may have (`max_pixels`, default 100 megapixels), checked before
    /// its pixels are decoded.
    pub max_pixels: u64,
    /// Keep EXIF GPS position in renditions (default false: location never leaves the server).
    pub keep_gps: bool,
    /// Threads that make renditions (default: one fewer than the cores, at least one).
    pub workers: usize,
    /// JPEG quality of the resized renditions (default 85; the original gets at least 92).
    pub quality: u8,
}

impl MediaSettings {
    /// The media folder of a database at `database`.
    pub fn dir_for(&self, database: &Path) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| database.with_extension("media"))
    }
}

/// `[cdn]`: how a shared HTTP cache in front (Varnish, nginx, a CDN) may keep public answers.
#[derive(Debug, Clone)]
pub struct CdnSettings {
    /// `s-maxage` in seconds (default `feeds.max_age`); like `max-age` it never reaches past the
    /// next embargo lift in the document.
    pub s_maxage: u32,
    /// `stale-if-error` in seconds: how long a shared cache may serve a stale copy while every
    /// origin fails.
    pub stale_if_error: u32,
    /// Where to send `PURGE` with the changed scopes as surrogate keys (`xkey`, `Surrogate-Key`).
    pub purge_urls: Vec<String>,
}

/// `[api]`.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Largest request body accepted (`max_body_kb`), in bytes.
    pub max_body_bytes: usize,
}

/// `[limits]`: token buckets per key and per client IP.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Requests per minute per IP without a key.
    pub anonymous_per_minute: u32,
    /// Requests per minute per key (unless the key sets its own).
    pub key_per_minute: u32,
    /// Requests allowed at once above the steady rate.
    pub burst: u32,
}

/// `[websub]`.
#[derive(Debug, Clone)]
pub struct WebSubSettings {
    /// Lease when the subscriber asks for none.
    pub lease_default: Duration,
    /// Longest lease granted.
    pub lease_max: Duration,
    /// Delivery attempts before giving up.
    pub max_attempts: u32,
    /// Per-request timeout for verification and delivery.
    pub timeout: Duration,
    /// Allow callbacks on loopback, private, link-local or multicast addresses.
    pub allow_private_callbacks: bool,
}

/// `[agency]`.
#[derive(Debug, Clone)]
pub struct Agency {
    /// Display name.
    pub name: String,
    /// Absolute base URL without a trailing slash.
    pub base_url: String,
    /// Default article language.
    pub language: String,
    /// Rights statement put in every feed.
    pub copyright: String,
    /// `authority,date` part of `tag:` URIs (RFC 4151), e.g. `anv.example,2026`.
    pub tag_authority: String,
    /// Natural-language usage terms of every story that has none of its own.
    pub usage_terms: Option<String>,
    /// Data-mining permission or prohibition of everything served (contract §15).
    pub data_mining: Option<crate::model::DataMining>,
    /// URL of a TDM Policy (W3C TDMRep `tdm-policy`), sent while mining is reserved.
    pub tdm_policy: Option<String>,
}

impl Agency {
    /// Whether text and data mining is reserved (W3C TDMRep `tdm-reservation: 1`).
    pub fn reserves_mining(&self) -> bool {
        self.data_mining.is_some_and(|d| d.reserves_mining())
    }
}

/// The most characters of usage terms (`agency.usage_terms`, an article's `usage_terms`):
/// a statement, not a contract.
pub const MAX_USAGE_TERMS: usize = 2000;

/// `[feeds]`.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// Items per page when `limit` is absent.
    pub default_limit: u32,
    /// `Cache-Control: max-age` in seconds.
    pub max_age: u32,
    /// How long kill notices stay in feeds.
    pub kill_retention: Duration,
    /// Memory for rendered feed pages, in bytes (0 turns the cache off).
    pub cache_bytes: usize,
    /// The built-in feed `urgent` lists stories with an IPTC urgency up to this (1–9).
    pub urgent_max: u8,
    /// Related stories each article carries (contract §15), 0–20; 0 turns them off.
    pub related: usize,
}

/// The most related stories an article may carry (`feeds.related`).
pub const MAX_RELATED: usize = 20;
/// `feeds.related` when the configuration does not say (contract §15).
pub const DEFAULT_RELATED: usize = 5;

/// The built-in feed of urgent stories (contract §15), and the key its stories are indexed
/// under beside the topics (no topic may take it).
pub const URGENT: &str = "urgent";

/// A topic with its codes, names and matching rules.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Topic id, also the id of its feed.
    pub id: TopicId,
    /// Display names by language.
    pub names: BTreeMap<String, String>,
    /// IPTC Media Topic codes, the first being the main one.
    pub iptc: Vec<IptcCode>,
    /// Score an article needs to be put in this topic.
    pub min_score: f64,
    /// Weighted terms.
    pub rules: Vec<Rule>,
    /// Phrases that look like the topic but are not.
    pub exclude: Vec<Rule>,
    /// Phrases that put an article in the topic whatever the score or the model says.
    pub force: Vec<Rule>,
    /// Phrases that keep an article out of the topic (unless its editor chose it).
    pub forbid: Vec<Rule>,
}

impl Topic {
    /// The name in `lang` (primary subtag), else English, else any.
    pub fn name(&self, lang: &str) -> &str {
        let primary = lang.split('-').next().unwrap_or(lang);
        self.names
            .get(primary)
            .or_else(|| self.names.get("en"))
            .or_else(|| self.names.values().next())
            .map(String::as_str)
            .unwrap_or(&self.id)
    }
}

/// An IPTC Media Topic code with its labels.
#[derive(Debug, Clone)]
pub struct IptcCode {
    /// QCode, `medtop:NNNNNNNN`.
    pub qcode: String,
    /// English label.
    pub en: String,
    /// Spanish label.
    pub es: Option<String>,
}

impl IptcCode {
    /// The numeric part of the QCode.
    pub fn code(&self) -> &str {
        self.qcode.trim_start_matches("medtop:")
    }

    /// The full concept URI.
    pub fn uri(&self) -> String {
        format!("{MEDTOP_SCHEME}{}", self.code())
    }
}

/// Terms with one weight, for one language or all.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Primary language subtag this rule applies to; `None` = every language.
    pub lang: Option<String>,
    /// Score per match; negative for context that argues against the topic (exclusions: unused).
    pub weight: f64,
    /// Terms; a trailing `*` matches any word ending.
    pub terms: Vec<String>,
    /// Line in `feeds.toml`.
    pub line: usize,
}

/// Who may read a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// Holders of a subscriber key scoped to this feed.
    Subscribers,
}

/// What a feed selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    /// Every usable article.
    All,
    /// Kill notices.
    Kills,
    /// Articles in any of these topics.
    Topics(Vec<TopicId>),
}

/// A feed definition.
#[derive(Debug, Clone)]
pub struct FeedDef {
    /// Feed id used in URLs.
    pub id: String,
    /// Title shown by readers.
    pub title: String,
    /// What it selects.
    pub kind: FeedKind,
    /// Only stories about these countries (ISO 3166-1 alpha-2, sorted); empty: no such limit.
    pub countries: Vec<String>,
    /// Who may read it.
    pub access: Access,
}

/// One problem in the config, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, 0 when the whole file is concerned.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a config file.
#[derive(Debug, Clone)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// All problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.line > 0 {
                write!(f, "{}:{}: {}", self.path.display(), p.line, p.message)?;
            } else {
                write!(f, "{}: {}", self.path.display(), p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_owned(),
            problems: vec![Problem {
                line: 0,
                message: format!("cannot read config: {e}"),
            }],
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&src, base).map_err(|problems| ConfigError {
            path: path.to_owned(),
            problems,
        })
    }

    /// Parses config text; relative paths are resolved against `base`.
    pub fn parse(src: &str, base: &Path) -> Result<Config, Vec<Problem>> {
        check::check(src, base)
    }

    /// Looks up a topic by id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Looks up a feed by id.
    pub fn feed(&self, id: &str) -> Option<&FeedDef> {
        self.feed_list.iter().find(|f| f.id == id)
    }

    /// Whether a topic has a page and a place on the front page: its own feed (the feed with
    /// the topic's id) is public.
    pub fn topic_is_public(&self, topic: &str) -> bool {
        self.feed(topic).is_some_and(|f| {
            f.access == Access::Public && f.kind == FeedKind::Topics(vec![topic.to_owned()])
        })
    }

    /// Topics that only restricted feeds select: an article all of whose topics are among
    /// them appears only to subscribers entitled to one of those feeds (docs/api.md, Subscribers and keys).
    pub fn restricted_topics(&self) -> std::collections::BTreeSet<TopicId> {
        let public: HashSet<&str> = self
            .feed_list
            .iter()
            .filter(|f| f.access == Access::Public)
            .filter_map(|f| match &f.kind {
                FeedKind::Topics(ts) => Some(ts.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect();
        self.topics
            .iter()
            .filter(|t| !public.contains(t.id.as_str()))
            .map(|t| t.id.clone())
            .collect()
    }

    /// The `tag:` URI (RFC 4151) that is an article's GUID in every format.
    pub fn guid(&self, id: &str) -> String {
        format!("tag:{}:{id}", self.agency.tag_authority)
    }
}

/// The longest language tag accepted: RFC 5646 §4.4.1 asks implementations to keep at least 35
/// characters, which holds every tag in use (`zh-Hant-TW`, `sr-Latn-RS`).
pub const MAX_LANGUAGE_TAG: usize = 35;

/// Returns true for a plausible BCP 47 tag (`es`, `en-GB`, `es-419`) of at most
/// [`MAX_LANGUAGE_TAG`] characters.
pub fn is_language_tag(s: &str) -> bool {
    if s.len() > MAX_LANGUAGE_TAG {
        return false;
    }
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The header trusted proxies name the client in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (Varnish, nginx, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// An IP network (`10.0.0.0/8`, `::1/128`; a bare address is the host itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `addr/prefix` or a bare address.
    pub fn parse(s: &str) -> Result<IpNet, String> {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: std::net::IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an IP network such as \"10.0.0.0/8\" or \"::1\""))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() {
            max
        } else {
            p.parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?
        };
        Ok(IpNet { addr, prefix })
    }

    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as its IPv4).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let bits = |a: IpAddr| -> (u128, u32) {
            match a {
                IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
                IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let ((net, width), (host, w2)) = (bits(self.addr), bits(ip));
        if width != w2 {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (host >> shift)
    }
}

#[cfg(test)]
mod ipnet_tests {
    use super::IpNet;

    #[test]
    fn networks_contain_their_addresses_only() {
        let n = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(n.contains("10.1.2.3".parse().unwrap()));
        assert!(!n.contains("10.2.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.1.0.9".parse().unwrap()));
        let h = IpNet::parse("127.0.0.1").unwrap();
        assert!(h.contains("127.0.0.1".parse().unwrap()));
        assert!(!h.contains("127.0.0.2".parse().unwrap()));
        assert!(
            IpNet::parse("::/0")
                .unwrap()
                .contains("2001:db8::1".parse().unwrap())
        );
        assert!(
            IpNet::parse("0.0.0.0/0")
                .unwrap()
                .contains("192.0.2.1".parse().unwrap())
        );
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("ten").is_err());
    }
}
