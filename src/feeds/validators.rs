//! Validators that always move: what `Last-Modified` a newly rendered page may carry.

use super::Representation;
use chrono::{DateTime, Utc};

/// Validators always move (docs/api.md, Wire semantics): a page whose bytes changed gets a `Last-Modified`
/// strictly later than the one served before, and never later than now (RFC 9110 §8.8.2.1).
/// When that is not possible yet (two changes within one second), the previous document is
/// served until the next second begins. Readers such as newsboat drop a 200 whose
/// `Last-Modified` did not advance, and would never see the second change.
pub(super) fn settle(
    prev: Option<&Representation>,
    mut rep: Representation,
    now: DateTime<Utc>,
) -> Representation {
    let Some(prev) = prev else { return rep };
    if prev.same_body(&rep) {
        // Same bytes: the same validators, whatever the data's dates say now.
        rep.set_last_modified(prev.last_modified);
        return rep;
    }
    if rep.last_modified > prev.last_modified {
        return rep;
    }
    let next = prev.last_modified + chrono::Duration::seconds(1);
    if next <= now {
        rep.set_last_modified(next);
        return rep;
    }
    let mut hold = prev.clone();
    hold.expires_at = Some(next.timestamp());
    hold.deps = rep.deps;
    hold
}

/// Blocks until the clock reaches `second` (Unix time): a change recorded for the next second
/// can be served once it begins. Called only right after two changes within one second.
pub(super) fn wait_for_second(second: i64) {
    while Utc::now().timestamp() < second {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
