//! Pictures: rows that point at image files (named by their SHA-256 in the media folder),
//! which stories show which picture, and picture writes. Every version is kept, as for
//! articles.

use super::row::{json_list, to_json};
use super::write::{SCOPE_ALL, WriteError, topic_scope};
use super::{Result, Store, StoreError};
use crate::model::{
    Article, FieldError, MediaRef, Picture, PictureId, PictureMeta, PubStatus, Rendition, Shown,
    TopicId,
};
use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::BTreeSet;

/// The change-log scope of one picture: its own changes and those of the stories that show it
/// (what a cached rendition's surrogate key names).
pub fn picture_scope(id: &str) -> String {
    format!("picture:{id}")
}

const PICTURE_COLUMNS: &str = "id, version, status, meta, from_file, renditions, source_sha256, \
     source_type, created_at, changed_at, canceled_at";

/// A picture to store: new, or a new version of one.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureWrite {
    /// Which picture.
    pub id: PictureId,
    /// Its metadata, merged (given over read from the file).
    pub meta: PictureMeta,
    /// Which fields came from the file.
    pub from_file: Vec<String>,
    /// Its renditions, whose files are already on disk.
    pub renditions: Vec<Rendition>,
    /// SHA-256 of the upload (also on disk).
    pub source_sha256: String,
    /// Media type of the upload.
    pub source_type: String,
}

/// One story that shows a picture: what its access follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureUse {
    /// The story.
    pub article_id: String,
    /// Its status.
    pub status: PubStatus,
    /// Its embargo, Unix seconds.
    pub embargo_until: Option<i64>,
    /// Only restricted feeds select it.
    pub restricted: bool,
    /// Its topics.
    pub topics: Vec<TopicId>,
}

fn meta_json(m: &PictureMeta) -> String {
    serde_json::to_string(m).expect("metadata always serialises")
}

fn renditions_json(r: &[Rendition]) -> String {
    serde_json::to_string(r).expect("renditions always serialise")
}

fn read_picture(r: &Row<'_>) -> rusqlite::Result<Result<Picture>> {
    let id: String = r.get(0)?;
    let status: String = r.get(2)?;
    let meta: String = r.get(3)?;
    let from_file: String = r.get(4)?;
    let renditions: String = r.get(5)?;
    let changed_at: i64 = r.get(9)?;
    let created_at: i64 = r.get(8)?;
    let canceled_at: Option<i64> = r.get(10)?;
    let version: i64 = r.get(1)?;
    let source_sha256: String = r.get(6)?;
    let source_type: String = r.get(7)?;
    Ok((|| {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("picture {what} {v:?}"));
        Ok(Picture {
            id: PictureId::parse(&id).map_err(|_| corrupt("id", &id))?,
            version: version as u32,
            status: PubStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            meta: serde_json::from_str(&meta).map_err(|_| corrupt("meta", &meta))?,
            from_file: json_list(&from_file)?,
            renditions: serde_json::from_str(&renditions)
                .map_err(|_| corrupt("renditions", &renditions))?,
            source_sha256,
            source_type,
            created_at: super::row::ts(created_at)?,
            changed_at: DateTime::from_timestamp_millis(changed_at)
                .ok_or_else(|| corrupt("changed_at", &changed_at.to_string()))?,
            canceled_at: canceled_at.map(super::row::ts).transpose()?,
        })
    })())
}

pub(super) fn picture_in(conn: &Connection, id: &str) -> Result<Option<Picture>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {PICTURE_COLUMNS} FROM pictures WHERE id = ?1"
    ))?;
    st.query_row([id], read_picture).optional()?.transpose()
}

/// Fills in the usable pictures an article shows, in its order, with this story's captions.
pub(super) fn load_pictures(conn: &Connection, a: &mut Article) -> Result<()> {
    let mut shown = Vec::with_capacity(a.content.media.len());
    for r in &a.content.media {
        if let Some(p) = picture_in(conn, r.id.as_str())?
            && p.status == PubStatus::Usable
        {
            let caption = r
                .caption
                .clone()
                .or_else(|| p.meta.caption.clone())
                .unwrap_or_default();
            shown.push(Shown {
                picture: p,
                caption,
            });
        }
    }
    a.pictures = shown;
    Ok(())
}

/// The pictures an article will show must exist, be usable, and have a caption (the story's
/// own or the picture's) and alt text: a field error per problem.
pub(super) fn check_refs(conn: &Connection, media: &[MediaRef]) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    for r in media {
        match picture_in(conn, r.id.as_str())? {
            None => errors.push(FieldError::new(
                "media",
                format!(
                    "there is no picture {:?}; upload it first (POST /api/v1/media)",
                    r.id.as_str()
                ),
            )),
            Some(p) if p.status == PubStatus::Canceled => errors.push(FieldError::new(
                "media",
                format!("picture {:?} was killed", r.id.as_str()),
            )),
            Some(p) => {
                let missing: Vec<&str> = p
                    .missing_for_use()
                    .into_iter()
                    .filter(|f| !(*f == "caption" && r.caption.is_some()))
                    .collect();
                if !missing.is_empty() {
                    errors.push(FieldError::new(
                        "media",
                        format!(
                            "picture {:?} has no {}: give it one (PUT /api/v1/media/{}) before a usable story shows it",
                            r.id.as_str(),
                            missing.join(" and no "),
                            r.id.as_str()
                        ),
                    ));
                }
            }
        }
    }
    Ok(errors)
}

