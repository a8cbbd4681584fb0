//! Article writes: upserts in batches (every version kept), reclassification, and the change
//! log that tells readers in any process which feeds changed.

use super::read::{COLUMNS, RawRow, lang_key, to_json};
use super::{Result, Store, StoreError};
use crate::model::{Article, ArticleId, Draft, PubStatus, Revision, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::BTreeSet;

/// What one upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A new article, version 1.
    Created(ArticleId),
    /// A changed article, now at this version.
    Updated(ArticleId, u32),
    /// Identical to what is stored: nothing written.
    Unchanged(ArticleId),
}

/// One article to store: its draft, its id, and its final topics.
pub struct Write<'a> {
    /// What the writer sent.
    pub draft: &'a Draft,
    /// The id (the draft's, or one made for it).
    pub id: &'a ArticleId,
    /// Final topics (editor ∪ automatic), sorted.
    pub topics: &'a [TopicId],
}

/// Change-log scope of a topic feed.
pub fn topic_scope(topic: &str) -> String {
    format!("topic:{topic}")
}

/// Change-log scope of every usable article (`all`).
pub const SCOPE_ALL: &str = "all";
/// Change-log scope of kill notices.
pub const SCOPE_KILLS: &str = "kills";

fn existing(tx: &Connection, id: &str) -> Result<Option<Article>> {
    let mut st = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE id = ?1"))?;
    st.query_row([id], RawRow::read)
        .optional()?
        .map(RawRow::into_article)
        .transpose()
}

