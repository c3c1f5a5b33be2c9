//! Remembered query results. A gazetteer never changes once built, and the words alerts use
//! repeat endlessly ("hommes armés", "depuis", the same village names): scoring a query is a
//! pure function of the query and the gazetteer, so its hits can be kept and handed out
//! again. This is what lets the grammar read a whole message in microseconds instead of
//! milliseconds under load; the answers are exactly those of scoring again (tested).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Hit;

/// Most queries remembered; past this the memo starts again empty, which costs one re-scoring
/// of each word in use and bounds memory (a few MiB) whatever text comes in.
const CAPACITY: usize = 200_000;

/// What a query is: its words as typed (folded), and the area it was limited to.
pub(super) type Key = (String, Option<usize>);

/// The remembered hits of queries, shared by every thread reading the gazetteer.
#[derive(Default)]
pub(crate) struct Memo {
    hits: Mutex<HashMap<Key, Arc<[Hit]>>>,
}

impl Memo {
    /// The hits remembered for `key`.
    pub(super) fn get(&self, key: &Key) -> Option<Arc<[Hit]>> {
        self.hits.lock().ok()?.get(key).cloned()
    }

    /// Remember the hits of `key`.
    pub(super) fn put(&self, key: Key, hits: Arc<[Hit]>) {
        if let Ok(mut m) = self.hits.lock() {
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(key, hits);
        }
    }

    /// How many queries are remembered.
    pub(crate) fn len(&self) -> usize {
        self.hits.lock().map(|m| m.len()).unwrap_or(0)
    }
}

impl Clone for Memo {
    /// A copy of a gazetteer starts with an empty memo: the hits stay valid, but sharing one
    /// lock between copies would only add contention.
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memo({} queries)", self.len())
    }
}
