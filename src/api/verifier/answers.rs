//! Answered presentation requests, written in group commits.
//!
//! Answering a request does two things that must happen together: the request's nonce is spent (it can
//! never be answered again) and the audit record of the verification is stored. Doing that in its own
//! transaction per presentation held the writers' lock across four round trips to the SQLite thread and
//! rewrote the same WAL pages for every presentation; at a few hundred presentations per second that
//! cost more than a quarter of a core. Here one task owns those writes: it takes every answer waiting in
//! its queue, spends all their nonces with one `UPDATE ... RETURNING`, stores the winners' records with
//! one multi-row `INSERT`, and commits once. Each submitter waits for the commit of its batch before it
//! answers its client, so a result is never returned without its record, and a record never exists
//! without its spent nonce.
//!
//! The queue is bounded: when the writer falls behind, submitters wait (back-pressure) rather than fail.
//!
//! The same task purges requests an hour after they expire, a few thousand rows per transaction so that
//! answers are never held up for long. A nonce from a purged request is still refused (404: no such
//! request), only with a less specific code than `request_expired` or `nonce_used`; its audit record,
//! which names the nonce, stays.

use std::collections::HashSet;
use std::time::Duration;

use sqlx::{QueryBuilder, Row, Sqlite};
use tokio::sync::{mpsc, oneshot};

use crate::app::now;
use crate::db::Database;
use crate::error::ApiError;

/// Answers in one transaction at most. An answer binds 7 values in the `INSERT` and one in the
/// `UPDATE`; SQLite allows 32,766 bound values per statement.
const MAX_BATCH: usize = 512;
/// Answers waiting for the writer before submitters wait for room.
const QUEUE_CAPACITY: usize = 4096;
/// How often expired requests are purged.
const PURGE_EVERY: Duration = Duration::from_secs(60);
/// How long after it expires a request is kept, so that a late answer hears `request_expired`.
const KEEP_EXPIRED_SECS: i64 = 3600;
/// Requests deleted per purge transaction.
const PURGE_BATCH: i64 = 5000;

/// One verification's answer: the nonce it spends and the audit record to store with it.
#[derive(Debug)]
pub(super) struct Answer {
    /// The audit record's id (time-ordered).
    pub(super) id: String,
    /// The verifier that made the request.
    pub(super) verifier: String,
    /// The request's nonce.
    pub(super) nonce: String,
    /// The request's purpose.
    pub(super) purpose: String,
    /// When the presentation was verified (seconds since the epoch).
    pub(super) at: i64,
    /// `valid` or the failure's code.
    pub(super) outcome: String,
    /// Per item: type, issuer, and the names (never the values) of what was disclosed, as JSON.
    pub(super) items: String,
}

/// What became of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Recorded {
    /// The nonce is spent and the record stored.
    Spent,
    /// Another answer spent the nonce first; nothing was stored for this one.
    AlreadyUsed,
}

type Reply = oneshot::Sender<Result<Recorded, String>>;

/// The handle submitters use; the writer task stops when the last handle is dropped.
#[derive(Debug)]
pub(super) struct AnswerWriter {
    queue: mpsc::Sender<(Answer, Reply)>,
}

impl AnswerWriter {
    /// Starts the writer task on the current tokio runtime.
    pub(super) fn start(db: Database) -> AnswerWriter {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(db, receiver));
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

async fn run(db: Database, mut receiver: mpsc::Receiver<(Answer, Reply)>) {
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
                answer(&db, &answers, replies).await;
            }
            _ = purge.tick() => {
                if let Err(error) = purge_expired(&db, now() - KEEP_EXPIRED_SECS).await {
                    tracing::warn!(%error, "purging expired presentation requests failed; will retry");
                }
            }
        }
    }
}

