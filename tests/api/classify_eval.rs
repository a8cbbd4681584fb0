//! Measured classifier quality on labelled corpora of invented wire stories (tests/data).
//!
//! The gates are on stories the classifier was not fitted to:
//! - **held out**: a fifth of the training corpus (`classify-corpus`, `classify-holdout`,
//!   `train/*`), chosen by a hash of the id (`classify::train::is_held_out`), which
//!   `wirefeed train` never trains on and nothing was tuned on;
//! - **blind sets**: `classify-blind2.jsonl` (70 stories) and `classify-blind3.jsonl` (164),
//!   written by people who never saw the rules or the model, never read by anyone tuning;
//!   they are regression guards, measured and never looked into.
//!
//! Each gate is the level measured when the model was last trained, less a small margin for
//! a retrained model's noise, so a regression fails; no topic's precision may fall below 0.90.
//! The whole older sets are reported too, but most of their stories are training data now.

use crate::helpers::repo;
use wirefeed::classify::Classifier;
use wirefeed::classify::train::{Quality, is_held_out};
use wirefeed::config::Config;
use wirefeed::ingest::{ArticleInput, Rules};

const TOPICS: [&str; 3] = ["bilateral-relations", "migration", "security"];
const MIN_PRECISION: f64 = 0.90;
const TRAINING: [&str; 6] = [
    "classify-corpus.jsonl",
    "classify-holdout.jsonl",
    "train/train-a.jsonl",
    "train/train-b.jsonl",
    "train/train-c.jsonl",
    "train/train-d.jsonl",
];

#[derive(serde::Deserialize)]
struct Labelled {
    expected: Vec<String>,
    article: serde_json::Value,
}

struct Report {
    counts: [Quality; 3],
    mistakes: Vec<String>,
    n: usize,
    spanish: usize,
    negatives: usize,
}

fn evaluate(files: &[&str], keep: impl Fn(&str) -> bool) -> Report {
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let classifier = Classifier::load(&config).expect("the shipped model loads");
    assert!(classifier.has_model());
    let topic_ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
    let rules = Rules {
        default_language: "es",
        topics: &topic_ids,
    };
    let mut r = Report {
        counts: [Quality::default(); 3],
        mistakes: Vec::new(),
        n: 0,
        spanish: 0,
        negatives: 0,
    };
    for file in files {
        let text = std::fs::read_to_string(repo().join("tests/data").join(file)).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let item: Labelled = serde_json::from_str(line).unwrap();
            let input: ArticleInput = serde_json::from_value(item.article).unwrap();
            let draft = input.validate(&rules).unwrap();
            let id = draft.id.as_ref().unwrap().to_string();
            if !keep(&id) {
                continue;
            }
            let got = classifier.topics(&draft.content);
            r.n += 1;
            r.spanish += usize::from(draft.content.language == "es");
            r.negatives += usize::from(item.expected.is_empty());
            for (ti, topic) in TOPICS.iter().enumerate() {
                let want = item.expected.iter().any(|t| t == topic);
                let has = got.iter().any(|t| t == topic);
                r.counts[ti].add(want, has);
            }
            if got != item.expected {
                r.mistakes.push(format!(
                    "  {id}: expected {:?}, got {got:?} — {}",
                    item.expected, draft.content.headline
                ));
            }
        }
    }
    r
}

/// Prints the table and checks each topic's F1 against `floors` (in [`TOPICS`] order).
fn gate(title: &str, r: &Report, floors: [f64; 3], show_mistakes: bool) {
    println!("{title}, {} stories:", r.n);
    println!(
        "  {:<20} {:>9} {:>9} {:>9}",
        "topic", "precision", "recall", "F1"
    );
    let mut failed = Vec::new();
    for (ti, topic) in TOPICS.iter().enumerate() {
        let q = r.counts[ti];
        let (p, rc, f) = (q.precision(), q.recall(), q.f1());
        println!("  {topic:<20} {p:>9.3} {rc:>9.3} {f:>9.3}");
        if f < floors[ti] {
            failed.push(format!("{topic}: F1 {f:.3} < {}", floors[ti]));
        }
        if p < MIN_PRECISION {
            failed.push(format!("{topic}: precision {p:.3} < {MIN_PRECISION}"));
        }
    }
    if show_mistakes {
        println!(
            "{} stories misclassified:\n{}",
            r.mistakes.len(),
            r.mistakes.join("\n")
        );
    } else {
        // A blind set stays blind: its stories are not shown to anyone tuning.
        println!("{} stories misclassified", r.mistakes.len());
    }
    assert!(failed.is_empty(), "{title}: {failed:?}");
}

