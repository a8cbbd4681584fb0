//! Finding the countries a story is about: words matched on folded text, checked against how
//! they were written, weighed by where they stand, and kept above a threshold.

use super::table::{Meaning, Table, Term};
use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// What a mention in the headline weighs.
pub const HEADLINE: f64 = 3.0;
/// What the dateline weighs (where the story was filed from): alone it decides nothing (a
/// story filed from Geneva is often about somewhere else), with one more mention it counts, and
/// a story that names no other country is about its dateline's.
pub const DATELINE: f64 = 1.5;
/// A mention in the lead (the summary and the body's first `LEAD_BYTES`).
pub const LEAD: f64 = 1.5;
/// A mention deeper in the body.
pub const BODY: f64 = 1.0;
/// How much the body can add, however many mentions.
pub const BODY_CAP: f64 = 5.0;
/// A demonym weighs this share of a name ("Mexican officials" is about Mexico, a little less).
pub const PEOPLE: f64 = 0.8;
/// The score from which a story is about a country: a headline or dateline mention, or two in
/// the body; one passing mention is not enough.
pub const THRESHOLD: f64 = 2.0;
/// A country also needs this share of the best country's score (a story about Mexico that
/// names the United States twice is not about the United States).
pub const SHARE: f64 = 0.25;
/// Without any country at the threshold, the best one still counts from this score (a short
/// story that names its country once, in the lead).
pub const ALONE: f64 = 1.5;
/// Bytes of normalised body text that are the lead.
pub const LEAD_BYTES: usize = 300;

/// Where a word was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Where {
    /// The headline.
    Headline,
    /// The dateline.
    Dateline,
    /// The summary or the start of the body.
    Lead,
    /// Deeper in the body.
    Body,
}

/// One word that placed a story, for `--explain`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evidence {
    /// The word as the data writes it.
    pub term: String,
    /// Where it stood.
    #[serde(rename = "where")]
    pub at: Where,
    /// What it added.
    pub weight: f64,
}

/// A country the story names, with its score and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scored {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    /// GeoNames id.
    pub geonameid: u32,
    /// Total relevance.
    pub score: f64,
    /// Whether the story is about it (above the threshold and the share of the best).
    pub about: bool,
    /// The words that counted.
    pub evidence: Vec<Evidence>,
}

/// Folded text with what folding loses: how each word was written.
struct Folded {
    text: String,
    /// Per word: start byte in `text`, first letter a capital, all letters capitals, and
    /// whether only white space separates it from the previous word.
    words: Vec<Word>,
    /// Most words capitalised (a title-case or all-capitals headline): case says nothing.
    case_blind: bool,
}

#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    capital: bool,
    upper: bool,
    /// Only white space before it (no comma, period, bracket) since the previous word.
    joined: bool,
}

/// Folds like [`crate::text::normalize`] (same bytes), remembering the case of each word.
fn fold(text: &str) -> Folded {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut words: Vec<Word> = Vec::new();
    let mut space = true;
    let mut punct = false;
    for c in text.chars() {
        let mut each = |d: char, original_upper: bool| {
            if d.is_alphanumeric() {
                if space {
                    words.push(Word {
                        start: out.len(),
                        end: out.len(),
                        capital: original_upper,
                        upper: true,
                        joined: !punct,
                    });
                    punct = false;
                }
                let w = words.last_mut().expect("a word was started");
                if d.is_alphabetic() && !original_upper {
                    w.upper = false;
                }
                out.extend(d.to_lowercase());
                w.end = out.len();
                space = false;
            } else if !is_combining_mark(d) {
                if !d.is_whitespace() && d != '-' && d != '\'' && d != '’' {
                    punct = true;
                }
                if !space {
                    out.push(' ');
                    space = true;
                }
            }
        };
        if c.is_ascii() {
            each(c, c.is_ascii_uppercase());
        } else {
            let up = c.is_uppercase();
            decompose_canonical(c, |d| each(d, up));
        }
    }
    if !space {
        out.push(' ');
    }
    let long: Vec<&Word> = words.iter().filter(|w| w.end - w.start >= 4).collect();
    let caps = long.iter().filter(|w| w.capital).count();
    let case_blind = !long.is_empty() && caps * 10 >= long.len() * 6;
    Folded {
        text: out,
        words,
        case_blind,
    }
}

