//! Writes promised to a client: preconditions, one op per write, and a dedicated connection
//! that commits a whole group with one fsync (`synchronous = FULL`).

use super::PictureWrite;
use super::write::{existing, kill_one, touch, upsert_one};
use super::{Result, Store, UpsertOutcome, Write, WriteError};
use crate::model::{Article, ArticleId, Draft, Picture, PictureId, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::collections::BTreeSet;

/// An `If-Match` precondition (RFC 9110 §13.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: the article must exist.
    Any,
    /// One of these entity tags (unquoted) must be the current one.
    Tags(Vec<String>),
}

impl IfMatch {
    fn check(&self, current: Option<String>) -> Result<(), WriteError> {
        let ok = match (self, &current) {
            (_, None) => false,
            (Self::Any, Some(_)) => true,
            (Self::Tags(tags), Some(tag)) => tags.contains(tag),
        };
        if ok {
            Ok(())
        } else {
            Err(WriteError::PreconditionFailed { current })
        }
    }
}

/// One write of a group committed together (see [`DurableWriter::apply`]).
#[derive(Debug, Clone)]
pub enum Op {
    /// Create or update an article.
    Upsert {
        /// What the writer sent, with its id set.
        draft: Box<Draft>,
        /// Final topics (editor ∪ automatic), sorted.
        topics: Vec<TopicId>,
        /// Final places (editor ∪ found), sorted.
        places: Vec<String>,
        /// Refuse (409) if the id exists: `POST` semantics.
        create_only: bool,
        /// `If-Match`, if the client sent one.
        if_match: Option<IfMatch>,
    },
    /// Kill an article: status `canceled`, a new version, nothing erased.
    Kill {
        /// Which article.
        id: ArticleId,
        /// Shown in every kill notice.
        reason: Option<String>,
        /// `If-Match`, if the client sent one.
        if_match: Option<IfMatch>,
    },
    /// Store a picture or a new version of it (its files are already on disk).
    PutPicture {
        /// The picture.
        picture: Box<PictureWrite>,
        /// Refuse (409) if the id exists.
        create_only: bool,
        /// `If-Match`, if the client sent one.
        if_match: Option<IfMatch>,
    },
    /// Kill a picture.
    KillPicture {
        /// Which picture.
        id: PictureId,
        /// `If-Match`, if the client sent one.
        if_match: Option<IfMatch>,
    },
}

/// What a committed group changed: each scope with its new sequence number (what the writer
/// publishes on the change bus, with no read-back).
pub type Committed = Vec<(String, super::Change)>;

/// What one applied write did, with the article as committed.
#[derive(Debug, Clone)]
pub struct Applied {
    /// Created, updated or unchanged.
    pub outcome: UpsertOutcome,
    /// The article after the write.
    pub article: Article,
}

/// What one applied picture write did, with the picture as committed.
#[derive(Debug, Clone)]
pub struct AppliedPicture {
    /// Created, updated or unchanged.
    pub outcome: UpsertOutcome,
    /// The picture after the write.
    pub picture: Picture,
}

/// What one write of a group did.
#[derive(Debug, Clone)]
pub enum Done {
    /// An article write.
    Article(Box<Applied>),
    /// A picture write.
    Picture(Box<AppliedPicture>),
}

