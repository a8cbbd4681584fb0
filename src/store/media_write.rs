//! Picture writes: a new picture or version, a kill; each moves every story that shows the
//! picture (its documents, its feeds, its `since=` position) and the picture's own scope.

use super::media::{PictureWrite, picture_in, picture_scope};
use super::row::to_json;
use super::write::WriteError;
use super::{Result, Store};
use crate::model::{FieldError, Picture, PictureId, PictureMeta, PubStatus, Rendition};
use rusqlite::{Connection, params};
use std::collections::BTreeSet;

fn meta_json(m: &PictureMeta) -> String {
    serde_json::to_string(m).expect("metadata always serialises")
}

fn renditions_json(r: &[Rendition]) -> String {
    serde_json::to_string(r).expect("renditions always serialise")
}

/// Every story that shows the picture moves: its documents, the feeds that list it and its
/// `since=` position (a new caption is news to a poller).
fn touch_users(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    let users: Vec<String> = tx
        .prepare_cached("SELECT article_id FROM article_pictures WHERE picture_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for article in users {
        super::touch::touch_story(tx, &article, now_ms, scopes)?;
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
}
