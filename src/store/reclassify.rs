//! Reclassification: every article's final topics and places recomputed with the current rules
//! and model (`wirefeed reclassify`), without new versions.

use super::row::{COLUMNS, RawRow, to_json};
use super::write::{SCOPE_ALL, insert_topics, restricted_sql, topic_scope, touch, urgent_scope};
use super::{Result, Store, StoreError};
use crate::model::{Article, TopicId, lang_key};
use chrono::Utc;
use rusqlite::params;
use std::collections::BTreeSet;

impl Store {
    /// Recomputes every article's final topics and places with `classify`; returns how many
    /// changed.
    ///
    /// Topic and place changes are not new versions: the text did not change, only our reading
    /// of it.
    pub fn reclassify(
        &self,
        mut classify: impl FnMut(&Article) -> (Vec<TopicId>, Vec<String>),
    ) -> Result<u64> {
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
            let now_ms = Utc::now().timestamp_millis();
            for raw in raws {
                let a = raw.into_article()?;
                let (topics, places) = classify(&a);
                if places != a.places {
                    tx.prepare_cached(
                        "UPDATE articles SET places = ?2, \
                         changed_at = max(?3, (changed_at / 1000 + 1) * 1000) WHERE id = ?1",
                    )?
                    .execute(params![
                        a.id.as_str(),
                        to_json(&places),
                        now_ms
                    ])?;
                    if topics == a.topics {
                        scopes.insert(SCOPE_ALL.to_owned());
                        for t in &topics {
                            scopes.insert(topic_scope(t));
                        }
                        changed += 1;
                    }
                }
                if topics != a.topics {
                    tx.prepare_cached(&format!(
                        "UPDATE articles SET topics = ?2, \
                         changed_at = max(?3, (changed_at / 1000 + 1) * 1000), \
                         seen_at = max(seen_at, ?3), restricted = {} WHERE id = ?1",
                        restricted_sql("?2")
                    ))?
                    .execute(params![
                        a.id.as_str(),
                        to_json(&topics),
                        now_ms
                    ])?;
                    let lang = lang_key(&a.content.language);
                    // An article that moves into a feed is new there: `since=` pollers see it.
                    let row = (
                        a.id.as_str(),
                        a.published_at.timestamp(),
                        a.updated_at.timestamp(),
                        lang.as_str(),
                        now_ms,
                    );
                    let was_urgent = super::urgent::indexed(&tx, a.id.as_str())?;
                    insert_topics(&tx, row, &topics, true)?;
                    let is_urgent = super::urgent::sync(&tx, a.id.as_str())?;
                    urgent_scope(was_urgent || is_urgent, &mut scopes);
                    for t in topics.iter().chain(a.topics.iter()) {
                        scopes.insert(topic_scope(t));
                    }
                    scopes.insert(SCOPE_ALL.to_owned());
                    changed += 1;
                }
                if topics != a.topics || places != a.places {
                    // Its own list follows its new topics and places (like an import: the
                    // lists of others follow when they change).
                    super::related::refresh(&tx, a.id.as_str(), now_ms, true, &mut scopes)?;
                }
            }
            touch(&tx, &scopes, Utc::now().timestamp())?;
            tx.commit().map_err(StoreError::from_sqlite)?;
            Ok(changed)
        })
    }
}
