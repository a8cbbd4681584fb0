//! One render per page under a burst of misses: concurrent requests for the same page wait for
//! the first render instead of repeating it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The locks of pages being rendered, by page key.
pub(super) type Turns = Mutex<HashMap<String, Arc<Mutex<()>>>>;

/// A place in line to render one page; leaving the line (even by an error or a panic) removes
/// the page's lock once nobody else waits on it.
pub(super) struct RenderTurn<'a> {
    map: &'a Turns,
    pub(super) key: String,
    pub(super) lock: Arc<Mutex<()>>,
}

impl<'a> RenderTurn<'a> {
    pub(super) fn take(map: &'a Turns, key: String) -> Self {
        let lock = map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        RenderTurn { map, key, lock }
    }
}

impl Drop for RenderTurn<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = map
            .get(&self.key)
            .is_some_and(|l| Arc::ptr_eq(l, &self.lock));
        // Two holders: the map and us. More means someone is still waiting for this page.
        if ours && Arc::strong_count(&self.lock) == 2 {
            map.remove(&self.key);
        }
    }
}
