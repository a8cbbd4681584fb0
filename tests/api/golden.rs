//! Golden files: fixed fixture articles and a fixed clock give byte-identical documents.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test golden` and review the diff.

use crate::helpers::repo;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::sync::Arc;
use wirefeed::auth::Principal;
use wirefeed::config::Config;
use wirefeed::feeds::ArticleFormat;
use wirefeed::feeds::{FeedQuery, Feeds};
use wirefeed::model::Format;
use wirefeed::store::Store;

/// Compares `actual` with `tests/golden/{name}`. A mismatch fails with a diff; under
/// `UPDATE_GOLDEN=1` the file is rewritten and the change is printed (to the real stderr, so it
/// shows without `--nocapture`): a snapshot is only as good as the review of its diff.
fn check(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    let expected = std::fs::read_to_string(&path).ok();
    if expected.as_deref() == Some(actual) {
        return;
    }
    let diff = match &expected {
        Some(e) => diff(e, actual),
        None => "(new file)\n".to_owned(),
    };
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        if let Err(why) = blessable(name, actual) {
            panic!(
                "UPDATE_GOLDEN: refusing to bless tests/golden/{name}: {why}\n{}",
                clip(actual)
            );
        }
        std::fs::write(&path, actual).unwrap();
        let _ = writeln!(
            std::io::stderr(),
            "UPDATE_GOLDEN: rewrote tests/golden/{name}; review it:\n{diff}"
        );
        return;
    }
    panic!(
        "{name} differs from tests/golden/{name} (- golden, + now):\n{diff}\n\
         If the new output is right, rerun with UPDATE_GOLDEN=1 and review the diff."
    );
}

/// Whether `actual` may become the golden file `name` under `UPDATE_GOLDEN`: never a document
/// dated at the Unix epoch (an unset date), an `all` feed without entries (no fixture was read)
/// or an error (a problem document, a server error, a panic) instead of a document.
fn blessable(name: &str, actual: &str) -> Result<(), String> {
    for epoch in ["1970-01-01", "Jan 1970"] {
        if actual.contains(epoch) {
            return Err(format!("it is dated at the Unix epoch ({epoch})"));
        }
    }
    let file = name.rsplit('/').next().unwrap();
    if let Some(ext) = file.strip_prefix("all.") {
        let entries = match ext {
            "rss" => actual.matches("<item>").count(),
            "atom" => actual.matches("<entry>").count(),
            "xml" => actual.matches("<newsItem").count(),
            "json" => serde_json::from_str::<serde_json::Value>(actual)
                .ok()
                .and_then(|v| v["items"].as_array().map(Vec::len))
                .unwrap_or(0),
            other => return Err(format!("no entry count for all.{other}")),
        };
        if entries == 0 {
            return Err(format!("{file} has no entries"));
        }
    }
    let problem = serde_json::from_str::<serde_json::Value>(actual)
        .ok()
        .filter(|v| v["status"].is_u64() && v.get("title").is_some());
    if problem.is_some() || actual.contains("application/problem+json") {
        return Err("it is an error (a problem document)".to_owned());
    }
    for error in [
        "Internal Server Error",
        "panicked at",
        "Not Found",
        "Service Unavailable",
    ] {
        if actual.contains(error) {
            return Err(format!("it holds error text ({error:?})"));
        }
    }
    if actual.trim().is_empty() {
        return Err("it is empty".to_owned());
    }
    Ok(())
}

