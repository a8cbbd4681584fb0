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
        Some("reclassified: 0 articles changed topics or places")
    );
}

#[test]
fn check_names_file_and_line_of_a_duplicate_code_or_broken_pattern_in_the_gazetteer() {
    let (dir, config, db) = setup();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let path = dir.path().join("data/gazetteer.toml");
    let shipped = std::fs::read_to_string(repo().join("data/gazetteer.toml")).unwrap();
    // Positive control: the shipped gazetteer is checked and passes.
    std::fs::write(&path, &shipped).unwrap();
    let (code, out, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("data/gazetteer.toml: ok"), "{out}");
    let line = |needle: &str| shipped.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let broken = shipped
        .replacen("mx = {", "US = {", 1)
        .replacen("\"hondure*\"", "\"h*\"", 1);
    std::fs::write(&path, broken).unwrap();
    let (code, _, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 2, "{err}");
    let at = |n: usize| format!("data/gazetteer.toml:{n}: ");
    assert!(
        err.contains(&format!(
            "{}state code \"US\" is already used on line {}",
            at(line("mx = {")),
            line("us = {")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}broken pattern \"h*\"", at(line("hn = {")))),
        "{err}"
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
        again.starts_with("reclassified: 0 articles changed topics or places"),
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

/// Runs the binary with exactly `args` (no `--config`/`--database` added) in `cwd`.
fn wirefeed_bare(cwd: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .current_dir(cwd)
        .args(args)
        .env("WIREFEED_LOG", "warn")
        .env_remove("WIREFEED_CONFIG")
        .env_remove("WIREFEED_DATABASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let (dir, config, db) = setup();
    let (c, d) = (config.to_str().unwrap(), db.to_str().unwrap());
    let cases: &[(&str, &[&str])] = &[
        (
            "an unknown flag",
            &["--config", c, "--database", d, "--nope"],
        ),
        (
            "an unknown command",
            &["--config", c, "--database", d, "publish"],
        ),
        ("a flag without its value", &["--database", d, "--config"]),
        (
            "import without a path",
            &["--config", c, "--database", d, "import"],
        ),
        (
            "serve with an unknown flag",
            &["--config", c, "--database", d, "serve", "--port", "1"],
        ),
        (
            "a missing config file",
            &[
                "--config",
                "/nonexistent/feeds.toml",
                "--database",
                d,
                "check",
            ],
        ),
        (
            "a missing path to import",
            &[
                "--config",
                c,
                "--database",
                d,
                "import",
                "/nonexistent/x.md",
            ],
        ),
        (
            "a missing path to classify",
            &[
                "--config",
                c,
                "--database",
                d,
                "classify",
                "/nonexistent/x.md",
            ],
        ),
    ];
    for (what, args) in cases {
        let (code, out, err) = wirefeed_bare(dir.path(), args);
        assert_eq!(code, 2, "{what}: {args:?}\n{out}{err}");
        assert!(!err.trim().is_empty(), "{what}: an error message on stderr");
        assert!(out.is_empty(), "{what}: nothing on stdout: {out}");
    }
    // A bad config is a usage error for every command that reads it, not only `check`.
    std::fs::write(
        &config,
        config_text(None).replacen("default_limit = 50", "default_limit = 0", 1),
    )
    .unwrap();
    let file = dir.path().join("a.md");
    std::fs::write(&file, ARTICLE).unwrap();
    let f = file.to_str().unwrap();
    for args in [
        &["check"][..],
        &["import", f],
        &["classify", f],
        &["reclassify"],
        &["serve", "--bind", "127.0.0.1:0"],
    ] {
        let (code, _, err) = wirefeed(&config, &db, args);
        assert_eq!(code, 2, "{args:?} with default_limit = 0: {err}");
        assert!(
            err.contains(&format!("wirefeed: {}:", config.display())),
            "{args:?}: {err}"
        );
    }
    assert_eq!(wirefeed_bare(dir.path(), &["--help"]).0, 0);
}

/// Runs `wirefeed import` as an unprivileged user when the tests run as root (as CI does), so
/// that a file or folder without read permission really is unreadable.
fn import_as_unprivileged(
    config: &std::path::Path,
    db: &std::path::Path,
    path: &std::path::Path,
) -> (i32, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.arg("--config")
        .arg(config)
        .arg("--database")
        .arg(db)
        .arg("import")
        .arg(path)
        .env("WIREFEED_LOG", "warn");
    // `id -u` rather than geteuid(): no libc dependency for one call.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        == b"0\n";
    if root {
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreadable_folder_and_an_unreadable_file_get_the_same_exit_code() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, config, db) = setup();
    let everyone = std::fs::Permissions::from_mode(0o777);
    std::fs::set_permissions(dir.path(), everyone.clone()).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let folder = dir.path().join("locked");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.md"), ARTICLE).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o000)).unwrap();
    let file = dir.path().join("locked.md");
    std::fs::write(&file, ARTICLE).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (folder_code, folder_err) = import_as_unprivileged(&config, &db, &folder);
    let (file_code, file_err) = import_as_unprivileged(&config, &db, &file);
    std::fs::set_permissions(&folder, everyone).unwrap();
    for (code, err, path) in [
        (folder_code, &folder_err, &folder),
        (file_code, &file_err, &file),
    ] {
        assert!(
            code == 1 || code == 2,
            "{}: exit {code}: {err}",
            path.display()
        );
        assert!(
            err.contains(&path.display().to_string()),
            "names the path: {err}"
        );
    }
    assert_eq!(
        folder_code, file_code,
        "folder: {folder_err}\nfile: {file_err}"
    );
}

#[test]
fn the_wirefeed_variables_stand_in_for_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("elsewhere.toml");
    // The config's own bind and database would be used if the variables were ignored: an
    // address the test would notice, and a folder that does not exist (the server refuses it).
    let text = config_text(None)
        .replacen("bind = \"127.0.0.1:8080\"", "bind = \"127.0.0.2:0\"", 1)
        .replacen(
            "database = \"data/wirefeed.db\"",
            "database = \"missing/wirefeed.db\"",
            1,
        )
        .replacen(
            "name = \"Agencia Nacional de Noticias de Valdoria\"",
            "name = \"Env Wire\"",
            1,
        );
    std::fs::write(&config, text).unwrap();
    let db = dir.path().join("env.db");
    let log = dir.path().join("stderr.log");
    // An empty working folder: no ./feeds.toml to fall back on.
    let cwd = dir.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.arg("serve")
        .current_dir(&cwd)
        .env("WIREFEED_CONFIG", &config)
        .env("WIREFEED_DATABASE", &db)
        .env("WIREFEED_BIND", "127.0.0.1:0")
        .env("WIREFEED_BASE_URL", "http://wire.example:8123")
        .env("WIREFEED_LOG", "debug")
        .stderr(std::fs::File::create(&log).unwrap());
    let app = crate::helpers::spawn_command(dir, cmd);
    assert!(
        app.address.starts_with("http://127.0.0.1:"),
        "WIREFEED_BIND: {}",
        app.address
    );
    assert!(db.exists(), "WIREFEED_DATABASE");
    let atom = app.get("/feeds/all.atom");
    assert_eq!(atom.status, 200);
    assert!(atom.body.contains("Env Wire"), "WIREFEED_CONFIG");
    assert!(
        atom.body
            .contains("href=\"http://wire.example:8123/feeds/all.atom\" rel=\"self\""),
        "WIREFEED_BASE_URL: {}",
        atom.body
    );
    // WIREFEED_LOG=debug logs each request (the helpers' servers run at warn and log none).
    app.eventually(|| {
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("/feeds/all.atom")
            .then_some(())
    });
    // Flags win over the variables.
    let (code, out, err) = {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
            .args(["--database", "/nonexistent/x.db", "check"])
            .env("WIREFEED_CONFIG", &config)
            .env("WIREFEED_DATABASE", &db)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(
        format!("{out}{err}").contains("/nonexistent/x.db"),
        "--database beats WIREFEED_DATABASE: {code:?} {out}{err}"
    );
}

#[test]
fn a_base_url_that_is_not_an_absolute_http_url_is_a_usage_error() {
    use std::io::BufRead;
    let (_dir, config, db) = setup();
    for url in ["ftp://x", "not a url", "/relative"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
            .arg("--config")
            .arg(&config)
            .arg("--database")
            .arg(&db)
            .args(["serve", "--bind", "127.0.0.1:0", "--base-url", url])
            .env("WIREFEED_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A server that starts prints its address; one that refuses the URL exits first.
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.starts_with("listening on") {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{url}: the server started with it as its base URL");
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(err.contains("base"), "{url}: {err}");
    }
}
