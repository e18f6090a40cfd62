//! The issuer service's storage: keys (sealed), certificates with their positions and idempotency keys,
//! status changes and the signed status lists they republish, objections, and every event.
//!
//! What must not be duplicated is held by the database: a certificate's serial, its status position and
//! its idempotency key are unique per issuer; events are numbered per certificate or objection under a
//! primary key. Status positions come from one counter row per issuer (`issuer_sequences`), moved by an
//! `UPDATE` that holds the row until its transaction ends, so that two server processes never hand out
//! the same position. Every other write of an issuer (a status change, an objection decision) first takes
//! that same row ([`IssuerWrite`]), so that the status lists it republishes always hold every change
//! committed before.

use std::future::Future;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Database, Write, is_unique_violation};
use crate::store::StoreResult;

/// A key as the issuer service holds it (the public half and when it was made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    /// The key id.
    pub key_id: String,
    /// The public key, base64url.
    pub public_key: String,
    /// When it was created, Unix seconds.
    pub created_at: i64,
}

/// A key's sealed secret (keystore.rs seals it with the issuer and key id as associated data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedKey {
    /// The key id.
    pub key_id: String,
    /// The sealed secret.
    pub sealed_secret: String,
}

/// What an earlier issuance under an idempotency key stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedBefore {
    /// The certificate's JSON.
    pub certificate: String,
    /// The digest of the request that issued it.
    pub request_digest: String,
}

/// A certificate to store: the signed document and where it sits.
#[derive(Clone, Debug)]
pub struct NewCertificate<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// Its serial.
    pub serial: &'a str,
    /// The certificate type.
    pub type_id: &'a str,
    /// The signing key.
    pub key_id: &'a str,
    /// Its status list.
    pub status_list: &'a str,
    /// Its index in the list.
    pub status_index: u32,
    /// The certificate's JSON.
    pub certificate: String,
    /// The client's idempotency key (none for a re-issue).
    pub idempotency_key: Option<&'a str>,
    /// The digest of the request, to tell a retry from a reused key.
    pub request_digest: &'a str,
    /// When, Unix seconds.
    pub issued_at: i64,
    /// Who issued it (recorded with the `issued` event).
    pub actor: &'a str,
    /// The reason recorded with the `issued` event.
    pub reason: Option<&'a str>,
}

/// A signed status list document, as published.
#[derive(Clone, Debug)]
pub struct StatusListDocument<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// The list.
    pub list: &'a str,
    /// Its version.
    pub version: i64,
    /// The signed document's JSON.
    pub document: String,
}

/// A certificate's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRow {
    /// The certificate type.
    pub type_id: String,
    /// The signing key.
    pub key_id: String,
    /// Its status list.
    pub status_list: String,
    /// Its index.
    pub status_index: i64,
    /// Its status now (`valid`, `suspended`, `revoked`).
    pub status: String,
    /// The certificate's JSON.
    pub certificate: String,
    /// When it was issued.
    pub issued_at: i64,
}

/// One event of a certificate or objection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// When.
    pub at: i64,
    /// What.
    pub action: String,
    /// The reason (certificate) or note (objection).
    pub detail: Option<String>,
    /// Who.
    pub actor: String,
}

/// An objection's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectionRow {
    /// Its id.
    pub id: String,
    /// The certificate objected to.
    pub serial: String,
    /// `filed`, `rejected` or `resolved`.
    pub state: String,
    /// The holder's statement.
    pub statement: String,
    /// The corrections, as JSON.
    pub corrections: String,
    /// When it was filed.
    pub filed_at: i64,
    /// The replacement's serial, once re-issued.
    pub replacement_serial: Option<String>,
}

/// A new objection.
#[derive(Clone, Debug)]
pub struct NewObjectionRow<'a> {
    /// Its id.
    pub id: &'a str,
    /// The issuer.
    pub issuer: &'a str,
    /// The certificate objected to.
    pub serial: &'a str,
    /// `filed`.
    pub state: &'a str,
    /// The holder's statement.
    pub statement: &'a str,
    /// The corrections, as JSON.
    pub corrections: String,
    /// When.
    pub filed_at: i64,
}