#[test]
fn update_golden_blesses_every_current_golden_file_and_refuses_dates_at_1970_empty_feeds_and_errors()
 {
    // The positive control: every golden file in the repository is blessable.
    let root = repo().join("tests/golden");
    let mut seen = 0;
    for dir in [root.clone(), root.join("lifecycle")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            blessable(&name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} golden files read");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    // Dated at the epoch, in each format's spelling.
    for (name, from, to) in [
        (
            "kills.atom",
            "<updated>2026-11-22T12:00:00+00:00",
            "<updated>1970-01-01T00:00:00+00:00",
        ),
        ("kills.rss", "Sun, 22 Nov 2026", "Thu, 01 Jan 1970"),
        (
            "kills.xml",
            "<sent>2026-11-22T12:00:00Z",
            "<sent>1970-01-01T00:00:00Z",
        ),
    ] {
        let good = read(name);
        assert!(good.contains(from), "{name} has no {from:?} to replace");
        let bad = good.replacen(from, to, 1);
        assert!(blessable(name, &bad).is_err(), "{name} at 1970 was blessed");
    }
    // `all` without entries: kills.* has none, so as all.* it must be refused (in both folders).
    for ext in ["rss", "atom", "json", "xml"] {
        let empty = read(&format!("kills.{ext}"));
        for name in [format!("all.{ext}"), format!("lifecycle/all.{ext}")] {
            assert!(
                blessable(&name, &empty).is_err(),
                "an empty {name} was blessed"
            );
        }
    }
    // Errors instead of documents.
    let problem =
        r#"{"type":"about:blank","title":"Not Found","status":404,"detail":"no such feed"}"#;
    for (name, text) in [
        ("fx-002.ninjs.json", problem),
        ("all.json", problem),
        ("fx-002.html", "<h1>500 Internal Server Error</h1>"),
        (
            "fx-002.xml",
            "thread 'main' panicked at src/render/newsml.rs:1:1",
        ),
        ("fx-003.html", ""),
    ] {
        assert!(
            blessable(name, text).is_err(),
            "{name}: {text:?} was blessed"
        );
    }
}

/// A unified line diff (3 lines of context). Feeds are often one long line, so each changed
/// line pair also shows where it first differs.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence of lines, then a walk that emits -, + and context.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, a[i]));
            i += 1;
        } else {
            ops.push(('+', j, b[j]));
            j += 1;
        }
    }
    let near = |k: usize| {
        ops[k.saturating_sub(3)..(k + 4).min(ops.len())]
            .iter()
            .any(|o| o.0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, &(op, line, text)) in ops.iter().enumerate() {
        if op == ' ' && !near(k) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("@@\n");
            skipped = false;
        }
        out.push_str(&format!("{op}{:>4} {}\n", line + 1, clip(text)));
    }
    // Where the first changed pair of lines parts, with some text on either side.
    if let (Some(o), Some(n)) = (
        ops.iter().find(|o| o.0 == '-'),
        ops.iter().find(|o| o.0 == '+'),
    ) {
        let at =
            o.2.bytes()
                .zip(n.2.bytes())
                .take_while(|(x, y)| x == y)
                .count();
        let from = at.saturating_sub(80);
        let excerpt = |s: &str| {
            let start = (0..=from)
                .rev()
                .find(|&k| s.is_char_boundary(k))
                .unwrap_or(0);
            let end = (at + 120).min(s.len());
            let end = (end..=s.len())
                .find(|&k| s.is_char_boundary(k))
                .unwrap_or(s.len());
            s[start..end].to_owned()
        };
        out.push_str(&format!(
            "first difference at line {} column {}:\n- …{}…\n+ …{}…\n",
            o.1 + 1,
            at + 1,
            excerpt(o.2),
            excerpt(n.2)
        ));
    }
    out
}

/// Long lines shortened for the diff listing (the column excerpt shows the detail).
fn clip(line: &str) -> String {
    if line.chars().count() <= 200 {
        return line.to_owned();
    }
    let head: String = line.chars().take(200).collect();
    format!("{head}… ({} characters)", line.chars().count())
}

/// The fixture articles imported into a fresh store, served at a fixed `now`.
fn fixture_feeds() -> (tempfile::TempDir, Feeds, DateTime<Utc>) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let store = Store::open(&dir.path().join("golden.db"), true).unwrap();
    let summary = wirefeed::import::import(
        &config,
        &store,
        &[repo().join("tests/fixtures/articles")],
        false,
    )
    .unwrap();
    assert_eq!(summary.imported, 4);
    let feeds = Feeds::new(Arc::new(config), Arc::new(store));
    (dir, feeds, "2026-11-22T12:00:00Z".parse().unwrap())
}

fn feed_text(feeds: &Feeds, feed: &str, format: Format, now: DateTime<Utc>) -> String {
    let r = feeds
        .feed(
            feed,
            format,
            &FeedQuery::default(),
            &Principal::Anonymous,
            None,
            now,
        )
        .unwrap();
    String::from_utf8(r.0.body.to_vec()).unwrap()
}

#[test]
fn every_format_matches_its_golden_file() {
    let (_dir, feeds, now) = fixture_feeds();
    for feed in ["all", "migration"] {
        for format in Format::ALL {
            check(
                &format!("{feed}.{}", format.extension()),
                &feed_text(&feeds, feed, format, now),
            );
        }
    }
    for (format, name) in [
        (ArticleFormat::Html, "fx-002.html"),
        (ArticleFormat::NewsMl, "fx-002.xml"),
        (ArticleFormat::Ninjs, "fx-002.ninjs.json"),
        (ArticleFormat::Ninjs31, "fx-002.ninjs31.json"),
        (ArticleFormat::Html, "fx-003.html"),
    ] {
        let id = name.split('.').next().unwrap();
        let (r, _) = feeds
            .article(id, format, &Principal::Anonymous, now, None)
            .unwrap();
        check(name, std::str::from_utf8(&r.body).unwrap());
    }
}

