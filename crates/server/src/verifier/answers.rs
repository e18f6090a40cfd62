//! Answered presentation requests, written in group commits.
//!
//! Answering a request does two things that must happen together: the request's nonce is spent (it can
//! never be answered again) and the audit record of the verification is stored. Doing that in its own
//! transaction per presentation held the writers' lock across four round trips to the SQLite thread and
//! rewrote the same WAL pages for every presentation; at a few hundred presentations per second that
//! cost more than a quarter of a core. Here one task owns those writes: it takes every answer waiting in
//! its queue, spends all their nonces with one `UPDATE ... RETURNING`, stores the winners' records with
//! one multi-row `INSERT`, and commits once (`VerifierStore::record_answers`). Each submitter waits for the commit of its batch before it
//! answers its client, so a result is never returned without its record, and a record never exists
//! without its spent nonce.
//!
//! The queue is bounded: when the writer falls behind, submitters wait (back-pressure) rather than fail.
//!
//! The same task purges requests an hour after they expire, a few thousand rows per transaction so that
//! answers are never held up for long. A nonce from a purged request is still refused (404: no such
//! request), only with a less specific code than `request_expired` or `nonce_used`; its audit record,
//! which names the nonce, stays.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::clock::now;
use crate::error::ApiError;
use crate::store::VerifierStore;
use crate::store::verifier::{Answer, Recorded};

/// Answers in one transaction at most. An answer binds 7 values in the `INSERT` and one in the
/// `UPDATE`; SQLite allows 32,766 bound values per statement, PostgreSQL 65,535.
const MAX_BATCH: usize = 512;
/// Answers waiting for the writer before submitters wait for room.
const QUEUE_CAPACITY: usize = 4096;
/// How often expired requests are purged.
const PURGE_EVERY: Duration = Duration::from_secs(60);
/// How long after it expires a request is kept, so that a late answer hears `request_expired`.
const KEEP_EXPIRED_SECS: i64 = 3600;
/// Requests deleted per purge transaction.
const PURGE_BATCH: i64 = 5000;

type Reply = oneshot::Sender<Result<Recorded, String>>;

/// The handle submitters use; the writer task stops when the last handle is dropped.
#[derive(Debug)]
pub(super) struct AnswerWriter {
    queue: mpsc::Sender<(Answer, Reply)>,
}

impl AnswerWriter {
    /// Starts the writer task on the current tokio runtime.
    pub(super) fn start<S: VerifierStore>(store: S) -> AnswerWriter {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(store, receiver));
        AnswerWriter { queue }
    }

    /// Spends the answer's nonce and stores its record, both or neither; returns once committed.
    pub(super) async fn record(&self, answer: Answer) -> Result<Recorded, ApiError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send((answer, reply))
            .await
            .map_err(|_| ApiError::internal("the answer writer has stopped"))?;
        outcome
            .await
            .map_err(|_| ApiError::internal("the answer writer dropped an answer"))?
            .map_err(|detail| ApiError::internal(format_args!("database: {detail}")))
    }
}

async fn run<S: VerifierStore>(store: S, mut receiver: mpsc::Receiver<(Answer, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // The first purge a period after start, not at once: start-up has enough to do.
    let mut purge = tokio::time::interval_at(tokio::time::Instant::now() + PURGE_EVERY, PURGE_EVERY);
    purge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut batch, MAX_BATCH) => {
                if received == 0 {
                    return;
                }
                let (answers, replies): (Vec<Answer>, Vec<Reply>) = batch.drain(..).unzip();
                answer(&store, &answers, replies).await;
            }
            _ = purge.tick() => {
                if let Err(error) = purge_expired(&store, now() - KEEP_EXPIRED_SECS).await {
                    tracing::warn!(%error, "purging expired presentation requests failed; will retry");
                }
            }
        }
    }
}

/// Commits a batch and tells each submitter what became of its answer.
async fn answer<S: VerifierStore>(store: &S, answers: &[Answer], replies: Vec<Reply>) {
    match store.record_answers(answers).await {
        Ok(recorded) => {
            for (reply, recorded) in replies.into_iter().zip(recorded) {
                // A submitter that went away (its client hung up) no longer needs the outcome.
                let _ = reply.send(Ok(recorded));
            }
        }
        Err(error) => {
            let detail = error.to_string();
            for reply in replies {
                let _ = reply.send(Err(detail.clone()));
            }
        }
    }
}

/// Deletes the requests that expired before `cutoff`, [`PURGE_BATCH`] per transaction; returns how
/// many.
async fn purge_expired<S: VerifierStore>(store: &S, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut purged = 0;
    loop {
        let deleted = store.purge_expired(cutoff, PURGE_BATCH).await?;
        purged += deleted;
        if deleted < PURGE_BATCH as u64 {
            if purged > 0 {
                tracing::info!(purged, "expired presentation requests purged");
            }
            return Ok(purged);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, DatabaseUrl};
    use crate::store::SqlVerifierStore;

    /// Far in the future, for requests the writer task must not purge.
    const OPEN_FOR_EVER: i64 = i64::MAX / 2;

    fn answer(id: &str, nonce: &str) -> Answer {
        Answer {
            id: id.into(),
            verifier: "v".into(),
            nonce: nonce.into(),
            purpose: "p".into(),
            at: 10,
            outcome: "valid".into(),
            items: "[]".into(),
        }
    }

    #[tokio::test]
    async fn the_writer_answers_every_submitter_and_a_failed_batch_stores_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let db = Database::open(&DatabaseUrl::sqlite_in(dir.path()), 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let store = SqlVerifierStore::new(db);
        for nonce in ["a", "b", "c"] {
            store
                .insert_request(nonce, "v", "{}", 0, OPEN_FOR_EVER)
                .await
                .unwrap_or_else(|e| panic!("insert: {e}"));
        }
        let writer = AnswerWriter::start(store.clone());
        let (a, b, again) = tokio::join!(
            writer.record(answer("1", "a")),
            writer.record(answer("2", "b")),
            writer.record(answer("3", "a")),
        );
        let mut outcomes = [a, b, again].map(|r| r.unwrap_or_else(|e| panic!("record: {e}")));
        outcomes.sort_by_key(|r| *r == Recorded::AlreadyUsed);
        assert_eq!(
            outcomes,
            [Recorded::Spent, Recorded::Spent, Recorded::AlreadyUsed]
        );

        // A record id already taken fails the whole batch: an error for the submitter, nothing stored,
        // the nonce still open.
        let records = store
            .records(None, 0, 1000)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let taken_id = records[0].id.clone();
        assert!(writer.record(answer(&taken_id, "c")).await.is_err());
        let c = store.request("v", "c").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.and_then(|r| r.used_at), None);
        assert_eq!(store.records(None, 0, 1000).await.map(|r| r.len()).ok(), Some(2));
        // And the writer goes on.
        assert_eq!(
            writer
                .record(answer("4", "c"))
                .await
                .unwrap_or_else(|e| panic!("record: {e}")),
            Recorded::Spent
        );
    }
}
