//! Which database a test platform runs on: a SQLite file in its temporary directory, or a database of its
//! own in the PostgreSQL cluster that `.ci/postgres.sh` starts.
//!
//! The PostgreSQL cluster is named by `ECERT_TEST_POSTGRES` (a `postgres://` URL of a database the tests
//! may create databases from). Without it, the PostgreSQL variants of the tests return at once after
//! printing, on the terminal and not to the captured test output, that they did not run and how to run
//! them; with `ECERT_REQUIRE_POSTGRES=1` (CI) they fail instead.

use std::io::Write as _;
use std::sync::Once;

use ecert_server::db::DatabaseUrl;
use rand::RngCore as _;
use sqlx::Connection as _;

/// The environment variable naming the test cluster.
pub const POSTGRES_ENV: &str = "ECERT_TEST_POSTGRES";

/// Set (to anything but `0`) where the PostgreSQL tests must run: CI.
pub const REQUIRE_POSTGRES_ENV: &str = "ECERT_REQUIRE_POSTGRES";

/// How to run the PostgreSQL tests, for the message printed when they did not run.
pub const HOW_TO_RUN: &str = "eval \"$(.ci/postgres.sh start)\" && cargo test --workspace; \
                              .ci/postgres.sh stop \"$ECERT_TEST_POSTGRES_DIR\"";

/// A test platform's database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The SQLite file in the platform's data directory (the default).
    Sqlite,
    /// A fresh database for each platform in the cluster at this URL.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL test cluster, or `None` after saying loudly that the PostgreSQL tests are not
    /// running (and failing where they must: [`REQUIRE_POSTGRES_ENV`]).
    pub fn postgres() -> Option<Backend> {
        if let Some(url) = std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()) {
            return Some(Backend::Postgres(url));
        }
        let required = std::env::var(REQUIRE_POSTGRES_ENV).is_ok_and(|value| value != "0");
        assert!(
            !required,
            "{REQUIRE_POSTGRES_ENV} is set but {POSTGRES_ENV} is not: start the cluster with `{HOW_TO_RUN}`"
        );
        static SAID: Once = Once::new();
        SAID.call_once(|| {
            // Straight to the process's stderr: libtest captures `eprintln!` of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "\n\
                 ************************************************************************************\n\
                 * The PostgreSQL tests of {} did NOT run: {POSTGRES_ENV} is not set.\n\
                 * They passed without checking anything. To run them against a throwaway cluster:\n\
                 *   {HOW_TO_RUN}\n\
                 ************************************************************************************",
                std::env::current_exe()
                    .ok()
                    .and_then(|exe| exe.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_default(),
            );
        });
        None
    }

    /// The database a new platform uses: `None` for the SQLite file in its data directory, or a new,
    /// empty PostgreSQL database (left in the throwaway cluster, which is deleted as a whole).
    pub async fn new_database(&self) -> Result<Option<DatabaseUrl>, String> {
        let Backend::Postgres(cluster) = self else {
            return Ok(None);
        };
        let mut suffix = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut suffix);
        let name = format!("ecert_{}", hex_lower(&suffix));
        let mut admin = sqlx::PgConnection::connect(cluster)
            .await
            .map_err(|e| format!("cannot connect to the test cluster {POSTGRES_ENV}: {e}"))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| format!("cannot create a test database: {e}"))?;
        let _ = admin.close().await;
        with_database(cluster, &name)?.parse().map(Some)
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `url` naming database `name` instead of its own: the path after the authority is replaced, the query
/// (a socket directory, a user) kept.
fn with_database(url: &str, name: &str) -> Result<String, String> {
    let authority = url
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| format!("{POSTGRES_ENV} is not a postgres:// URL"))?;
    let end_of_authority = url[authority..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority + i);
    let query = url[end_of_authority..]
        .find('?')
        .map(|i| &url[end_of_authority + i..]);
    Ok(format!(
        "{}/{name}{}",
        &url[..end_of_authority],
        query.unwrap_or("")
    ))
}

/// Runs a test body once on each backend: `$name::sqlite` and `$name::postgres` (which returns at once,
/// saying so, without a cluster). The body sees the backend as the named variable.
///
/// ```ignore
/// ecert_sample::on_each_backend! {
///     #[tokio::test]
///     async fn issues(backend) {
///         let server = Server::with_country_on(&backend).await.unwrap();
///     }
/// }
/// ```
#[macro_export]
macro_rules! on_each_backend {
    ($(#[$attr:meta])* async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports, reason = "the test file's helpers, whichever the body uses")]
            use super::*;

            $(#[$attr])*
            async fn sqlite() {
                let $backend = $crate::backend::Backend::Sqlite;
                $body
            }

            $(#[$attr])*
            async fn postgres() {
                let Some($backend) = $crate::backend::Backend::postgres() else {
                    return;
                };
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_names_the_new_database_and_keeps_its_query() {
        assert_eq!(
            with_database("postgres:///postgres?host=/tmp/pg&user=ecert", "ecert_1").as_deref(),
            Ok("postgres:///ecert_1?host=/tmp/pg&user=ecert")
        );
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres", "ecert_1").as_deref(),
            Ok("postgres://u:p@127.0.0.1:5432/ecert_1")
        );
        assert_eq!(
            with_database("postgresql://localhost", "ecert_1").as_deref(),
            Ok("postgresql://localhost/ecert_1")
        );
        assert!(with_database("localhost", "x").is_err());
    }
}