/// Regression: `kills.atom`/`kills.xml` were regenerated with `updated`/`sent` at 1970-01-01
/// and the snapshot blessed it. The data is checked before the snapshot, so that cannot recur.
#[test]
fn the_empty_kills_feed_is_not_dated_1970_and_matches_its_golden_file() {
    let (_dir, feeds, now) = fixture_feeds();
    for format in Format::ALL {
        let text = feed_text(&feeds, "kills", format, now);
        for epoch in ["1970-01-01", "Jan 1970", ":msg:kills:0<"] {
            assert!(
                !text.contains(epoch),
                "kills.{} is dated at the epoch ({epoch}):\n{text}",
                format.extension()
            );
        }
        check(&format!("kills.{}", format.extension()), &text);
    }
}

#[test]
fn a_golden_mismatch_is_shown_as_a_diff_of_the_changed_lines() {
    let old = "<a>\n<b>1970-01-01</b>\n<c/>\n<d/>\n<e/>\n<f/>\n<g/>\n<h/>\n";
    let new = old.replace("1970-01-01", "2026-11-22");
    let d = diff(old, &new);
    assert!(
        d.contains("-   2 <b>1970-01-01</b>\n+   2 <b>2026-11-22</b>\n"),
        "{d}"
    );
    assert!(d.contains("    1 <a>\n"), "context before: {d}");
    assert!(!d.contains("<h/>"), "far context is left out: {d}");
    assert!(d.contains("first difference at line 2 column 4"), "{d}");
}

/// Goldens for the lifecycle: fx-002 corrected (v2, `revision = "correction"`, a note) at 09:30
/// and fx-004 fixed by a `minor` revision at 10:00, both stored with a fixed clock. Review
/// their diffs with care: this is where the correction marker and the unmoved dates show.
#[test]
fn a_correction_and_a_minor_edit_match_their_golden_files() {
    let (_dir, feeds, now) = fixture_feeds();
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let topics: Vec<_> = config.topics.iter().map(|t| t.id.clone()).collect();
    let rules = wirefeed::ingest::Rules {
        default_language: &config.agency.language,
        topics: &topics,
    };
    let classifier = wirefeed::classify::Classifier::new(&config);
    for (file, at) in [
        ("fx-002.md", "2026-11-22T09:30:00Z"),
        ("fx-004.md", "2026-11-22T10:00:00Z"),
    ] {
        let path = repo().join("tests/fixtures/revisions").join(file);
        let entry = wirefeed::ingest::read_file(&path, &rules).pop().unwrap();
        let draft = entry.result.unwrap();
        let id = draft.id.clone().unwrap();
        let outcome = feeds
            .store
            .upsert(
                &draft,
                &id,
                &classifier.topics(&draft.content),
                &wirefeed::places::Places::shipped().places(&draft.content),
                at.parse().unwrap(),
            )
            .unwrap();
        assert!(
            matches!(outcome, Ok(wirefeed::store::UpsertOutcome::Updated(_, 2))),
            "{file}: {outcome:?}"
        );
    }
    let feeds = Feeds::new(Arc::new(config), feeds.store.clone());
    for format in Format::ALL {
        check(
            &format!("revised-all.{}", format.extension()),
            &feed_text(&feeds, "all", format, now),
        );
    }
    for (id, ext, name) in [
        ("fx-002", ArticleFormat::Html, "revised-fx-002.html"),
        ("fx-002", ArticleFormat::NewsMl, "revised-fx-002.xml"),
        ("fx-002", ArticleFormat::Ninjs, "revised-fx-002.ninjs.json"),
        ("fx-004", ArticleFormat::Html, "revised-fx-004.html"),
        ("fx-004", ArticleFormat::NewsMl, "revised-fx-004.xml"),
    ] {
        let (r, _) = feeds
            .article(id, ext, &Principal::Anonymous, now, None)
            .unwrap();
        check(name, std::str::from_utf8(&r.body).unwrap());
    }
}

/// Applies `op` at `at` (a fixed clock) through the durable writer, as the API does.
fn apply_at(store: &Store, op: wirefeed::store::Op, at: &str) {
    let now: DateTime<Utc> = at.parse().unwrap();
    let mut writer = store.durable_writer().unwrap();
    let (mut results, _committed) = writer.apply(&[op], now).unwrap();
    results.pop().unwrap().unwrap();
}

