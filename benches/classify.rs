//! Classifier throughput on one core: `cargo bench --bench classify`.
//!
//! Target (issues 3 and 10): at least 10,000 articles per second per core, rules and model
//! together. Articles are the labelled corpus, repeated; each is classified from its text
//! (normalisation and feature extraction included).

mod common;

use std::path::Path;
use std::time::Instant;
use wirefeed::classify::Classifier;
use wirefeed::config::Config;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(&root.join("feeds.toml")).expect("feeds.toml loads");
    let articles = common::corpus(root, &config);
    let start = Instant::now();
    let classifier = Classifier::load(&config).expect("rules and the model load");
    println!(
        "compile rules and load the model ({}): {:.2} ms",
        if classifier.has_model() {
            "loaded"
        } else {
            "none configured"
        },
        start.elapsed().as_secs_f64() * 1000.0
    );
    let avg_bytes = articles
        .iter()
        .map(|a| a.headline.len() + a.body.len() + a.summary.as_ref().map_or(0, String::len))
        .sum::<usize>()
        / articles.len();
    let rounds = 200;
    let mut topics_seen = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for a in &articles {
            topics_seen += classifier.topics(std::hint::black_box(a)).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = rounds * articles.len();
    let rules_only = Classifier::rules_only(&config);
    let start_rules = Instant::now();
    for _ in 0..rounds / 4 {
        for a in &articles {
            std::hint::black_box(rules_only.topics(std::hint::black_box(a)));
        }
    }
    println!(
        "rules alone: {:.1} µs per article",
        start_rules.elapsed().as_secs_f64() * 1e6 / (rounds / 4 * articles.len()) as f64
    );
    let start_review = Instant::now();
    for _ in 0..rounds / 4 {
        for a in &articles {
            std::hint::black_box(classifier.review(std::hint::black_box(a)));
        }
    }
    let review = start_review.elapsed().as_secs_f64() / (rounds / 4 * articles.len()) as f64;
    println!(
        "reclassify's pass (topics and near misses): {:.1} µs per article, {:.0} s of classifying for 1M articles",
        review * 1e6,
        review * 1e6
    );
    println!(
        "classify: {n} articles ({avg_bytes} bytes each on average) in {secs:.2} s = {:.0} articles/s on one core ({topics_seen} topic assignments)",
        n as f64 / secs
    );
}
