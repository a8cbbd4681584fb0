//! Feed pages are index range scans: a page costs the same with a million articles as with a
//! hundred (`scripts/bench.sh` measures it at a million).

use wirefeed::store::{Cursor, PageQuery, Selection, Store};

#[test]
fn every_feed_page_query_is_an_index_range_with_no_sort_or_full_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("plan.db"), true).unwrap();
    let selections = [
        Selection::All,
        Selection::Kills,
        Selection::Topic("security".into()),
    ];
    let cursor = Some(Cursor {
        key: 1_790_000_000,
        id: "a".into(),
    });
    // `?country=` pages (contract §14) walk `article_places` the same way.
    for (selection, country) in selections
        .iter()
        .flat_map(|s| [(s.clone(), None), (s.clone(), Some("US".to_owned()))])
    {
        for lang in [None, Some("es".to_owned())] {
            for (before, after) in [(None, None), (cursor.clone(), None), (None, cursor.clone())] {
                // A poll since an hour ago (few rows changed) and since half a year ago (most did).
                for since in [None, Some(1_794_996_400_000), Some(1_780_000_000_000)] {
                    // Few changed rows are found by change time; many, by walking the feed order.
                    for by_change in [false, true] {
                        let q = PageQuery {
                            selection: selection.clone(),
                            lang: lang.clone(),
                            before: before.clone(),
                            after: after.clone(),
                            since,
                            limit: 51,
                            now: 1_795_000_000,
                            search: None,
                            country: country.clone(),
                            latest: None,
                        };
                        let plan = store.explain_page(&q, by_change).unwrap();
                        let text = plan.join("\n");
                        let recent = since.is_some() && by_change;
                        if !recent || selection == Selection::Kills {
                            assert!(!text.contains("TEMP B-TREE"), "{q:?} sorts:\n{text}");
                        } else {
                            assert!(
                                text.contains("_by_seen"),
                                "{q:?} does not use the change-time index:\n{text}"
                            );
                        }
                        for step in &plan {
                            let scan_without_index = step.starts_with("SCAN")
                                && !step.contains("USING INDEX")
                                && !step.contains("USING COVERING INDEX");
                            assert!(!scan_without_index, "{q:?} scans a table:\n{text}");
                        }
                        assert!(
                            text.contains("INDEX") || text.contains("PRIMARY KEY"),
                            "{q:?}:\n{text}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_saved_search_page_walks_the_search_index_in_feed_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("plan.db"), true).unwrap();
    let cursor = Some(Cursor {
        key: 1_790_000_000,
        id: "a".into(),
    });
    for selection in [Selection::All, Selection::Topic("security".into())] {
        for lang in [None, Some("es".to_owned())] {
            for (before, after) in [(None, None), (cursor.clone(), None), (None, cursor.clone())] {
                let q = PageQuery {
                    selection: selection.clone(),
                    lang: lang.clone(),
                    before: before.clone(),
                    after: after.clone(),
                    since: None,
                    country: None,
                    latest: None,
                    limit: 51,
                    now: 1_795_000_000,
                    search: Some("\"frontera\"".into()),
                };
                let text = store.explain_page(&q, false).unwrap().join("\n");
                // The walk is the search index in its own (rowid) order, bounded by the
                // cursor: nothing sorts the matches, whatever their number.
                assert!(text.contains("VIRTUAL TABLE INDEX"), "{q:?}:\n{text}");
                assert!(!text.contains("TEMP B-TREE"), "{q:?}:\n{text}");
                assert!(!text.contains("SCAN a"), "{q:?}:\n{text}");
            }
        }
    }
}

/// `?latest=true` (contract §15) adds one probe of the partial index on `evolved_from` per row
/// the walk reaches: still one index range, no sort, no scan.
#[test]
fn a_latest_takes_page_is_the_same_index_range_with_one_probe_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("plan.db"), true).unwrap();
    let cursor = Some(Cursor {
        key: 1_790_000_000,
        id: "a".into(),
    });
    for selection in [
        Selection::All,
        Selection::Kills,
        Selection::Topic("security".into()),
    ] {
        for country in [None, Some("US".to_owned())] {
            for (before, after) in [(None, None), (cursor.clone(), None), (None, cursor.clone())] {
                for (since, by_change) in [(None, false), (Some(1_794_996_400_000), true)] {
                    for search in [None, Some("\"frontera\"".to_owned())] {
                        let mut q = PageQuery {
                            selection: selection.clone(),
                            lang: None,
                            before: before.clone(),
                            after: after.clone(),
                            since,
                            limit: 51,
                            now: 1_795_000_000,
                            search: search.clone(),
                            country: country.clone(),
                            latest: None,
                        };
                        let control = store.explain_page(&q, by_change).unwrap().join("\n");
                        // The positive control: without the filter, no probe of the index.
                        assert!(!control.contains("articles_by_evolved_from"), "{control}");
                        q.latest = Some(vec!["security".into()]);
                        let plan = store.explain_page(&q, by_change).unwrap();
                        let text = plan.join("\n");
                        assert!(
                            text.contains("USING INDEX articles_by_evolved_from (evolved_from=?)"),
                            "{q:?} does not probe the index:\n{text}"
                        );
                        // The filter adds no sort and no scan to what the page already did.
                        assert_eq!(
                            text.matches("TEMP B-TREE").count(),
                            control.matches("TEMP B-TREE").count(),
                            "{q:?}:\n{text}"
                        );
                        for step in &plan {
                            let scan_without_index = step.starts_with("SCAN")
                                && !step.contains("USING INDEX")
                                && !step.contains("USING COVERING INDEX")
                                && !step.contains("VIRTUAL TABLE")
                                && !step.contains("json_each");
                            assert!(!scan_without_index, "{q:?} scans a table:\n{text}");
                        }
                    }
                }
            }
        }
    }
}