/// Why storing certificates failed.
#[derive(Debug)]
pub enum InsertError {
    /// A concurrent request stored a certificate under one of the idempotency keys first; nothing of
    /// this batch was stored.
    IdempotencyKeyTaken,
    /// The database failed.
    Database(sqlx::Error),
}

impl From<sqlx::Error> for InsertError {
    fn from(error: sqlx::Error) -> InsertError {
        InsertError::Database(error)
    }
}

/// The issuer service's reads and single-statement writes.
pub trait IssuerStore: Clone + Send + Sync + 'static {
    /// An issuer write transaction.
    type Write: IssuerWrite;

    /// Stores a new key; `false` if the issuer already has one with this id.
    fn insert_key(
        &self,
        issuer: &str,
        key: &StoredKey,
        sealed_secret: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// The issuer's keys, oldest first.
    fn keys(&self, issuer: &str) -> impl Future<Output = StoreResult<Vec<StoredKey>>> + Send;

    /// The issuer's sealed keys, newest first.
    fn sealed_keys(&self, issuer: &str) -> impl Future<Output = StoreResult<Vec<SealedKey>>> + Send;

    /// What earlier issuances stored under these idempotency keys, in order.
    fn issued_before(
        &self,
        issuer: &str,
        idempotency_keys: &[&str],
    ) -> impl Future<Output = StoreResult<Vec<Option<IssuedBefore>>>> + Send;

    /// Reserves `count` status positions in one transaction: the first certificate number of the range.
    fn reserve_positions(&self, issuer: &str, count: u64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Which of `lists` the issuer has not published.
    fn missing_lists(
        &self,
        issuer: &str,
        lists: &[&str],
    ) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// Stores certificates and their `issued` events in one transaction, first publishing each of
    /// `new_lists` unless the list exists by then. All or nothing.
    fn insert_certificates(
        &self,
        certificates: &[NewCertificate<'_>],
        new_lists: &[StatusListDocument<'_>],
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    /// A certificate's row.
    fn certificate(
        &self,
        issuer: &str,
        serial: &str,
    ) -> impl Future<Output = StoreResult<Option<CertificateRow>>> + Send;

    /// A certificate's history, oldest first.
    fn certificate_events(
        &self,
        issuer: &str,
        serial: &str,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// A published status list document.
    fn status_list(
        &self,
        issuer: &str,
        list: &str,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;

    /// Files an objection with its `filed` event.
    fn insert_objection(
        &self,
        objection: &NewObjectionRow<'_>,
        actor: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// An objection of the issuer.
    fn objection(
        &self,
        issuer: &str,
        id: &str,
    ) -> impl Future<Output = StoreResult<Option<ObjectionRow>>> + Send;

    /// An objection's history, oldest first.
    fn objection_events(&self, id: &str) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// The issuer's objections, oldest first.
    fn objections(&self, issuer: &str) -> impl Future<Output = StoreResult<Vec<ObjectionRow>>> + Send;

    /// Starts a write for `issuer`, holding its counter row until it ends: one at a time per issuer,
    /// across every process on the database.
    fn write(&self, issuer: &str) -> impl Future<Output = StoreResult<Self::Write>> + Send;
}

/// A write transaction of one issuer ([`IssuerStore::write`]); nothing is stored until
/// [`IssuerWrite::commit`].
pub trait IssuerWrite: Send {
    /// A certificate's status and list.
    fn certificate(
        &mut self,
        serial: &str,
    ) -> impl Future<Output = StoreResult<Option<CertificateRow>>> + Send;

    /// Sets a certificate's status.
    fn set_status(&mut self, serial: &str, status: &str) -> impl Future<Output = StoreResult<()>> + Send;

    /// Appends an event to a certificate's history.
    fn certificate_event(
        &mut self,
        serial: &str,
        at: i64,
        action: &str,
        reason: Option<&str>,
        actor: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// The entries of `list` that are not valid, with their statuses.
    fn not_valid(&mut self, list: &str) -> impl Future<Output = StoreResult<Vec<(i64, String)>>> + Send;

    /// The version the next publication of `list` gets.
    fn next_list_version(&mut self, list: &str) -> impl Future<Output = StoreResult<i64>> + Send;

    /// Publishes (or replaces) a status list.
    fn put_status_list(
        &mut self,
        document: &StatusListDocument<'_>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Reserves `count` positions inside this transaction: the first certificate number.
    fn reserve_positions(&mut self, count: u64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Stores a certificate and its `issued` event.
    fn insert_certificate(
        &mut self,
        certificate: &NewCertificate<'_>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// An objection of this issuer.
    fn objection(&mut self, id: &str) -> impl Future<Output = StoreResult<Option<ObjectionRow>>> + Send;

    /// Appends an event to an objection's history.
    fn objection_event(
        &mut self,
        id: &str,
        at: i64,
        action: &str,
        note: Option<&str>,
        actor: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Sets an objection's state and replacement.
    fn set_objection_state(
        &mut self,
        id: &str,
        state: &str,
        replacement_serial: Option<&str>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Makes the write durable.
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send;
}

/// The issuer store on the platform database.
#[derive(Clone, Debug)]
pub struct SqlIssuerStore {
    db: Database,
}

impl SqlIssuerStore {
    /// The store on `db`.
    pub fn new(db: Database) -> SqlIssuerStore {
        SqlIssuerStore { db }
    }
}

/// An issuer write on the platform database.
#[derive(Debug)]
pub struct SqlIssuerWrite {
    write: Write,
    issuer: String,
}

const CERTIFICATE_COLUMNS: &str =
    "type_id, key_id, status_list, status_index, status, certificate, issued_at";

fn certificate_row(row: &AnyRow) -> CertificateRow {
    CertificateRow {
        type_id: row.get("type_id"),
        key_id: row.get("key_id"),
        status_list: row.get("status_list"),
        status_index: row.get("status_index"),
        status: row.get("status"),
        certificate: row.get("certificate"),
        issued_at: row.get("issued_at"),
    }
}

fn objection_row(row: &AnyRow) -> ObjectionRow {
    ObjectionRow {
        id: row.get("id"),
        serial: row.get("serial"),
        state: row.get("state"),
        statement: row.get("statement"),
        corrections: row.get("corrections"),
        filed_at: row.get("filed_at"),
        replacement_serial: row.get("replacement_serial"),
    }
}

const OBJECTION_COLUMNS: &str = "id, serial, state, statement, corrections, filed_at, replacement_serial";

/// Takes the issuer's counter row (creating it at 0 if needed) until the transaction ends.
async fn lock_issuer(write: &mut Write, issuer: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO issuer_sequences (issuer, next_certificate) VALUES ($1, 0) ON CONFLICT (issuer) DO NOTHING",
    )
    .bind(issuer)
    .execute(&mut *write.tx)
    .await?;
    sqlx::query("UPDATE issuer_sequences SET next_certificate = next_certificate WHERE issuer = $1")
        .bind(issuer)
        .execute(&mut *write.tx)
        .await?;
    Ok(())
}

/// Moves the issuer's counter on by `count`; returns the first number of the range.
async fn reserve(write: &mut Write, issuer: &str, count: u64) -> StoreResult<u64> {
    let count = i64::try_from(count).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "INSERT INTO issuer_sequences (issuer, next_certificate) VALUES ($1, 0) ON CONFLICT (issuer) DO NOTHING",
    )
    .bind(issuer)
    .execute(&mut *write.tx)
    .await?;
    let next: i64 = sqlx::query_scalar(
        "UPDATE issuer_sequences SET next_certificate = next_certificate + $2 WHERE issuer = $1 \
         RETURNING next_certificate",
    )
    .bind(issuer)
    .bind(count)
    .fetch_one(&mut *write.tx)
    .await?;
    u64::try_from(next - count).map_err(|e| sqlx::Error::Protocol(e.to_string()))
}

async fn insert_certificate(write: &mut Write, certificate: &NewCertificate<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO certificates (issuer, serial, type_id, key_id, status_list, status_index, status, \
         certificate, idempotency_key, request_digest, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7, $8, $9, $10)",
    )
    .bind(certificate.issuer)
    .bind(certificate.serial)
    .bind(certificate.type_id)
    .bind(certificate.key_id)
    .bind(certificate.status_list)
    .bind(i64::from(certificate.status_index))
    .bind(&certificate.certificate)
    .bind(certificate.idempotency_key)
    .bind(certificate.request_digest)
    .bind(certificate.issued_at)
    .execute(&mut *write.tx)
    .await?;
    // A new certificate's history starts at 0: no query for the next number.
    sqlx::query(
        "INSERT INTO certificate_events (issuer, serial, seq, at, action, reason, actor) \
         VALUES ($1, $2, 0, $3, 'issued', $4, $5)",
    )
    .bind(certificate.issuer)
    .bind(certificate.serial)
    .bind(certificate.issued_at)
    .bind(certificate.reason)
    .bind(certificate.actor)
    .execute(&mut *write.tx)
    .await?;
    Ok(())
}

async fn publish_if_absent(write: &mut Write, document: &StatusListDocument<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO status_lists (issuer, list, version, document) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (issuer, list) DO NOTHING",
    )
    .bind(document.issuer)
    .bind(document.list)
    .bind(document.version)
    .bind(&document.document)
    .execute(&mut *write.tx)
    .await?;
    Ok(())
}

impl IssuerStore for SqlIssuerStore {
    type Write = SqlIssuerWrite;

    async fn insert_key(&self, issuer: &str, key: &StoredKey, sealed_secret: &str) -> StoreResult<bool> {
        let mut write = self.db.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO issuer_keys (issuer, key_id, public_key, sealed_secret, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer, key_id) DO NOTHING",
        )
        .bind(issuer)
        .bind(&key.key_id)
        .bind(&key.public_key)
        .bind(sealed_secret)
        .bind(key.created_at)
        .execute(&mut *write.tx)
        .await?
        .rows_affected();
        write.commit().await?;
        Ok(inserted == 1)
    }

    async fn keys(&self, issuer: &str) -> StoreResult<Vec<StoredKey>> {
        let rows = sqlx::query(
            "SELECT key_id, public_key, created_at FROM issuer_keys WHERE issuer = $1 \
             ORDER BY created_at, key_id",
        )
        .bind(issuer)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| StoredKey {
                key_id: row.get("key_id"),
                public_key: row.get("public_key"),
                created_at: row.get("created_at"),
            })
            .collect())
    }

    async fn sealed_keys(&self, issuer: &str) -> StoreResult<Vec<SealedKey>> {
        let rows = sqlx::query(
            "SELECT key_id, sealed_secret FROM issuer_keys WHERE issuer = $1 \
             ORDER BY created_at DESC, key_id DESC",
        )
        .bind(issuer)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| SealedKey {
                key_id: row.get("key_id"),
                sealed_secret: row.get("sealed_secret"),
            })
            .collect())
    }

    async fn issued_before(
        &self,
        issuer: &str,
        idempotency_keys: &[&str],
    ) -> StoreResult<Vec<Option<IssuedBefore>>> {
        let mut found = Vec::with_capacity(idempotency_keys.len());
        // One statement per chunk of keys: a batch of thousands is a handful of round trips.
        for chunk in idempotency_keys.chunks(500) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|n| format!("${}", n + 2)).collect();
            let sql = format!(
                "SELECT idempotency_key, certificate, request_digest FROM certificates \
                 WHERE issuer = $1 AND idempotency_key IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(issuer);
            for key in chunk {
                query = query.bind(*key);
            }
            let mut rows: std::collections::HashMap<String, IssuedBefore> = query
                .fetch_all(self.db.pool())
                .await?
                .iter()
                .map(|row| {
                    (
                        row.get("idempotency_key"),
                        IssuedBefore {
                            certificate: row.get("certificate"),
                            request_digest: row.get("request_digest"),
                        },
                    )
                })
                .collect();
            found.extend(chunk.iter().map(|key| rows.remove(*key)));
        }
        Ok(found)
    }

    async fn reserve_positions(&self, issuer: &str, count: u64) -> StoreResult<u64> {
        let mut write = self.db.write().await?;
        let first = reserve(&mut write, issuer, count).await?;
        write.commit().await?;
        Ok(first)
    }

    async fn missing_lists(&self, issuer: &str, lists: &[&str]) -> StoreResult<Vec<String>> {
        let mut missing = Vec::new();
        for list in lists {
            let exists = sqlx::query("SELECT 1 AS one FROM status_lists WHERE issuer = $1 AND list = $2")
                .bind(issuer)
                .bind(*list)
                .fetch_optional(self.db.pool())
                .await?;
            if exists.is_none() {
                missing.push((*list).to_owned());
            }
        }
        Ok(missing)
    }

    async fn insert_certificates(
        &self,
        certificates: &[NewCertificate<'_>],
        new_lists: &[StatusListDocument<'_>],
    ) -> Result<(), InsertError> {
        let mut write = self.db.write().await?;
        for document in new_lists {
            publish_if_absent(&mut write, document).await?;
        }
        for certificate in certificates {
            match insert_certificate(&mut write, certificate).await {
                Ok(()) => {}
                // The serial is 128 random bits and the position was reserved for this request alone:
                // a unique violation here is the idempotency key, taken by a concurrent retry.
                Err(error) if is_unique_violation(&error) => return Err(InsertError::IdempotencyKeyTaken),
                Err(error) => return Err(error.into()),
            }
        }
        write.commit().await?;
        Ok(())
    }

    async fn certificate(&self, issuer: &str, serial: &str) -> StoreResult<Option<CertificateRow>> {
        let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE issuer = $1 AND serial = $2");
        let row = sqlx::query(&sql)
            .bind(issuer)
            .bind(serial)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(certificate_row))
    }

    async fn certificate_events(&self, issuer: &str, serial: &str) -> StoreResult<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT at, action, reason, actor FROM certificate_events WHERE issuer = $1 AND serial = $2 \
             ORDER BY seq",
        )
        .bind(issuer)
        .bind(serial)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| EventRow {
                at: row.get("at"),
                action: row.get("action"),
                detail: row.get("reason"),
                actor: row.get("actor"),
            })
            .collect())
    }

    async fn status_list(&self, issuer: &str, list: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT document FROM status_lists WHERE issuer = $1 AND list = $2")
            .bind(issuer)
            .bind(list)
            .fetch_optional(self.db.pool())
            .await
    }

    async fn insert_objection(&self, objection: &NewObjectionRow<'_>, actor: &str) -> StoreResult<()> {
        let mut write = self.db.write().await?;
        sqlx::query(
            "INSERT INTO objections (id, issuer, serial, state, statement, corrections, filed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(objection.id)
        .bind(objection.issuer)
        .bind(objection.serial)
        .bind(objection.state)
        .bind(objection.statement)
        .bind(&objection.corrections)
        .bind(objection.filed_at)
        .execute(&mut *write.tx)
        .await?;
        sqlx::query(
            "INSERT INTO objection_events (objection_id, seq, at, action, note, actor) \
             VALUES ($1, 0, $2, 'filed', NULL, $3)",
        )
        .bind(objection.id)
        .bind(objection.filed_at)
        .bind(actor)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await
    }

    async fn objection(&self, issuer: &str, id: &str) -> StoreResult<Option<ObjectionRow>> {
        let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1 AND issuer = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(issuer)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(objection_row))
    }

    async fn objection_events(&self, id: &str) -> StoreResult<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT at, action, note, actor FROM objection_events WHERE objection_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| EventRow {
                at: row.get("at"),
                action: row.get("action"),
                detail: row.get("note"),
                actor: row.get("actor"),
            })
            .collect())
    }

    async fn objections(&self, issuer: &str) -> StoreResult<Vec<ObjectionRow>> {
        let sql =
            format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE issuer = $1 ORDER BY filed_at, id");
        let rows = sqlx::query(&sql).bind(issuer).fetch_all(self.db.pool()).await?;
        Ok(rows.iter().map(objection_row).collect())
    }

    async fn write(&self, issuer: &str) -> StoreResult<SqlIssuerWrite> {
        let mut write = self.db.write().await?;
        lock_issuer(&mut write, issuer).await?;
        Ok(SqlIssuerWrite {
            write,
            issuer: issuer.to_owned(),
        })
    }
}