/// Records which pictures an article shows; every picture it showed or shows changed scope.
pub(super) fn set_article_pictures(
    tx: &Connection,
    article_id: &str,
    old: &[MediaRef],
    new: &[MediaRef],
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    if old != new {
        tx.prepare_cached("DELETE FROM article_pictures WHERE article_id = ?1")?
            .execute([article_id])?;
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO article_pictures (picture_id, article_id) VALUES (?1, ?2)",
        )?;
        for r in new {
            ins.execute(params![r.id.as_str(), article_id])?;
        }
    }
    scopes.extend(old.iter().chain(new).map(|r| picture_scope(r.id.as_str())));
    Ok(())
}

pub(super) fn media_json(media: &[MediaRef]) -> String {
    serde_json::to_string(media).expect("references always serialise")
}

pub(super) fn parse_media(s: &str) -> Result<Vec<MediaRef>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        id: String,
        caption: Option<String>,
    }
    let raw: Vec<Raw> =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("media {s:?}: {e}")))?;
    raw.into_iter()
        .map(|r| {
            Ok(MediaRef {
                id: PictureId::parse(&r.id)
                    .map_err(|_| StoreError::Corrupt(format!("media id {:?}", r.id)))?,
                caption: r.caption,
            })
        })
        .collect()
}

/// Every story that shows the picture moves: its documents, the feeds that list it and its
/// `since=` position (a new caption is news to a poller).
fn touch_users(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    let users: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT a.id, a.topics FROM article_pictures ap JOIN articles a ON a.id = ap.article_id \
             WHERE ap.picture_id = ?1",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (article, topics) in users {
        tx.prepare_cached(
            "UPDATE articles SET changed_at = max(?2, changed_at + 1), \
             seen_at = max(seen_at, max(?2, changed_at + 1)) WHERE id = ?1",
        )?
        .execute(params![article, now_ms])?;
        tx.prepare_cached(
            "UPDATE article_topics SET seen_at = (SELECT seen_at FROM articles WHERE id = ?1) \
             WHERE article_id = ?1",
        )?
        .execute([&article])?;
        scopes.insert(SCOPE_ALL.to_owned());
        scopes.extend(json_list(&topics)?.iter().map(|t| topic_scope(t)));
    }
    scopes.insert(picture_scope(id));
    Ok(())
}

fn next_change_ms(now_ms: i64, old: Option<&Picture>) -> i64 {
    match old {
        Some(o) => now_ms.max(o.changed_at.timestamp_millis() + 1),
        None => now_ms,
    }
}

/// Stores a picture or a new version of it.
pub(super) fn put_picture(
    tx: &Connection,
    w: &PictureWrite,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<super::UpsertOutcome, WriteError> {
    use super::UpsertOutcome;
    let old = picture_in(tx, w.id.as_str())?;
    if let Some(o) = &old {
        if o.status == PubStatus::Canceled {
            return Err(WriteError::Conflict(format!(
                "picture {:?} was killed; a killed picture cannot be changed",
                w.id.as_str()
            )));
        }
        if o.meta == w.meta
            && o.from_file == w.from_file
            && o.renditions == w.renditions
            && o.source_sha256 == w.source_sha256
        {
            return Ok(UpsertOutcome::Unchanged(w.id.clone()));
        }
        // Stories that show it keep what they need: a caption (theirs or its) and alt text.
        let probe = Picture {
            meta: w.meta.clone(),
            ..o.clone()
        };
        let missing = probe.missing_for_use();
        if !missing.is_empty() {
            let users: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM article_pictures ap JOIN articles a ON a.id = ap.article_id \
                     WHERE ap.picture_id = ?1 AND a.status = 'usable'",
                )?
                .query_row([w.id.as_str()], |r| r.get(0))?;
            if users > 0 {
                return Err(WriteError::Invalid(
                    missing
                        .into_iter()
                        .map(|f| {
                            FieldError::new(
                                f,
                                format!("{users} usable stories show this picture: {f} cannot be removed"),
                            )
                        })
                        .collect(),
                ));
            }
        }
    }
    let version = old.as_ref().map_or(1, |o| o.version + 1);
    let changed_at = next_change_ms(now_ms, old.as_ref());
    let created_at = old
        .as_ref()
        .map_or(now_ms.div_euclid(1000), |o| o.created_at.timestamp());
    tx.prepare_cached(
        "INSERT INTO pictures (id, version, status, meta, from_file, renditions, source_sha256, source_type, created_at, changed_at) \
         VALUES (?1, ?2, 'usable', ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, meta = excluded.meta, \
         from_file = excluded.from_file, renditions = excluded.renditions, \
         source_sha256 = excluded.source_sha256, source_type = excluded.source_type, \
         changed_at = excluded.changed_at",
    )?
    .execute(params![
        w.id.as_str(),
        version,
        meta_json(&w.meta),
        to_json(&w.from_file),
        renditions_json(&w.renditions),
        w.source_sha256,
        w.source_type,
        created_at,
        changed_at,
    ])?;
    tx.prepare_cached(
        "INSERT INTO picture_versions (picture_id, version, status, meta, renditions, source_sha256, stored_at) \
         VALUES (?1, ?2, 'usable', ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        w.id.as_str(),
        version,
        meta_json(&w.meta),
        renditions_json(&w.renditions),
        w.source_sha256,
        now_ms.div_euclid(1000),
    ])?;
    touch_users(tx, w.id.as_str(), changed_at, scopes)?;
    Ok(match old {
        Some(_) => UpsertOutcome::Updated(w.id.clone(), version),
        None => UpsertOutcome::Created(w.id.clone()),
    })
}

