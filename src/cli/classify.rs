//! `wirefeed classify` and `wirefeed train`: the classifier from the command line.

use super::{CliError, report, topic_ids};
use crate::classify::Classifier;
use crate::config::Config;
use crate::ingest::{self, Rules};
use crate::model::ArticleId;
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

pub(super) fn classify(
    config: &Config,
    paths: &[PathBuf],
    explain: bool,
    json: bool,
) -> Result<u8, CliError> {
    let topics = topic_ids(config);
    let rules = Rules {
        default_language: &config.agency.language,
        topics: &topics,
    };
    let classifier = Classifier::new(config);
    let places = crate::places::Places::shipped();
    let stdin = paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-");
    let mut entries = Vec::new();
    if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::runtime(format!("stdin: {e}")))?;
        entries.extend(ingest::read_json_lines(Path::new("<stdin>"), &text, &rules));
    }
    let files: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    for file in ingest::collect_files(&files).map_err(CliError::usage)? {
        entries.extend(ingest::read_file(&file, &rules));
    }
    let mut invalid = false;
    // Readable text for a person at a terminal; scripts and pipes keep the JSON lines.
    let text = explain && !json && std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    for entry in &entries {
        let Some(draft) = report(entry) else {
            invalid = true;
            continue;
        };
        let id = draft.id.as_ref().map(ArticleId::as_str);
        let topics = classifier.topics(&draft.content);
        let found = places.places(&draft.content);
        let shown = if !explain {
            json!({ "id": id, "topics": topics, "places": found }).to_string()
        } else {
            let scores: Vec<_> = classifier
                .explain(&draft.content)
                .into_iter()
                .filter(|s| {
                    s.matched
                        || s.editor
                        || s.near_miss
                        || !s.hits.is_empty()
                        || !s.excluded.is_empty()
                })
                .collect();
            let placed = places.explain(&draft.content);
            if text {
                let mut out = explain_text(id, &draft.content.headline, &topics, &scores);
                out.push_str(&explain_places(
                    &found,
                    &draft.content.editor_places,
                    &placed,
                ));
                out
            } else {
                let mut line = json!({ "id": id, "topics": topics, "places": found });
                line["matches"] = serde_json::to_value(scores).expect("scores serialise");
                line["place_matches"] = serde_json::to_value(placed).expect("places serialise");
                line.to_string()
            }
        };
        match writeln!(out, "{shown}") {
            Ok(()) => {}
            // The reader went away (`| head`): stop quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(CliError::runtime(e.to_string())),
        }
    }
    Ok(u8::from(invalid))
}

/// `classify --explain` for a person: the topics, then one sentence per topic considered.
fn explain_text(
    id: Option<&str>,
    headline: &str,
    topics: &[String],
    scores: &[crate::classify::TopicScore],
) -> String {
    let mut out = format!(
        "{} — {headline}\n  topics: {}\n",
        id.unwrap_or("(no id)"),
        if topics.is_empty() {
            "none".to_owned()
        } else {
            topics.join(", ")
        }
    );
    for s in scores {
        out.push_str(&format!("  {}: {}\n", s.topic, s.reason));
    }
    out
}

/// `classify --explain` for a person: the places, then the words that placed the story (and
/// the countries named that stayed under the threshold).
fn explain_places(found: &[String], editor: &[String], scored: &[crate::places::Scored]) -> String {
    let mut out = format!(
        "  places: {}\n",
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    );
    for c in editor {
        out.push_str(&format!("  {c}: chosen by the editor\n"));
    }
    for s in scored {
        let words: Vec<String> = s
            .evidence
            .iter()
            .map(|e| format!("\"{}\" ({:?}, {})", e.term, e.at, e.weight))
            .collect();
        out.push_str(&format!(
            "  {} (geonames {}): score {:.1}, {}: {}\n",
            s.code,
            s.geonameid,
            s.score,
            if s.about {
                "about it"
            } else {
                "a passing mention, under the threshold"
            },
            words.join(", ")
        ));
    }
    out
}

