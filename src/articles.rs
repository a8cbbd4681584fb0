//! The article service: a validated draft → its id and topics → a write, the same for
//! `wirefeed import` and the publishing API, so both classify and store alike.

use crate::classify::Classifier;
use crate::config::Config;
use crate::ingest::Rules;
use crate::model::{ArticleId, Draft, TopicId};
use crate::places::Places;
use crate::store::Write;

/// A draft ready to store: its id is set and its final topics computed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The draft, with `id` always `Some`.
    pub draft: Draft,
    /// Final topics (editor ∪ automatic), sorted.
    pub topics: Vec<TopicId>,
    /// Final places (editor ∪ found), ISO 3166-1 alpha-2 codes, sorted.
    pub places: Vec<String>,
}

impl Prepared {
    /// The article id.
    pub fn id(&self) -> &ArticleId {
        self.draft
            .id
            .as_ref()
            .expect("prepared drafts carry their id")
    }

    /// The store's view of this write.
    pub fn write(&self) -> Write<'_> {
        Write {
            draft: &self.draft,
            id: self.id(),
            topics: &self.topics,
            places: &self.places,
        }
    }
}

/// Validation rules and the compiled classifier, made once from the config.
pub struct Articles {
    classifier: Classifier,
    places: Places,
    default_language: String,
    topics: Vec<TopicId>,
}

impl Articles {
    /// Compiles the topic rules of `config`.
    pub fn new(config: &Config) -> Self {
        Articles {
            classifier: Classifier::new(config),
            places: Places::shipped(),
            default_language: config.agency.language.clone(),
            topics: config.topics.iter().map(|t| t.id.clone()).collect(),
        }
    }

    /// What validating an article needs to know.
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            default_language: &self.default_language,
            topics: &self.topics,
        }
    }

    /// The compiled classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// The place finder.
    pub fn places(&self) -> &Places {
        &self.places
    }

    /// Gives the draft an id (its own, else `fallback`), its final topics and places.
    pub fn prepare(&self, mut draft: Draft, fallback: impl FnOnce() -> ArticleId) -> Prepared {
        if draft.id.is_none() {
            draft.id = Some(fallback());
        }
        let topics = self.classifier.topics(&draft.content);
        let places = self.places.places(&draft.content);
        Prepared {
            draft,
            topics,
            places,
        }
    }
}