#[test]
fn the_training_corpus_is_big_varied_and_half_spanish() {
    let r = evaluate(&TRAINING, |_| true);
    assert!(r.n >= 600, "{} stories", r.n);
    assert!(r.spanish * 2 == r.n, "{} of {} in Spanish", r.spanish, r.n);
    assert!(r.negatives * 4 >= r.n, "{} negatives", r.negatives);
}

#[test]
fn held_out_stories_score_at_least_as_measured() {
    let r = evaluate(&TRAINING, is_held_out);
    assert!(r.n >= 120, "{} held-out stories", r.n);
    // Measured 2026-12-07 (164 stories, train-d's held-out fifth included): 0.976 / 0.938 /
    // 0.979 (bilateral / migration / security); migration precision 0.905.
    gate("held out (never trained on)", &r, [0.96, 0.92, 0.94], true);
}

#[test]
fn the_blind2_set_scores_at_least_as_measured() {
    let r = evaluate(&["classify-blind2.jsonl"], |_| true);
    assert_eq!(r.n, 70);
    gate(
        "blind2 (never used for tuning)",
        &r,
        [0.90, 0.90, 0.90],
        false,
    );
}

#[test]
fn the_blind3_set_scores_at_least_as_measured() {
    let r = evaluate(&["classify-blind3.jsonl"], |_| true);
    assert!(r.n >= 150);
    // Issue 24's fixes had cost migration precision here (0.917 to 0.898, under the 0.90
    // floor); with a veto for a match alone and one for a match shared with another topic,
    // and the look-alike training stories, it measured 0.957 (2026-12-07, scored once;
    // docs/classifier.md): the floor is every set's 0.90 again.
    gate(
        "blind3 (never read by anyone tuning)",
        &r,
        [0.90, 0.90, 0.90],
        false,
    );
}

#[test]
fn the_older_sets_are_reported_whole() {
    for file in ["classify-corpus.jsonl", "classify-holdout.jsonl"] {
        let r = evaluate(&[file], |_| true);
        // Mostly training data now: a floor against breakage, not a measure.
        gate(file, &r, [0.95, 0.95, 0.95], false);
    }
}

/// Scores a labelled set under `tests/data/` (the format of `blind/topics.jsonl`): per topic,
/// exact-set accuracy, by language and by hard-case tag. Only `article` reaches the
/// classifier; `notes` only groups.
fn score_blind_file(file: &str) -> Vec<(String, [Quality; 3], usize, usize)> {
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let classifier = Classifier::load(&config).expect("the shipped model loads");
    let topic_ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
    let rules = Rules {
        default_language: "es",
        topics: &topic_ids,
    };
    #[derive(serde::Deserialize)]
    struct Blind {
        expected: Vec<String>,
        notes: String,
        article: serde_json::Value,
    }
    // (group, counts, exact, n)
    let mut groups: Vec<(String, [Quality; 3], usize, usize)> = Vec::new();
    let text = std::fs::read_to_string(repo().join("tests/data").join(file)).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Blind = serde_json::from_str(line).unwrap();
        let input: ArticleInput = serde_json::from_value(item.article).unwrap();
        let draft = input.validate(&rules).unwrap();
        let got = classifier.topics(&draft.content);
        let tags: Vec<String> = item
            .notes
            .strip_prefix('[')
            .and_then(|n| n.split(']').next())
            .unwrap_or("")
            .split(',')
            .map(|t| format!("tag {}", t.trim()))
            .filter(|t| t != "tag ")
            .collect();
        let mut names = vec!["all".to_owned(), format!("lang {}", draft.content.language)];
        names.extend(tags);
        for name in names {
            let i = match groups.iter().position(|g| g.0 == name) {
                Some(i) => i,
                None => {
                    groups.push((name, [Quality::default(); 3], 0, 0));
                    groups.len() - 1
                }
            };
            let g = &mut groups[i];
            for (ti, topic) in TOPICS.iter().enumerate() {
                g.1[ti].add(
                    item.expected.iter().any(|t| t == topic),
                    got.iter().any(|t| t == topic),
                );
            }
            g.2 += usize::from(got == item.expected);
            g.3 += 1;
        }
    }
    groups[1..].sort_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// `cargo test --test api score_the_topics_blind_set -- --ignored --nocapture`: the table
