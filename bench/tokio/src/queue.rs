//! A bounded FIFO queue with asyncio.Queue semantics for the
//! `queue_pipeline` workload: `put` waits while the queue is full, `get`
//! waits while it is empty, `task_done` marks one got item as processed and
//! `join` waits until every item ever put has been marked done.
//!
//! Two semaphores count the free slots and the queued items; a plain mutex
//! guards the buffer (never held across an await, so never contended on a
//! current_thread runtime).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, Semaphore};

/// A cloneable handle to one shared queue.
#[derive(Clone)]
pub struct Queue {
    inner: Arc<Inner>,
}

struct Inner {
    buf: Mutex<VecDeque<u64>>,
    free: Semaphore,
    queued: Semaphore,
    unfinished: AtomicUsize,
    all_done: Notify,
}

impl Queue {
    /// A queue holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        Queue {
            inner: Arc::new(Inner {
                buf: Mutex::new(VecDeque::with_capacity(capacity)),
                free: Semaphore::new(capacity),
                queued: Semaphore::new(0),
                unfinished: AtomicUsize::new(0),
                all_done: Notify::new(),
            }),
        }
    }

    /// Appends `v`, waiting for a free slot first.
    pub async fn put(&self, v: u64) {
        let inner = &self.inner;
        inner
            .free
            .acquire()
            .await
            .expect("free slots are never closed")
            .forget();
        inner.unfinished.fetch_add(1, Ordering::Relaxed);
        inner.buf.lock().unwrap().push_back(v);
        inner.queued.add_permits(1);
    }

    /// Removes the oldest item, waiting for one; None once the queue is closed.
    pub async fn get(&self) -> Option<u64> {
        let inner = &self.inner;
        inner.queued.acquire().await.ok()?.forget();
        let v = inner.buf.lock().unwrap().pop_front();
        inner.free.add_permits(1);
        v
    }

    /// Marks one item returned by `get` as processed.
    pub fn task_done(&self) {
        if self.inner.unfinished.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.all_done.notify_waiters();
        }
    }

    /// Waits until every item put so far has been marked done.
    pub async fn join(&self) {
        loop {
            // Created before the check, so a notify in between is not lost.
            let done = self.inner.all_done.notified();
            if self.inner.unfinished.load(Ordering::Acquire) == 0 {
                return;
            }
            done.await;
        }
    }

    /// Wakes every waiting `get` with None (the consumers' stop signal).
    pub fn close(&self) {
        self.inner.queued.close();
    }
}