impl IssuerWrite for SqlIssuerWrite {
    async fn certificate(&mut self, serial: &str) -> StoreResult<Option<CertificateRow>> {
        let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE issuer = $1 AND serial = $2");
        let row = sqlx::query(&sql)
            .bind(&self.issuer)
            .bind(serial)
            .fetch_optional(&mut *self.write.tx)
            .await?;
        Ok(row.as_ref().map(certificate_row))
    }

    async fn set_status(&mut self, serial: &str, status: &str) -> StoreResult<()> {
        sqlx::query("UPDATE certificates SET status = $1 WHERE issuer = $2 AND serial = $3")
            .bind(status)
            .bind(&self.issuer)
            .bind(serial)
            .execute(&mut *self.write.tx)
            .await?;
        Ok(())
    }

    async fn certificate_event(
        &mut self,
        serial: &str,
        at: i64,
        action: &str,
        reason: Option<&str>,
        actor: &str,
    ) -> StoreResult<()> {
        // Numbered under the issuer's row lock; the primary key (issuer, serial, seq) is the last word.
        sqlx::query(
            "INSERT INTO certificate_events (issuer, serial, seq, at, action, reason, actor) \
             SELECT $1, $2, COALESCE(MAX(seq) + 1, 0), $3, $4, $5, $6 FROM certificate_events \
             WHERE issuer = $1 AND serial = $2",
        )
        .bind(&self.issuer)
        .bind(serial)
        .bind(at)
        .bind(action)
        .bind(reason)
        .bind(actor)
        .execute(&mut *self.write.tx)
        .await?;
        Ok(())
    }

