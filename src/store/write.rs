//! Article writes: upserts in batches (every version kept), reclassification, and the change
//! log that tells readers in any process which feeds changed.

use super::row::{COLUMNS, RawRow, to_json};
use super::{Change, Result, Store, StoreError};
use crate::model::lang_key;
use crate::model::{Article, ArticleId, Draft, PubStatus, Revision, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
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

/// Why one write was refused (the rest of its group still commits).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No article with that id.
    #[error("there is no article {0:?}")]
    NotFound(String),
    /// The write contradicts the stored state (an id that exists, a killed article).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` did not match the article's current entity tag.
    #[error("the article has changed since the entity tag in If-Match")]
    PreconditionFailed {
        /// The current tag, unquoted (`None` when the article does not exist).
        current: Option<String>,
    },
    /// Fields that refer to what the store holds are wrong (an unknown picture, a picture with
    /// no caption): a 400 naming them.
    #[error("invalid fields")]
    Invalid(Vec<crate::model::FieldError>),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

/// One article to store: its draft, its id, and its final topics.
pub struct Write<'a> {
    /// What the writer sent.
    pub draft: &'a Draft,
    /// The id (the draft's, or one made for it).
    pub id: &'a ArticleId,
    /// Final topics (editor ∪ automatic), sorted.
    pub topics: &'a [TopicId],
    /// Final places (editor ∪ found), ISO 3166-1 alpha-2 codes, sorted.
    pub places: &'a [String],
}

pub use super::changes::{SCOPE_ALL, SCOPE_KILLS, topic_scope};

pub(super) fn existing(tx: &Connection, id: &str) -> Result<Option<Article>> {
    let mut st = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE id = ?1"))?;
    st.query_row([id], RawRow::read)
        .optional()?
        .map(RawRow::into_article)
        .transpose()
}

