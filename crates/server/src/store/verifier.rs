//! The verifier service's storage: presentation requests (single use: a nonce is spent by one `UPDATE ...
//! WHERE used_at IS NULL`, whichever process gets there first), the audit record of each verification,
//! and reads of the status lists an issuer on the same database publishes.

use std::collections::HashSet;
use std::future::Future;

use sqlx::Row;

use crate::db::Database;
use crate::store::StoreResult;

/// A stored presentation request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    /// The request's JSON.
    pub request: String,
    /// When it expires, Unix seconds.
    pub expires_at: i64,
    /// When it was answered, if it was.
    pub used_at: Option<i64>,
}

/// One verification's answer: the nonce it spends and the audit record to store with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The audit record's id (time-ordered).
    pub id: String,
    /// The verifier that made the request.
    pub verifier: String,
    /// The request's nonce.
    pub nonce: String,
    /// The request's purpose.
    pub purpose: String,
    /// When the presentation was verified (seconds since the epoch).
    pub at: i64,
    /// `valid` or the failure's code.
    pub outcome: String,
    /// Per item: type, issuer, and the names (never the values) of what was disclosed, as JSON.
    pub items: String,
}

/// What became of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The nonce is spent and the record stored.
    Spent,
    /// Another answer spent the nonce first; nothing was stored for this one.
    AlreadyUsed,
}

/// A stored verification record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    /// The record's id.
    pub id: String,
    /// The verifier.
    pub verifier: String,
    /// The purpose.
    pub purpose: String,
    /// When.
    pub at: i64,
    /// The outcome.
    pub outcome: String,
    /// The items, as JSON.
    pub items: String,
}

