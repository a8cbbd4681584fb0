//! Measured classifier quality on labelled corpora of invented wire stories (tests/data).
//!
//! `classify-corpus.jsonl` was written before the rules, by someone who did not see them.
//! Stories with an even number are its held-out half: rules were tuned on the odd ones.
//! `classify-holdout.jsonl` was written later, blind to the rules. Its first measurement (F1
//! 0.94 / 0.86 / 0.88 for bilateral / migration / security) was taken blind; its error
//! categories (generic "security", brand "ambassadors", single mentions) then led to general
//! rule changes, so it is now a regression guard, not a blind measure.
//! `classify-blind2.jsonl` was written after those changes and has never been used for tuning.

use crate::helpers::repo;
use wirefeed::classify::Classifier;
use wirefeed::config::Config;
use wirefeed::ingest::{ArticleInput, Rules};

const TOPICS: [&str; 3] = ["bilateral-relations", "migration", "security"];
const MIN_F1: f64 = 0.90;

#[derive(serde::Deserialize)]
struct Labelled {
    expected: Vec<String>,
    article: serde_json::Value,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn f1(self) -> (f64, f64, f64) {
        let p = f64::from(self.tp) / f64::from((self.tp + self.fp).max(1));
        let r = f64::from(self.tp) / f64::from((self.tp + self.fn_).max(1));
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
}

fn held_out(id: &str) -> bool {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n % 2 == 0)
}

struct Report {
    /// Per topic: [all, tuning half, held-out half].
    counts: [[Counts; 3]; 3],
    mistakes: Vec<String>,
    n: usize,
}

fn evaluate(file: &str) -> Report {
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let classifier = Classifier::new(&config);
    let topic_ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
    let rules = Rules {
        default_language: "es",
        topics: &topic_ids,
    };
    let text = std::fs::read_to_string(repo().join("tests/data").join(file)).unwrap();
    let mut counts = [[Counts::default(); 3]; 3];
    let mut mistakes = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Labelled = serde_json::from_str(line).unwrap();
        let input: ArticleInput = serde_json::from_value(item.article).unwrap();
        let draft = input.validate(&rules).unwrap();
        let id = draft.id.as_ref().unwrap().to_string();
        let got = classifier.topics(&draft.content);
        n += 1;
        for (ti, topic) in TOPICS.iter().enumerate() {
            let want = item.expected.iter().any(|t| t == topic);
            let has = got.iter().any(|t| t == topic);
            for half in [0, if held_out(&id) { 2 } else { 1 }] {
                let c = &mut counts[ti][half];
                match (want, has) {
                    (true, true) => c.tp += 1,
                    (false, true) => c.fp += 1,
                    (true, false) => c.fn_ += 1,
                    (false, false) => {}
                }
            }
        }
        if got != item.expected {
            mistakes.push(format!(
                "  {id}: expected {:?}, got {got:?} — {}",
                item.expected, draft.content.headline
            ));
        }
    }
    Report {
        counts,
        mistakes,
        n,
    }
}

#[test]
fn every_topic_scores_an_f1_of_at_least_0_90_on_the_labelled_corpus() {
    let Report {
        counts,
        mistakes,
        n,
    } = evaluate("classify-corpus.jsonl");
    println!("classifier quality on {n} labelled stories:");
    println!(
        "  {:<20} {:>9} {:>9} {:>9}   {:>9} {:>9}",
        "topic", "precision", "recall", "F1", "F1 tuning", "F1 held"
    );
    let mut failed = Vec::new();
    for (ti, topic) in TOPICS.iter().enumerate() {
        let (p, r, f) = counts[ti][0].f1();
        let (_, _, ft) = counts[ti][1].f1();
        let (_, _, fh) = counts[ti][2].f1();
        println!("  {topic:<20} {p:>9.3} {r:>9.3} {f:>9.3}   {ft:>9.3} {fh:>9.3}");
        if f < MIN_F1 {
            failed.push(*topic);
        }
    }
    println!(
        "{} stories misclassified:\n{}",
        mistakes.len(),
        mistakes.join("\n")
    );
    assert!(
        n >= 120,
        "the corpus must hold at least 120 stories, has {n}"
    );
    assert!(failed.is_empty(), "F1 below {MIN_F1} for {failed:?}");
}

fn report_only(file: &str, title: &str, floor: f64) {
    let Report {
        counts,
        mistakes,
        n,
    } = evaluate(file);
    println!("{title}, {n} stories:");
    println!(
        "  {:<20} {:>9} {:>9} {:>9}",
        "topic", "precision", "recall", "F1"
    );
    let mut worst: f64 = 1.0;
    for (ti, topic) in TOPICS.iter().enumerate() {
        let (p, r, f) = counts[ti][0].f1();
        println!("  {topic:<20} {p:>9.3} {r:>9.3} {f:>9.3}");
        worst = worst.min(f);
    }
    println!(
        "{} stories misclassified:\n{}",
        mistakes.len(),
        mistakes.join("\n")
    );
    assert!(n >= 60);
    assert!(worst >= floor, "a topic's F1 on {file} fell below {floor}");
}

#[test]
fn the_holdout_corpus_stays_above_0_90() {
    report_only(
        "classify-holdout.jsonl",
        "holdout (consulted once, now a regression guard)",
        0.90,
    );
}

/// The best estimate here of quality on wire stories the classifier has never seen.
#[test]
fn the_blind_corpus_is_reported() {
    // A floor against regressions, not the target: the 0.90 target applies to the corpus above.
    report_only(
        "classify-blind2.jsonl",
        "blind set, never used for tuning",
        0.80,
    );
}
