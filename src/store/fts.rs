//! The search index's keys and facets, as migration 9's triggers write them.
//!
//! An entry's rowid is the article's `published_at` above its rowid, so FTS5 hands out matches in
//! feed order (to the second) and a feed page stops after its last item; the `facets` column
//! holds the article's language and topics as tokens, so the language and topic of a feed are
//! matched inside FTS5 rather than filtered row by row.

/// Bits of an entry's rowid that hold the article's rowid.
pub(super) const ROWID_BITS: u32 = 28;
/// The article rowid part of an entry's rowid, as SQL.
pub(super) const ROWID_MASK_SQL: &str = "268435455";
/// `published_at` is clamped to ±2^34 s (years 1425–2514) so the key cannot overflow; stories
/// dated outside share the extreme second and are ordered exactly by the page query's sort.
const CLAMP: i64 = 1 << 34;

/// The clamped second of a `published_at`, as it sits in an entry's rowid.
pub(super) fn second(published_at: i64) -> i64 {
    published_at.clamp(-CLAMP, CLAMP - 1)
}

/// The smallest entry rowid of a second.
pub(super) fn first_key(published_at: i64) -> i64 {
    second(published_at) << ROWID_BITS
}

/// The bound below which entries are older than a cursor at `published_at` (its whole second
/// included: the page query compares `(published_at, id)` exactly).
pub(super) fn before_bound(published_at: i64) -> i64 {
    if second(published_at) == CLAMP - 1 {
        i64::MAX
    } else {
        first_key(published_at + 1)
    }
}

/// SQL for the smallest entry rowid of the second `published_at` (an SQL expression), clamped
/// like [`second`].
pub(super) fn first_key_sql(published_at: &str) -> String {
    format!("(max(-17179869184, min(17179869183, {published_at})) << {ROWID_BITS})")
}

/// SQL for the entry rowid of the article row `a` (the triggers' expression).
pub(super) fn key_sql(a: &str) -> String {
    format!(
        "({} | {a}.rowid)",
        first_key_sql(&format!("{a}.published_at"))
    )
}

/// A value as a facet token: a tag letter and the value's UTF-8 bytes in hex (what SQLite's
/// `hex()` writes), so no value can split into several tokens or meet another value's token.
fn facet(tag: char, value: &str) -> String {
    let mut s = String::with_capacity(1 + 2 * value.len());
    s.push(tag);
    for b in value.bytes() {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// The MATCH expression for a reader's search (`text`, from
/// [`super::SearchQuery::match_expr`]) restricted to the text columns, and to a language and a
/// topic when given.
pub(super) fn scoped(text: &str, lang: Option<&str>, topic: Option<&str>) -> String {
    let mut expr = format!("{{headline summary body}} : ({text})");
    if let Some(l) = lang {
        expr.push_str(&format!(" AND facets : \"{}\"", facet('l', l)));
    }
    if let Some(t) = topic {
        expr.push_str(&format!(" AND facets : \"{}\"", facet('t', t)));
    }
    expr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_like_the_feed_and_never_overflow() {
        assert!(first_key(1_795_000_000) > first_key(1_794_999_999) + (1 << ROWID_BITS) - 2);
        assert!(first_key(-100) < first_key(0));
        assert_eq!(first_key(i64::MAX), (CLAMP - 1) << ROWID_BITS);
        assert!(first_key(i64::MIN) < 0);
        assert_eq!(before_bound(i64::MAX), i64::MAX);
        assert_eq!(before_bound(5), first_key(6));
        assert_eq!(
            ROWID_MASK_SQL.parse::<i64>().unwrap(),
            (1 << ROWID_BITS) - 1
        );
    }

    #[test]
    fn facets_are_single_hex_tokens() {
        assert_eq!(facet('t', "bilateral-relations").len(), 1 + 2 * 19);
        assert_eq!(facet('l', "es"), "l6573");
        assert_eq!(
            scoped("\"frontera\"", Some("es"), Some("security")),
            "{headline summary body} : (\"frontera\") AND facets : \"l6573\" AND facets : \"t7365637572697479\""
        );
    }
}
