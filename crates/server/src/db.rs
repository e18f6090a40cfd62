//! The database connection: SQLite in the data directory by default, PostgreSQL when a deployment outgrows
//! one machine, chosen by the database URL (`sqlite://...` or `postgres://...`). Everything above this
//! module (the stores) speaks one SQL through sqlx's `Any` driver: TEXT and BIGINT columns, `$n`
//! placeholders, no dialect-only functions (migrations/README.md says which SQL that is).
//!
//! Correctness never rests on this process: every write is a database transaction, and what must be
//! unique or ordered (status positions, idempotency keys, event numbers, nonces, the registry log) is held
//! by the database's constraints and locks, so that several server processes can share one PostgreSQL
//! database. On SQLite a write transaction starts with `BEGIN IMMEDIATE`, taking the database's one write
//! lock up front (a read that later upgrades would otherwise meet `SQLITE_BUSY`); writers of this process
//! also queue on an in-process lock first, only so that they wait in order instead of polling SQLite's
//! busy handler.
//!
//! Every write also moves the database's [`generation`](Database::generation) on when it ends, so that
//! an in-memory copy of something stored (the verifier's checked status lists) can tell in one atomic
//! load that nothing was written since it last looked. The verifier's own records (presentation requests
//! and answers), which no such copy depends on, are written without moving it
//! ([`Database::write_records`]). Writes by other processes move it too: on PostgreSQL every such write
//! sends a `NOTIFY` with its commit, and a listener in each process moves the generation on when another
//! process's arrives, and whenever its connection was lost (notifications may have been missed).
//!
//! Why no transaction needs PostgreSQL's SERIALIZABLE level: every invariant that concurrent writers could
//! break is ordered by a row lock taken first in its transaction (an issuer's counter row, the registry's
//! head row) or held by a unique key; under READ COMMITTED, each statement after the lock sees every row
//! committed before the lock was granted. A transaction that still meets a transient conflict (a deadlock,
//! a busy SQLite file) is run again by its store ([`is_retryable`]).

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// The SQLite database file in the data directory.
pub const DATABASE_FILE: &str = "ecert.db";

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite, embedded: one file, one writer at a time.
    Sqlite,
    /// PostgreSQL: shared by any number of server processes.
    Postgres,
}

/// Where the database is: `sqlite://PATH` or `postgres://...` (libpq's URL form, including
/// `postgres:///db?host=/run/postgresql` for a Unix socket).
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// The SQLite database of a data directory.
    pub fn sqlite_in(data_dir: &Path) -> DatabaseUrl {
        let path = std::path::absolute(data_dir.join(DATABASE_FILE))
            .unwrap_or_else(|_| data_dir.join(DATABASE_FILE));
        let mut url = String::from("sqlite://");
        for byte in path.to_string_lossy().bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
                url.push(char::from(byte));
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
        url.push_str("?mode=rwc");
        DatabaseUrl {
            url,
            backend: Backend::Sqlite,
        }
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL, with any password in it. Use the `Display` form for messages and logs.
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<DatabaseUrl, String> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err("a database URL starts with sqlite:// or postgres://".into());
        };
        Ok(DatabaseUrl {
            url: url.to_owned(),
            backend,
        })
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;

    fn try_from(url: String) -> Result<DatabaseUrl, String> {
        url.parse()
    }
}

/// The URL without its passwords: a database URL may carry one in its user part (`user:pass@`) or as a
/// query parameter (`?password=...`, libpq's form; also `sslpassword`), and messages and logs must not.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (base, query) = match self.url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (self.url.as_str(), None),
        };
        match (base.find("://"), base.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &base[scheme + 3..at];
                match credentials.split_once(':') {
                    Some((user, _)) => write!(f, "{}{user}:***{}", &base[..scheme + 3], &base[at..])?,
                    None => f.write_str(base)?,
                }
            }
            _ => f.write_str(base)?,
        }
        let Some(query) = query else {
            return Ok(());
        };
        f.write_str("?")?;
        for (n, parameter) in query.split('&').enumerate() {
            if n > 0 {
                f.write_str("&")?;
            }
            match parameter.split_once('=') {
                Some((name, _)) if name.to_ascii_lowercase().contains("password") => write!(f, "{name}=***")?,
                _ => f.write_str(parameter)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// The channel other processes' writes are announced on (PostgreSQL).
const WRITES_CHANNEL: &str = "ecert_writes";

/// What a write changed, as announced to the other processes on the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Issuer or registry data that in-memory copies depend on.
    Data,
    /// The registry's log: other processes catch up with it.
    Registry,
}

impl Written {
    fn as_str(self) -> &'static str {
        match self {
            Written::Data => "data",
            Written::Registry => "registry",
        }
    }
}

