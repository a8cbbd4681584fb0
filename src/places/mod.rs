//! Places: the countries a story is about (ISO 3166-1 alpha-2 with GeoNames ids), found in its
//! headline, summary, body and dateline, plus the editor's (contract §14, docs/places.md).
//!
//! Names come from CLDR, ids and cities from GeoNames (`scripts/places/generate.py` builds
//! `data/places/`), demonyms and the readings that need context from a hand-kept file. The
//! finder weighs where each word stands (see [`finder`]) and keeps the countries above a
//! threshold, so a passing mention does not make a story "about" a country.

pub mod finder;
mod table;

use crate::model::Content;
pub use finder::{Evidence, Scored, Where};
pub use table::{Country, Table, is_code};

/// The shipped table, parsed once for the whole process.
pub fn shipped_table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(Table::shipped)
}

/// Whether the shipped table knows this code (editor places are checked against it).
pub fn known(code: &str) -> bool {
    crate::model::known_country(code)
}

/// The countries of an article's `places`, in its order (codes the table does not know, which
/// a stored article cannot have, are left out).
pub fn countries_of(places: &[String]) -> Vec<&'static Country> {
    places
        .iter()
        .filter_map(|c| shipped_table().get(c))
        .collect()
}

/// The scheme Atom and RSS categories carry places in (contract §14).
pub const GEONAMES_SCHEME: &str = "http://www.geonames.org/";

/// The place finder over the shipped table.
pub struct Places {
    finder: finder::Finder,
}

impl Default for Places {
    fn default() -> Self {
        Places::shipped()
    }
}

impl Places {
    /// The finder over `data/places/`, compiled once.
    pub fn shipped() -> Places {
        Places {
            finder: finder::Finder::new(Table::shipped()),
        }
    }

    /// The table of countries.
    pub fn table(&self) -> &Table {
        self.finder.table()
    }

    /// The country with this code, if known.
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.finder.table().get(code)
    }

    /// Final places: the editor's, and the countries the story is about; sorted codes.
    pub fn places(&self, content: &Content) -> Vec<String> {
        let mut out: Vec<String> = self
            .explain(content)
            .into_iter()
            .filter(|s| s.about)
            .map(|s| s.code)
            .collect();
        for c in &content.editor_places {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out.sort();
        out
    }

    /// Every country the story names, with its score, whether it counts, and the words.
    pub fn explain(&self, content: &Content) -> Vec<Scored> {
        let mut body = String::with_capacity(
            content.summary.as_ref().map_or(0, String::len) + content.body.len() + 2,
        );
        if let Some(s) = &content.summary {
            body.push_str(s);
            body.push_str("\n\n");
        }
        body.push_str(without_dateline(&content.body, content.dateline.as_deref()));
        self.finder.score(
            &content.language,
            &content.headline,
            &body,
            content.dateline.as_deref(),
        )
    }
}

/// The body without the dateline it repeats at its start ("SANTIAGO, 4 dic (Agencia) – …"):
/// that is the dateline, weighed as one, not a mention in the lead.
fn without_dateline<'a>(body: &'a str, dateline: Option<&str>) -> &'a str {
    let Some(d) = dateline.map(str::trim).filter(|d| !d.is_empty()) else {
        return body;
    };
    let start = body.trim_start();
    let mut chars = start.char_indices();
    for dc in d.chars() {
        match chars.next() {
            Some((_, bc)) if bc.to_lowercase().eq(dc.to_lowercase()) => {}
            _ => return body,
        }
    }
    let after = chars.next().map_or(start.len(), |(i, _)| i);
    // The agency and date up to the dash that ends the dateline, if it comes soon.
    let head: String = start[after..].chars().take(80).collect();
    for dash in [" – ", " — ", " - ", " -- "] {
        if let Some(i) = head.find(dash) {
            return &start[after + i + dash.len()..];
        }
    }
    &start[after..]
}

#[cfg(test)]
mod tests;
