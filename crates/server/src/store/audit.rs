//! The regulator's reads: every verifier's verification records and every issuer's certificate and
//! objection histories on this database.

use std::future::Future;

use sqlx::Row;

use crate::db::Database;
use crate::store::StoreResult;
use crate::store::verifier::RecordRow;

/// A certificate event with where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCertificateRow {
    /// The issuer.
    pub issuer: String,
    /// The certificate.
    pub serial: String,
    /// Its number in the certificate's history.
    pub seq: i64,
    /// When.
    pub at: i64,
    /// What.
    pub action: String,
    /// Why.
    pub reason: Option<String>,
    /// Who.
    pub actor: String,
}

/// An objection event with where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditObjectionRow {
    /// The issuer.
    pub issuer: String,
    /// The certificate objected to.
    pub serial: String,
    /// The objection.
    pub objection: String,
    /// Its number in the objection's history.
    pub seq: i64,
    /// When.
    pub at: i64,
    /// What.
    pub action: String,
    /// The note.
    pub note: Option<String>,
    /// Who.
    pub actor: String,
}

/// The regulator's reads.
pub trait AuditStore: Clone + Send + Sync + 'static {
    /// Every verifier's records from `since`, oldest first, at most `limit`.
    fn verifications(
        &self,
        since: i64,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<RecordRow>>> + Send;

    /// Certificate events from `since` (of one issuer, if given), in time order, at most `limit`.
    fn certificate_events(
        &self,
        since: i64,
        issuer: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<AuditCertificateRow>>> + Send;

    /// Objection events from `since` (of one issuer, if given), in time order, at most `limit`.
    fn objection_events(
        &self,
        since: i64,
        issuer: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<AuditObjectionRow>>> + Send;
}

/// The audit store on the platform database.
#[derive(Clone, Debug)]
pub struct SqlAuditStore {
    db: Database,
}

impl SqlAuditStore {
    /// The store on `db`.
    pub fn new(db: Database) -> SqlAuditStore {
        SqlAuditStore { db }
    }
}

impl AuditStore for SqlAuditStore {
    async fn verifications(&self, since: i64, limit: i64) -> StoreResult<Vec<RecordRow>> {
        crate::store::verifier::records(&self.db, None, since, limit).await
    }

    async fn certificate_events(
        &self,
        since: i64,
        issuer: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditCertificateRow>> {
        let rows = sqlx::query(
            "SELECT issuer, serial, seq, at, action, reason, actor FROM certificate_events \
             WHERE at >= $1 AND ($2 IS NULL OR issuer = $2) ORDER BY at, issuer, serial, seq LIMIT $3",
        )
        .bind(since)
        .bind(issuer)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditCertificateRow {
                issuer: row.get("issuer"),
                serial: row.get("serial"),
                seq: row.get("seq"),
                at: row.get("at"),
                action: row.get("action"),
                reason: row.get("reason"),
                actor: row.get("actor"),
            })
            .collect())
    }

    async fn objection_events(
        &self,
        since: i64,
        issuer: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditObjectionRow>> {
        let rows = sqlx::query(
            "SELECT o.issuer, o.serial, e.objection_id, e.seq, e.at, e.action, e.note, e.actor \
             FROM objection_events e JOIN objections o ON o.id = e.objection_id \
             WHERE e.at >= $1 AND ($2 IS NULL OR o.issuer = $2) ORDER BY e.at, e.objection_id, e.seq LIMIT $3",
        )
        .bind(since)
        .bind(issuer)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditObjectionRow {
                issuer: row.get("issuer"),
                serial: row.get("serial"),
                objection: row.get("objection_id"),
                seq: row.get("seq"),
                at: row.get("at"),
                action: row.get("action"),
                note: row.get("note"),
                actor: row.get("actor"),
            })
            .collect())
    }
}
