//! Who may read what (docs/api.md, Subscribers and keys), decided here and nowhere else: public feeds are everyone's;
//! a restricted feed, and an article only restricted feeds select, need a publisher key or a
//! subscriber key that lists such a feed.

use super::{FeedError, Feeds};
use crate::auth::{Key, Principal, Role};
use crate::config::{Access, FeedDef, FeedKind};
use crate::model::{Article, Take, TopicId};

/// The view a response shows: its bytes and its validators belong to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entitlement {
    /// Anyone's: shareable by any cache.
    Public,
    /// One key's: `Cache-Control: private`, and an entity tag of its own.
    Key {
        /// The key's name (never its token).
        name: String,
    },
}

impl Entitlement {
    /// What this view adds to entity tags, so that a 304 for one key's tag is never given
    /// for another key's view (`None` for public views).
    pub fn tag_suffix(&self) -> Option<String> {
        match self {
            Entitlement::Public => None,
            Entitlement::Key { name } => Some(format!(
                "-k{:08x}",
                crate::text::fnv1a(name.as_bytes()) as u32
            )),
        }
    }
}

fn reaches(key: &Key, feed: &FeedDef) -> bool {
    key.role == Role::Publisher || key.feeds.contains(&feed.id)
}

/// Whether a story with these places is within a country list (empty: no limit).
fn within(countries: &[String], places: &[String]) -> bool {
    countries.is_empty() || places.iter().any(|p| countries.contains(p))
}

/// The countries a page of `feed` read by `who` is narrowed to: the feed's (`[[feed]]
/// countries`), those of the key it is read with when the key lists the feed (`keys add
/// --country`), and the query's (`?country=`), each when given. `None`: no such limit; an
/// empty list: the limits exclude each other and the page lists nothing.
pub(super) fn narrowed(feed: &FeedDef, who: &Principal, asked: &[String]) -> Option<Vec<String>> {
    let key: &[String] = match who {
        Principal::Key(k) if k.feeds.contains(&feed.id) => &k.countries,
        _ => &[],
    };
    let mut out: Option<Vec<String>> = None;
    for list in [feed.countries.as_slice(), key, asked] {
        if list.is_empty() {
            continue;
        }
        out = Some(match out {
            None => list.to_vec(),
            Some(o) => o.into_iter().filter(|c| list.contains(c)).collect(),
        });
    }
    out
}

/// Whether a topic feed selects a story with these topics and places.
fn selects(f: &FeedDef, topics: &[TopicId], places: &[String]) -> bool {
    match &f.kind {
        FeedKind::Topics(ts) => {
            ts.iter().any(|t| topics.contains(t)) && within(&f.countries, places)
        }
        _ => false,
    }
}

/// Whether every reader of a page of `feed` narrowed to `countries` may read a take linked from
/// it: a public take, or a restricted one the feed itself selects (whoever reads the page reaches
/// the feed; its cached page is shared by every such key).
pub(super) fn page_reads(feed: &FeedDef, countries: Option<&[String]>, t: &Take) -> bool {
    !t.restricted
        || (selects(feed, &t.topics, &t.places) && countries.is_none_or(|cs| within(cs, &t.places)))
}

fn refuse(who: &Principal, what: &str) -> FeedError {
    match who {
        Principal::Anonymous => FeedError::Unauthorized(format!(
            "{what} is for subscribers: send a subscriber key (Authorization: Bearer, or ?token=)"
        )),
        Principal::Key(_) => FeedError::Forbidden(format!("this key does not reach {what}")),
    }
}

impl Feeds {
    /// May `who` read `feed`, and as which view?
    pub(super) fn authorize_feed(
        &self,
        feed: &FeedDef,
        who: &Principal,
    ) -> Result<Entitlement, FeedError> {
        if feed.access == Access::Public {
            // A key narrowed to countries reads the public feeds it lists as its own view:
            // a shared cache must not hand that narrowed page to anyone else.
            return Ok(match who {
                Principal::Key(k) if !k.countries.is_empty() && k.feeds.contains(&feed.id) => {
                    Entitlement::Key {
                        name: k.name.clone(),
                    }
                }
                _ => Entitlement::Public,
            });
        }
        match who {
            Principal::Key(k) if reaches(k, feed) => Ok(Entitlement::Key {
                name: k.name.clone(),
            }),
            _ => Err(refuse(who, &format!("feed {:?}", feed.id))),
        }
    }

    /// May `who` read `a`? An article is restricted when only restricted feeds select it.
    pub(super) fn authorize_article(
        &self,
        a: &Article,
        who: &Principal,
    ) -> Result<Entitlement, FeedError> {
        if !a.restricted {
            return Ok(Entitlement::Public);
        }
        match who {
            Principal::Key(k) if self.key_reads(k, &a.topics, &a.places) => Ok(Entitlement::Key {
                name: k.name.clone(),
            }),
            _ => Err(refuse(who, &format!("article {:?}", a.id.as_str()))),
        }
    }

    /// Whether a key reaches a restricted story with these topics and places: through a feed
    /// that selects it (a feed or key narrowed to countries reaches only the stories about them).
    fn key_reads(&self, k: &Key, topics: &[TopicId], places: &[String]) -> bool {
        self.config
            .feed_list
            .iter()
            .filter(|f| selects(f, topics, places))
            .any(|f| reaches(k, f) && within(&k.countries, places))
    }

    /// Whether `who` may read another take of a story (contract §15): the rule of
    /// [`Feeds::authorize_article`], applied to the take linked.
    pub(super) fn may_read_take(&self, t: &Take, who: &Principal) -> bool {
        match who {
            _ if !t.restricted => true,
            Principal::Key(k) => self.key_reads(k, &t.topics, &t.places),
            Principal::Anonymous => false,
        }
    }

    /// Whether `who` may read `a` (email alerts ask before mailing a restricted story).
    pub fn may_read(&self, a: &Article, who: &Principal) -> bool {
        self.authorize_article(a, who).is_ok()
    }
}
