//! `[feeds]` (paging, caching, the urgent feed, related stories) and `[[feed]]`: ids, topics,
//! countries and access, and the feeds every config has (one per topic, `all`, `kills`).

use super::super::raw;
use super::super::{Access, DEFAULT_RELATED, FeedDef, FeedKind, FeedSettings, MAX_RELATED, Topic};
use super::{Checker, parse_duration};
use std::time::Duration;
use toml::Spanned;

impl Checker {
    pub(super) fn feeds(
        &mut self,
        raw: &[Spanned<raw::RawFeed>],
        topics: &[Topic],
    ) -> Vec<FeedDef> {
        let mut out: Vec<FeedDef> = Vec::new();
        for f in raw {
            let f = f.get_ref();
            let id = f.id.get_ref();
            let valid_id = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_id {
                self.at(
                    &f.id,
                    format!("feed id {id:?} must be letters, digits, '-' and '_'"),
                );
            }
            if out.iter().any(|o| &o.id == id) {
                self.at(&f.id, format!("feed {id:?} is defined twice"));
            }
            for t in &f.topics {
                if !topics.iter().any(|x| &x.id == t.get_ref()) {
                    self.at(t, format!("topic {:?} is not defined", t.get_ref()));
                }
            }
            let mut countries = Vec::new();
            for c in &f.countries {
                let code = c.get_ref();
                if !crate::model::is_country_code(code) {
                    self.at(
                        c,
                        format!(
                            "feed {id:?}: {code:?} must be an ISO 3166-1 alpha-2 code in capitals, such as \"US\""
                        ),
                    );
                } else if !crate::model::known_country(code) {
                    self.at(
                        c,
                        format!(
                            "feed {id:?}: {code:?} is not a country or territory this server knows"
                        ),
                    );
                } else {
                    countries.push(code.clone());
                }
            }
            countries.sort();
            countries.dedup();
            let access = match f.access.as_ref().map(|a| a.get_ref().as_str()) {
                None | Some("public") => Access::Public,
                Some("subscribers") => Access::Subscribers,
                Some(other) => {
                    let a = f.access.as_ref().expect("matched Some");
                    self.at(
                        a,
                        format!("feed access {other:?} must be \"public\" or \"subscribers\""),
                    );
                    Access::Public
                }
            };
            let kind = match id.as_str() {
                "all" => FeedKind::All,
                "kills" => FeedKind::Kills,
                _ if f.topics.is_empty() => {
                    self.at(&f.id, format!("feed {id:?} needs topics = [...]"));
                    FeedKind::Topics(Vec::new())
                }
                _ => FeedKind::Topics(f.topics.iter().map(|t| t.get_ref().clone()).collect()),
            };
            out.push(FeedDef {
                id: id.clone(),
                title: f.title.get_ref().clone(),
                kind,
                countries,
                access,
            });
        }
        // docs/api.md, HTTP: one feed per topic, `all` and `kills` always exist.
        for t in topics {
            if !out.iter().any(|f| f.id == t.id) {
                out.push(FeedDef {
                    id: t.id.clone(),
                    title: t.name("en").to_owned(),
                    kind: FeedKind::Topics(vec![t.id.clone()]),
                    countries: Vec::new(),
                    access: Access::Public,
                });
            }
        }
        for (id, title, kind) in [
            ("all", "All stories", FeedKind::All),
            ("kills", "Kill notices", FeedKind::Kills),
            // Stories up to feeds.urgent_max, indexed under the reserved key `urgent` beside
            // the topics (store/urgent.rs), so the feed is read like a topic's.
            (
                super::URGENT,
                "Urgent stories",
                FeedKind::Topics(vec![super::URGENT.to_owned()]),
            ),
        ] {
            if !out.iter().any(|f| f.id == id) {
                out.push(FeedDef {
                    id: id.to_owned(),
                    title: title.to_owned(),
                    kind,
                    countries: Vec::new(),
                    access: Access::Public,
                });
            }
        }
        out
    }

    pub(super) fn feed_settings(&mut self, f: &raw::RawFeeds) -> FeedSettings {
        let default_limit = match &f.default_limit {
            Some(l) if !(1..=200).contains(l.get_ref()) => {
                self.at(l, "feeds.default_limit must be between 1 and 200");
                50
            }
            Some(l) => *l.get_ref() as u32,
            None => 50,
        };
        let max_age = match &f.max_age {
            Some(m) if !(0..=86_400).contains(m.get_ref()) => {
                self.at(m, "feeds.max_age must be between 0 and 86400 seconds");
                60
            }
            Some(m) => *m.get_ref() as u32,
            None => 60,
        };
        let kill_retention = match &f.kill_retention {
            Some(k) => parse_duration(k.get_ref()).unwrap_or_else(|| {
                self.at(
                    k,
                    "feeds.kill_retention must look like \"7d\", \"36h\" or \"90m\"",
                );
                Duration::from_secs(7 * 86_400)
            }),
            None => Duration::from_secs(7 * 86_400),
        };
        let cache_bytes = match &f.cache_mb {
            Some(m) if !(0..=16_384).contains(m.get_ref()) => {
                self.at(
                    m,
                    "feeds.cache_mb must be between 0 and 16384 (MiB; 0 turns the cache off)",
                );
                64 << 20
            }
            Some(m) => (*m.get_ref() as usize) << 20,
            None => 64 << 20,
        };
        let urgent_max = match &f.urgent_max {
            Some(u) if !(1..=9).contains(u.get_ref()) => {
                self.at(u, "feeds.urgent_max must be an IPTC urgency, 1 to 9");
                2
            }
            Some(u) => *u.get_ref() as u8,
            None => 2,
        };
        let related = match &f.related {
            Some(r) if !(0..=MAX_RELATED as i64).contains(r.get_ref()) => {
                self.at(
                    r,
                    format!("feeds.related must be 0 (none) to {MAX_RELATED}"),
                );
                DEFAULT_RELATED
            }
            Some(r) => *r.get_ref() as usize,
            None => DEFAULT_RELATED,
        };
        FeedSettings {
            default_limit,
            max_age,
            kill_retention,
            cache_bytes,
            urgent_max,
            related,
        }
    }
}
