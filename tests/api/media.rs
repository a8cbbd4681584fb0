//! Pictures (docs/api.md, Pictures) over real HTTP: upload, metadata from the file, renditions
//! served like static files, every format carrying them, the lifecycle, and bad input.

use crate::helpers::{TestApp, local_path, publisher_key, repo, spawn_app_with, story};
use crate::publish::problem;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/data/media").join(name)).unwrap()
}

pub(crate) fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("data/media").join(name)).unwrap()
}

pub(crate) fn upload(
    app: &TestApp,
    token: &str,
    ctype: &str,
    bytes: &[u8],
) -> crate::helpers::Resp {
    let auth = format!("Bearer {token}");
    app.request(
        "POST",
        "/api/v1/media",
        &[("Authorization", &auth), ("Content-Type", ctype)],
        bytes,
    )
}

pub(crate) fn multipart(meta: &Value, file: &[u8], ctype: &str) -> (String, Vec<u8>) {
    let b = "wirefeed-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{meta}\r\n").as_bytes());
    body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

fn files_in(app: &TestApp) -> usize {
    let dir = app.db_path().with_extension("media");
    walk(&dir)
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn an_upload_reads_the_files_metadata_and_serves_renditions_like_static_files() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let r = upload(&app, &token, "image/jpeg", &sample("harbour-patrol.jpg"));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.header("location").unwrap().contains("/api/v1/media/img-"));
    let p = r.json();
    assert_eq!(p["credit"], "ANV / Ilustración");
    assert!(
        p["caption"].as_str().unwrap().contains("patrol boat"),
        "{p}"
    );
    assert!(p["alt_text"].is_string());
    let from: Vec<&str> = p["from_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        from.contains(&"caption") && from.contains(&"credit"),
        "{from:?}"
    );
    let names: Vec<(&str, u64)> = p["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["width"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("thumbnail", 320),
            ("web", 1024),
            ("large", 2048),
            ("original", 2400)
        ]
    );
    // Not yet shown by any story: the newsroom's only.
    let web = &p["renditions"][1];
    let path = local_path(web["href"].as_str().unwrap());
    assert_eq!(app.get(&path).status, 404);
    // A story shows it: public, immutable, ranged, conditional.
    let id = p["id"].as_str().unwrap();
    let mut s = story("with-picture", "Patrol boats leave the harbour");
    s["media"] = json!([id]);
    let r = app.api("POST", "/api/v1/articles", &token, Some(&s));
    assert_eq!(r.status, 201, "{}", r.body);
    let raw = app.get_raw(&path, &[]);
    assert_eq!(raw.bytes.len() as u64, web["bytes"].as_u64().unwrap());
    assert!(raw.bytes.starts_with(&[0xff, 0xd8]));
    assert_eq!(
        raw.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = raw.header("etag").unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", web["sha256"].as_str().unwrap()));
    assert_eq!(
        raw.header("surrogate-key"),
        Some(format!("picture:{id}").as_str())
    );
    assert_eq!(app.get_with(&path, &[("If-None-Match", &etag)]).status, 304);
    let part = app.get_raw(&path, &[("Range", "bytes=0-99")]);
    assert_eq!(part.bytes, raw.bytes[..100]);
    assert!(
        part.header("content-range")
            .unwrap()
            .starts_with("bytes 0-99/")
    );
    assert_eq!(
        app.get_with(&path, &[("Range", "bytes=999999999-")]).status,
        416
    );
    // GPS never reaches a rendition (the sample carries EXIF GPS); credit always does.
    let text = String::from_utf8_lossy(&raw.bytes);
    assert!(!text.contains("GPSLatitude"), "GPS leaked");
    assert!(
        text.contains("ANV / Ilustraci"),
        "credit missing in the rendition"
    );
    // A tag that is not this picture's: 404.
    let wrong = path.replace(&web["sha256"].as_str().unwrap()[..16], "0000000000000000");
    assert_eq!(app.get(&wrong).status, 404);
}

