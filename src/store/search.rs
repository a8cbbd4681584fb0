//! Full-text search (docs/api.md, Pages, search and discovery): what a reader types, made into a safe FTS5 query, and the
//! ranked search itself.
//!
//! Readers type words, "quoted phrases" and `prefix*`; everything else is text to look for,
//! never FTS5 syntax: `NEAR(`, `AND`, `:` or a stray `"` cannot change the query's shape, so a
//! hostile query finds nothing rather than failing.

use super::row::{COLUMNS, RawRow};
use super::{Result, Store};
use crate::model::Article;
use crate::text::normalize;
use rusqlite::params;

/// Longest query accepted, in bytes: longer is a 400, not a slow search.
pub const MAX_QUERY_BYTES: usize = 500;
/// Most words and phrases in one query.
pub const MAX_TERMS: usize = 12;
/// Fewest letters before a prefix's `*`: FTS5 merges the postings of every word a prefix
/// starts, all of them whatever the LIMIT (`de*` took 250 ms at 1M stories, `mig*` 20 ms).
pub const MIN_PREFIX_CHARS: usize = 3;

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
            // The prefix is the last word (`puerto-ell*` is the phrase "puerto ell*").
            let last = text.rsplit(' ').next().unwrap_or_default();
            if prefix && !last.is_empty() && last.chars().count() < MIN_PREFIX_CHARS {
                return Err(format!(
                    "{:?} is too short a prefix: give at least {MIN_PREFIX_CHARS} letters before the *",
                    format!("{piece}*")
                ));
            }
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

/// How many matches a search ranks: the most recently filed ones. Results past these are not
/// shown (the deepest search page must stay within them).
pub const RANKED: u32 = 1000;

/// Results per search page.
pub const SEARCH_PAGE: u32 = 20;
/// Deepest search page offered (ranked results further down are not worth their cost).
pub const MAX_SEARCH_PAGE: u32 = 50;
// The deepest search page is within the ranked matches.
const _: () = assert!(MAX_SEARCH_PAGE * SEARCH_PAGE <= RANKED);
/// Score of a term found in the headline.
const HEADLINE_WEIGHT: u32 = 10;
/// Score of a term found in the summary.
const SUMMARY_WEIGHT: u32 = 4;

/// The [`RANKED`] most recently published visible matches: FTS5 hands its rows out in rowid
/// order itself, which is `published_at` order (see `store::fts`), so the LIMIT stops it early.
/// The language is a facet inside `?1`.
const CANDIDATES_SQL: &str = "SELECT a.rowid, a.published_at, a.id, a.headline, a.summary \
     FROM articles_fts f CROSS JOIN articles a ON a.rowid = (f.rowid & 268435455) \
     WHERE articles_fts MATCH ?1 AND a.status = 'usable' AND a.restricted = 0 \
     AND (a.embargo_until IS NULL OR a.embargo_until <= ?2) \
     AND (?3 IS NULL OR a.lang_key = ?3) \
     ORDER BY f.rowid DESC LIMIT ?4";

/// A match among the ranked ones.
struct Candidate {
    rowid: i64,
    published_at: i64,
    id: String,
    score: u32,
}

impl SearchQuery {
    /// Relevance of a match from its headline and summary: each term found in the headline
    /// scores [`HEADLINE_WEIGHT`], in the summary [`SUMMARY_WEIGHT`] (both count). A match only
    /// in the body scores 0. Words are compared folded like the index folds them (case and
    /// accents), so this only orders what FTS5 found; it never decides what matches.
    fn score(&self, headline: &str, summary: Option<&str>) -> u32 {
        let headline = normalize(headline);
        let summary = summary.map(normalize).unwrap_or_default();
        self.terms
            .iter()
            .map(|t| {
                let folded = normalize(&t.text);
                // `normalize` pads with spaces: " puerto ellery " is a whole-word match, and
                // without its last space a prefix match.
                let needle = if t.prefix {
                    folded.trim_end()
                } else {
                    folded.as_str()
                };
                let mut s = 0;
                if headline.contains(needle) {
                    s += HEADLINE_WEIGHT;
                }
                if summary.contains(needle) {
                    s += SUMMARY_WEIGHT;
                }
                s
            })
            .sum()
    }
}

