//! The embedded database: SQLite in the data directory, in WAL mode, migrated at start-up.
//!
//! Queries use `$n` placeholders and the SQL that SQLite and PostgreSQL share (migrations/0001 says
//! which), so moving to PostgreSQL means a new pool type and nothing else. Writes go through one
//! in-process lock (`Database::write`): SQLite has one writer anyway, and taking the lock before the
//! transaction avoids SQLITE_BUSY on a read-to-write upgrade; the UNIQUE constraints stay the last word.
//!
//! Every write also moves the database's [`generation`](Database::generation) on when it ends, so that
//! an in-memory copy of something stored (the verifier's checked status lists) can tell in one atomic
//! load that nothing was written since it last looked. Only the verifier's own records (presentation
//! requests and their answers), which no such copy depends on, are written without moving it
//! ([`Database::write_records`]): they are written for every presentation.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

/// The database file in the data directory.
pub const DATABASE_FILE: &str = "ecert.db";

/// The pool, the writers' lock and the write generation. Clones share all three (a background writer
/// holds its own clone).
#[derive(Clone, Debug)]
pub struct Database {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    generation: Arc<AtomicU64>,
}

/// A write in progress: the transaction and the lock that serialises writers.
#[derive(Debug)]
pub struct Write<'a> {
    /// The transaction; commit it to make the write durable.
    pub tx: Transaction<'static, Sqlite>,
    // Dropped in this order, after the transaction is committed or rolled back: the generation moves
    // on while the lock is still held, so no later write can end before it.
    _generation: Option<GenerationStep<'a>>,
    _lock: MutexGuard<'a, ()>,
}

impl Write<'_> {
    /// Commits, then moves the generation on (for a [`Database::write`]) and releases the lock.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Write {
            tx,
            _generation: generation,
            _lock: lock,
        } = self;
        let committed = tx.commit().await;
        drop(generation);
        drop(lock);
        committed
    }
}

/// Moves the generation on when dropped, whether the write committed or not (an uncommitted write
/// changed nothing, and a needless step only costs a cache one re-read).
#[derive(Debug)]
struct GenerationStep<'a>(&'a AtomicU64);

impl Drop for GenerationStep<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

impl Database {
    /// Opens (creating if needed) `data_dir/ecert.db` and applies the migrations.
    pub async fn open(data_dir: &Path, connections: u32) -> Result<Database, String> {
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode: a committed transaction survives the process being killed; only
            // a power loss may roll back the last commits, never corrupt the database.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            // A connection to a local file does not go stale the way a network one does, and the
            // check is a round trip to the connection's thread on every acquire (every write, every
            // read), which showed in the verifier's profile.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| format!("cannot migrate the database {}: {e}", path.display()))?;
        Ok(Database {
            pool,
            writer: Arc::new(Mutex::new(())),
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// For reads.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write: waits for the writers' lock, then begins a transaction. The generation moves on
    /// when the write ends.
    pub async fn write(&self) -> Result<Write<'_>, sqlx::Error> {
        let lock = self.writer.lock().await;
        let tx = self.pool.begin().await?;
        Ok(Write {
            tx,
            _generation: Some(GenerationStep(&self.generation)),
            _lock: lock,
        })
    }

    /// Starts a write of the verifier's own records only (presentation requests and their answers),
    /// which leaves the generation where it is. Anything else goes through [`Database::write`].
    pub async fn write_records(&self) -> Result<Write<'_>, sqlx::Error> {
        let lock = self.writer.lock().await;
        let tx = self.pool.begin().await?;
        Ok(Write {
            tx,
            _generation: None,
            _lock: lock,
        })
    }

    /// The write generation: unchanged since an earlier load means no write other than the
    /// verifier's records has ended since. Load it before reading what an in-memory copy is checked
    /// against, so that a write ending in between makes the copy look stale, never fresh.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Closes the pool (at shutdown, after the last request).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_moves_the_generation_on_when_it_ends_and_a_verifier_record_does_not() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let db = Database::open(dir.path(), 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let start = db.generation();

        let write = db.write().await.unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(db.generation(), start, "not before the write ends");
        write.commit().await.unwrap_or_else(|e| panic!("commit: {e}"));
        assert_eq!(db.generation(), start + 1, "committed");

        drop(db.write().await.unwrap_or_else(|e| panic!("write: {e}")));
        assert_eq!(db.generation(), start + 2, "rolled back counts too");

        let records = db.write_records().await.unwrap_or_else(|e| panic!("write: {e}"));
        records.commit().await.unwrap_or_else(|e| panic!("commit: {e}"));
        assert_eq!(db.generation(), start + 2, "verifier records leave it");
    }
}
