//! Saved searches (`?q=` on a feed, docs/api.md, Pages, search and discovery) page exactly like the feed they filter: the
//! same order (`published_at`, then id, newest first, ties within a second included), every
//! match once across `next` links, `previous` links back, per language and topic, and with
//! `since=`. The search index walks its matches in feed order, so these pin that walk to the
//! feed's own.

use crate::helpers::*;
use serde_json::json;

/// Ids of `prefix` stories on every page of `path`, following `next_url`.
fn walk(app: &TestApp, path: &str, prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(path.to_owned());
    let mut pages = 0;
    while let Some(p) = next {
        let r = app.get(&p);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        let feed = r.json();
        ids.extend(
            json_ids(&feed)
                .into_iter()
                .filter(|id| id.starts_with(prefix)),
        );
        next = feed["next_url"].as_str().map(local_path);
        pages += 1;
        assert!(pages < 200, "{path} does not end");
    }
    ids
}

fn link<'a>(atom: &'a str, rel: &str) -> Option<&'a str> {
    let at = atom.find(&format!("rel=\"{rel}\""))?;
    let tag_start = atom[..at].rfind("<link")?;
    let tag = &atom[tag_start..];
    let href = tag.find("href=\"")? + "href=\"".len();
    Some(&tag[href..href + tag[href..].find('"')?])
}

fn atom_ids(atom: &str) -> Vec<String> {
    atom.split("<entry>")
        .skip(1)
        .map(|e| {
            let from = e.find("/articles/").unwrap() + "/articles/".len();
            e[from..].split(['"', '<', '.']).next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_saved_search_pages_like_its_feed_with_ties_languages_topics_and_since() {
    let app = spawn_app();
    let token = key(&app, "desk", "publisher", &[]);
    // 36 stories, six to a second, Spanish and English, half about security, three in four
    // mentioning Zorvana. Within a second the later filed has the lower id, so the search
    // index's own order there (newest filed first) is the reverse of the feed's (id, highest
    // first): a page that ends mid-second is only right if the whole second is read.
    let mut matching = Vec::new();
    for n in 0..36 {
        let g = n / 6;
        let es = g % 3 != 0;
        let security = g % 2 == 0;
        let zorvana = n % 4 != 3;
        let topic_text = match (security, es) {
            (true, true) => "Decomisan cocaína; detenidos narcotraficantes del cartel.",
            (true, false) => "Cocaine seized; drug traffickers of the cartel detained.",
            (false, true) => "Reunión de ministros sobre comercio.",
            (false, false) => "Ministers meet on trade.",
        };
        let place = if zorvana { " en Zorvana" } else { "" };
        let id = format!("sf-{:02}", 35 - n);
        let body = json!({
            "id": id,
            "headline": format!("Nota {n}{place}"),
            "body": format!("{topic_text} Texto{place}."),
            "language": if es { "es" } else { "en" },
            "published_at": format!("2026-03-01T{:02}:00:00Z", n % 6),
        });
        let r = app.api("POST", "/api/v1/articles", &token, Some(&body));
        assert_eq!(r.status, 201, "{}", r.body);
        if zorvana {
            matching.push(id);
        }
    }
    app.eventually(|| (walk(&app, "/feeds/all.json?limit=50", "sf-").len() == 36).then_some(()));

    let (mut checked, mut second_pages) = (0, 0);
    for feed in ["all", "security"] {
        for lang in ["", "&lang=es", "&lang=en"] {
            let plain = walk(&app, &format!("/feeds/{feed}.json?limit=50{lang}"), "sf-");
            let expected: Vec<_> = plain
                .into_iter()
                .filter(|id| matching.contains(id))
                .collect();
            let searched = walk(
                &app,
                &format!("/feeds/{feed}.json?q=zorvana&limit=4{lang}"),
                "sf-",
            );
            assert_eq!(searched, expected, "{feed} {lang}");
            if !expected.is_empty() {
                checked += 1;
            }
            // The last story of the plain order, and a second page that starts mid-second.
            let atom = app.get(&format!("/feeds/{feed}.atom?q=zorvana&limit=4{lang}"));
            let first = atom_ids(&atom.body);
            assert_eq!(first, expected[..expected.len().min(4)], "{feed} {lang}");
            let next = link(&atom.body, "next");
            assert_eq!(
                next.is_some(),
                expected.len() > 4,
                "{feed} {lang}: a next link exactly when there are more than 4"
            );
            if let Some(next) = next {
                second_pages += 1;
                let second = app.get(&local_path(&next.replace("&amp;", "&")));
                assert_eq!(atom_ids(&second.body), expected[4..expected.len().min(8)]);
                // `previous` from the second page is the first page again.
                let prev = link(&second.body, "previous").expect("a previous link");
                let back = app.get(&local_path(&prev.replace("&amp;", "&")));
                assert_eq!(atom_ids(&back.body), first, "{feed} {lang}: previous");
            }
        }
    }
    assert!(checked >= 5, "the selections had matches");
    assert!(
        second_pages >= 5,
        "only {second_pages} second pages were checked"
    );

    // `since=`: only what changed after it, still in feed order.
    let mark = chrono::Utc::now() - chrono::Duration::milliseconds(1);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let update = json!({"id": "sf-10", "headline": "Nota corregida en Zorvana", "body": "Texto en Zorvana.",
        "language": "es", "published_at": "2026-03-01T05:00:00Z"});
    assert_eq!(
        app.api("PUT", "/api/v1/articles/sf-10", &token, Some(&update))
            .status,
        200
    );
    let since = mark.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let path = format!(
        "/feeds/all.json?q=zorvana&since={}",
        since.replace('+', "%2B")
    );
    let got = app.eventually(|| {
        let ids = walk(&app, &path, "sf-");
        (!ids.is_empty()).then_some(ids)
    });
    assert_eq!(got, ["sf-10"]);
    // The same with a prefix (its matches are gathered once, not asked row by row), and in the
    // topic feed the story is not in.
    let prefixed = path.replace("q=zorvana", "q=zorv*");
    assert_eq!(walk(&app, &prefixed, "sf-"), ["sf-10"]);
    assert!(walk(&app, &prefixed.replace("/all.", "/security."), "sf-").is_empty());
    // A word no story has, with since=, in a language: an empty page, not an error.
    assert!(walk(&app, &format!("{path}&lang=en"), "sf-").is_empty());
}
