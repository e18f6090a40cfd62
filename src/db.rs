//! The embedded database: SQLite in the data directory, in WAL mode, migrated at start-up.
//!
//! Queries use `$n` placeholders and the SQL that SQLite and PostgreSQL share (migrations/0001 says
//! which), so moving to PostgreSQL means a new pool type and nothing else. Writes go through one
//! in-process lock (`Database::write`): SQLite has one writer anyway, and taking the lock before the
//! transaction avoids SQLITE_BUSY on a read-to-write upgrade; the UNIQUE constraints stay the last word.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

/// The database file in the data directory.
pub const DATABASE_FILE: &str = "ecert.db";

/// The pool and the writers' lock. Clones share both (a background writer holds its own clone).
#[derive(Clone, Debug)]
pub struct Database {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
}

/// A write in progress: the transaction and the lock that serialises writers.
#[derive(Debug)]
pub struct Write<'a> {
    /// The transaction; commit it to make the write durable.
    pub tx: Transaction<'static, Sqlite>,
    _lock: MutexGuard<'a, ()>,
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
        })
    }

    /// For reads.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write: waits for the writers' lock, then begins a transaction.
    pub async fn write(&self) -> Result<Write<'_>, sqlx::Error> {
        let lock = self.writer.lock().await;
        let tx = self.pool.begin().await?;
        Ok(Write { tx, _lock: lock })
    }

    /// Closes the pool (at shutdown, after the last request).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