/// The verifier's storage.
pub trait VerifierStore: Clone + Send + Sync + 'static {
    /// Stores a new request.
    fn insert_request(
        &self,
        nonce: &str,
        verifier: &str,
        request: &str,
        created_at: i64,
        expires_at: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// A request of `verifier`.
    fn request(
        &self,
        verifier: &str,
        nonce: &str,
    ) -> impl Future<Output = StoreResult<Option<StoredRequest>>> + Send;

    /// In one transaction: spends the nonce of every answer that finds its request unspent (the first in
    /// order, for a nonce answered twice) and stores those answers' records. The outcome of each, in order.
    fn record_answers(&self, answers: &[Answer]) -> impl Future<Output = StoreResult<Vec<Recorded>>> + Send;

    /// Deletes up to `limit` requests that expired before `cutoff`; how many.
    fn purge_expired(&self, cutoff: i64, limit: i64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Verification records from `since`, oldest first, at most `limit`; `verifier` `None` means all.
    fn records(
        &self,
        verifier: Option<&str>,
        since: i64,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<RecordRow>>> + Send;

    /// The version of an issuer's published status list.
    fn status_list_version(
        &self,
        issuer: &str,
        list: &str,
    ) -> impl Future<Output = StoreResult<Option<i64>>> + Send;

    /// An issuer's published status list: its version and document.
    fn status_list(
        &self,
        issuer: &str,
        list: &str,
    ) -> impl Future<Output = StoreResult<Option<(i64, String)>>> + Send;

    /// The write generation of the database ([`Database::generation`]).
    fn generation(&self) -> u64;
}

/// The verifier store on the platform database.
#[derive(Clone, Debug)]
pub struct SqlVerifierStore {
    db: Database,
}

impl SqlVerifierStore {
    /// The store on `db`.
    pub fn new(db: Database) -> SqlVerifierStore {
        SqlVerifierStore { db }
    }
}

/// `$from, $from+1, ...`: `count` placeholders.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl VerifierStore for SqlVerifierStore {
    async fn insert_request(
        &self,
        nonce: &str,
        verifier: &str,
        request: &str,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let mut write = self.db.write_records().await?;
        sqlx::query(
            "INSERT INTO presentation_requests (nonce, verifier, request, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(nonce)
        .bind(verifier)
        .bind(request)
        .bind(created_at)
        .bind(expires_at)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    async fn request(&self, verifier: &str, nonce: &str) -> StoreResult<Option<StoredRequest>> {
        let row = sqlx::query(
            "SELECT request, expires_at, used_at FROM presentation_requests WHERE nonce = $1 AND verifier = $2",
        )
        .bind(nonce)
        .bind(verifier)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.map(|row| StoredRequest {
            request: row.get("request"),
            expires_at: row.get("expires_at"),
            used_at: row.get("used_at"),
        }))
    }

    async fn record_answers(&self, answers: &[Answer]) -> StoreResult<Vec<Recorded>> {
        let mut write = self.db.write_records().await?;
        let spent_at = answers.iter().map(|a| a.at).max().unwrap_or_default();
        let spend = format!(
            "UPDATE presentation_requests SET used_at = $1 WHERE used_at IS NULL AND nonce IN ({}) \
             RETURNING nonce",
            placeholders(2, answers.len())
        );
        let mut query = sqlx::query(&spend).bind(spent_at);
        for answer in answers {
            query = query.bind(&answer.nonce);
        }
        let mut spent: HashSet<String> = query
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
        if !winners.is_empty() {
            let rows: Vec<String> = (0..winners.len())
                .map(|n| format!("({})", placeholders(1 + 7 * n, 7)))
                .collect();
            let store = format!(
                "INSERT INTO verifications (id, verifier, nonce, purpose, at, outcome, items) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(&store);
            for answer in winners {
                query = query
                    .bind(&answer.id)
                    .bind(&answer.verifier)
                    .bind(&answer.nonce)
                    .bind(&answer.purpose)
                    .bind(answer.at)
                    .bind(&answer.outcome)
                    .bind(&answer.items);
            }
            query.execute(&mut *write.tx).await?;
        }
        write.commit().await?;
        Ok(recorded)
    }

    async fn purge_expired(&self, cutoff: i64, limit: i64) -> StoreResult<u64> {
        let mut write = self.db.write_records().await?;
        let deleted = sqlx::query(
            "DELETE FROM presentation_requests WHERE nonce IN \
             (SELECT nonce FROM presentation_requests WHERE expires_at < $1 LIMIT $2)",
        )
        .bind(cutoff)
        .bind(limit)
        .execute(&mut *write.tx)
        .await?
        .rows_affected();
        write.commit().await?;
        Ok(deleted)
    }

    async fn records(&self, verifier: Option<&str>, since: i64, limit: i64) -> StoreResult<Vec<RecordRow>> {
        records(&self.db, verifier, since, limit).await
    }

    async fn status_list_version(&self, issuer: &str, list: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM status_lists WHERE issuer = $1 AND list = $2")
            .bind(issuer)
            .bind(list)
            .fetch_optional(self.db.pool())
            .await
    }

    async fn status_list(&self, issuer: &str, list: &str) -> StoreResult<Option<(i64, String)>> {
        let row = sqlx::query("SELECT version, document FROM status_lists WHERE issuer = $1 AND list = $2")
            .bind(issuer)
            .bind(list)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.map(|row| (row.get("version"), row.get("document"))))
    }

    fn generation(&self) -> u64 {
        self.db.generation()
    }
}

/// Verification records from `since`, oldest first, at most `limit` (clamped to 1..1000); `verifier`
/// `None` means every verifier's (the regulator's read shares it).
pub(super) async fn records(
    db: &Database,
    verifier: Option<&str>,
    since: i64,
    limit: i64,
) -> StoreResult<Vec<RecordRow>> {
    let rows = sqlx::query(
        "SELECT id, verifier, purpose, at, outcome, items FROM verifications \
         WHERE at >= $1 AND ($2 IS NULL OR verifier = $2) ORDER BY at, id LIMIT $3",
    )
    .bind(since)
    .bind(verifier)
    .bind(limit.clamp(1, 1000))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| RecordRow {
            id: row.get("id"),
            verifier: row.get("verifier"),
            purpose: row.get("purpose"),
            at: row.get("at"),
            outcome: row.get("outcome"),
            items: row.get("items"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseUrl;

    /// A store whose database holds requests with these nonces of verifier `v`, each expiring at 100.
    async fn store_with_requests(dir: &std::path::Path, nonces: &[&str]) -> SqlVerifierStore {
        let db = Database::open(&DatabaseUrl::sqlite_in(dir), 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let store = SqlVerifierStore::new(db);
        for nonce in nonces {
            add_request(&store, nonce, 100).await;
        }
        store
    }

    async fn add_request(store: &SqlVerifierStore, nonce: &str, expires_at: i64) {
        store
            .insert_request(nonce, "v", "{}", 0, expires_at)
            .await
            .unwrap_or_else(|e| panic!("insert: {e}"));
    }

    pub(crate) fn answer(id: &str, nonce: &str) -> Answer {
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

    async fn recorded_ids(store: &SqlVerifierStore) -> Vec<String> {
        let mut ids: Vec<String> = store
            .records(None, 0, 1000)
            .await
            .unwrap_or_else(|e| panic!("records: {e}"))
            .into_iter()
            .map(|record| record.id)
            .collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn a_batch_spends_each_nonce_once_and_records_only_the_answers_that_spent_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let store = store_with_requests(dir.path(), &["a", "b", "c"]).await;
        let first = store
            .record_answers(&[answer("1", "a"), answer("2", "b"), answer("3", "a")])
            .await
            .unwrap_or_else(|e| panic!("record: {e}"));
        assert_eq!(first, [Recorded::Spent, Recorded::Spent, Recorded::AlreadyUsed]);
        // A later batch: a spent nonce stays spent; an unknown one spends nothing.
        let second = store
            .record_answers(&[answer("4", "b"), answer("5", "c"), answer("6", "zz")])
            .await
            .unwrap_or_else(|e| panic!("record: {e}"));
        assert_eq!(
            second,
            [Recorded::AlreadyUsed, Recorded::Spent, Recorded::AlreadyUsed]
        );
        assert_eq!(recorded_ids(&store).await, ["1", "2", "5"]);
        for nonce in ["a", "b", "c"] {
            let request = store.request("v", nonce).await.unwrap_or_else(|e| panic!("{e}"));
            assert!(request.is_some_and(|r| r.used_at.is_some()), "{nonce} is spent");
        }

        // A batch of replays alone stores nothing and still commits.
        let replays = store
            .record_answers(&[answer("7", "a")])
            .await
            .unwrap_or_else(|e| panic!("record: {e}"));
        assert_eq!(replays, [Recorded::AlreadyUsed]);
        assert_eq!(recorded_ids(&store).await.len(), 3);
    }

    #[tokio::test]
    async fn expired_requests_are_purged_and_open_ones_and_audit_records_stay() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        // Each expires at 100.
        let store = store_with_requests(dir.path(), &["answered", "ignored"]).await;
        add_request(&store, "later", 1000).await;
        store
            .record_answers(&[answer("1", "answered")])
            .await
            .unwrap_or_else(|e| panic!("record: {e}"));

        assert_eq!(
            store.purge_expired(100, 10).await.ok(),
            Some(0),
            "not before the cutoff"
        );
        assert_eq!(
            store.purge_expired(101, 1).await.ok(),
            Some(1),
            "at most the limit"
        );
        assert_eq!(store.purge_expired(101, 10).await.ok(), Some(1));
        for (nonce, left) in [("answered", false), ("ignored", false), ("later", true)] {
            let request = store.request("v", nonce).await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(request.is_some(), left, "{nonce}");
        }
        assert_eq!(recorded_ids(&store).await, ["1"]);
    }

    #[tokio::test]
    async fn a_failed_batch_stores_nothing_and_spends_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let store = store_with_requests(dir.path(), &["a", "b"]).await;
        store
            .record_answers(&[answer("1", "a")])
            .await
            .unwrap_or_else(|e| panic!("record: {e}"));
        // The record id is taken: the whole batch fails, and b stays open.
        assert!(store.record_answers(&[answer("1", "b")]).await.is_err());
        let b = store.request("v", "b").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.and_then(|r| r.used_at), None);
        assert_eq!(recorded_ids(&store).await, ["1"]);
    }
}