/// Kills a picture: it leaves every story's outputs and its files answer 410. Nothing erased.
pub(super) fn kill_picture(
    tx: &Connection,
    id: &PictureId,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<super::UpsertOutcome, WriteError> {
    use super::UpsertOutcome;
    let Some(old) = picture_in(tx, id.as_str())? else {
        return Err(WriteError::NotFound(id.to_string()));
    };
    if old.status == PubStatus::Canceled {
        return Ok(UpsertOutcome::Unchanged(id.clone()));
    }
    let version = old.version + 1;
    let changed_at = next_change_ms(now_ms, Some(&old));
    tx.prepare_cached(
        "UPDATE pictures SET status = 'canceled', version = ?2, changed_at = ?3, canceled_at = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id.as_str(),
        version,
        changed_at,
        now_ms.div_euclid(1000)
    ])?;
    tx.prepare_cached(
        "INSERT INTO picture_versions (picture_id, version, status, meta, renditions, source_sha256, stored_at) \
         VALUES (?1, ?2, 'canceled', ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id.as_str(),
        version,
        meta_json(&old.meta),
        renditions_json(&old.renditions),
        old.source_sha256,
        now_ms.div_euclid(1000),
    ])?;
    touch_users(tx, id.as_str(), changed_at, scopes)?;
    Ok(UpsertOutcome::Updated(id.clone(), version))
}

impl Store {
    /// Stores a picture (the import's path; the API's goes through the durable writer).
    pub fn put_picture(&self, w: &PictureWrite) -> Result<super::UpsertOutcome, WriteError> {
        let r = self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = chrono::Utc::now();
            let mut scopes = BTreeSet::new();
            let out = put_picture(&tx, w, now.timestamp_millis(), &mut scopes);
            if out.is_ok() {
                super::write::touch(&tx, &scopes, now.timestamp())?;
                tx.commit()?;
            }
            Ok(out)
        });
        match r {
            Ok(out) => out,
            Err(e) => Err(WriteError::Store(e)),
        }
    }

    /// One picture, whatever its status.
    pub fn picture(&self, id: &str) -> Result<Option<Picture>> {
        self.with_conn(|c| picture_in(c, id))
    }

    /// The usable picture made from this upload, if one was (an import is idempotent by
    /// content).
    pub fn picture_by_source(&self, sha256: &str) -> Result<Option<Picture>> {
        self.with_conn(|c| {
            let id: Option<String> = c
                .prepare_cached(
                    "SELECT id FROM pictures WHERE source_sha256 = ?1 AND status = 'usable' ORDER BY id LIMIT 1",
                )?
                .query_row([sha256], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => picture_in(c, &id),
                None => Ok(None),
            }
        })
    }

    /// The stories that show a picture, whatever their status.
    pub fn picture_uses(&self, id: &str) -> Result<Vec<PictureUse>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT a.id, a.status, a.embargo_until, a.restricted, a.topics \
                 FROM article_pictures ap JOIN articles a ON a.id = ap.article_id \
                 WHERE ap.picture_id = ?1 ORDER BY a.id",
            )?;
            let rows = st.query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            rows.map(|row| {
                let (article_id, status, embargo_until, restricted, topics) = row?;
                Ok(PictureUse {
                    status: PubStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
                    article_id,
                    embargo_until,
                    restricted,
                    topics: json_list(&topics)?,
                })
            })
            .collect()
        })
    }

    /// Every file the database points at (SHA-256, with the picture that names it), from every
    /// version: what `wirefeed check` and a backup look for in the media folder.
    pub fn media_files(&self) -> Result<Vec<(String, String)>> {
        self.with_conn(|c| {
            let mut out = BTreeSet::new();
            let mut st = c.prepare(
                "SELECT picture_id, renditions, source_sha256 FROM picture_versions \
                 UNION ALL SELECT id, renditions, source_sha256 FROM pictures",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, renditions, source) = row?;
                let rs: Vec<Rendition> = serde_json::from_str(&renditions)
                    .map_err(|e| StoreError::Corrupt(format!("renditions of {id}: {e}")))?;
                out.insert((source, id.clone()));
                for r in rs {
                    out.insert((r.sha256, id.clone()));
                }
            }
            Ok(out.into_iter().collect())
        })
    }
}
