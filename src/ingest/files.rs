//! Article files (`.md` with TOML front matter, `.json`, `.jsonl`) → entries with `file:line`.

use super::{ArticleInput, Rules};
use crate::model::{ArticleId, Draft};
use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One article read from a file, or why it could not be.
pub struct Entry {
    /// File it came from.
    pub path: PathBuf,
    /// 1-based line of the entry (or of the bad field).
    pub line: usize,
    /// The article, with an id always set, or the reason it is invalid.
    pub result: Result<Draft, String>,
}

/// Lists article files under `paths` (folders recursively), sorted, or says which path is missing.
///
/// One policy for every path: a path that does not exist is a usage error (a typo, exit 2);
/// a file or folder that exists but cannot be read is reported like an invalid entry, by
/// [`read_file`], and the rest is imported (exit 1).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, &mut seen);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    Ok(out)
}

/// Adds the article files under `dir`; a folder that cannot be listed is added itself, so that
/// reading it reports why. Links to folders are followed, but each folder (device and inode) is
/// read once: a link back up the tree, or two links to one folder, cannot loop or repeat.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut HashSet<(u64, u64)>) {
    if let Ok(m) = std::fs::metadata(dir)
        && !seen.insert((m.dev(), m.ino()))
    {
        return;
    }
    let entries = std::fs::read_dir(dir).and_then(|rd| rd.collect::<Result<Vec<_>, _>>());
    let Ok(mut entries) = entries else {
        out.push(dir.to_owned());
        return;
    };
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out, seen);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("md" | "json" | "jsonl")
        ) {
            out.push(p);
        }
    }
}

/// Reads every article in one file; each entry is valid or carries `reason` for its `line`.
pub fn read_file(path: &Path, rules: &Rules<'_>) -> Vec<Entry> {
    if path.is_dir() {
        let why = std::fs::read_dir(path).err().map_or_else(
            || "cannot read the folder".to_owned(),
            |e| format!("cannot read the folder: {e}"),
        );
        return vec![entry_err(path, 1, why)];
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            // A byte order mark is not part of the content (editors on Windows write one).
            Ok(t) => t.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(t),
            Err(_) => return vec![entry_err(path, 1, "file is not valid UTF-8".into())],
        },
        Err(e) => return vec![entry_err(path, 1, format!("cannot read: {e}"))],
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("md") => vec![read_markdown(path, &text, rules)],
        Some("json") => vec![read_json(path, &text, rules)],
        Some("jsonl") => read_json_lines(path, &text, rules),
        _ => vec![entry_err(
            path,
            1,
            "unknown file type; expected .md, .json or .jsonl".into(),
        )],
    }
}

/// Calls `f` with every entry of one file, reading `.jsonl` line by line so files of any size
/// stream through in constant memory.
pub fn stream_file<E>(
    path: &Path,
    rules: &Rules<'_>,
    mut f: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), E> {
    if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
        return read_file(path, rules).into_iter().try_for_each(f);
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return f(entry_err(path, 1, format!("cannot read: {e}"))),
    };
    use std::io::BufRead;
    for (i, line) in std::io::BufReader::with_capacity(1 << 16, file)
        .lines()
        .enumerate()
    {
        let entry = match line {
            Ok(l) if l.trim().is_empty() => continue,
            Ok(l) => json_line(path, i + 1, &l, rules),
            Err(e) => entry_err(path, i + 1, format!("cannot read: {e}")),
        };
        f(entry)?;
    }
    Ok(())
}

fn json_line(path: &Path, line: usize, text: &str, rules: &Rules<'_>) -> Entry {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let result = serde_json::from_str::<ArticleInput>(text)
        .map_err(|e| json_reason(&e))
        .and_then(|input| finish(input, rules, || generated_id(text), |_| None))
        .map_err(|(_, reason)| reason);
    Entry {
        path: path.to_owned(),
        line,
        result,
    }
}

/// Reads JSON lines from any text (stdin for `classify`), named `path` in errors.
pub fn read_json_lines(path: &Path, text: &str, rules: &Rules<'_>) -> Vec<Entry> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| json_line(path, i + 1, l, rules))
        .collect()
}

fn entry_err(path: &Path, line: usize, reason: String) -> Entry {
    Entry {
        path: path.to_owned(),
        line,
        result: Err(reason),
    }
}