impl Store {
    /// Public, visible, usable articles matching `q` (optionally in one language), best first.
    ///
    /// Only the [`RANKED`] most recently published matches (newest `published_at`) are ranked;
    /// FTS5 walks its index in that order and stops there, so a word in half a million stories
    /// costs what a rare one does.
    /// They are ordered by [`SearchQuery::score`] (headline hits, then summary hits), then
    /// newest `published_at`, then id: relevance among recent stories, which is what a wire
    /// reader searching for "frontera" wants.
    ///
    /// The trade-off: an old story never outranks the newest [`RANKED`] matches, however
    /// relevant, so a common word finds the last days' stories, a rare one stories from years
    /// ago. BM25 is not used: its IDF reads every match of every term (about 20 ms per common
    /// word at 1M stories, several words adding up), so every term counts the same. A prefix
    /// (`migra*`) still costs FTS5 a merge of every matching term's postings, hence
    /// [`MIN_PREFIX_CHARS`].
    ///
    /// Pages are slices of the same ranked list, so they are consistent with each other while
    /// nothing is written. Everything is read in one transaction (one snapshot).
    pub fn search(
        &self,
        q: &SearchQuery,
        lang: Option<&str>,
        limit: u32,
        offset: u32,
        now: i64,
    ) -> Result<SearchPage> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            let mut candidates = {
                let mut st = tx.prepare_cached(CANDIDATES_SQL)?;
                let expr = super::fts::scoped(&q.match_expr(), lang, None);
                st.query_map(params![expr, now, lang, i64::from(RANKED)], |r| {
                    let headline: String = r.get(3)?;
                    let summary: Option<String> = r.get(4)?;
                    Ok(Candidate {
                        rowid: r.get(0)?,
                        published_at: r.get(1)?,
                        id: r.get(2)?,
                        score: q.score(&headline, summary.as_deref()),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            candidates.sort_unstable_by(|a, b| {
                (b.score, b.published_at, &b.id).cmp(&(a.score, a.published_at, &a.id))
            });
            let from = (offset as usize).min(candidates.len());
            let to = from.saturating_add(limit as usize).min(candidates.len());
            let mut articles = Vec::with_capacity(to - from);
            for c in &candidates[from..to] {
                let raw = tx
                    .prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE rowid = ?1"))?
                    .query_row([c.rowid], RawRow::read)?;
                let mut a = raw.into_article()?;
                super::read::load_links(&tx, &mut a, now, 0)?; // a results page lists no related stories
                articles.push(a);
            }
            Ok(SearchPage {
                articles,
                more: to < candidates.len(),
            })
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

    #[test]
    fn a_prefix_needs_three_letters() {
        assert!(SearchQuery::parse("mig*").is_ok());
        assert!(SearchQuery::parse("ñan*").is_ok());
        let e = SearchQuery::parse("frontera de*").unwrap_err();
        assert!(e.contains("\"de*\""), "{e}");
        assert!(SearchQuery::parse("puerto-el*").is_err());
        assert!(SearchQuery::parse("a* b").is_err());
        // Without the star a short word is only a word.
        assert!(SearchQuery::parse("de").is_ok());
    }

    #[test]
    fn headline_hits_score_above_summary_hits_above_body_hits() {
        let q = SearchQuery::parse(r#"frontera "puerto ellery" migra*"#).unwrap();
        assert_eq!(q.score("Nada", Some("Nada")), 0);
        assert_eq!(q.score("FRONTERA cerrada", None), HEADLINE_WEIGHT);
        assert_eq!(q.score("Nada", Some("La frontera")), SUMMARY_WEIGHT);
        // Accents and case are folded; phrases are whole words in a row; prefixes start words.
        assert_eq!(
            q.score("Migrantes en Puerto Ellery", Some("la fronterá")),
            2 * HEADLINE_WEIGHT + SUMMARY_WEIGHT
        );
        assert_eq!(q.score("Puerto Elleryton, inmigrantes, fronteras", None), 0);
    }

    fn insert(store: &Store, id: &str, headline: &str, body: &str, published_at: i64) {
        store
            .with_conn(|c| {
                c.execute(
                    "INSERT INTO articles (id, version, headline, body, language, lang_key, byline, \
                     published_at, editor_topics, topics, keywords, revision, created_at, updated_at) \
                     VALUES (?1, 1, ?2, ?3, 'es', 'es', '[]', ?4, '[]', '[]', '[]', 'update', ?4, ?4)",
                    params![id, headline, body, published_at],
                )?;
                Ok(())
            })
            .unwrap();
    }

    fn ids(page: &SearchPage) -> Vec<&str> {
        page.articles.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn recent_matches_are_ranked_by_where_the_words_are_then_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), true).unwrap();
        let now = 1_800_000_000;
        insert(
            &store,
            "body-new",
            "Lluvias",
            "Llueve en la frontera.",
            now - 10,
        );
        insert(&store, "head-old", "La frontera", "Cerrada.", now - 1000);
        insert(
            &store,
            "head-new",
            "Frontera abierta",
            "Abierta.",
            now - 100,
        );
        insert(
            &store,
            "body-old",
            "Lluvias",
            "Llueve en la frontera.",
            now - 2000,
        );
        insert(&store, "embargoed", "Frontera", "Secreto.", now - 5);
        store
            .with_conn(|c| {
                c.execute(
                    "UPDATE articles SET embargo_until = ?1 WHERE id = 'embargoed'",
                    [now + 60],
                )?;
                Ok(())
            })
            .unwrap();
        let q = SearchQuery::parse("frontera").unwrap();
        let all = store.search(&q, None, 10, 0, now).unwrap();
        assert_eq!(ids(&all), ["head-new", "head-old", "body-new", "body-old"]);
        assert!(!all.more);
        // Pages are slices of the same list.
        let first = store.search(&q, None, 3, 0, now).unwrap();
        let second = store.search(&q, None, 3, 3, now).unwrap();
        assert!(first.more && !second.more);
        assert_eq!([ids(&first), ids(&second)].concat(), ids(&all));
        assert!(
            store
                .search(&q, Some("en"), 10, 0, now)
                .unwrap()
                .articles
                .is_empty()
        );
        assert!(
            store
                .search(&q, None, 10, 50, now)
                .unwrap()
                .articles
                .is_empty()
        );
    }

    #[test]
    fn only_the_newest_matches_are_ranked_and_finding_them_sorts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), true).unwrap();
        let now = 1_800_000_000;
        // The best match, but published before RANKED others.
        insert(
            &store,
            "old-headline",
            "Frontera",
            "Frontera.",
            now - 100_000,
        );
        store
            .with_conn(|c| {
                let tx = c.transaction()?;
                for i in 0..RANKED {
                    tx.execute(
                        "INSERT INTO articles (id, version, headline, body, language, lang_key, byline, \
                         published_at, editor_topics, topics, keywords, revision, created_at, updated_at) \
                         VALUES (?1, 1, 'Lluvias', 'Llueve en la frontera.', 'es', 'es', '[]', ?2, \
                         '[]', '[]', '[]', 'update', ?2, ?2)",
                        params![format!("n-{i:04}"), now - 100 - i64::from(i)],
                    )?;
                }
                tx.commit()?;
                Ok(())
            })
            .unwrap();
        let q = SearchQuery::parse("frontera").unwrap();
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = store.search(&q, None, 20, offset, now).unwrap();
            seen.extend(page.articles.into_iter().map(|a| a.id.to_string()));
            offset += 20;
            if !page.more {
                break;
            }
        }
        assert_eq!(seen.len(), RANKED as usize);
        assert!(!seen.contains(&"old-headline".to_owned()));
        assert_eq!(seen[0], "n-0000");
        let plan = store
            .with_conn(|c| {
                let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {CANDIDATES_SQL}"))?;
                let rows = st.query_map(
                    params![q.match_expr(), now, None::<String>, i64::from(RANKED)],
                    |r| r.get::<_, String>(3),
                )?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap()
            .join("\n");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(plan.contains("VIRTUAL TABLE"), "{plan}");
    }
}
