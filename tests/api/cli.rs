//! The command line against a real temporary database.

use crate::helpers::{config_text, repo, spawn_app_with, wirefeed};

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, config_text(None)).unwrap();
    let db = dir.path().join("wirefeed.db");
    (dir, config, db)
}

const ARTICLE: &str = "+++\nid = \"t-1\"\nheadline = \"Police arrest gang leaders in Kessel\"\nlanguage = \"en\"\npublished_at = \"2026-11-20T09:00:00Z\"\n+++\nPolice arrested three gang leaders on Friday.\n";

#[test]
fn import_prints_a_summary_and_is_idempotent_by_id() {
    let (dir, config, db) = setup();
    let (code, out, err) = wirefeed(
        &config,
        &db,
        &["import", repo().join("data/articles").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "imported 44, updated 0, unchanged 0, invalid 0");
    let (code, out, _) = wirefeed(
        &config,
        &db,
        &["import", repo().join("data/articles").to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "imported 0, updated 0, unchanged 44, invalid 0");
    drop(dir);
}

#[test]
fn a_changed_article_becomes_a_new_version_under_the_same_guid() {
    let app = spawn_app_with(None);
    let file = app.dir.path().join("t-1.md");
    std::fs::write(&file, ARTICLE).unwrap();
    let import = |expect: &str| {
        let (code, out, err) = app.cli(&["import", file.to_str().unwrap()]);
        assert_eq!((code, out.trim()), (0, expect), "{err}");
    };
    import("imported 1, updated 0, unchanged 0, invalid 0");
    import("imported 0, updated 0, unchanged 1, invalid 0");
    std::fs::write(&file, ARTICLE.replace("three", "four")).unwrap();
    import("imported 0, updated 1, unchanged 0, invalid 0");
    let item = app.get("/articles/t-1.xml").body;
    assert!(
        item.contains("guid=\"tag:anv.example,2026:t-1\" version=\"2\""),
        "{item}"
    );
    assert!(item.contains("four gang leaders"));
    assert!(item.contains("rel=\"irel:previousVersion\""));
    let feed = app.get("/feeds/security.json").json();
    assert_eq!(feed["items"][0]["id"], "tag:anv.example,2026:t-1");
    assert_eq!(feed["items"][0]["_wirefeed"]["version"], 2);
}

#[test]
fn invalid_entries_are_reported_with_file_and_line_and_the_rest_imported() {
    let (dir, config, db) = setup();
    let good = dir.path().join("good.md");
    std::fs::write(&good, ARTICLE).unwrap();
    let bad = dir.path().join("bad.md");
    std::fs::write(
        &bad,
        "+++\nid = \"b-1\"\nheadline = \"Fine\"\nurgency = 0\n+++\nBody\n",
    )
    .unwrap();
    let lines = dir.path().join("batch.jsonl");
    std::fs::write(
        &lines,
        "{\"id\":\"j-1\",\"headline\":\"Ok\",\"body\":\"B\"}\n{\"id\":\"j-2\",\"headline\":\"Bad\",\"body\":\"B\",\"topics\":[\"sport\"]}\nnot json\n",
    )
    .unwrap();
    let (code, out, err) = wirefeed(&config, &db, &["import", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(out.trim(), "imported 2, updated 0, unchanged 0, invalid 3");
    assert!(
        err.contains(&format!("wirefeed: {}:4: urgency", bad.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "wirefeed: {}:2: topics: topic \"sport\" is not defined",
            lines.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("wirefeed: {}:3: ", lines.display())),
        "{err}"
    );
}

#[test]
fn a_feeds_toml_mistake_is_named_by_line_and_exits_2() {
    let (dir, config, db) = setup();
    let text = config_text(None).replacen("min_score = 4.0", "min_score = -1", 1);
    std::fs::write(&config, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("min_score = -1"))
        .unwrap()
        + 1;
    for args in [&["check"][..], &["serve", "--bind", "127.0.0.1:0"][..]] {
        let (code, _, err) = wirefeed(&config, &db, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains(&format!(
                "wirefeed: {}:{line}: topic \"security\": min_score must be a positive number",
                config.display()
            )),
            "{err}"
        );
    }
    // A feed naming an unknown topic, and a syntax error, are located too.
    let text = config_text(None).replace("topics = [\"migration\"]", "topics = [\"migrasion\"]");
    std::fs::write(&config, &text).unwrap();
    let line = text.lines().position(|l| l.contains("migrasion")).unwrap() + 1;
    let (code, _, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(":{line}: topic \"migrasion\" is not defined")),
        "{err}"
    );
    std::fs::write(&config, "[agency]\nname = \n").unwrap();
    let (code, _, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("wirefeed: {}:2: ", config.display())),
        "{err}"
    );
    drop(dir);
}

#[test]
fn classify_prints_sorted_topics_and_explains_on_request() {
    let (_dir, config, db) = setup();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "--database",
            db.to_str().unwrap(),
            "classify",
            "--explain",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"x\",\"language\":\"en\",\"headline\":\"Ambassador meets foreign minister on migrant smuggling and drug trafficking\",\"body\":\"Asylum seekers, police and the embassy.\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["id"], "x");
    assert_eq!(
        line["topics"],
        serde_json::json!(["bilateral-relations", "migration", "security"])
    );
    assert!(
        line["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["score"].as_f64().unwrap() >= m["min_score"].as_f64().unwrap())
    );
    assert!(!db.exists(), "classify must write nothing");
}

#[test]
fn check_reports_a_healthy_database() {
    let (_dir, config, db) = setup();
    assert_eq!(wirefeed(&config, &db, &["check"]).0, 0);
    wirefeed(
        &config,
        &db,
        &["import", repo().join("data/articles").to_str().unwrap()],
    );
    let (code, out, _) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 0);
    assert!(out.contains("wirefeed.db: ok"), "{out}");
    let (code, out, _) = wirefeed(&config, &db, &["reclassify"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some("reclassified: 0 articles changed topics")
    );
}

#[test]
fn a_database_in_a_missing_folder_is_refused_not_created() {
    let (dir, config, _) = setup();
    let db = dir.path().join("no-such-folder/wirefeed.db");
    let (code, _, err) = wirefeed(
        &config,
        &db,
        &["import", repo().join("data/articles").to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("folder does not exist"), "{err}");
    assert!(!db.exists());
}

#[test]
fn reclassify_after_a_rule_change_moves_articles_and_feeds_follow_at_once() {
    let app = spawn_app_with(Some(&repo().join("data/articles")));
    let before =
        crate::helpers::json_ids(&app.get("/feeds/bilateral-relations.json?limit=200").json());
    assert!(
        before.contains(&"anv-20261021-0004".to_owned()),
        "the embassy story starts in bilateral-relations"
    );
    // An editor raises the bar for bilateral-relations (the last topic in the file) out of reach.
    let mut text = std::fs::read_to_string(app.config_path()).unwrap();
    let at = text.rfind("min_score = 4.0").unwrap();
    text.replace_range(at..at + "min_score = 4.0".len(), "min_score = 1000.0");
    std::fs::write(app.config_path(), text).unwrap();
    let (code, out, err) = app.cli(&["reclassify"]);
    assert_eq!(code, 0, "{err}");
    let changed: u32 = out
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("reclassified: ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(changed > 0, "{out}");
    // Another process wrote: the server sees it within a second (freshness across processes).
    app.eventually(|| {
        let ids =
            crate::helpers::json_ids(&app.get("/feeds/bilateral-relations.json?limit=200").json());
        ids.is_empty().then_some(())
    });
    assert_eq!(before.len(), changed as usize, "{out}");
    let (_, again, _) = app.cli(&["reclassify"]);
    assert!(
        again.starts_with("reclassified: 0 articles changed topics"),
        "{again}"
    );
}

#[test]
fn check_reports_empty_and_duplicate_terms_with_their_lines() {
    let (_dir, config, db) = setup();
    let text = config_text(None)
        .replacen("\"narcotrafico\", ", "\"narcotrafico\", \"\", ", 1)
        .replacen("\"cocaine\", ", "\"cocaine\", \"Cocaine\", ", 1);
    std::fs::write(&config, &text).unwrap();
    let empty = text
        .lines()
        .position(|l| l.contains("\"narcotrafico\", \"\""))
        .unwrap()
        + 1;
    let dup = text
        .lines()
        .position(|l| l.contains("\"Cocaine\""))
        .unwrap()
        + 1;
    let (code, _, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(":{empty}: topic \"security\": empty term")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            ":{dup}: topic \"security\": duplicate term \"Cocaine\""
        )),
        "{err}"
    );
}
