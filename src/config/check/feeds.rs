//! `[[feed]]`: ids, topics, countries and access, and the feeds every config has (one per topic,
//! `all`, `kills`).

use super::super::raw;
use super::super::{Access, FeedDef, FeedKind, Topic};
use super::Checker;
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
}
