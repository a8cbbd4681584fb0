//! The layering written down in `src/lib.rs`, enforced: a module may use only modules of a
//! lower layer (so no import circle between top-level modules is possible), and the files of
//! one module folder import each other without a circle. Reads the sources as text; a `use`
//! of `crate::x` or a path `crate::x::…` anywhere outside a comment counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module and its layer, lowest first. Keep in step with `src/lib.rs`.
const LAYERS: &[(&str, u32)] = &[
    ("text", 0),
    ("threads", 0),
    ("model", 1),
    ("config", 2),
    ("metrics", 2),
    ("logging", 2),
    ("store", 3),
    ("changes", 4),
    ("auth", 4),
    ("usage", 4),
    ("classify", 4),
    ("places", 4),
    ("media", 4),
    ("limits", 5),
    ("ingest", 5),
    ("urls", 5),
    ("articles", 6),
    ("render", 6),
    ("import", 7),
    ("pages", 7),
    ("feeds", 8),
    ("publish", 8),
    ("cdn", 8),
    ("websub", 9),
    ("alerts", 9),
    ("app", 10),
    ("http", 11),
    ("cli", 12),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments (line comments, doc comments, block comments),
/// string contents kept: a module path inside a string is not an import, but none is written so.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block = 0;
    for line in text.lines() {
        let mut l = line;
        if block > 0 {
            match l.find("*/") {
                Some(i) => {
                    block -= 1;
                    l = &l[i + 2..];
                }
                None => continue,
            }
        }
        if let Some(i) = l.find("/*") {
            if !l[i..].contains("*/") {
                block += 1;
            }
            l = &l[..i];
        }
        if let Some(i) = l.find("//") {
            l = &l[..i];
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The identifiers that follow `prefix` (`crate::` or `super::`) in `code`, including those
/// inside `use prefix{a, b::c}` groups.
fn paths_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let id = ident(part.trim());
                if !id.is_empty() {
                    found.insert(id);
                }
            }
        } else {
            let id = ident(rest);
            if !id.is_empty() {
                found.insert(id);
            }
        }
    }
    found
}

/// The top-level module a source file belongs to (`None` for `lib.rs`, `main.rs`).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => None,
        Some(m) => Some(m.to_owned()),
        None => Some(first),
    }
}

/// Upward or sideways imports: (file, module it is in, module it uses).
fn violations(layers: &BTreeMap<&str, u32>) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Some(m) = module_of(&f) else { continue };
        let Some(&mine) = layers.get(m.as_str()) else {
            out.push(format!("{}: module {m} has no layer", f.display()));
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for used in paths_after(&code(&text), "crate::") {
            if used == m {
                continue;
            }
            match layers.get(used.as_str()) {
                Some(&theirs) if theirs < mine => {}
                Some(&theirs) => out.push(format!(
                    "{}: {m} (layer {mine}) uses {used} (layer {theirs})",
                    f.strip_prefix(src()).unwrap().display()
                )),
                None => out.push(format!(
                    "{}: uses crate::{used}, which has no layer",
                    f.strip_prefix(src()).unwrap().display()
                )),
            }
        }
    }
    out
}

/// Circles among the files of one module folder (`mod.rs` is the folder's face and left out:
/// its children may use what it declares).
fn sibling_circles() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let siblings: BTreeSet<String> = entries
            .iter()
            .filter_map(|p| {
                let name = p.file_stem()?.to_str()?.to_owned();
                (p.is_dir() || p.extension().is_some_and(|x| x == "rs")).then_some(name)
            })
            .filter(|n| n != "mod" && n != "lib" && n != "main")
            .collect();
        for p in &entries {
            if p.is_dir() {
                dirs.push(p.clone());
                continue;
            }
            let Some(name) = p.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if !siblings.contains(name) || dir == src() {
                continue;
            }
            let text = code(&std::fs::read_to_string(p).unwrap());
            let used: BTreeSet<String> = paths_after(&text, "super::")
                .into_iter()
                .filter(|u| siblings.contains(u) && u != name)
                .collect();
            edges.insert(name.to_owned(), used);
        }
        // Depth-first search for a back edge.
        fn visit(
            n: &str,
            edges: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = path.iter().position(|p| p == n) {
                let mut c = path[i..].to_vec();
                c.push(n.to_owned());
                return Some(c);
            }
            if done.contains(n) {
                return None;
            }
            path.push(n.to_owned());
            for m in edges.get(n).into_iter().flatten() {
                if let Some(c) = visit(m, edges, path, done) {
                    return Some(c);
                }
            }
            path.pop();
            done.insert(n.to_owned());
            None
        }
        let mut done = BTreeSet::new();
        for n in edges.keys() {
            if let Some(c) = visit(n, &edges, &mut Vec::new(), &mut done) {
                out.push(format!(
                    "{}: {}",
                    dir.strip_prefix(src()).unwrap().display(),
                    c.join(" -> ")
                ));
                break;
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_lower_layers() {
    let layers: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    // Every module declared in lib.rs has a layer, and every layer names a module.
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let named: BTreeSet<&str> = layers.keys().copied().collect();
    assert_eq!(declared, named, "src/lib.rs and LAYERS name other modules");
    let v = violations(&layers);
    assert!(
        v.is_empty(),
        "imports against the layering:\n{}",
        v.join("\n")
    );
}

#[test]
fn no_circle_among_the_files_of_a_module() {
    let c = sibling_circles();
    assert!(c.is_empty(), "import circles:\n{}", c.join("\n"));
}

#[test]
fn the_checks_see_a_violation_when_there_is_one() {
    // Positive controls: the same checks on layerings that are wrong on purpose.
    let mut layers: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    layers.insert("store", 9); // store uses model etc.: fine; but render uses store...
    layers.insert("render", 1);
    let v = violations(&layers);
    assert!(
        v.iter().any(|l| l.contains("render (layer 1) uses")),
        "a render module above nothing must be reported: {v:?}"
    );
    assert_eq!(
        paths_after("use crate::{a, b::c};\nlet x = crate::d::e();", "crate::"),
        BTreeSet::from(["a".into(), "b".into(), "d".into()])
    );
    assert_eq!(
        paths_after(&code("// crate::a\n/* crate::b */ x"), "crate::"),
        BTreeSet::new()
    );
}