#[test]
fn every_format_carries_the_picture() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let meta = json!({"id": "boat", "caption": "A <b>boat</b> & the sea", "alt_text": "A grey boat", "credit": "Desk"});
    let (ctype, body) = multipart(&meta, &sample("harbour-patrol.jpg"), "image/jpeg");
    let r = upload(&app, &token, &ctype, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["caption"], "A <b>boat</b> & the sea");
    let mut s = story("fmt", "Patrol boats leave the harbour");
    s["media"] = json!([{"id": "boat"}]);
    s["topics"] = json!(["security"]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    let rss = app.get("/feeds/all.rss").body;
    assert!(
        rss.contains("<enclosure url=\"") && rss.contains("type=\"image/jpeg\""),
        "{rss}"
    );
    assert!(rss.contains("xmlns:media=\"http://search.yahoo.com/mrss/\""));
    assert!(rss.contains("<media:content") && rss.contains("<media:thumbnail"));
    assert!(
        rss.contains("A &lt;b&gt;boat&lt;/b&gt; &amp; the sea"),
        "caption escaped"
    );
    // The lead figure heads the item's HTML content (readers that show only content), its
    // caption as text inside the HTML.
    assert!(
        rss.contains("<figure><img src=\"")
            && rss.contains("alt=\"A grey boat\"><figcaption>A &lt;b&gt;boat&lt;/b&gt; &amp; the sea <small>Desk</small></figcaption></figure>"),
        "{rss}"
    );
    let atom = app.get("/feeds/all.atom").body;
    assert!(atom.contains("rel=\"enclosure\"") && atom.contains("<media:content"));
    assert!(atom.contains("&lt;figure&gt;&lt;img src="), "{atom}");
    let jf = app.get("/feeds/all.json").json();
    let item = &jf["items"][0];
    assert!(item["image"].as_str().unwrap().contains("/media/boat/web-"));
    assert_eq!(item["attachments"][0]["mime_type"], "image/jpeg");
    let ninjs = app.get("/articles/fmt.json").json();
    let assoc = &ninjs["associations"][0];
    assert_eq!(assoc["type"], "picture");
    assert_eq!(assoc["renditions"].as_array().unwrap().len(), 4);
    let xml = app.get("/feeds/all.xml").body;
    assert!(xml.contains("qcode=\"ninat:picture\"") && xml.contains("<remoteContent"));
    assert!(xml.contains("tag:anv.example,2026:picture:boat"));
    let page = app.get("/articles/fmt").body;
    assert!(
        page.contains("<figure>")
            && page.contains("srcset=")
            && page.contains("alt=\"A grey boat\"")
    );
    assert!(page.contains("og:image"));
    assert!(!page.contains("<b>boat</b>"), "markup in a caption is text");
    assert_eq!(app.get("/media/boat.json").json()["type"], "picture");
    assert!(app.get("/media/boat.xml").body.contains("drol:caption"));
}