/// How a matched word reads where it stands.
enum Reading {
    Place,
    /// A person's name ("Michael Jordan").
    Person,
    Nothing,
}

/// The place finder: the table compiled into one automaton.
pub struct Finder {
    table: Table,
    automaton: AhoCorasick,
}

/// Function words that may stand capitalised before a country at the start of a sentence.
const LEADERS: &[&str] = &[
    "in", "from", "to", "the", "and", "of", "for", "with", "by", "on", "at", "as", "en", "de",
    "desde", "y", "e", "a", "para", "con", "por", "el", "la", "del", "king", "queen", "rey",
    "reina", "visit", "visits", "visita", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "central", "norte", "sur", "why", "how", "when", "where", "what", "but",
    "after", "before", "while", "if", "tras", "antes", "sobre", "entre", "hacia", "between",
    "against", "contra", "about", "into", "across", "over", "under", "near",
];

impl Finder {
    /// Compiles a table.
    pub fn new(table: Table) -> Finder {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(table.terms.iter().map(|t| t.needle.as_str()))
            .expect("place words compile");
        Finder { table, automaton }
    }

    /// The table it finds.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Mentions in one field: (term index, where) for each word that reads as a place; the
    /// terms read as a person's name go to `people`.
    fn mentions(
        &self,
        f: &Folded,
        lang_es: bool,
        out: &mut Vec<(usize, usize)>,
        people: &mut Vec<usize>,
    ) {
        let bytes = f.text.as_bytes();
        for m in self.automaton.find_iter(&f.text) {
            let start = m.start();
            // Needles start at a word: the byte before is the space folding wrote.
            if start == 0 || bytes[start - 1] != b' ' {
                continue;
            }
            let p = m.pattern().as_usize();
            let term = &self.table.terms[p];
            let end = if term.prefix {
                let mut e = m.end();
                while e < bytes.len() && bytes[e] != b' ' {
                    e += 1;
                }
                e
            } else {
                if bytes.get(m.end()) != Some(&b' ') {
                    continue;
                }
                m.end()
            };
            match self.reading(f, term, start, end, lang_es) {
                Reading::Place => out.push((p, start)),
                Reading::Person => people.push(p),
                Reading::Nothing => {}
            }
        }
    }

    fn reading(&self, f: &Folded, term: &Term, start: usize, end: usize, lang_es: bool) -> Reading {
        let first = f.words.partition_point(|w| w.start < start);
        let last = f.words.partition_point(|w| w.start < end);
        let covered = &f.words[first..last];
        if covered.is_empty()
            || (matches!(term.meaning, Meaning::SpanishUs) && !lang_es)
            || (term.upper && !covered.iter().all(|w| w.upper))
        {
            return Reading::Nothing;
        }
        if f.case_blind || !term.capitalised {
            return Reading::Place;
        }
        if !covered[0].capital {
            return Reading::Nothing;
        }
        if !term.person {
            return Reading::Place;
        }
        // A person: a capitalised word right before (Michael Jordan) that is not a function
        // word starting the sentence, or right after (Chad Smith).
        let capitalised_name = |w: &Word| {
            w.capital && !w.upper && {
                let word = &f.text[w.start..w.end];
                !LEADERS.contains(&word)
            }
        };
        let before = first.checked_sub(1).map(|i| f.words[i]);
        let after = f.words.get(last).copied();
        let person_before = before.is_some_and(|b| covered[0].joined && capitalised_name(&b));
        let person_after = after.is_some_and(|a| a.joined && capitalised_name(&a));
        if person_before || person_after {
            Reading::Person
        } else {
            Reading::Place
        }
    }