/// `wirefeed train`: fits the model on the labelled corpus and writes the weights file.
pub(super) fn train(
    config: &Config,
    config_path: &Path,
    paths: &[PathBuf],
    out: Option<PathBuf>,
    mistakes: bool,
) -> Result<u8, CliError> {
    use crate::classify::train::{self, Quality};
    let start = std::time::Instant::now();
    let base = config_path.parent().unwrap_or(Path::new("."));
    let paths: Vec<PathBuf> = if paths.is_empty() {
        ["classify-corpus.jsonl", "classify-holdout.jsonl", "train"]
            .iter()
            .map(|p| base.join("tests/data").join(p))
            .collect()
    } else {
        paths.to_vec()
    };
    let out = out.or_else(|| config.model.clone()).ok_or_else(|| {
        CliError::usage("no weights file: set classifier.model in the config or pass --out")
    })?;
    let topics = topic_ids(config);
    let rules = Rules {
        default_language: &config.agency.language,
        topics: &topics,
    };
    let mut examples = Vec::new();
    for file in ingest::collect_files(&paths).map_err(CliError::usage)? {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::runtime(format!("{}: {e}", file.display())))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = |e: String| CliError::usage(format!("{}:{}: {e}", file.display(), n + 1));
            #[derive(serde::Deserialize)]
            struct Labelled {
                expected: Vec<String>,
                article: ingest::ArticleInput,
            }
            let l: Labelled = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
            let draft = l.article.validate(&rules).map_err(|e| {
                at(e.iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "))
            })?;
            let id = draft
                .id
                .as_ref()
                .map(ArticleId::to_string)
                .ok_or_else(|| at("a labelled story needs an id".to_owned()))?;
            examples.push(train::Example {
                id,
                content: draft.content,
                labels: l.expected,
            });
        }
    }
    examples.sort_by(|a, b| a.id.cmp(&b.id));
    examples.dedup_by(|a, b| a.id == b.id);
    let (held, used): (Vec<_>, Vec<_>) = examples
        .into_iter()
        .partition(|e| train::is_held_out(&e.id));
    let (file, reports) = train::train(config, &used);
    let text = serde_json::to_string_pretty(&file).expect("model serialises") + "\n";
    std::fs::write(&out, &text)
        .map_err(|e| CliError::runtime(format!("{}: {e}", out.display())))?;
    say!(
        "trained on {} stories ({} held out) in {:.1} s; wrote {}",
        used.len(),
        held.len(),
        start.elapsed().as_secs_f64(),
        out.display()
    );
    let fmt = |q: Quality| {
        format!(
            "P {:.3} R {:.3} F1 {:.3}",
            q.precision(),
            q.recall(),
            q.f1()
        )
    };
    for r in &reports {
        say!(
            "  {:<20} threshold {:.2}, veto {:.2} alone / {:.2} shared, {} features; cross-validated: rules {}; model {}; combined {}",
            r.topic,
            r.threshold,
            r.veto,
            r.veto_among,
            r.features,
            fmt(r.rules),
            fmt(r.model),
            fmt(r.combined)
        );
        if mistakes {
            for (id, want, p) in &r.mistakes {
                let headline = used
                    .iter()
                    .find(|e| &e.id == id)
                    .map_or("", |e| e.content.headline.as_str());
                let what = if *want { "missed" } else { "wrongly in" };
                say!("    {what}: {id} (p {p:.2}) {headline}");
            }
        }
    }
    let classifier = Classifier::with_model(config, &text).map_err(CliError::runtime)?;
    say!("held out ({} stories, never trained on):", held.len());
    for r in &reports {
        let mut q = Quality::default();
        for e in &held {
            q.add(
                e.labels.contains(&r.topic),
                classifier.topics(&e.content).contains(&r.topic),
            );
        }
        say!("  {:<20} {}", r.topic, fmt(q));
    }
    Ok(0)
}