fn json_reason(e: &serde_json::Error) -> (usize, String) {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; the line is reported separately.
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    (e.line(), msg)
}

fn read_json(path: &Path, text: &str, rules: &Rules<'_>) -> Entry {
    let stem = file_stem_id(path);
    let result = serde_json::from_str::<ArticleInput>(text)
        .map_err(|e| json_reason(&e))
        .and_then(|input| {
            finish(
                input,
                rules,
                || stem.clone(),
                |field| find_line(text, &format!("\"{field}\"")),
            )
        });
    match result {
        Ok(d) => Entry {
            path: path.to_owned(),
            line: 1,
            result: Ok(d),
        },
        Err((line, reason)) => entry_err(path, line.max(1), reason),
    }
}

fn read_markdown(path: &Path, text: &str, rules: &Rules<'_>) -> Entry {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return entry_err(
            path,
            1,
            "expected TOML front matter opening with a +++ line".into(),
        );
    };
    let Some((front, body, body_line)) = split_front_matter(rest) else {
        return entry_err(path, 1, "front matter is not closed by a +++ line".into());
    };
    // Front matter starts on line 2.
    let value: toml::Table = match toml::from_str(front) {
        Ok(v) => v,
        Err(e) => {
            let line = e
                .span()
                .map(|s| front[..s.start].matches('\n').count() + 2)
                .unwrap_or(2);
            return entry_err(path, line, e.message().trim().to_owned());
        }
    };
    if value.contains_key("body") {
        let line = find_line(front, "body").map(|l| l + 1).unwrap_or(2);
        return entry_err(
            path,
            line,
            "the body goes after the closing +++ line, not in the front matter".into(),
        );
    }
    let mut json = toml_to_json(toml::Value::Table(value));
    if let serde_json::Value::Object(m) = &mut json {
        m.insert("body".into(), serde_json::Value::String(body.to_owned()));
    }
    let stem = file_stem_id(path);
    let result = serde_json::from_value::<ArticleInput>(json)
        .map_err(|e| {
            let msg = e.to_string();
            let line = unknown_field_name(&msg)
                .and_then(|f| find_line(front, f))
                .map(|l| l + 1)
                .unwrap_or(2);
            (line, msg)
        })
        .and_then(|input| {
            finish(
                input,
                rules,
                || stem.clone(),
                |field| {
                    if field == "body" {
                        Some(body_line)
                    } else {
                        find_line(front, field).map(|l| l + 1)
                    }
                },
            )
        });
    match result {
        Ok(d) => Entry {
            path: path.to_owned(),
            line: 1,
            result: Ok(d),
        },
        Err((line, reason)) => entry_err(path, line.max(1), reason),
    }
}

/// Splits the text after the opening `+++` into front matter, body and the body's first line.
pub(super) fn split_front_matter(rest: &str) -> Option<(&str, &str, usize)> {
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            let after = &rest[offset + line.len()..];
            let body = after.trim_start_matches(['\n', '\r']);
            let skipped = after[..after.len() - body.len()].matches('\n').count();
            // Line 1 is the opening +++, the closing one is line i + 2.
            return Some((&rest[..offset], body, i + 3 + skipped));
        }
        offset += line.len();
    }
    None
}

fn unknown_field_name(msg: &str) -> Option<&str> {
    msg.strip_prefix("unknown field `")?.split('`').next()
}

/// 1-based line of the first line that starts with `key` (after spaces), within `text`.
fn find_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
}

fn finish(
    input: ArticleInput,
    rules: &Rules<'_>,
    default_id: impl FnOnce() -> String,
    line_of: impl Fn(&str) -> Option<usize>,
) -> Result<Draft, (usize, String)> {
    let mut draft = input.validate(rules).map_err(|errors| {
        let first = &errors[0];
        let line = line_of(&first.field).unwrap_or(1);
        let reason = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        (line, reason)
    })?;
    if draft.id.is_none() {
        draft.id = ArticleId::parse(&default_id()).ok();
    }
    if draft.id.is_none() {
        return Err((
            1,
            "id: no id given and none can be made from the file name".into(),
        ));
    }
    Ok(draft)
}

fn file_stem_id(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("article")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect()
}

/// A stable id for an entry that has none: FNV-1a of its text.
pub fn generated_id(text: &str) -> String {
    format!("a-{:016x}", crate::text::fnv1a(text.as_bytes()))
}

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => J::from(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}
