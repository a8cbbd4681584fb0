//! Pictures: rows that point at image files (named by their SHA-256 in the media folder),
//! which stories show which picture, and picture writes. Every version is kept, as for
//! articles.

use super::row::json_list;
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

impl Store {
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
