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

use std::collections::HashSet;

use sqlx::{QueryBuilder, Row, Sqlite};
use tokio::sync::{mpsc, oneshot};

use crate::db::Database;
use crate::error::ApiError;

/// Answers in one transaction at most. An answer binds 7 values in the `INSERT` and one in the
/// `UPDATE`; SQLite allows 32,766 bound values per statement.
const MAX_BATCH: usize = 512;
/// Answers waiting for the writer before submitters wait for room.
const QUEUE_CAPACITY: usize = 4096;

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
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (answers, replies): (Vec<Answer>, Vec<Reply>) = batch.drain(..).unzip();
        match commit(&db, &answers).await {
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