/// The pool, the write generation, the registry's change signal and, on SQLite, the queue writers wait
/// in. Clones share them all.
#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
    writers: Option<Arc<Mutex<()>>>,
    generation: Arc<AtomicU64>,
    /// This process, in announcements (so that its listener skips its own).
    process: u64,
    /// Moves on whenever another process appended to the registry's log, or may have.
    registry_changed: Arc<watch::Sender<u64>>,
}

/// A write in progress: the transaction, and the place in the writers' queue on SQLite.
#[derive(Debug)]
pub struct Write {
    /// The transaction; [`Write::commit`] makes it durable.
    pub tx: Transaction<'static, Any>,
    // Dropped after the transaction is committed or rolled back: the generation moves on while this
    // writer still holds its place, so that no later write of this process can end before it.
    generation: Option<GenerationStep>,
    /// What to announce to other processes with the commit (PostgreSQL).
    announce: Option<(Written, u64)>,
    _queued: Option<OwnedMutexGuard<()>>,
}

impl Write {
    /// Announces the write as a change of the registry's log rather than of other data.
    pub fn changes_registry(&mut self) {
        if let Some((written, _)) = &mut self.announce {
            *written = Written::Registry;
        }
    }

    /// Commits, then moves the generation on (unless this is a write of verifier records).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Write {
            mut tx,
            generation,
            announce,
            _queued: queued,
        } = self;
        if let Some((written, process)) = announce {
            // Delivered by PostgreSQL with the commit, and only if it commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(WRITES_CHANNEL)
                .bind(format!("{process}:{}", written.as_str()))
                .execute(&mut *tx)
                .await?;
        }
        let committed = tx.commit().await;
        drop(generation);
        drop(queued);
        committed
    }
}

/// Moves the generation on when dropped, whether the write committed or not (an uncommitted write
/// changed nothing, and a needless step only costs a cache one re-read).
#[derive(Debug)]
struct GenerationStep(Arc<AtomicU64>);