    async fn not_valid(&mut self, list: &str) -> StoreResult<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT status_index, status FROM certificates \
             WHERE issuer = $1 AND status_list = $2 AND status <> 'valid'",
        )
        .bind(&self.issuer)
        .bind(list)
        .fetch_all(&mut *self.write.tx)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("status_index"), row.get("status")))
            .collect())
    }

    async fn next_list_version(&mut self, list: &str) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COALESCE(MAX(version) + 1, 1) AS next FROM status_lists WHERE issuer = $1 AND list = $2",
        )
        .bind(&self.issuer)
        .bind(list)
        .fetch_one(&mut *self.write.tx)
        .await
    }

    async fn put_status_list(&mut self, document: &StatusListDocument<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO status_lists (issuer, list, version, document) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (issuer, list) DO UPDATE SET version = excluded.version, document = excluded.document",
        )
        .bind(document.issuer)
        .bind(document.list)
        .bind(document.version)
        .bind(&document.document)
        .execute(&mut *self.write.tx)
        .await?;
        Ok(())
    }

    async fn reserve_positions(&mut self, count: u64) -> StoreResult<u64> {
        reserve(&mut self.write, &self.issuer, count).await
    }

    async fn insert_certificate(&mut self, certificate: &NewCertificate<'_>) -> StoreResult<()> {
        insert_certificate(&mut self.write, certificate).await
    }

    async fn objection(&mut self, id: &str) -> StoreResult<Option<ObjectionRow>> {
        let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1 AND issuer = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(&self.issuer)
            .fetch_optional(&mut *self.write.tx)
            .await?;
        Ok(row.as_ref().map(objection_row))
    }

    async fn objection_event(
        &mut self,
        id: &str,
        at: i64,
        action: &str,
        note: Option<&str>,
        actor: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO objection_events (objection_id, seq, at, action, note, actor) \
             SELECT $1, COALESCE(MAX(seq) + 1, 0), $2, $3, $4, $5 FROM objection_events WHERE objection_id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(action)
        .bind(note)
        .bind(actor)
        .execute(&mut *self.write.tx)
        .await?;
        Ok(())
    }

    async fn set_objection_state(
        &mut self,
        id: &str,
        state: &str,
        replacement_serial: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE objections SET state = $1, replacement_serial = $2 WHERE id = $3 AND issuer = $4",
        )
        .bind(state)
        .bind(replacement_serial)
        .bind(id)
        .bind(&self.issuer)
        .execute(&mut *self.write.tx)
        .await?;
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        self.write.commit().await
    }
}
