//! The storage layer: one store per role behind a trait ([`RegistryStore`], [`IssuerStore`],
//! [`VerifierStore`], [`AuditStore`]), each implemented on the platform database (SQLite or PostgreSQL,
//! [`Database`](crate::db::Database)). Every SQL statement of the service is in these modules; handlers
//! call the stores and the role crates, and hold no SQL.

pub mod audit;
pub mod issuer;
pub mod registry;
pub mod verifier;

pub use audit::{AuditStore, SqlAuditStore};
pub use issuer::{IssuerStore, IssuerWrite, SqlIssuerStore};
pub use registry::{RegistryAppend, RegistryStore, SqlRegistryStore};
pub use verifier::{SqlVerifierStore, VerifierStore};

/// The result of a store operation: a database failure is the only error (what the rules refuse is
/// decided above the store).
pub type StoreResult<T> = Result<T, sqlx::Error>;

/// Whether the database already holds a platform: registry log entries or issuer keys, which only the
/// data directory that wrote them can verify or open.
pub async fn holds_platform(db: &crate::db::Database) -> StoreResult<bool> {
    let used: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM registry_entries) + (SELECT COUNT(*) FROM issuer_keys) AS used",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(used > 0)
}