impl Drop for GenerationStep {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

impl Database {
    /// Connects to `url` with at most `connections` connections and applies the migrations.
    pub async fn open(url: &DatabaseUrl, connections: u32) -> Result<Database, String> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url.expose())
            .map_err(|e| format!("the database URL {url} is not valid: {e}"))?;
        let backend = url.backend();
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            // A connection to a local file does not go stale the way a network one does, and the check
            // is a round trip on every acquire; on PostgreSQL a dead connection fails its first query,
            // which the pool then drops.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL with synchronous NORMAL: a committed transaction survives the process being
                        // killed; only a power loss may roll back the last commits, never corrupt the
                        // database.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot open the database {url}: {e}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| format!("cannot migrate the database {url}: {e}"))?;
        let mut process = [0u8; 8];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut process);
        let db = Database {
            pool,
            backend,
            writers: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            generation: Arc::new(AtomicU64::new(0)),
            process: u64::from_le_bytes(process),
            registry_changed: Arc::new(watch::Sender::new(0)),
        };
        if backend == Backend::Postgres {
            let mut listener = sqlx::postgres::PgListener::connect(url.expose())
                .await
                .map_err(|e| format!("cannot listen to the database {url}: {e}"))?;
            listener
                .listen(WRITES_CHANNEL)
                .await
                .map_err(|e| format!("cannot listen to the database {url}: {e}"))?;
            tokio::spawn(listen(listener, db.clone()));
        }
        Ok(db)
    }

    /// For reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn begin(&self, generation: Option<GenerationStep>) -> Result<Write, sqlx::Error> {
        let announce = (self.backend == Backend::Postgres && generation.is_some())
            .then_some((Written::Data, self.process));
        let queued = match &self.writers {
            Some(writers) => Some(Arc::clone(writers).lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Write {
            tx,
            generation,
            announce,
            _queued: queued,
        })
    }

    /// Starts a write. The generation moves on when it ends.
    pub async fn write(&self) -> Result<Write, sqlx::Error> {
        self.begin(Some(GenerationStep(Arc::clone(&self.generation))))
            .await
    }

    /// Starts a write of the verifier's own records only (presentation requests and their answers),
    /// which leaves the generation where it is. Anything else goes through [`Database::write`].
    pub async fn write_records(&self) -> Result<Write, sqlx::Error> {
        self.begin(None).await
    }

    /// The write generation: unchanged since an earlier load means no write other than the verifier's
    /// records has ended since. Load it before reading what an in-memory copy is checked against, so
    /// that a write ending in between makes the copy look stale, never fresh.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Moves the generation on for a write this process did not make (another process's, as the
    /// database reported it).
    pub fn written_elsewhere(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// A signal that moves on whenever another process appended to the registry's log (or may have:
    /// after the listener's connection was lost).
    pub fn registry_changes(&self) -> watch::Receiver<u64> {
        self.registry_changed.subscribe()
    }

    fn registry_changed_elsewhere(&self) {
        self.registry_changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Closes the pool (at shutdown, after the last request).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Hears the other processes' writes until the pool closes.
async fn listen(mut listener: sqlx::postgres::PgListener, db: Database) {
    let ours = db.process.to_string();
    let closed = db.pool.close_event();
    tokio::pin!(closed);
    loop {
        let received = tokio::select! {
            () = &mut closed => return,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(notification)) => {
                let (process, written) = notification.payload().split_once(':').unwrap_or(("", ""));
                if process != ours {
                    db.written_elsewhere();
                    if written == Written::Registry.as_str() {
                        db.registry_changed_elsewhere();
                    }
                }
            }
            // The connection was lost and is being made again: whatever was announced meanwhile is
            // unknown, so everything may have changed.
            Ok(None) => {
                tracing::warn!("the database listener reconnects; treating everything as changed");
                db.written_elsewhere();
                db.registry_changed_elsewhere();
            }
            Err(error) => {
                tracing::warn!(%error, "the database listener failed; retrying in a second");
                db.written_elsewhere();
                db.registry_changed_elsewhere();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Whether `error` is a transient conflict between concurrent transactions, after which the whole
/// transaction can simply be run again: a serialisation failure or deadlock (PostgreSQL 40001, 40P01),
/// or a busy or locked SQLite database.
pub fn is_retryable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("40001" | "40P01" | "5" | "6" | "261" | "517")
        ),
        _ => false,
    }
}

/// Whether `error` is a unique or primary-key constraint refusing a row.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_moves_the_generation_on_when_it_ends_and_a_verifier_record_does_not() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let db = Database::open(&DatabaseUrl::sqlite_in(dir.path()), 2)
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
        db.written_elsewhere();
        assert_eq!(db.generation(), start + 3, "another process's write");
    }

    #[test]
    fn urls_name_their_backend_and_never_print_a_password() {
        let url: DatabaseUrl = "postgres://ecert:s3cret@127.0.0.1:5432/ecert"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url.backend(), Backend::Postgres);
        assert_eq!(url.to_string(), "postgres://ecert:***@127.0.0.1:5432/ecert");
        assert!(!format!("{url:?}").contains("s3cret"));
        let socket: DatabaseUrl = "postgresql:///ecert?host=/tmp/pg"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(socket.to_string(), "postgresql:///ecert?host=/tmp/pg");
        let in_query: DatabaseUrl = "postgres://db.internal/ecert?user=ecert&password=s3cret&sslmode=require"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            in_query.to_string(),
            "postgres://db.internal/ecert?user=ecert&password=***&sslmode=require"
        );
        let both: DatabaseUrl = "postgres://u:p%40ss@h/db?sslpassword=k3y&PASSWORD=x"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{both} {both:?}");
        for secret in ["p%40ss", "k3y", "=x"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
        let file = DatabaseUrl::sqlite_in(Path::new("/srv/ecert data"));
        assert_eq!(file.backend(), Backend::Sqlite);
        assert_eq!(file.expose(), "sqlite:///srv/ecert%20data/ecert.db?mode=rwc");
    }
}