fn insert_topics(
    tx: &Connection,
    a: (&str, i64, i64, &str),
    topics: &[TopicId],
    replace: bool,
) -> Result<()> {
    let (id, published_at, updated_at, lang) = a;
    if replace {
        tx.prepare_cached("DELETE FROM article_topics WHERE article_id = ?1")?
            .execute([id])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO article_topics (topic, published_at, article_id, lang_key, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for t in topics {
        st.execute(params![t, published_at, id, lang, updated_at])?;
    }
    Ok(())
}

/// Records that `scopes` changed, under one new sequence number, at `now`.
fn touch(tx: &Transaction<'_>, scopes: &BTreeSet<String>, now: i64) -> Result<()> {
    if scopes.is_empty() {
        return Ok(());
    }
    let seq: i64 = tx
        .prepare_cached(
            "UPDATE changes SET seq = seq + 1, changed_at = ?1 WHERE scope = '*' RETURNING seq",
        )?
        .query_row([now], |r| r.get(0))?;
    let mut st = tx.prepare_cached(
        "INSERT INTO changes (scope, seq, changed_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (scope) DO UPDATE SET seq = excluded.seq, changed_at = excluded.changed_at",
    )?;
    for s in scopes {
        st.execute(params![s, seq, now])?;
    }
    Ok(())
}

fn upsert_one(
    tx: &Transaction<'_>,
    w: &Write<'_>,
    now: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<UpsertOutcome> {
    let old = existing(tx, w.id.as_str())?;
    let mut content = w.draft.content.clone();
    if let Some(old) = &old {
        if content.published_at.is_none() {
            content.published_at = Some(old.published_at);
        }
        if content == old.content && w.topics == old.topics.as_slice() {
            return Ok(UpsertOutcome::Unchanged(w.id.clone()));
        }
    }
    let published_at = content.published_at.map(|t| t.timestamp()).unwrap_or(now);
    let (version, created_at, updated_at, status) = match &old {
        Some(old) => {
            // A `minor` revision (a typo fix) keeps the date readers see.
            let updated = if w.draft.revision == Revision::Minor {
                old.updated_at.timestamp()
            } else {
                now
            };
            (
                old.version + 1,
                old.created_at.timestamp(),
                updated,
                old.status,
            )
        }
        // A first version is as new as its publication date says, and no older than the moment
        // its embargo lifts (a `since=` poller must see it then).
        None => {
            let visible = content
                .embargo_until
                .map_or(published_at, |e| e.timestamp().max(published_at));
            (1, now, visible, PubStatus::Usable)
        }
    };
    let lang = lang_key(&content.language);
    tx.prepare_cached(
        "INSERT INTO articles (id, version, status, headline, summary, body, language, lang_key, \
         byline, dateline, published_at, embargo_until, editor_topics, topics, keywords, urgency, \
         translation_of, revision, correction_note, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, headline = excluded.headline, \
         summary = excluded.summary, body = excluded.body, language = excluded.language, \
         lang_key = excluded.lang_key, byline = excluded.byline, dateline = excluded.dateline, \
         published_at = excluded.published_at, embargo_until = excluded.embargo_until, \
         editor_topics = excluded.editor_topics, topics = excluded.topics, keywords = excluded.keywords, \
         urgency = excluded.urgency, translation_of = excluded.translation_of, \
         revision = excluded.revision, correction_note = excluded.correction_note, \
         updated_at = excluded.updated_at",
    )?
    .execute(params![
        w.id.as_str(),
        version,
        status.as_str(),
        content.headline,
        content.summary,
        content.body,
        content.language,
        lang,
        to_json(&content.byline),
        content.dateline,
        published_at,
        content.embargo_until.map(|t| t.timestamp()),
        to_json(&content.editor_topics),
        to_json(w.topics),
        to_json(&content.keywords),
        content.urgency,
        content.translation_of.as_ref().map(ArticleId::as_str),
        w.draft.revision.as_str(),
        w.draft.correction_note,
        created_at,
        updated_at,
    ])?;
    tx.prepare_cached(
        "INSERT INTO article_versions (article_id, version, status, revision, correction_note, content, topics, stored_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        w.id.as_str(),
        version,
        status.as_str(),
        w.draft.revision.as_str(),
        w.draft.correction_note,
        serde_json::to_string(&w.draft.content).expect("content always serialises"),
        to_json(w.topics),
        now,
    ])?;
    insert_topics(
        tx,
        (w.id.as_str(), published_at, updated_at, &lang),
        w.topics,
        old.is_some(),
    )?;
    // Every feed the article was or is in changed; so did translations that link to it.
    scopes.insert(SCOPE_ALL.to_owned());
    for t in w
        .topics
        .iter()
        .chain(old.iter().flat_map(|o| o.topics.iter()))
    {
        scopes.insert(topic_scope(t));
    }
    if status == PubStatus::Canceled {
        scopes.insert(SCOPE_KILLS.to_owned());
    }
    // The original links back to its translations: its pages change too.
    if let Some(orig) = &content.translation_of
        && let Some(o) = existing(tx, orig.as_str())?
    {
        scopes.extend(o.topics.iter().map(|t| topic_scope(t)));
    }
    Ok(match old {
        Some(_) => UpsertOutcome::Updated(w.id.clone(), version),
        None => UpsertOutcome::Created(w.id.clone()),
    })
}

impl Store {
    /// Stores many articles in one transaction: each is created, becomes a new version, or is left alone.
    pub fn upsert_batch(
        &self,
        writes: &[Write<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<UpsertOutcome>> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from_sqlite)?;
            let now = now.timestamp();
            let mut scopes = BTreeSet::new();
            let outcomes = writes
                .iter()
                .map(|w| upsert_one(&tx, w, now, &mut scopes))
                .collect::<Result<Vec<_>>>()?;
            touch(&tx, &scopes, now)?;
            tx.commit().map_err(StoreError::from_sqlite)?;
            Ok(outcomes)
        })
    }

    /// Stores one article (see [`Store::upsert_batch`]).
    pub fn upsert(
        &self,
        draft: &Draft,
        id: &ArticleId,
        topics: &[TopicId],
        now: DateTime<Utc>,
    ) -> Result<UpsertOutcome> {
        let mut out = self.upsert_batch(&[Write { draft, id, topics }], now)?;
        Ok(out.pop().expect("one write, one outcome"))
    }

    /// Recomputes every article's final topics with `classify`; returns how many changed.
    ///
    /// Topic changes are not new versions: the text did not change, only our reading of it.
    pub fn reclassify(&self, mut classify: impl FnMut(&Article) -> Vec<TopicId>) -> Result<u64> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from_sqlite)?;
            let raws = {
                let mut st = tx.prepare(&format!("SELECT {COLUMNS} FROM articles"))?;
                st.query_map([], RawRow::read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut changed = 0;
            let mut scopes = BTreeSet::new();
            for raw in raws {
                let a = raw.into_article()?;
                let topics = classify(&a);
                if topics != a.topics {
                    tx.prepare_cached("UPDATE articles SET topics = ?2 WHERE id = ?1")?
                        .execute(params![a.id.as_str(), to_json(&topics)])?;
                    let lang = lang_key(&a.content.language);
                    let row = (
                        a.id.as_str(),
                        a.published_at.timestamp(),
                        a.updated_at.timestamp(),
                        lang.as_str(),
                    );
                    insert_topics(&tx, row, &topics, true)?;
                    for t in topics.iter().chain(a.topics.iter()) {
                        scopes.insert(topic_scope(t));
                    }
                    scopes.insert(SCOPE_ALL.to_owned());
                    changed += 1;
                }
            }
            touch(&tx, &scopes, Utc::now().timestamp())?;
            tx.commit().map_err(StoreError::from_sqlite)?;
            Ok(changed)
        })
    }
}
