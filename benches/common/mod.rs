//! What the classification benches share: the articles they run on.

use std::path::Path;
use wirefeed::config::Config;
use wirefeed::ingest::{ArticleInput, Rules};
use wirefeed::model::Content;

/// The labelled topic corpus and the sample wire stories (longer, 200–450 words, as real copy
/// is), validated as the server would.
pub fn corpus(root: &Path, config: &Config) -> Vec<Content> {
    let topics: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
    let rules = Rules {
        default_language: "es",
        topics: &topics,
    };
    let corpus =
        std::fs::read_to_string(root.join("tests/data/classify-corpus.jsonl")).expect("corpus");
    let mut articles: Vec<_> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let input: ArticleInput = serde_json::from_value(v["article"].clone()).unwrap();
            input.validate(&rules).unwrap().content
        })
        .collect();
    for file in wirefeed::ingest::collect_files(&[root.join("data/articles")]).unwrap() {
        for entry in wirefeed::ingest::read_file(&file, &rules) {
            articles.push(entry.result.unwrap().content);
        }
    }
    articles
}
