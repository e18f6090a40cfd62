//! The registry's storage: the transparency log's entries in canonical form (RFC 8785), one row per
//! entry numbered from 0, and every tree head the registry signed, one per log size, written in the
//! transaction of the entry that produced it.
//!
//! Appends are strictly ordered across every process on the database: an append first takes the one row
//! of `registry_head`, which holds the log's durable size, and keeps it until its transaction ends. The
//! appender then reads whatever other processes appended since it last looked, checks and applies it,
//! and only then appends its own entry at the next number; the primary keys of both tables are the last
//! word.

use std::future::Future;

use sqlx::Row;

use tokio::sync::watch;

use crate::db::{Backend, Database, Write};
use crate::store::StoreResult;

/// One stored log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    /// Its index in the log.
    pub seq: u64,
    /// Its canonical JSON.
    pub entry: String,
}

/// One stored signed tree head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredHead {
    /// The log size it covers.
    pub size: u64,
    /// Its JSON.
    pub head: String,
}

/// The registry's reads.
pub trait RegistryStore: Clone + Send + Sync + 'static {
    /// An append in progress.
    type Append: RegistryAppend;

    /// The log's durable size.
    fn size(&self) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Up to `limit` entries from `start` on, in order.
    fn entries(&self, start: u64, limit: u64) -> impl Future<Output = StoreResult<Vec<StoredEntry>>> + Send;

    /// Up to `limit` tree heads of size `start` or more, by size.
    fn heads(&self, start: u64, limit: u64) -> impl Future<Output = StoreResult<Vec<StoredHead>>> + Send;

    /// The head of the largest size.
    fn latest_head(&self) -> impl Future<Output = StoreResult<Option<StoredHead>>> + Send;

    /// Starts an append: holds the log's head row until the append ends, and answers the log's durable
    /// size at that moment.
    fn append(&self) -> impl Future<Output = StoreResult<(Self::Append, u64)>> + Send;

    /// A signal that moves on when another process may have appended; `None` when no other process can
    /// (an embedded database).
    fn changes(&self) -> Option<watch::Receiver<u64>>;
}

/// An append to the log ([`RegistryStore::append`]).
pub trait RegistryAppend: Send {
    /// Entries from `start` to the durable size, for an appender that is behind.
    fn entries(&mut self, start: u64) -> impl Future<Output = StoreResult<Vec<StoredEntry>>> + Send;

    /// Appends `entry` at `seq` with the head that covers it (of size `seq + 1`).
    fn insert(
        &mut self,
        seq: u64,
        entry: &str,
        appended_at: i64,
        head: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Makes the append durable.
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send;
}

/// The registry store on the platform database.
#[derive(Clone, Debug)]
pub struct SqlRegistryStore {
    db: Database,
}

impl SqlRegistryStore {
    /// The store on `db`.
    pub fn new(db: Database) -> SqlRegistryStore {
        SqlRegistryStore { db }
    }
}

/// An append on the platform database.
#[derive(Debug)]
pub struct SqlRegistryAppend {
    write: Write,
}

fn number(value: i64) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| sqlx::Error::Protocol(format!("negative log number {value}")))
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn entries_from(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<StoredEntry>> {
    rows.iter()
        .map(|row| {
            Ok(StoredEntry {
                seq: number(row.get("seq"))?,
                entry: row.get("entry"),
            })
        })
        .collect()
}

impl RegistryStore for SqlRegistryStore {
    type Append = SqlRegistryAppend;

    async fn size(&self) -> StoreResult<u64> {
        number(
            sqlx::query_scalar("SELECT size FROM registry_head WHERE id = 1")
                .fetch_one(self.db.pool())
                .await?,
        )
    }

    async fn entries(&self, start: u64, limit: u64) -> StoreResult<Vec<StoredEntry>> {
        let rows =
            sqlx::query("SELECT seq, entry FROM registry_entries WHERE seq >= $1 ORDER BY seq LIMIT $2")
                .bind(signed(start))
                .bind(signed(limit))
                .fetch_all(self.db.pool())
                .await?;
        entries_from(&rows)
    }

    async fn heads(&self, start: u64, limit: u64) -> StoreResult<Vec<StoredHead>> {
        let rows = sqlx::query("SELECT size, head FROM tree_heads WHERE size >= $1 ORDER BY size LIMIT $2")
            .bind(signed(start))
            .bind(signed(limit))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredHead {
                    size: number(row.get("size"))?,
                    head: row.get("head"),
                })
            })
            .collect()
    }

    async fn latest_head(&self) -> StoreResult<Option<StoredHead>> {
        let row = sqlx::query("SELECT size, head FROM tree_heads ORDER BY size DESC LIMIT 1")
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|row| {
            Ok(StoredHead {
                size: number(row.get("size"))?,
                head: row.get("head"),
            })
        })
        .transpose()
    }

    async fn append(&self) -> StoreResult<(SqlRegistryAppend, u64)> {
        let mut write = self.db.write().await?;
        write.changes_registry();
        // Taking the row is what orders appenders; reading the size in the same statement tells this one
        // where the log ends now.
        let size: i64 =
            sqlx::query_scalar("UPDATE registry_head SET size = size WHERE id = 1 RETURNING size")
                .fetch_one(&mut *write.tx)
                .await?;
        Ok((SqlRegistryAppend { write }, number(size)?))
    }

    fn changes(&self) -> Option<watch::Receiver<u64>> {
        (self.db.backend() == Backend::Postgres).then(|| self.db.registry_changes())
    }
}

impl RegistryAppend for SqlRegistryAppend {
    async fn entries(&mut self, start: u64) -> StoreResult<Vec<StoredEntry>> {
        let rows = sqlx::query("SELECT seq, entry FROM registry_entries WHERE seq >= $1 ORDER BY seq")
            .bind(signed(start))
            .fetch_all(&mut *self.write.tx)
            .await?;
        entries_from(&rows)
    }

    async fn insert(&mut self, seq: u64, entry: &str, appended_at: i64, head: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO registry_entries (seq, entry, appended_at) VALUES ($1, $2, $3)")
            .bind(signed(seq))
            .bind(entry)
            .bind(appended_at)
            .execute(&mut *self.write.tx)
            .await?;
        sqlx::query("INSERT INTO tree_heads (size, head) VALUES ($1, $2)")
            .bind(signed(seq + 1))
            .bind(head)
            .execute(&mut *self.write.tx)
            .await?;
        sqlx::query("UPDATE registry_head SET size = $1 WHERE id = 1")
            .bind(signed(seq + 1))
            .execute(&mut *self.write.tx)
            .await?;
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        self.write.commit().await
    }
}
