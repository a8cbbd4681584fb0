//! Full-text search (CONTRACT §11): what a reader types, made into a safe FTS5 query, and the
//! ranked search itself.
//!
//! Readers type words, "quoted phrases" and `prefix*`; everything else is text to look for,
//! never FTS5 syntax: `NEAR(`, `AND`, `:` or a stray `"` cannot change the query's shape, so a
//! hostile query finds nothing rather than failing.

use super::page_sql::prefixed;
use super::read::RawRow;
use super::{Result, Store};
use crate::model::Article;
use rusqlite::params;

/// Longest query accepted, in bytes: longer is a 400, not a slow search.
pub const MAX_QUERY_BYTES: usize = 500;
/// Most words and phrases in one query.
pub const MAX_TERMS: usize = 12;

/// A parsed search: every term must match (headline, summary or body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    prefix: bool,
}

impl SearchQuery {
    /// Parses what a reader typed. The error says what to change.
    pub fn parse(raw: &str) -> std::result::Result<SearchQuery, String> {
        if raw.len() > MAX_QUERY_BYTES {
            return Err(format!(
                "q is {} bytes long; a search takes at most {MAX_QUERY_BYTES}",
                raw.len()
            ));
        }
        let mut terms = Vec::new();
        let mut rest = raw.trim();
        while !rest.is_empty() {
            let (piece, prefix, tail) = if let Some(after) = rest.strip_prefix('"') {
                // A phrase runs to the closing quote, or to the end when there is none.
                let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
                (phrase, false, tail)
            } else {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .unwrap_or(rest.len());
                let word = &rest[..end];
                let (word, prefix) = match word.strip_suffix('*') {
                    Some(w) => (w.trim_end_matches('*'), true),
                    None => (word, false),
                };
                (word, prefix, &rest[end..])
            };
            // Only letters and digits are searched; the tokenizer drops the rest anyway.
            let text: String = piece
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() && !terms.iter().any(|t: &Term| t.text == text) {
                terms.push(Term { text, prefix });
            }
            rest = tail.trim_start();
        }
        if terms.is_empty() {
            return Err("q has no words to search for".into());
        }
        if terms.len() > MAX_TERMS {
            return Err(format!(
                "q has {} words and phrases; a search takes at most {MAX_TERMS}",
                terms.len()
            ));
        }
        Ok(SearchQuery { terms })
    }

    /// The FTS5 MATCH expression: each term a quoted string (phrase), all required.
    pub fn match_expr(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let quoted = format!("\"{}\"", t.text.replace('"', "\"\""));
                if t.prefix { quoted + " *" } else { quoted }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The canonical form, for cache keys and links: terms separated by spaces, phrases quoted.
    pub fn canonical(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let s = if t.text.contains(' ') {
                    format!("\"{}\"", t.text)
                } else {
                    t.text.clone()
                };
                if t.prefix { s + "*" } else { s }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One page of ranked results.
#[derive(Debug)]
pub struct SearchPage {
    /// Best first.
    pub articles: Vec<Article>,
    /// Whether there are more after these.
    pub more: bool,
}

/// Relevance: a word in the headline weighs most, then the summary, then the body.
const RANK: &str = "bm25(articles_fts, 10.0, 4.0, 1.0)";

impl Store {
    /// Public, visible, usable articles matching `q` (optionally in one language), best first.
    pub fn search(
        &self,
        q: &SearchQuery,
        lang: Option<&str>,
        limit: u32,
        offset: u32,
        now: i64,
    ) -> Result<SearchPage> {
        self.with_conn(|conn| {
            let sql = format!(
                "SELECT {cols} FROM articles_fts f JOIN articles a ON a.rowid = f.rowid \
                 WHERE articles_fts MATCH ?1 AND a.status = 'usable' AND a.restricted = 0 \
                 AND (a.embargo_until IS NULL OR a.embargo_until <= ?2) \
                 AND (?3 IS NULL OR a.lang_key = ?3) \
                 ORDER BY {RANK}, a.published_at DESC, a.id DESC LIMIT ?4 OFFSET ?5",
                cols = prefixed("a."),
            );
            let mut st = conn.prepare_cached(&sql)?;
            let raws = st
                .query_map(
                    params![
                        q.match_expr(),
                        now,
                        lang,
                        i64::from(limit) + 1,
                        i64::from(offset)
                    ],
                    RawRow::read,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(st);
            let more = raws.len() > limit as usize;
            let mut articles = Vec::with_capacity(raws.len());
            for r in raws.into_iter().take(limit as usize) {
                let mut a = r.into_article()?;
                super::read::load_translations(conn, &mut a, now)?;
                articles.push(a);
            }
            Ok(SearchPage { articles, more })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_prefixes() {
        let q = SearchQuery::parse(r#"  frontera "puerto Ellery" migra* frontera "#).unwrap();
        assert_eq!(
            q.match_expr(),
            r#""frontera" AND "puerto Ellery" AND "migra" *"#
        );
        assert_eq!(q.canonical(), r#"frontera "puerto Ellery" migra*"#);
    }

    #[test]
    fn syntax_is_only_text() {
        let q = SearchQuery::parse(r#"NEAR(a b) OR "unbalanced"#).unwrap();
        assert_eq!(
            q.match_expr(),
            r#""NEAR a" AND "b" AND "OR" AND "unbalanced""#
        );
        assert!(SearchQuery::parse(r#"* " - ( ) :"#).is_err());
        assert!(SearchQuery::parse("").is_err());
        assert!(SearchQuery::parse(&"a".repeat(10_000)).is_err());
        assert!(SearchQuery::parse("a b c d e f g h i j k l m").is_err());
        assert!(SearchQuery::parse("مرحبا بالعالم").is_ok());
    }
}