    /// Scores every country the story names. `lead` is the summary and body, `dateline` the
    /// place it was filed from; `lang` its language tag.
    pub fn score(
        &self,
        lang: &str,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
    ) -> Vec<Scored> {
        let lang_es = lang.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("es"));
        let mut mentions: Vec<(usize, Where)> = Vec::new();
        let mut found = Vec::new();
        let mut people = Vec::new();
        let h = fold(headline);
        self.mentions(&h, lang_es, &mut found, &mut people);
        mentions.extend(found.drain(..).map(|(p, _)| (p, Where::Headline)));
        if let Some(d) = dateline {
            let mut d = fold(d);
            d.case_blind = true;
            self.mentions(&d, lang_es, &mut found, &mut people);
            // The dateline names one place: the first.
            mentions.extend(found.drain(..).take(1).map(|(p, _)| (p, Where::Dateline)));
        }
        let b = fold(body);
        self.mentions(&b, lang_es, &mut found, &mut people);
        mentions.extend(found.drain(..).map(|(p, at)| {
            (
                p,
                if at < LEAD_BYTES {
                    Where::Lead
                } else {
                    Where::Body
                },
            )
        }));
        // Once a name is a person's in this story ("Michael Jordan"), the bare name is that
        // person too ("…said Jordan, who won six titles").
        mentions.retain(|(p, _)| !people.contains(p));

        let n = self.table.countries().len();
        let mut scores = vec![0.0f64; n];
        let mut body_scores = vec![0.0f64; n];
        let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); n];
        let mut add = |c: u16, term: &Term, at: Where, people: bool, scores: &mut Vec<f64>| {
            let mut w = match at {
                Where::Headline => HEADLINE,
                Where::Dateline => DATELINE,
                Where::Lead => LEAD,
                Where::Body => BODY,
            };
            if people {
                w *= PEOPLE;
            }
            let c = c as usize;
            if matches!(at, Where::Lead | Where::Body) {
                let room = (BODY_CAP - body_scores[c]).max(0.0);
                w = w.min(room);
                body_scores[c] += w;
            }
            scores[c] += w;
            evidence[c].push(Evidence {
                term: term.written.clone(),
                at,
                weight: w,
            });
        };
        let us_index = self
            .table
            .countries()
            .iter()
            .position(|c| c.code == "US")
            .map(|i| i as u16);
        let mut deferred = Vec::new();
        for &(p, at) in &mentions {
            let term = &self.table.terms[p];
            match &term.meaning {
                Meaning::Name(c) | Meaning::City(c) => add(*c, term, at, false, &mut scores),
                Meaning::People(c) => add(*c, term, at, true, &mut scores),
                Meaning::SpanishUs => {
                    if let Some(c) = us_index {
                        add(c, term, at, false, &mut scores);
                    }
                }
                Meaning::Block => {}
                Meaning::Contextual { .. } => deferred.push((p, at)),
            }
        }
        // Context decides: candidates with their own evidence, else the default.
        let evidenced: Vec<bool> = scores.iter().map(|s| *s > 0.0).collect();
        for (p, at) in deferred {
            let term = &self.table.terms[p];
            let Meaning::Contextual { codes, default } = &term.meaning else {
                continue;
            };
            let people = term.prefix || term.needle.ends_with("an") || term.needle.ends_with("ans");
            let with: Vec<u16> = codes
                .iter()
                .copied()
                .filter(|c| evidenced[*c as usize])
                .collect();
            if with.is_empty() {
                if let Some(d) = default {
                    add(*d, term, at, people, &mut scores);
                }
            } else {
                for c in with {
                    add(c, term, at, people, &mut scores);
                }
            }
        }
        let best = scores.iter().copied().fold(0.0, f64::max);
        let mut out: Vec<Scored> = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(i, &s)| {
                let c = self.table.country(i as u16);
                Scored {
                    code: c.code.clone(),
                    geonameid: c.geonameid,
                    score: s,
                    about: s >= THRESHOLD && s >= SHARE * best,
                    evidence: std::mem::take(&mut evidence[i]),
                }
            })
            .collect();
        if !out.iter().any(|s| s.about) && best >= ALONE {
            let top: Vec<usize> = (0..out.len()).filter(|&i| out[i].score == best).collect();
            // Ties count together: "North Korea and South Korea exchanged threats".
            for i in top {
                out[i].about = true;
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.code.cmp(&b.code))
        });
        out
    }
}