fn apply_picture(
    tx: &Connection,
    op: &Op,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<AppliedPicture, WriteError> {
    let (id, if_match) = match op {
        Op::PutPicture {
            picture, if_match, ..
        } => (&picture.id, if_match),
        Op::KillPicture { id, if_match } => (id, if_match),
        _ => unreachable!("only picture ops come here"),
    };
    let current = super::media::picture_in(tx, id.as_str())?;
    if let Some(m) = if_match {
        m.check(current.as_ref().map(Picture::etag))?;
    }
    let outcome = match op {
        Op::PutPicture {
            picture,
            create_only,
            ..
        } => {
            if *create_only && current.is_some() {
                return Err(WriteError::Conflict(format!(
                    "a picture with id {:?} exists; PUT /api/v1/media/{id} replaces it",
                    id.as_str()
                )));
            }
            super::media_write::put_picture(tx, picture, now_ms, scopes)?
        }
        _ => super::media_write::kill_picture(tx, id, now_ms, scopes)?,
    };
    let picture = super::media::picture_in(tx, id.as_str())?
        .ok_or_else(|| WriteError::NotFound(id.to_string()))?;
    Ok(AppliedPicture { outcome, picture })
}

fn apply_one(
    tx: &Connection,
    op: &Op,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<Done, WriteError> {
    let id = match op {
        Op::Upsert { draft, .. } => draft.id.clone().expect("ops carry their id"),
        Op::Kill { id, .. } => id.clone(),
        Op::PutPicture { .. } | Op::KillPicture { .. } => {
            return apply_picture(tx, op, now_ms, scopes).map(|p| Done::Picture(Box::new(p)));
        }
    };
    let if_match = match op {
        Op::Upsert { if_match, .. } | Op::Kill { if_match, .. } => if_match,
        _ => &None,
    };
    if let Some(m) = if_match {
        m.check(existing(tx, id.as_str())?.as_ref().map(Article::etag))?;
    }
    let outcome = match op {
        Op::Upsert {
            draft,
            topics,
            places,
            create_only,
            ..
        } => {
            if *create_only && existing(tx, id.as_str())?.is_some() {
                return Err(WriteError::Conflict(format!(
                    "an article with id {:?} exists; PUT /api/v1/articles/{id} replaces it",
                    id.as_str()
                )));
            }
            let w = Write {
                draft,
                id: &id,
                topics,
                places,
            };
            let outcome = upsert_one(tx, &w, now_ms, scopes)?;
            if !matches!(outcome, UpsertOutcome::Unchanged(_)) {
                super::related::refresh(tx, id.as_str(), now_ms, false, scopes)?;
            }
            outcome
        }
        Op::Kill { reason, .. } => {
            let outcome = kill_one(tx, &id, reason.as_deref(), now_ms, scopes)?;
            super::related::killed(tx, id.as_str(), now_ms, scopes)?;
            outcome
        }
        Op::PutPicture { .. } | Op::KillPicture { .. } => unreachable!("answered above"),
    };
    // The API's answer names no related stories.
    let article = super::read::get_in(tx, id.as_str(), now_ms.div_euclid(1000), 0)?
        .ok_or_else(|| WriteError::NotFound(id.to_string()))?;
    Ok(Done::Article(Box::new(Applied { outcome, article })))
}

/// A dedicated connection for writes whose success is promised to a client: every commit is
/// flushed to disk (`synchronous = FULL`), and many writes share one commit.
pub struct DurableWriter {
    conn: Connection,
}

impl DurableWriter {
    /// Applies a group of writes in one transaction, each in its own savepoint: a refused write
    /// (409, 412, 404) leaves the others alone. One fsync for the whole group.
    ///
    /// An `Err` means nothing was committed (busy or failing storage): every op failed. With
    /// the results comes what the commit changed in the change log.
    pub fn apply(
        &mut self,
        ops: &[Op],
        now: DateTime<Utc>,
    ) -> Result<(Vec<Result<Done, WriteError>>, Committed)> {
        let mut tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now_ms = now.timestamp_millis();
        let mut scopes = BTreeSet::new();
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            let mut mine = BTreeSet::new();
            let sp = tx.savepoint()?;
            let r = apply_one(&sp, op, now_ms, &mut mine);
            match &r {
                Ok(_) => {
                    sp.commit()?;
                    scopes.append(&mut mine);
                }
                // A storage failure fails the whole group: nothing is committed.
                Err(WriteError::Store(e)) => return Err(e.duplicate()),
                Err(_) => drop(sp), // rolls back this op only
            }
            results.push(r);
        }
        let committed = touch(&tx, &scopes, now_ms.div_euclid(1000))?;
        tx.commit()?;
        Ok((results, committed))
    }
}

impl Store {
    /// A connection for durable writes (see [`DurableWriter`]).
    pub fn durable_writer(&self) -> Result<DurableWriter> {
        let conn = super::connect(&self.path)?;
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        Ok(DurableWriter { conn })
    }
}
