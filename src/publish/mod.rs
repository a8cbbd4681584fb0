//! The publishing service behind `/api/v1`: parse → validate → classify → one durable,
//! grouped write; reads for publishers (embargoed articles included).

mod json;
pub mod openapi;
mod queue;

pub use json::{article_json, list_json, picture_json, versions_json};

use crate::articles::Articles;
use crate::config::Config;
use crate::ingest::ArticleInput;
use crate::model::{Article, ArticleId, FieldError, Picture, PictureId};
use crate::store::{
    Applied, AppliedPicture, Done, IfMatch, ListQuery, Op, PictureWrite, Store, StoreError,
    StoredVersion, WriteError,
};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Why a publishing request failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The body is not JSON at all.
    #[error("{0}")]
    Malformed(String),
    /// Bad fields, all of them.
    #[error("invalid article")]
    Invalid(Vec<FieldError>),
    /// No such article.
    #[error("{0}")]
    NotFound(String),
    /// The id exists (POST), or the article was killed.
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` failed.
    #[error("the article has changed since the entity tag in If-Match")]
    PreconditionFailed,
    /// Storage failed or is busy.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<WriteError> for PublishError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::NotFound(id) => Self::NotFound(format!("there is no article {id:?}")),
            WriteError::Conflict(m) => Self::Conflict(m),
            WriteError::PreconditionFailed { .. } => Self::PreconditionFailed,
            WriteError::Invalid(errors) => Self::Invalid(errors),
            WriteError::Store(e) => Self::Store(e),
        }
    }
}

/// The newsroom: what the API handlers call.
pub struct Newsroom {
    /// The checked config.
    pub config: Arc<Config>,
    store: Arc<Store>,
    articles: Articles,
    queue: queue::Queue,
}

impl Newsroom {
    /// Starts the durable writer on its own connection, publishing on a bus of its own (a
    /// command-line write: other processes learn of it from the change log).
    pub fn new(config: Arc<Config>, store: Arc<Store>) -> Result<Newsroom, StoreError> {
        Self::start(config, store, crate::changes::ChangeBus::new())
    }

    /// Starts the durable writer on its own connection; every commit is published on `bus`.
    pub fn start(
        config: Arc<Config>,
        store: Arc<Store>,
        bus: Arc<crate::changes::ChangeBus>,
    ) -> Result<Newsroom, StoreError> {
        let queue = queue::Queue::start(store.durable_writer()?, bus);
        Ok(Newsroom {
            articles: Articles::new(&config),
            config,
            store,
            queue,
        })
    }

    /// Parses an article body. `path_id` is the id in the URL (PUT); a body id must agree.
    pub fn parse(
        &self,
        body: &[u8],
        path_id: Option<&str>,
    ) -> Result<crate::articles::Prepared, PublishError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| PublishError::Malformed(format!("the body is not valid JSON: {e}")))?;
        let mut draft = ArticleInput::from_json(value, &self.articles.rules())
            .map_err(PublishError::Invalid)?;
        if let Some(p) = path_id {
            let pid = ArticleId::parse(p)
                .map_err(|m| PublishError::Invalid(vec![FieldError::new("id", m)]))?;
            match &draft.id {
                Some(id) if *id != pid => {
                    return Err(PublishError::Invalid(vec![FieldError::new(
                        "id",
                        format!("the body's id \"{id}\" is not the id in the URL (\"{p}\")"),
                    )]));
                }
                _ => draft.id = Some(pid),
            }
        }
        let authority = &self.config.agency.tag_authority;
        Ok(self
            .articles
            .prepare(draft, || new_id(authority, Utc::now())))
    }

    /// Creates (`create_only`, POST) or creates-or-replaces (PUT) an article, durably.
    pub async fn upsert(
        &self,
        prepared: crate::articles::Prepared,
        create_only: bool,
        if_match: Option<IfMatch>,
    ) -> Result<Applied, PublishError> {
        let op = Op::Upsert {
            draft: Box::new(prepared.draft),
            topics: prepared.topics,
            places: prepared.places,
            create_only,
            if_match,
        };
        article_done(self.queue.submit(op).await??)
    }

    /// Kills an article (a second kill answers the article as it stands).
    pub async fn kill(
        &self,
        id: &str,
        reason: Option<String>,
        if_match: Option<IfMatch>,
    ) -> Result<Applied, PublishError> {
        let id = ArticleId::parse(id)
            .map_err(|_| PublishError::NotFound(format!("there is no article {id:?}")))?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        article_done(
            self.queue
                .submit(Op::Kill {
                    id,
                    reason,
                    if_match,
                })
                .await??,
        )
    }

    /// Stores a picture or a new version of it, durably (its files are on disk already).
    pub async fn put_picture(
        &self,
        picture: PictureWrite,
        create_only: bool,
        if_match: Option<IfMatch>,
    ) -> Result<AppliedPicture, PublishError> {
        let op = Op::PutPicture {
            picture: Box::new(picture),
            create_only,
            if_match,
        };
        picture_done(self.queue.submit(op).await??)
    }

    /// Kills a picture (a second kill answers the picture as it stands).
    pub async fn kill_picture(
        &self,
        id: &str,
        if_match: Option<IfMatch>,
    ) -> Result<AppliedPicture, PublishError> {
        let id = PictureId::parse(id)
            .map_err(|_| PublishError::NotFound(format!("there is no picture {id:?}")))?;
        picture_done(
            self.queue
                .submit(Op::KillPicture { id, if_match })
                .await
                .map_err(PublishError::Store)?
                .map_err(|e| match e {
                    WriteError::NotFound(id) => {
                        PublishError::NotFound(format!("there is no picture {id:?}"))
                    }
                    e => e.into(),
                })?,
        )
    }

    /// One picture, whatever its status.
    pub fn picture(&self, id: &str) -> Result<Option<Picture>, StoreError> {
        self.store.picture(id)
    }

    /// One article, whatever its status or embargo.
    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Article>, StoreError> {
        self.store.get(id, now.timestamp())
    }

    /// Every stored version of one article.
    pub fn versions(&self, id: &str) -> Result<Option<Vec<StoredVersion>>, StoreError> {
        self.store.versions(id)
    }

    /// Every API key with its stored usage.
    pub fn keys(&self) -> Result<Vec<crate::store::KeyRecord>, StoreError> {
        self.store.keys()
    }

    /// One page of the publisher listing.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Article>, StoreError> {
        self.store.list(q)
    }
}

fn article_done(d: Done) -> Result<Applied, PublishError> {
    match d {
        Done::Article(a) => Ok(*a),
        Done::Picture(_) => unreachable!("an article op answers with an article"),
    }
}

fn picture_done(d: Done) -> Result<AppliedPicture, PublishError> {
    match d {
        Done::Picture(p) => Ok(*p),
        Done::Article(_) => unreachable!("a picture op answers with a picture"),
    }
}

/// A new article id: the agency's short name, the date, and 48 random bits
/// (`anv-20261201-3f9a0c1b2d4e`).
fn new_id(tag_authority: &str, now: DateTime<Utc>) -> ArticleId {
    let short: String = tag_authority
        .split(['.', ',', ':'])
        .next()
        .unwrap_or("a")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    let mut r = [0u8; 6];
    getrandom::fill(&mut r).expect("the operating system's random source works");
    let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
    let short = if short.is_empty() { "a".into() } else { short };
    ArticleId::parse(&format!("{short}-{}-{hex}", now.format("%Y%m%d")))
        .expect("generated ids are valid")
}
