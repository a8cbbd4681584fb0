//! One writer, a queue: concurrent API writes are grouped into one transaction and one fsync,
//! so throughput grows with concurrency instead of serialising on the disk.

use crate::changes::ChangeBus;
use crate::store::{Done, DurableWriter, Op, StoreError, WriteError};
use chrono::Utc;
use std::sync::{Arc, mpsc};
use tokio::sync::oneshot;

/// The most writes one transaction takes: a bound on how long the first of them waits.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<Done, WriteError>>;

/// The sending side; the writer thread ends when it is dropped.
pub(super) struct Queue {
    tx: mpsc::Sender<(Op, Reply)>,
}

impl Queue {
    /// Starts the writer thread on `writer`'s connection. What each group commits is published
    /// on `bus` before any of its writers hears back, so an answer to a write is never followed
    /// by a read that misses it.
    pub(super) fn start(mut writer: DurableWriter, bus: Arc<ChangeBus>) -> Queue {
        let (tx, rx) = mpsc::channel::<(Op, Reply)>();
        std::thread::Builder::new()
            .name("wirefeed-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    // Whatever queued up during the previous commit goes into this one.
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(next) => group.push(next),
                            Err(_) => break,
                        }
                    }
                    let (ops, replies): (Vec<Op>, Vec<Reply>) = group.into_iter().unzip();
                    match writer.apply(&ops, Utc::now()) {
                        Ok((results, committed)) => {
                            bus.publish(committed);
                            for (reply, r) in replies.into_iter().zip(results) {
                                let _ = reply.send(r);
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, writes = ops.len(), "write group failed");
                            for reply in replies {
                                let _ = reply.send(Err(WriteError::Store(e.duplicate())));
                            }
                        }
                    }
                }
            })
            .expect("spawning a thread");
        Queue { tx }
    }

    /// Queues one write and waits for its commit.
    pub(super) async fn submit(&self, op: Op) -> Result<Result<Done, WriteError>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Corrupt("the writer thread stopped".into());
        self.tx.send((op, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}