/// recorded in docs/classifier.md. Stories are never printed: the set stays blind.
#[test]
#[ignore = "a measurement for docs/classifier.md; the floor test below is the gate"]
fn score_the_topics_blind_set() {
    print_scores(score_blind_file("blind/topics.jsonl"));
}

/// `cargo test --test api score_the_topics2_blind_set -- --ignored --nocapture`: the second
/// blind set (150 stories written for this on 2026-12-07 by a helper who never saw the
/// classifier; tests/data/blind/README.md §4). Stories are never printed.
#[test]
#[ignore = "a measurement for docs/classifier.md"]
fn score_the_topics2_blind_set() {
    print_scores(score_blind_file("blind/topics2.jsonl"));
}

/// `cargo test --test api score_the_topics3_blind_set -- --ignored --nocapture`: the third
/// blind set (150 stories written on 2026-12-07 by a helper who never saw the classifier, while
/// another helper tuned it on training data alone; tests/data/blind/README.md §5). Stories are
/// never printed.
#[test]
#[ignore = "a measurement for docs/classifier.md"]
fn score_the_topics3_blind_set() {
    print_scores(score_blind_file("blind/topics3.jsonl"));
}

/// `cargo test --test api score_the_lookalike_set -- --ignored --nocapture`: the false-positive
/// probe `classify-lookalikes.jsonl` (80 stories written blind by a helper for issue 24's
/// regression, 50 of them look-alike negatives). Its failures were read to find the cause, so
/// it is a development set now, not a blind one.
#[test]
#[ignore = "a measurement for docs/classifier.md"]
fn score_the_lookalike_set() {
    print_scores(score_blind_file("classify-lookalikes.jsonl"));
}

fn print_scores(groups: Vec<(String, [Quality; 3], usize, usize)>) {
    println!(
        "{:<28} {:>4} {:>6}  {:<23} {:<23} {:<23}",
        "group", "n", "exact", "bilateral P/R/F1", "migration P/R/F1", "security P/R/F1"
    );
    for (name, counts, exact, n) in groups {
        let cell = |q: Quality| format!("{:.3}/{:.3}/{:.3}", q.precision(), q.recall(), q.f1());
        println!(
            "{name:<28} {n:>4} {:>6.3}  {:<23} {:<23} {:<23}",
            exact as f64 / n as f64,
            cell(counts[0]),
            cell(counts[1]),
            cell(counts[2])
        );
    }
}

#[test]
fn the_topics3_blind_set_scores_at_least_as_measured() {
    // Scored once before and once after the second tuning round, 2026-12-07 07:01
    // (docs/classifier.md): 0.982 / 0.951 / 0.984 F1, exact 0.940 (before 0.973 / 0.926 /
    // 0.950, 0.880). Floors 0.015 under; precision keeps 0.90.
    gate_blind_file("blind/topics3.jsonl", 150, [0.967, 0.936, 0.969], 0.925);
}

#[test]
fn the_topics2_blind_set_scores_at_least_as_measured() {
    // Scored once per model, 2026-12-07 (docs/classifier.md): 0.968 / 0.949 / 0.938 F1, exact
    // 0.907; with the second round (tune2, which never saw it) 0.990 / 0.967 / 0.966, exact
    // 0.947. Floors 0.015 under the latest, so a change that loses ground fails; precision
    // keeps 0.90.
    gate_blind_file("blind/topics2.jsonl", 150, [0.975, 0.952, 0.951], 0.93);
}

#[test]
fn the_topics_blind_set_scores_at_least_as_measured() {
    // Measured once, 2026-12-06 (docs/classifier.md): 0.968 / 0.957 / 0.972, exact 0.925.
    gate_blind_file("blind/topics.jsonl", 120, [0.95, 0.94, 0.955], 0.90);
}

/// A blind set of `n` stories keeps each topic's F1 at its floor, precision at
/// [`MIN_PRECISION`], and the exact-set accuracy at `min_exact`.
fn gate_blind_file(file: &str, n_expected: usize, floors: [f64; 3], min_exact: f64) {
    let groups = score_blind_file(file);
    let (_, counts, exact, n) = &groups[0];
    assert_eq!(*n, n_expected);
    for (ti, topic) in TOPICS.iter().enumerate() {
        let q = counts[ti];
        assert!(q.f1() >= floors[ti], "{topic}: F1 {:.3}", q.f1());
        assert!(
            q.precision() >= MIN_PRECISION,
            "{topic}: P {:.3}",
            q.precision()
        );
    }
    assert!(
        *exact as f64 / *n as f64 >= min_exact,
        "exact-set {exact} of {n}"
    );
}
