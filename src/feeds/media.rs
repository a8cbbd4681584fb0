//! Pictures as served (docs/api.md, Pictures): who may fetch one follows the stories that show
//! it, decided with the same rules as those stories (access.rs). A picture's state is read once
//! and kept until its scope (or any article's) moves or an embargo among its stories lifts, so
//! serving a rendition touches no database.

use super::{Entitlement, FeedError, Feeds, Representation, unix};
use crate::auth::{Principal, Role};
use crate::config::FeedKind;
use crate::model::{Picture, PubStatus};
use crate::render::{self, NinjsVersion};
use crate::store::{PictureUse, SCOPE_ALL, picture_scope};
use crate::urls::ArticleFormat;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// A picture and the stories that show it, as last read.
#[derive(Debug)]
pub struct PictureState {
    /// The picture.
    pub picture: Picture,
    uses: Vec<PictureUse>,
    /// The change-log positions it was read at.
    deps: Vec<(String, i64)>,
    /// The first embargo lift among its stories after the read (Unix seconds).
    next_lift: Option<i64>,
}

/// The most pictures whose state is kept; past this the map is emptied (it refills on demand).
const MAX_STATES: usize = 65_536;

/// Picture states by id.
#[derive(Default)]
pub struct PictureStates(RwLock<HashMap<String, Arc<PictureState>>>);

impl Feeds {
    /// A picture's current state, from memory when nothing it depends on moved.
    pub fn picture_state(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<PictureState>, FeedError> {
        let fresh = |s: &PictureState| {
            self.changes.current(&s.deps) && s.next_lift.is_none_or(|t| t > now.timestamp())
        };
        if let Some(s) = self
            .pictures
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            && fresh(s)
        {
            return Ok(s.clone());
        }
        self.changes.refresh_unwatched(&self.store);
        // Read the positions first: a change committed during the read moves them again.
        let deps = self
            .changes
            .seqs(vec![picture_scope(id), SCOPE_ALL.to_owned()]);
        let picture = self
            .store
            .picture(id)?
            .ok_or_else(|| FeedError::NotFound(format!("there is no picture {id:?}")))?;
        let uses = self.store.picture_uses(id)?;
        let next_lift = uses
            .iter()
            .filter(|u| u.status == PubStatus::Usable)
            .filter_map(|u| u.embargo_until)
            .filter(|&e| e > now.timestamp())
            .min();
        let state = Arc::new(PictureState {
            picture,
            uses,
            deps,
            next_lift,
        });
        let mut map = self
            .pictures
            .0
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_STATES {
            map.clear();
        }
        map.insert(id.to_owned(), state.clone());
        Ok(state)
    }

    /// A picture's state if memory has a current one (no database read: the event loop may
    /// call this).
    pub fn picture_state_cached(&self, id: &str, now: DateTime<Utc>) -> Option<Arc<PictureState>> {
        let map = self
            .pictures
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let s = map.get(id)?;
        (self.changes.watching()
            && self.changes.current(&s.deps)
            && s.next_lift.is_none_or(|t| t > now.timestamp()))
        .then(|| s.clone())
    }

    /// May `who` see the picture now, and as which view? The stories that show it decide: a
    /// public live story makes it public; restricted ones need a key that reaches one of them;
    /// embargoed ones hide it (404) until the lift; killed ones, or its own kill, make it gone
    /// (410). A picture no story shows yet is the newsroom's (publisher keys only).
    pub fn authorize_picture(
        &self,
        s: &PictureState,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Entitlement, FeedError> {
        let id = s.picture.id.as_str();
        if s.picture.status == PubStatus::Canceled {
            return Err(FeedError::Gone(format!("picture {id:?} was killed")));
        }
        let live: Vec<&PictureUse> = s
            .uses
            .iter()
            .filter(|u| {
                u.status == PubStatus::Usable
                    && u.embargo_until.is_none_or(|e| e <= now.timestamp())
            })
            .collect();
        if live.iter().any(|u| !u.restricted) {
            return Ok(Entitlement::Public);
        }
        let key_view = |who: &Principal| match who {
            Principal::Key(k) => Some(Entitlement::Key {
                name: k.name.clone(),
            }),
            Principal::Anonymous => None,
        };
        if !live.is_empty() {
            let reaches = |k: &crate::auth::Key| {
                k.role == Role::Publisher
                    || live.iter().any(|u| {
                        self.config.feed_list.iter().any(|f| {
                            k.feeds.contains(&f.id)
                                && matches!(&f.kind, FeedKind::Topics(ts) if ts.iter().any(|t| u.topics.contains(t)))
                        })
                    })
            };
            return match who {
                Principal::Key(k) if reaches(k) => Ok(key_view(who).expect("a key")),
                Principal::Key(_) => Err(FeedError::Forbidden(format!(
                    "this key does not reach picture {id:?}"
                ))),
                Principal::Anonymous => Err(FeedError::Unauthorized(format!(
                    "picture {id:?} is for subscribers: send a subscriber key (Authorization: Bearer, or ?token=)"
                ))),
            };
        }
        let hidden = || FeedError::NotFound(format!("there is no picture {id:?}"));
        if s.uses.iter().any(|u| u.status == PubStatus::Usable) {
            // Only embargoed stories show it.
            return Err(hidden());
        }
        if !s.uses.is_empty() {
            return Err(FeedError::Gone(format!(
                "picture {id:?} was withdrawn with the stories that showed it"
            )));
        }
        match who {
            Principal::Key(k) if k.role == Role::Publisher => Ok(key_view(who).expect("a key")),
            _ => Err(hidden()),
        }
    }

    /// A picture's own document: ninjs (`type: picture`, in the version asked for) or a
    /// NewsML-G2 picture item (`format` is [`ArticleFormat::NewsMl`]).
    /// `link_token`: the `?token=` of a reader without headers, which the rendition links of
    /// a picture only subscribers may see carry.
    pub fn picture_document(
        &self,
        id: &str,
        format: ArticleFormat,
        who: &Principal,
        now: DateTime<Utc>,
        link_token: Option<&str>,
    ) -> Result<(Representation, Entitlement), FeedError> {
        let s = self.picture_state(id, now)?;
        let view = self.authorize_picture(&s, who, now)?;
        let token = link_token.filter(|_| view != Entitlement::Public);
        let cfg = &self.config;
        let urls = crate::urls::Urls::of(cfg);
        let version = match format {
            ArticleFormat::Ninjs16 => Some(NinjsVersion::V1_6),
            ArticleFormat::Ninjs31 => Some(NinjsVersion::V3_1),
            ArticleFormat::Ninjs | ArticleFormat::Html => Some(NinjsVersion::V2_1),
            ArticleFormat::NewsMl => None,
        };
        let (body, content_type, self_url) = match version {
            None => (
                render::picture_news_item(cfg, &s.picture, token),
                "application/vnd.iptc.g2.newsitem+xml",
                urls.picture_doc(id, "xml"),
            ),
            Some(v) => (
                render::ninjs_picture(cfg, &s.picture, v, token),
                "application/json",
                match v {
                    NinjsVersion::V2_1 => urls.picture_doc(id, "json"),
                    _ => format!("{}?ninjs={}", urls.picture_doc(id, "json"), v.as_str()),
                },
            ),
        };
        let last_modified = unix(s.picture.changed_at.timestamp()).min(now);
        let mut rep =
            Representation::new(body, content_type, last_modified, vec![("self", self_url)]);
        let scope = picture_scope(id);
        rep.set_surrogate_keys([scope.as_str(), SCOPE_ALL]);
        Ok((rep, view))
    }
}
