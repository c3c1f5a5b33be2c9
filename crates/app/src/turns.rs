//! One message at a time per phone number on this server.
//!
//! A phone's follow-ups (a long SMS split in parts, several messages sent at once, a gateway
//! retrying what was not answered quickly) attach to the same alert. Taken side by side, each
//! reads the alert at one version and all but one lose the commit, read it again and sleep
//! before the next turn; taken in line, each waits for its predecessor's commit and attaches
//! at once, and a follow-up finds the alert its predecessor was creating. Between servers
//! sharing one database the version check still decides (`sms_intake`'s conflict turns), so
//! this is a queue, not the guarantee. (Measured on 2026-12-01: no change in the Twilio path's
//! rate or p99 in the benchmark's usual run; its p99 comes from elsewhere.)
//!
//! Numbers share a fixed set of locks by their digest's hash: an unlucky pair of numbers
//! waits for each other now and then, and memory stays the same whatever the number of
//! phones.

use std::hash::{DefaultHasher, Hash, Hasher};

use tokio::sync::{Mutex, MutexGuard};

/// Locks shared by the numbers: at 64 messages in flight, two numbers meet on one about 1.5 %
/// of the time.
const LOCKS: usize = 4096;

/// The waiting lines, one per group of numbers.
pub(crate) struct Turns {
    locks: Box<[Mutex<()>]>,
}

impl Default for Turns {
    fn default() -> Self {
        Turns {
            locks: (0..LOCKS).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl Turns {
    /// Wait for this number's turn; it lasts as long as the guard.
    pub(crate) async fn take(&self, phone_digest: &str) -> MutexGuard<'_, ()> {
        self.locks[Self::line(phone_digest)].lock().await
    }

    fn line(phone_digest: &str) -> usize {
        let mut h = DefaultHasher::new();
        phone_digest.hash(&mut h);
        // The remainder is below LOCKS, which fits in usize.
        (h.finish() % LOCKS as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_number_is_taken_one_message_at_a_time() {
        let turns = Arc::new(Turns::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (turns, inside, most) = (turns.clone(), inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = turns.take("digest-of-one-number").await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn other_numbers_do_not_wait() {
        let turns = Turns::default();
        // Two numbers on different lines: holding one leaves the other free.
        let (a, b) = (0..10)
            .map(|i| format!("number-{i}"))
            .map(|n| (n.clone(), Turns::line(&n)))
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[0].1 != w[1].1)
            .map(|w| (w[0].0.clone(), w[1].0.clone()))
            .expect("two numbers on different lines");
        let _held = turns.take(&a).await;
        let other = tokio::time::timeout(std::time::Duration::from_secs(1), turns.take(&b)).await;
        assert!(other.is_ok(), "another number waited for a held one");
        // And the held number's own line is busy.
        assert!(turns.locks[Turns::line(&a)].try_lock().is_err());
    }
}