pub(super) fn insert_topics(
    tx: &Connection,
    a: (&str, i64, i64, &str, i64),
    topics: &[TopicId],
    replace: bool,
) -> Result<()> {
    let (id, published_at, updated_at, lang, seen_at) = a;
    if replace {
        tx.prepare_cached("DELETE FROM article_topics WHERE article_id = ?1")?
            .execute([id])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO article_topics (topic, published_at, article_id, lang_key, updated_at, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for t in topics {
        st.execute(params![t, published_at, id, lang, updated_at, seen_at])?;
    }
    Ok(())
}

/// The urgent feed's scope, when a write moved an article into, within or out of it.
pub(super) fn urgent_scope(moved: bool, scopes: &mut BTreeSet<String>) {
    if moved {
        scopes.insert(topic_scope(crate::config::URGENT));
    }
}

/// SQL: whether a topic list (JSON, parameter `?N`) makes an article subscriber-only: it has
/// topics and every one is among the restricted topics that `meta` remembers from the config.
/// Read inside each write's transaction, so every process agrees.
pub(super) fn restricted_sql(topics: &str) -> String {
    format!(
        "({topics} <> '[]' AND NOT EXISTS (SELECT 1 FROM json_each({topics}) j WHERE j.value NOT IN \
         (SELECT r.value FROM meta m, json_each(m.value) r WHERE m.key = 'restricted_topics')))"
    )
}

/// Records that `scopes` changed, under one new sequence number, at `now`; returns what it
/// recorded (the change log's own counter `*` included), for the change bus once committed.
pub(super) fn touch(
    tx: &Connection,
    scopes: &BTreeSet<String>,
    now: i64,
) -> Result<Vec<(String, Change)>> {
    if scopes.is_empty() {
        return Ok(Vec::new());
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
    let change = Change {
        seq,
        changed_at: now,
    };
    let mut recorded = vec![("*".to_owned(), change)];
    for s in scopes {
        st.execute(params![s, seq, now])?;
        recorded.push((s.clone(), change));
    }
    Ok(recorded)
}

/// The moment (Unix ms) recorded for a change to an article that last changed at `old`: never
/// in the same second as the previous change, so every new state gets a later `Last-Modified`.
///
/// Bounded: a change while the previous one still waits for its second joins it, so rapid
/// edits never push the recorded time more than a second ahead of the clock.
fn next_change(now_ms: i64, old: Option<&Article>) -> i64 {
    match old {
        Some(o) if o.changed_at.timestamp_millis() > now_ms => o.changed_at.timestamp_millis(),
        Some(o) => now_ms.max((o.changed_at.timestamp() + 1) * 1000),
        None => now_ms,
    }
}

/// A date readers see (Unix seconds) strictly after `old`, unless `old` is already ahead of the
/// clock (then the new change shares it: nobody has seen that second yet).
fn next_second(now: i64, old: i64) -> i64 {
    if old > now { old } else { now.max(old + 1) }
}

pub(super) fn upsert_one(
    tx: &Connection,
    w: &Write<'_>,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<UpsertOutcome, WriteError> {
    let now = now_ms.div_euclid(1000);
    let old = existing(tx, w.id.as_str())?;
    let mut content = w.draft.content.clone();
    if let Some(old) = &old {
        if content.published_at.is_none() {
            content.published_at = Some(old.published_at);
            content.published_offset = old.content.published_offset;
        }
        if content == old.content && w.topics == old.topics.as_slice() {
            return Ok(UpsertOutcome::Unchanged(w.id.clone()));
        }
        if old.status == PubStatus::Canceled {
            return Err(WriteError::Conflict(format!(
                "article {:?} was killed; a killed article cannot be updated",
                w.id.as_str()
            )));
        }
    }
    if old
        .as_ref()
        .is_none_or(|o| o.content.media != content.media)
    {
        let errors = super::media::check_refs(tx, &content.media)?;
        if !errors.is_empty() {
            return Err(WriteError::Invalid(errors));
        }
    }
    // Developing stories (contract §15): the earlier take exists and no cycle forms.
    if let Some(from) = &content.evolved_from
        && old
            .as_ref()
            .is_none_or(|o| o.content.evolved_from.as_ref() != Some(from))
        && let Some(e) = super::takes::check(tx, w.id.as_str(), from)?
    {
        return Err(WriteError::Invalid(vec![e]));
    }
    let published_at = content.published_at.map(|t| t.timestamp()).unwrap_or(now);
    let changed_at = next_change(now_ms, old.as_ref());
    // What `since=` pollers key on: now, or the embargo lift if that is later.
    let seen_at = changed_at.max(content.embargo_until.map_or(0, |e| e.timestamp() * 1000));
    // A `minor` revision (a typo fix) keeps the date readers see, and what they were told
    // about the article (a correction stays a correction).
    let (shown_revision, shown_note) = match (&old, w.draft.revision) {
        (Some(old), Revision::Minor) => (
            old.revision,
            w.draft
                .correction_note
                .clone()
                .or_else(|| old.correction_note.clone()),
        ),
        _ => (w.draft.revision, w.draft.correction_note.clone()),
    };
    let (version, created_at, updated_at, status) = match &old {
        Some(old) => {
            let updated = if w.draft.revision == Revision::Minor {
                old.updated_at.timestamp()
            } else {
                // Strictly later than the previous update, as the change time is.
                next_second(now, old.updated_at.timestamp())
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
    tx.prepare_cached(&format!(
        "INSERT INTO articles (id, version, status, headline, summary, body, language, lang_key, \
         byline, dateline, published_at, embargo_until, editor_topics, topics, keywords, urgency, \
         translation_of, revision, correction_note, created_at, updated_at, changed_at, seen_at, restricted, published_offset, media, \
         editor_places, places, usage_terms, evolved_from, slugline) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, {}, ?24, ?25, ?26, ?27, ?28, ?29, ?30) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, headline = excluded.headline, \
         summary = excluded.summary, body = excluded.body, language = excluded.language, \
         lang_key = excluded.lang_key, byline = excluded.byline, dateline = excluded.dateline, \
         published_at = excluded.published_at, embargo_until = excluded.embargo_until, \
         editor_topics = excluded.editor_topics, topics = excluded.topics, keywords = excluded.keywords, \
         urgency = excluded.urgency, translation_of = excluded.translation_of, \
         revision = excluded.revision, correction_note = excluded.correction_note, \
         updated_at = excluded.updated_at, changed_at = excluded.changed_at, seen_at = excluded.seen_at, \
         restricted = excluded.restricted, published_offset = excluded.published_offset, media = excluded.media, \
         editor_places = excluded.editor_places, places = excluded.places, usage_terms = excluded.usage_terms, \
         evolved_from = excluded.evolved_from, slugline = excluded.slugline",
        restricted_sql("?14")
    ))?
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
        shown_revision.as_str(),
        shown_note,
        created_at,
        updated_at,
        changed_at,
        seen_at,
        content.published_offset,
        super::row::media_json(&content.media),
        to_json(&content.editor_places),
        to_json(w.places),
        content.usage_terms,
        content.evolved_from.as_ref().map(ArticleId::as_str),
        content.slugline,
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
    let was_urgent = old.is_some() && super::urgent::indexed(tx, w.id.as_str())?;
    insert_topics(
        tx,
        (w.id.as_str(), published_at, updated_at, &lang, seen_at),
        w.topics,
        old.is_some(),
    )?;
    let is_urgent = super::urgent::sync(tx, w.id.as_str())?;
    urgent_scope(was_urgent || is_urgent, scopes);
    super::media::set_article_pictures(
        tx,
        w.id.as_str(),
        old.as_ref().map_or(&[][..], |o| &o.content.media),
        &content.media,
        scopes,
    )?;
    // Email alerts (contract §16): a new story when it becomes visible, a correction at once,
    // recorded in this transaction so an alert is never lost (store/alerts.rs).
    match &old {
        None => super::alerts::story_event(tx, w.id.as_str(), version.into(), "new", seen_at)?,
        Some(_) if w.draft.revision == Revision::Correction => {
            super::alerts::story_event(tx, w.id.as_str(), version.into(), "correction", seen_at)?
        }
        Some(_) => {}
    }
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
    // The takes that link to it show its headline, and whether it replaced them.
    let froms = [
        old.as_ref().and_then(|o| o.content.evolved_from.as_ref()),
        content.evolved_from.as_ref(),
    ];
    super::takes::touch_linked(tx, w.id.as_str(), &froms, now_ms, scopes)?;
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

pub(super) fn kill_one(
    tx: &Connection,
    id: &ArticleId,
    reason: Option<&str>,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<UpsertOutcome, WriteError> {
    let Some(old) = existing(tx, id.as_str())? else {
        return Err(WriteError::NotFound(id.to_string()));
    };
    if old.status == PubStatus::Canceled {
        // Killing twice is not an error: the first kill stands, with its reason.
        return Ok(UpsertOutcome::Unchanged(id.clone()));
    }
    let now = now_ms.div_euclid(1000);
    let version = old.version + 1;
    let changed_at = next_change(now_ms, Some(&old));
    let canceled_at = next_second(now, old.updated_at.timestamp());
    tx.prepare_cached(
        "UPDATE articles SET status = 'canceled', version = ?2, canceled_at = ?3, updated_at = ?3, \
         kill_reason = ?4, changed_at = ?5, seen_at = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id.as_str(),
        version,
        canceled_at,
        reason,
        changed_at
    ])?;
    tx.prepare_cached(
        "INSERT INTO article_versions (article_id, version, status, revision, correction_note, content, topics, stored_at, kill_reason) \
         VALUES (?1, ?2, 'canceled', 'kill', NULL, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id.as_str(),
        version,
        serde_json::to_string(&old.content).expect("content always serialises"),
        to_json(&old.topics),
        now,
        reason,
    ])?;
    super::alerts::story_event(tx, id.as_str(), version.into(), "kill", changed_at)?;
    // The topic rows stay: tombstones and kill notices are found through them.
    tx.prepare_cached(
        "UPDATE article_topics SET updated_at = ?2, seen_at = ?3 WHERE article_id = ?1",
    )?
    .execute(params![id.as_str(), canceled_at, changed_at])?;
    let urgent = super::urgent::indexed(tx, id.as_str())?;
    urgent_scope(urgent, scopes);
    scopes.insert(SCOPE_ALL.to_owned());
    scopes.insert(SCOPE_KILLS.to_owned());
    scopes.extend(old.topics.iter().map(|t| topic_scope(t)));
    // Its pictures may now be shown by no live story: their files answer 410.
    scopes.extend(
        old.content
            .media
            .iter()
            .map(|r| super::media::picture_scope(r.id.as_str())),
    );
    if let Some(orig) = &old.content.translation_of
        && let Some(o) = existing(tx, orig.as_str())?
    {
        scopes.extend(o.topics.iter().map(|t| topic_scope(t)));
    }
    // A killed take replaces nothing: the earlier takes' "latest take" changes.
    let froms = [old.content.evolved_from.as_ref()];
    super::takes::touch_linked(tx, id.as_str(), &froms, now_ms, scopes)?;
    Ok(UpsertOutcome::Updated(id.clone(), version))
}

impl Store {
    /// Remembers which topics only restricted feeds select (from the config) and, when that
    /// changed, recomputes which articles are subscriber-only. Returns how many changed.
    pub fn set_restricted_topics(&self, topics: &BTreeSet<TopicId>) -> Result<u64> {
        let value = to_json(&topics.iter().cloned().collect::<Vec<_>>());
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let old: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'restricted_topics'", [], |r| r.get(0))
                .optional()?;
            if old.as_deref() == Some(value.as_str()) {
                return Ok(0);
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('restricted_topics', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&value],
            )?;
            let n = tx.execute(
                &format!(
                    "UPDATE articles SET restricted = {e} WHERE restricted <> {e}",
                    e = restricted_sql("articles.topics")
                ),
                [],
            )? as u64;
            if n > 0 {
                // Restricted stories are not in the public urgent feed, nor in related lists.
                super::urgent::rebuild(&tx)?;
                super::related::forget_restricted(&tx, Utc::now().timestamp_millis())?;
                let scopes: BTreeSet<String> = {
                    let mut st = tx.prepare("SELECT scope FROM changes WHERE scope = 'all' OR scope = 'kills' OR scope LIKE 'topic:%'")?;
                    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                let mut scopes = if scopes.is_empty() {
                    BTreeSet::from([SCOPE_ALL.to_owned(), SCOPE_KILLS.to_owned()])
                } else {
                    scopes
                };
                scopes.insert(topic_scope(crate::config::URGENT));
                touch(&tx, &scopes, Utc::now().timestamp())?;
            }
            tx.commit()?;
            Ok(n)
        })
    }

    /// Stores many articles in one transaction: each is created, becomes a new version, or is
    /// left alone. A changed killed article is refused (`Err` in its place) and the rest stored.
    pub fn upsert_batch(
        &self,
        writes: &[Write<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<UpsertOutcome, WriteError>>> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from_sqlite)?;
            let now_ms = now.timestamp_millis();
            let mut scopes = BTreeSet::new();
            let mut outcomes = Vec::with_capacity(writes.len());
            let bulk = self.bulk.load(std::sync::atomic::Ordering::Relaxed);
            for w in writes {
                match upsert_one(&tx, w, now_ms, &mut scopes) {
                    Err(WriteError::Store(e)) => return Err(e),
                    r => {
                        if let Ok(UpsertOutcome::Created(id) | UpsertOutcome::Updated(id, _)) = &r {
                            super::related::refresh(&tx, id.as_str(), now_ms, bulk, &mut scopes)?;
                        }
                        outcomes.push(r)
                    }
                }
            }
            touch(&tx, &scopes, now.timestamp())?;
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
        places: &[String],
        now: DateTime<Utc>,
    ) -> Result<Result<UpsertOutcome, WriteError>> {
        let w = Write {
            draft,
            id,
            topics,
            places,
        };
        let mut out = self.upsert_batch(&[w], now)?;
        Ok(out.pop().expect("one write, one outcome"))
    }
}