/// Commits a batch and tells each submitter what became of its answer.
async fn answer(db: &Database, answers: &[Answer], replies: Vec<Reply>) {
    match commit(db, answers).await {
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
async fn purge_expired(db: &Database, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut purged = 0;
    loop {
        let mut write = db.write_records().await?;
        let deleted = sqlx::query(
            "DELETE FROM presentation_requests WHERE nonce IN \
             (SELECT nonce FROM presentation_requests WHERE expires_at < $1 LIMIT $2)",
        )
        .bind(cutoff)
        .bind(PURGE_BATCH)
        .execute(&mut *write.tx)
        .await?
        .rows_affected();
        write.commit().await?;
        purged += deleted;
        if deleted < PURGE_BATCH as u64 {
            if purged > 0 {
                tracing::info!(purged, "expired presentation requests purged");
            }
            return Ok(purged);
        }
    }
}

/// One transaction for the batch; the outcome of each answer, in order.
async fn commit(db: &Database, answers: &[Answer]) -> Result<Vec<Recorded>, sqlx::Error> {
    let mut write = db.write_records().await?;

    let spent_at = answers.iter().map(|a| a.at).max().unwrap_or_default();
    let mut spend = QueryBuilder::<Sqlite>::new("UPDATE presentation_requests SET used_at = ");
    spend.push_bind(spent_at);
    spend.push(" WHERE used_at IS NULL AND nonce IN (");
    let mut nonces = spend.separated(", ");
    for answer in answers {
        nonces.push_bind(&answer.nonce);
    }
    spend.push(") RETURNING nonce");
    let mut spent: HashSet<String> = spend
        .build()
        .fetch_all(&mut *write.tx)
        .await?
        .iter()
        .map(|row| row.get("nonce"))
        .collect();

    // A nonce answered twice in one batch is spent once: the first answer in queue order takes it.
    let recorded: Vec<Recorded> = answers
        .iter()
        .map(|answer| match spent.remove(&answer.nonce) {
            true => Recorded::Spent,
            false => Recorded::AlreadyUsed,
        })
        .collect();
    let winners: Vec<&Answer> = answers
        .iter()
        .zip(&recorded)
        .filter(|(_, recorded)| **recorded == Recorded::Spent)
        .map(|(answer, _)| answer)
        .collect();
    // `push_values` needs at least one row (a batch of replays alone has none).
    if !winners.is_empty() {
        let mut store = QueryBuilder::<Sqlite>::new(
            "INSERT INTO verifications (id, verifier, nonce, purpose, at, outcome, items) ",
        );
        store.push_values(winners, |mut row, answer| {
            row.push_bind(&answer.id)
                .push_bind(&answer.verifier)
                .push_bind(&answer.nonce)
                .push_bind(&answer.purpose)
                .push_bind(answer.at)
                .push_bind(&answer.outcome)
                .push_bind(&answer.items);
        });
        store.build().execute(&mut *write.tx).await?;
    }
    write.commit().await?;
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request `nonce` of verifier `v`, expiring at `expires_at`.
    async fn add_request(db: &Database, nonce: &str, expires_at: i64) {
        sqlx::query(
            "INSERT INTO presentation_requests (nonce, verifier, request, created_at, expires_at) \
             VALUES ($1, 'v', '{}', 0, $2)",
        )
        .bind(nonce)
        .bind(expires_at)
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("insert: {e}"));
    }

    /// A database holding requests with these nonces, each expiring at 100 (long ago: only `commit`
    /// and `purge_expired` are called on it, never the writer task, which purges by the real clock).
    async fn database_with_requests(dir: &std::path::Path, nonces: &[&str]) -> Database {
        let db = Database::open(dir, 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        for nonce in nonces {
            add_request(&db, nonce, 100).await;
        }
        db
    }

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

    async fn recorded_ids(db: &Database) -> Vec<String> {
        sqlx::query_scalar("SELECT id FROM verifications ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap_or_else(|e| panic!("select: {e}"))
    }

    #[tokio::test]
    async fn a_batch_spends_each_nonce_once_and_records_only_the_answers_that_spent_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let db = database_with_requests(dir.path(), &["a", "b", "c"]).await;
        let first = commit(&db, &[answer("1", "a"), answer("2", "b"), answer("3", "a")])
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));
        assert_eq!(first, [Recorded::Spent, Recorded::Spent, Recorded::AlreadyUsed]);
        // A later batch: a spent nonce stays spent; an unknown one spends nothing.
        let second = commit(&db, &[answer("4", "b"), answer("5", "c"), answer("6", "zz")])
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));
        assert_eq!(
            second,
            [Recorded::AlreadyUsed, Recorded::Spent, Recorded::AlreadyUsed]
        );
        assert_eq!(recorded_ids(&db).await, ["1", "2", "5"]);
        let unspent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM presentation_requests WHERE used_at IS NULL")
                .fetch_one(db.pool())
                .await
                .unwrap_or_else(|e| panic!("count: {e}"));
        assert_eq!(unspent, 0);

        // A batch of replays alone stores nothing and still commits.
        let replays = commit(&db, &[answer("7", "a")])
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));
        assert_eq!(replays, [Recorded::AlreadyUsed]);
        assert_eq!(recorded_ids(&db).await.len(), 3);
    }

    #[tokio::test]
    async fn expired_requests_are_purged_and_open_ones_and_audit_records_stay() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        // Each expires at 100.
        let db = database_with_requests(dir.path(), &["answered", "ignored"]).await;
        add_request(&db, "later", 1000).await;
        commit(&db, &[answer("1", "answered")])
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));

        assert_eq!(
            purge_expired(&db, 100).await.ok(),
            Some(0),
            "not before the cutoff"
        );
        assert_eq!(purge_expired(&db, 101).await.ok(), Some(2));
        let left: Vec<String> = sqlx::query_scalar("SELECT nonce FROM presentation_requests")
            .fetch_all(db.pool())
            .await
            .unwrap_or_else(|e| panic!("select: {e}"));
        assert_eq!(left, ["later"]);
        assert_eq!(recorded_ids(&db).await, ["1"]);
    }

    #[tokio::test]
    async fn the_writer_answers_every_submitter_and_a_failed_batch_stores_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let db = database_with_requests(dir.path(), &[]).await;
        for nonce in ["a", "b", "c"] {
            add_request(&db, nonce, OPEN_FOR_EVER).await;
        }
        let writer = AnswerWriter::start(db.clone());
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
        let taken_id = recorded_ids(&db).await[0].clone();
        let failed = writer.record(answer(&taken_id, "c")).await;
        assert!(failed.is_err());
        let used: Option<i64> =
            sqlx::query_scalar("SELECT used_at FROM presentation_requests WHERE nonce = 'c'")
                .fetch_one(db.pool())
                .await
                .unwrap_or_else(|e| panic!("select: {e}"));
        assert_eq!(used, None);
        assert_eq!(recorded_ids(&db).await.len(), 2);
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