/// The article body of fixture `id`, changed by `edit`, as the API would receive it.
fn revised(
    newsroom: &wirefeed::publish::Newsroom,
    store: &Store,
    id: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> wirefeed::store::Op {
    let now: DateTime<Utc> = "2026-11-21T00:00:00Z".parse().unwrap();
    let a = store.get(id, now.timestamp()).unwrap().unwrap();
    let c = &a.content;
    let mut body = serde_json::json!({
        "id": id,
        "headline": c.headline,
        "summary": c.summary,
        "body": c.body,
        "language": c.language,
        "byline": c.byline,
        "dateline": c.dateline,
        "published_at": wirefeed::model::rfc3339(a.published_at),
        "keywords": c.keywords,
        "urgency": c.urgency,
        "translation_of": c.translation_of.as_ref().map(|t| t.as_str()),
    });
    edit(&mut body);
    // A field is given or left out (null is a type error for the API).
    if let Some(m) = body.as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    let prepared = newsroom
        .parse(body.to_string().as_bytes(), Some(id))
        .unwrap();
    wirefeed::store::Op::Upsert {
        draft: Box::new(prepared.draft),
        topics: prepared.topics,
        places: prepared.places,
        create_only: false,
        if_match: None,
    }
}

#[test]
fn corrected_minor_and_killed_articles_match_their_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(Config::load(&repo().join("feeds.toml")).unwrap());
    let store = Arc::new(Store::open(&dir.path().join("golden.db"), true).unwrap());
    wirefeed::import::import(
        &config,
        &store,
        &[repo().join("tests/fixtures/articles")],
        false,
    )
    .unwrap();
    let newsroom = wirefeed::publish::Newsroom::new(config.clone(), store.clone()).unwrap();
    // fx-002 v2: a correction with a note.
    let op = revised(&newsroom, &store, "fx-002", |b| {
        b["body"] = serde_json::json!(
            b["body"]
                .as_str()
                .unwrap()
                .replace("on Friday", "on Thursday")
        );
        b["revision"] = serde_json::json!("correction");
        b["correction_note"] =
            serde_json::json!("An earlier version said the agreement was signed on Friday.");
    });
    apply_at(&store, op, "2026-11-21T08:00:00Z");
    // fx-001 v2: a typo fix, which moves no date readers see.
    let op = revised(&newsroom, &store, "fx-001", |b| {
        b["body"] = serde_json::json!(
            b["body"]
                .as_str()
                .unwrap()
                .replace("firmaron el viernes", "firmaron este viernes")
        );
        b["revision"] = serde_json::json!("minor");
    });
    apply_at(&store, op, "2026-11-21T09:00:00Z");
    // fx-004: killed, with a reason; a tombstone during kill_retention.
    let kill = wirefeed::store::Op::Kill {
        id: wirefeed::model::ArticleId::parse("fx-004").unwrap(),
        reason: Some("Duplicate of an earlier story.".into()),
        if_match: None,
    };
    apply_at(&store, kill, "2026-11-21T10:00:00Z");
    let feeds = Feeds::new(config.clone(), store.clone());
    let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
    for feed in ["all", "kills"] {
        for format in Format::ALL {
            let (r, _) = feeds
                .feed(
                    feed,
                    format,
                    &FeedQuery::default(),
                    &Principal::Anonymous,
                    None,
                    now,
                )
                .unwrap();
            check(
                &format!("lifecycle/{feed}.{}", format.extension()),
                std::str::from_utf8(&r.body).unwrap(),
            );
        }
    }
    for (ext, name) in [
        (ArticleFormat::Html, "fx-002.html"),
        (ArticleFormat::NewsMl, "fx-002.xml"),
        (ArticleFormat::Ninjs, "fx-002.ninjs.json"),
        (ArticleFormat::Html, "fx-001.html"),
        (ArticleFormat::NewsMl, "fx-001.xml"),
        (ArticleFormat::Ninjs, "fx-001.ninjs.json"),
        (ArticleFormat::Html, "fx-004.html"),
        (ArticleFormat::NewsMl, "fx-004.xml"),
        (ArticleFormat::Ninjs, "fx-004.ninjs.json"),
    ] {
        let id = name.split('.').next().unwrap();
        let (r, _) = feeds
            .article(id, ext, &Principal::Anonymous, now, None)
            .unwrap();
        if id == "fx-004" && ext == ArticleFormat::Html {
            assert_eq!(r.status, 410, "a killed story's page is gone");
        }
        check(
            &format!("lifecycle/{name}"),
            std::str::from_utf8(&r.body).unwrap(),
        );
    }
}