#[test]
fn lifecycle_embargo_kill_and_new_metadata_move_urls_and_access() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let meta = json!({"id": "pic", "caption": "Caption", "alt_text": "Alt"});
    let (ctype, body) = multipart(&meta, &fixture("exactly-320.jpg"), "image/jpeg");
    assert_eq!(upload(&app, &token, &ctype, &body).status, 201);
    let mut s = story("emb", "Embargoed story with a picture");
    s["media"] = json!(["pic"]);
    s["embargo_until"] = json!("2099-01-01T00:00:00Z");
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    let p = app.api("GET", "/api/v1/media/pic", &token, None).json();
    let path = local_path(p["renditions"][0]["href"].as_str().unwrap());
    // Only an embargoed story shows it: unreachable, even at its exact URL.
    assert_eq!(app.get(&path).status, 404);
    assert_eq!(app.get("/media/pic.json").status, 404);
    // A live story shows it too: public.
    let mut live = story("live", "Live story with the same picture");
    live["media"] = json!(["pic"]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&live))
            .status,
        201
    );
    assert_eq!(app.head(&path).status, 200);
    // New metadata: a new version and new URLs; the story's feeds move.
    let before = app
        .get("/feeds/all.json")
        .header("etag")
        .unwrap()
        .to_owned();
    let doc_lm = app
        .get("/articles/live.json")
        .header("last-modified")
        .unwrap()
        .to_owned();
    let r = app.api(
        "PUT",
        "/api/v1/media/pic",
        &token,
        Some(&json!({"caption": "New caption", "alt_text": "Alt"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let new_path = local_path(r.json()["renditions"][0]["href"].as_str().unwrap());
    assert_ne!(new_path, path, "new bytes, new URL");
    assert_eq!(app.head(&new_path).status, 200);
    let after = app.get("/feeds/all.json");
    assert_ne!(after.header("etag").unwrap(), before);
    assert!(after.body.contains("New caption"));
    // In the same second as the story's filing too: Last-Modified has one-second resolution,
    // so the story moves to the next second and an If-Modified-Since poller gets the change.
    let doc = app.get_with("/articles/live.json", &[("If-Modified-Since", &doc_lm)]);
    assert_eq!(doc.status, 200, "Last-Modified stayed {doc_lm}");
    assert!(doc.body.contains("New caption"));
    // A field left out of new metadata is read from the file again (this one has alt text).
    let r = app.api(
        "PUT",
        "/api/v1/media/pic",
        &token,
        Some(&json!({"caption": "x"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["from_file"].to_string().contains("alt_text"));
    let new_path = local_path(r.json()["renditions"][0]["href"].as_str().unwrap());
    // Killing the story that shows it leaves the embargoed one: hidden again (404).
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/live", &token, None)
            .status,
        200
    );
    assert_eq!(app.get(&new_path).status, 404);
    // Killing the picture: 410, and it leaves the story's outputs.
    assert_eq!(
        app.api("DELETE", "/api/v1/media/pic", &token, None).status,
        200
    );
    assert_eq!(app.get(&new_path).status, 410);
    let ninjs = app.api("GET", "/api/v1/articles/emb", &token, None).json();
    assert_eq!(ninjs["media"][0]["id"], "pic", "the story still names it");
    // A story may not show a killed or unknown picture.
    let mut bad = story("bad", "Story with a killed picture");
    bad["media"] = json!(["pic", "nope"]);
    let p = problem(
        &app.api("POST", "/api/v1/articles", &token, Some(&bad)),
        400,
    );
    let errs = p["errors"].to_string();
    assert!(
        errs.contains("killed") && errs.contains("no picture"),
        "{errs}"
    );
}

#[test]
fn bad_uploads_are_refused_clearly_and_leave_nothing_behind() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    // Positive control: a good upload stores files.
    assert_eq!(
        upload(&app, &token, "image/png", &fixture("tiny.png")).status,
        201
    );
    let stored = files_in(&app);
    assert!(stored > 0);
    let cases: &[(&str, &str, u16, &str)] = &[
        ("not-an-image.jpg", "image/jpeg", 400, "not an image"),
        (
            "png-as-jpeg.jpg",
            "image/jpeg",
            400,
            "image/png file sent as image/jpeg",
        ),
        ("truncated.jpg", "image/jpeg", 400, "truncated"),
        ("huge-dims.png", "image/png", 400, "megapixels"),
        ("huge-dims.jpg", "image/jpeg", 400, ""),
        ("animated.webp", "image/webp", 400, "animated"),
        ("animated.gif", "image/gif", 415, "image/jpeg"),
        ("xmp-bomb.jpg", "image/jpeg", 400, "DOCTYPE"),
        ("polyglot.jpg", "image/jpeg", 400, ""),
        ("html-polyglot.jpg", "image/jpeg", 400, ""),
    ];
    for (file, ctype, status, says) in cases {
        let r = upload(&app, &token, ctype, &fixture(file));
        let p = problem(&r, *status);
        assert!(p.to_string().contains(says), "{file}: {p}");
    }
    assert_eq!(files_in(&app), stored, "a refused upload left a file");
    // The worker pool counts what it refused (and, the control, what it made), and nothing
    // is left in flight.
    let m = app.get("/metrics").body;
    let line = |name: &str| {
        m.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name} not in /metrics:\n{m}"))
    };
    assert!(line("wirefeed_media_jobs_total{outcome=\"ok\"}") >= 1);
    assert!(line("wirefeed_media_jobs_total{outcome=\"refused\"}") >= 3);
    assert_eq!(line("wirefeed_media_jobs_in_flight"), 0);
    // More than max_upload_mb: 413 before the body is read.
    let big = vec![0u8; 51 * 1024 * 1024];
    problem(&upload(&app, &token, "image/jpeg", &big), 413);
    // Unknown metadata fields are errors; no key is 401.
    let (ctype, body) = multipart(&json!({"colour": "red"}), &fixture("tiny.png"), "image/png");
    problem(&upload(&app, &token, &ctype, &body), 400);
    problem(
        &app.request(
            "POST",
            "/api/v1/media",
            &[("Content-Type", "image/png")],
            &fixture("tiny.png"),
        ),
        401,
    );
    // Edge cases that are handled: CMYK, grayscale, orientation, transparency, odd EXIF.
    for (file, ctype) in [
        ("cmyk.jpg", "image/jpeg"),
        ("grayscale.jpg", "image/jpeg"),
        ("orientation-6.jpg", "image/jpeg"),
        ("png-alpha.png", "image/png"),
        ("exif-huge-ifd.jpg", "image/jpeg"),
        ("exif-ifd-loop.jpg", "image/jpeg"),
        ("latin1-iim.jpg", "image/jpeg"),
        ("wide-4000x100.jpg", "image/jpeg"),
    ] {
        let r = upload(&app, &token, ctype, &fixture(file));
        assert_eq!(r.status, 201, "{file}: {}", r.body);
        if file == "orientation-6.jpg" {
            let o = &r.json()["renditions"][3];
            assert_eq!(
                (o["width"].as_u64(), o["height"].as_u64()),
                (Some(120), Some(80))
            );
        }
        if file == "latin1-iim.jpg" {
            // Latin-1 IIM text arrives as the same letters, not as mojibake.
            let caption = r.json()["caption"].as_str().unwrap().to_string();
            assert_eq!(
                caption, "Reunión en Lussan: el ministro habló con la prensa en el salón de actos.",
                "{}",
                r.body
            );
        }
    }
}

#[test]
fn a_crash_during_uploads_leaves_no_row_without_its_files_and_check_says_so() {
    let mut app = spawn_app_with(None);
    let token = publisher_key(&app);
    // Uploads in flight when the server is killed.
    let address = app.address.clone();
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let (address, token) = (address.clone(), token.clone());
            std::thread::spawn(move || {
                let (bytes, ctype) = match i {
                    0 => (sample("border-dusk.jpg"), "image/jpeg"),
                    1 => (sample("storm-map.png"), "image/png"),
                    2 => (fixture("exactly-320.jpg"), "image/jpeg"),
                    3 => (fixture("tiny.png"), "image/png"),
                    4 => (fixture("grayscale.jpg"), "image/jpeg"),
                    _ => (fixture("png-alpha.png"), "image/png"),
                };
                let _ = crate::helpers::send_to(
                    &crate::helpers::agent(),
                    &address,
                    "POST",
                    "/api/v1/media",
                    &[
                        ("Authorization", &format!("Bearer {token}")),
                        ("Content-Type", ctype),
                    ],
                    &bytes,
                );
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(150));
    app.kill9();
    for t in threads {
        let _ = t.join();
    }
    // Whatever committed names files that are all there.
    let (code, out, err) = app.cli(&["check", "--verify-media"]);
    assert_eq!(code, 0, "check after a crash: {out}{err}");
    app.restart();
    // A file gone from under a picture: check names it.
    let r = upload(&app, &token, "image/png", &fixture("png-as-jpeg.jpg"));
    assert!(r.status == 201 || r.status == 409, "{}", r.body);
    let first_sha = if r.status == 201 {
        r.json()["renditions"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    } else {
        let id = r.json()["detail"]
            .as_str()
            .unwrap()
            .split('"')
            .nth(1)
            .unwrap()
            .to_owned();
        app.api("GET", &format!("/api/v1/media/{id}"), &token, None)
            .json()["renditions"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dir = app.db_path().with_extension("media");
    let listed = app.cli(&["check"]);
    assert_eq!(listed.0, 0, "{}{}", listed.1, listed.2);
    // An orphan (an upload cut between its files and its row) is reported, not an error.
    let orphan = "ab".repeat(32);
    std::fs::create_dir_all(dir.join("ab/ab")).unwrap();
    std::fs::write(dir.join("ab/ab").join(&orphan), b"x").unwrap();
    let (code, out, _) = app.cli(&["check"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&orphan) && out.contains("named by no picture"),
        "{out}"
    );
    // A missing file is an error naming it; a changed one fails --verify-media.
    let sha = first_sha;
    let path = dir.join(&sha[..2]).join(&sha[2..4]).join(&sha);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, b"changed").unwrap();
    let (code, _, err) = app.cli(&["check"]);
    assert_eq!(
        code, 0,
        "without --verify-media the bytes are not read: {err}"
    );
    let (code, _, err) = app.cli(&["check", "--verify-media"]);
    assert_ne!(code, 0);
    assert!(err.contains(&sha) && err.contains("do not match"), "{err}");
    std::fs::remove_file(&path).unwrap();
    let (code, _, err) = app.cli(&["check"]);
    assert_ne!(code, 0);
    assert!(err.contains(&sha) && err.contains("missing"), "{err}");
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(app.cli(&["check", "--verify-media"]).0, 0, "restored");
}

/// A WebP upload gets WebP renditions beside the JPEG ones (contract §13), served with their own
/// type and carrying the credit; a JPEG upload gets none (the control).
#[test]
fn a_webp_upload_gets_webp_renditions_as_well() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let img = image::RgbImage::from_fn(1400, 700, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(img.as_raw(), 1400, 700, image::ExtendedColorType::Rgb8)
        .unwrap();
    let meta =
        json!({"caption": "A test card", "alt_text": "Coloured bands", "credit": "ANV / Prueba"});
    let (ctype, body) = multipart(&meta, &webp, "image/webp");
    let r = upload(&app, &token, &ctype, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json();
    let got: Vec<(&str, &str, u64)> = p["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["media_type"].as_str().unwrap(),
                r["width"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("thumbnail", "image/jpeg", 320),
            ("web", "image/jpeg", 1024),
            ("large", "image/jpeg", 1400),
            ("original", "image/jpeg", 1400),
            ("thumbnail", "image/webp", 320),
            ("web", "image/webp", 1024),
            ("large", "image/webp", 1400),
            ("original", "image/webp", 1400),
        ]
    );
    let id = p["id"].as_str().unwrap();
    let mut s = story("with-webp", "A test card");
    s["media"] = json!([id]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    let web = &p["renditions"][5];
    let raw = app.get_raw(&local_path(web["href"].as_str().unwrap()), &[]);
    assert_eq!(raw.header("content-type"), Some("image/webp"));
    assert!(raw.bytes.starts_with(b"RIFF") && &raw.bytes[8..12] == b"WEBP");
    let text = String::from_utf8_lossy(&raw.bytes);
    assert!(
        text.contains("ANV / Prueba"),
        "credit missing in the WebP rendition"
    );
    let back = image::load_from_memory(&raw.bytes).unwrap();
    assert_eq!((back.width(), back.height()), (1024, 512));
    // The control: a JPEG upload has JPEG renditions only.
    let r = upload(&app, &token, "image/jpeg", &sample("harbour-patrol.jpg"));
    assert!(
        r.json()["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["media_type"] == "image/jpeg")
    );
}
