//! Developing stories (contract §15): the takes of a story linked by `evolved_from`, read with
//! an article, and which of them a reader is shown: the earlier take it updates and the latest
//! take that replaced it.

use super::{ArticleId, PubStatus, TopicId};
use chrono::{DateTime, Utc};

/// The most characters of a slugline.
pub const MAX_SLUGLINE: usize = 64;

/// How far a chain of takes is followed (cycle checks, later takes): a developing story has a
/// handful of takes; this bounds the work a corrupt chain could cost.
pub const MAX_TAKES: usize = 64;

/// Another take of the same developing story, as much as a link to it and the access decision
/// about it need.
#[derive(Debug, Clone, PartialEq)]
pub struct Take {
    /// Its id.
    pub id: ArticleId,
    /// Its headline (the link's text).
    pub headline: String,
    /// Its slugline.
    pub slugline: Option<String>,
    /// The take it evolved from.
    pub evolved_from: Option<ArticleId>,
    /// Usable or killed.
    pub status: PubStatus,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Not shown before this.
    pub embargo_until: Option<DateTime<Utc>>,
    /// Only restricted feeds select it.
    pub restricted: bool,
    /// Its final topics.
    pub topics: Vec<TopicId>,
    /// Its final places.
    pub places: Vec<String>,
}

impl Take {
    /// Whether it is out of embargo at `now`.
    pub fn visible_at(&self, now: DateTime<Utc>) -> bool {
        self.embargo_until.is_none_or(|e| e <= now)
    }

    /// Whether it was killed.
    pub fn killed(&self) -> bool {
        self.status == PubStatus::Canceled
    }
}

/// An article's takes: what the store read (every candidate) and what a reader is shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Takes {
    /// The take this article names in `evolved_from`, whatever its state.
    pub earlier_candidate: Option<Take>,
    /// Every take that evolved from this one, directly or through others, whatever its state.
    pub later_candidates: Vec<Take>,
    /// The earlier take shown: out of embargo and readable; a killed one is shown as killed.
    pub earlier: Option<Take>,
    /// The latest take that replaced this one: the newest usable, visible, readable take
    /// reached through usable, visible, readable takes (none when nothing replaced it).
    pub latest: Option<Take>,
}

impl Takes {
    /// Decides what a reader is shown at `now`, `may_read` saying whether the reader may read
    /// a take (the access rule of `feeds/access.rs`, or the public one).
    pub fn resolve(
        &mut self,
        me: &ArticleId,
        now: DateTime<Utc>,
        may_read: impl Fn(&Take) -> bool,
    ) {
        self.earlier = self
            .earlier_candidate
            .clone()
            .filter(|t| t.visible_at(now) && t.status != PubStatus::Withheld && may_read(t));
        let live = |t: &Take| t.status == PubStatus::Usable && t.visible_at(now) && may_read(t);
        let mut at = me.clone();
        let mut latest: Option<&Take> = None;
        for _ in 0..=self.later_candidates.len() {
            let next = self
                .later_candidates
                .iter()
                .filter(|t| t.evolved_from.as_ref() == Some(&at) && live(t))
                .max_by(|a, b| (a.published_at, &a.id).cmp(&(b.published_at, &b.id)));
            match next {
                Some(t) if &t.id != me => {
                    at = t.id.clone();
                    latest = Some(t);
                }
                _ => break,
            }
        }
        self.latest = latest.cloned();
    }

    /// The next moment after `now` when what a reader is shown may change by itself: an
    /// embargo lifting on a linked take.
    pub fn next_lift(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.earlier_candidate
            .iter()
            .chain(&self.later_candidates)
            .filter_map(|t| t.embargo_until)
            .filter(|&e| e > now)
            .min()
    }

    /// The latest moment up to `now` when a linked take's embargo lifted (documents showing
    /// the links are as new as that).
    pub fn last_lift(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.earlier_candidate
            .iter()
            .chain(&self.later_candidates)
            .filter_map(|t| t.embargo_until)
            .filter(|&e| e <= now)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(id: &str, from: Option<&str>, published: i64) -> Take {
        Take {
            id: ArticleId::parse(id).unwrap(),
            headline: id.to_uppercase(),
            slugline: None,
            evolved_from: from.map(|f| ArticleId::parse(f).unwrap()),
            status: PubStatus::Usable,
            published_at: DateTime::from_timestamp(published, 0).unwrap(),
            embargo_until: None,
            restricted: false,
            topics: vec![],
            places: vec![],
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_000, 0).unwrap()
    }

    #[test]
    fn the_latest_take_is_the_end_of_the_chain_of_takes_the_reader_may_see() {
        let a = ArticleId::parse("a").unwrap();
        let mut t = Takes {
            later_candidates: vec![take("b", Some("a"), 10), take("c", Some("b"), 20)],
            ..Takes::default()
        };
        t.resolve(&a, now(), |_| true);
        assert_eq!(t.latest.as_ref().unwrap().id.as_str(), "c");
        // An embargoed take is not a later take yet, and the chain stops there.
        t.later_candidates[0].embargo_until = DateTime::from_timestamp(2_000, 0);
        t.resolve(&a, now(), |_| true);
        assert_eq!(t.latest, None);
        assert_eq!(t.next_lift(now()), DateTime::from_timestamp(2_000, 0));
        // A take the reader may not read is not linked either.
        t.later_candidates[0].embargo_until = None;
        t.resolve(&a, now(), |x| x.id.as_str() != "c");
        assert_eq!(t.latest.as_ref().unwrap().id.as_str(), "b");
        // A killed take replaced nothing.
        t.later_candidates[0].status = PubStatus::Canceled;
        t.resolve(&a, now(), |_| true);
        assert_eq!(t.latest, None);
    }

    #[test]
    fn a_killed_earlier_take_is_shown_as_killed_and_an_embargoed_one_not_at_all() {
        let b = ArticleId::parse("b").unwrap();
        let mut t = Takes {
            earlier_candidate: Some(take("a", None, 5)),
            ..Takes::default()
        };
        t.resolve(&b, now(), |_| true);
        assert!(t.earlier.is_some());
        t.earlier_candidate.as_mut().unwrap().status = PubStatus::Canceled;
        t.resolve(&b, now(), |_| true);
        assert!(t.earlier.as_ref().unwrap().killed());
        t.earlier_candidate.as_mut().unwrap().embargo_until = DateTime::from_timestamp(2_000, 0);
        t.resolve(&b, now(), |_| true);
        assert_eq!(t.earlier, None);
        t.earlier_candidate.as_mut().unwrap().embargo_until = None;
        t.resolve(&b, now(), |_| false);
        assert_eq!(t.earlier, None);
    }
}
