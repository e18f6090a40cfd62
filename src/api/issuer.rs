//! The issuer service: keys sealed at rest, issuance with idempotency keys and status positions, status
//! changes with the issuer-signed status lists they publish, and objections leading to correction and
//! re-issue. Every change is one database transaction, recorded as events.

use std::collections::BTreeMap;
use std::path::Path;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ecert_credential::{
    Catalogue, Certificate, CertificateStatus, StatusRef, TypeId, encode_b64, is_valid_id, parse_date,
};
use ecert_issuer::{
    CertificateEvent, Decision, IssueRequest, IssuerKey, ObjectionEvent, ObjectionState, RecordedCertificate,
    StatusPositions, issue, sign_status_list,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::app::{AppState, now};
use crate::auth::ActingIssuer;
use crate::db::Write;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath};
use crate::keystore::Kek;

/// The header carrying a client's idempotency key (draft-ietf-httpapi-idempotency-key-header).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The issuer service's secret state: the key-encryption key.
pub struct IssuerService {
    kek: Kek,
}

impl std::fmt::Debug for IssuerService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerService").finish_non_exhaustive()
    }
}

impl IssuerService {
    /// Opens the key-encryption key of `data_dir`.
    pub fn open(data_dir: &Path, passphrase: Option<&str>) -> Result<IssuerService, String> {
        let kek = Kek::open(data_dir, passphrase).map_err(|e| e.to_string())?;
        Ok(IssuerService { kek })
    }
}

/// The issuer routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/issuers/{issuer}/keys", get(list_keys).post(create_key))
        .route("/v1/issuers/{issuer}/certificates", post(issue_certificate))
        .route(
            "/v1/issuers/{issuer}/certificates/{serial}",
            get(certificate_record),
        )
        .route("/v1/issuers/{issuer}/certificates/{serial}/revoke", post(revoke))
        .route(
            "/v1/issuers/{issuer}/certificates/{serial}/suspend",
            post(suspend),
        )
        .route(
            "/v1/issuers/{issuer}/certificates/{serial}/reinstate",
            post(reinstate),
        )
        .route("/v1/issuers/{issuer}/status-lists/{list}", get(status_list))
        .route(
            "/v1/issuers/{issuer}/objections",
            get(list_objections).post(file_objection),
        )
        .route("/v1/issuers/{issuer}/objections/{objection}", get(objection))
        .route(
            "/v1/issuers/{issuer}/objections/{objection}/review",
            post(review_objection),
        )
}

fn service(state: &AppState) -> ApiResult<&IssuerService> {
    state
        .issuer
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this service does not host issuers"))
}

fn check_id(what: &str, id: &str) -> ApiResult<()> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_id",
            format!("{what} is not a valid id"),
        ))
    }
}

fn random_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// An issuer rule's refusal as the answer to the client. Values that fail the type's checks (of an
/// issuance or a correction) are `invalid_attributes`, as issuance answers them.
fn refused(error: ecert_issuer::Error) -> ApiError {
    use ecert_issuer::Error as Refused;
    let message = error.to_string();
    match error {
        Refused::InvalidTransition { .. } => ApiError::conflict("invalid_transition", message),
        Refused::TextLength { .. } | Refused::NoCorrections => ApiError::bad_request("invalid_body", message),
        Refused::CertificateMismatch(_) => ApiError::bad_request("invalid_certificate", message),
        Refused::CertificateRevoked => ApiError::conflict("certificate_revoked", message),
        Refused::UnknownCertificate => ApiError::not_found(message),
        Refused::ObjectionClosed => ApiError::conflict("objection_closed", message),
        Refused::Credential(_) | Refused::InvalidValidity | Refused::InvalidId(_) | Refused::Bbs(_) => {
            ApiError::bad_request("invalid_attributes", message)
        }
        other => ApiError::internal(other),
    }
}

// ---------------------------------------------------------------------------------------------------
// Keys

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    key_id: String,
}

#[derive(Debug, Serialize)]
struct PublicKeyRecord {
    issuer: String,
    key_id: String,
    suite: &'static str,
    public_key: String,
    created_at: i64,
}

async fn create_key(
    state: axum::extract::State<AppState>,
    _caller: ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<NewKey>,
) -> ApiResult<(StatusCode, Json<PublicKeyRecord>)> {
    let service = service(&state)?;
    check_id("key_id", &body.key_id)?;
    let key = IssuerKey::generate(&mut OsRng, &issuer, &body.key_id)
        .map_err(|e| ApiError::bad_request("invalid_id", e.to_string()))?;
    let sealed = service
        .kek
        .seal(&[&issuer, &body.key_id], key.secret_bytes().as_ref())
        .map_err(ApiError::internal)?;
    let public_key = encode_b64(&key.public_key().to_bytes());
    let created_at = now();
    let mut write = state.db.write().await?;
    let exists = sqlx::query("SELECT 1 FROM issuer_keys WHERE issuer = $1 AND key_id = $2")
        .bind(&issuer)
        .bind(&body.key_id)
        .fetch_optional(&mut *write.tx)
        .await?;
    if exists.is_some() {
        return Err(ApiError::conflict(
            "key_exists",
            "the issuer already has a key with this id",
        ));
    }
    sqlx::query(
        "INSERT INTO issuer_keys (issuer, key_id, public_key, sealed_secret, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&issuer)
    .bind(&body.key_id)
    .bind(&public_key)
    .bind(&sealed)
    .bind(created_at)
    .execute(&mut *write.tx)
    .await?;
    write.commit().await?;
    tracing::info!(%issuer, key_id = %body.key_id, "issuer key created");
    Ok((
        StatusCode::CREATED,
        Json(PublicKeyRecord {
            issuer,
            key_id: body.key_id,
            suite: ecert_registry::CERTIFICATE_SUITE,
            public_key,
            created_at,
        }),
    ))
}

async fn list_keys(
    state: axum::extract::State<AppState>,
    UrlPath(issuer): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    service(&state)?;
    let rows = sqlx::query(
        "SELECT key_id, public_key, created_at FROM issuer_keys WHERE issuer = $1 ORDER BY created_at, key_id",
    )
    .bind(&issuer)
    .fetch_all(state.db.pool())
    .await?;
    let keys: Vec<PublicKeyRecord> = rows
        .iter()
        .map(|row| PublicKeyRecord {
            issuer: issuer.clone(),
            key_id: row.get("key_id"),
            suite: ecert_registry::CERTIFICATE_SUITE,
            public_key: row.get("public_key"),
            created_at: row.get("created_at"),
        })
        .collect();
    Ok(Json(json!({ "keys": keys })))
}

/// Unseals an issuer key. `key_id` `None` picks the newest key the registry lists as active for the
/// issuer (when this process hosts the registry; else simply the newest), so that a key created but not
/// yet published never signs a certificate or status list that verifiers could not check.
async fn load_key(
    state: &AppState,
    write: &mut Write<'_>,
    issuer: &str,
    key_id: Option<&str>,
) -> ApiResult<IssuerKey> {
    let rows = sqlx::query(
        "SELECT key_id, sealed_secret FROM issuer_keys WHERE issuer = $1 ORDER BY created_at DESC, key_id DESC",
    )
    .bind(issuer)
    .fetch_all(&mut *write.tx)
    .await?;
    let published = |key_id: &str| match &state.registry {
        Some(registry) => registry
            .loaded()
            .view
            .key(issuer, key_id)
            .is_some_and(|k| k.status == ecert_credential::KeyStatus::Active),
        None => true,
    };
    let row = rows.into_iter().find(|row| {
        let id: String = row.get("key_id");
        match key_id {
            Some(wanted) => id == wanted,
            None => published(&id),
        }
    });
    let row = row.ok_or_else(|| {
        ApiError::conflict(
            "no_issuer_key",
            "the issuer has no such key, or none the registry lists as active: create one with \
             POST /v1/issuers/{issuer}/keys and have the registry publish it",
        )
    })?;
    let key_id: String = row.get("key_id");
    let sealed: String = row.get("sealed_secret");
    let secret = service(state)?
        .kek
        .open_sealed(&[issuer, &key_id], &sealed)
        .map_err(ApiError::internal)?;
    IssuerKey::from_secret_bytes(issuer, &key_id, &secret).map_err(ApiError::internal)
}

// ---------------------------------------------------------------------------------------------------
// Issuance

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    #[serde(rename = "type")]
    type_id: String,
    attributes: Map<String, Value>,
    valid_from: String,
    valid_until: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
}

#[derive(Debug, Serialize)]
struct Issued {
    serial: String,
    status: StatusRef,
    certificate: Value,
}

fn certificate_types(state: &AppState) -> Catalogue {
    // The registry's catalogue when this process hosts it, else the types ecert ships with.
    match &state.registry {
        Some(registry) => registry.loaded().catalogue.clone(),
        None => Catalogue::built_in().cloned().unwrap_or_default(),
    }
}

async fn issue_certificate(
    state: axum::extract::State<AppState>,
    ActingIssuer(caller): ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
    headers: HeaderMap,
    Json(body): Json<IssueBody>,
) -> ApiResult<Response> {
    service(&state)?;
    let idempotency_key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| (1..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
                .map(str::to_owned)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1 to 128 visible ASCII characters",
                    )
                })
        })
        .transpose()?
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing_idempotency_key",
                "issuance needs an Idempotency-Key header, so that a retry cannot issue twice",
            )
        })?;
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&body).map_err(ApiError::internal)?,
    ));
    if let Some(found) = find_idempotent(&state, &issuer, &idempotency_key, &digest, None).await? {
        return Ok(found);
    }

    // Check everything that needs no allocation before taking the writers' lock.
    let catalogue = certificate_types(&state);
    let ty = catalogue
        .get(&body.type_id)
        .map_err(|e| ApiError::bad_request("unknown_type", e.to_string()))?
        .clone();
    if let Some(registry) = &state.registry {
        if !registry.loaded().view.issuers.contains_key(&issuer) {
            return Err(ApiError::not_found("no such issuer in the registry"));
        }
        let type_id =
            TypeId::new(&body.type_id).map_err(|e| ApiError::bad_request("unknown_type", e.to_string()))?;
        if !registry.loaded().view.authorises(&issuer, &type_id) {
            return Err(ApiError::forbidden(
                "not_authorised_for_type",
                "the registry does not authorise this issuer for this certificate type",
            ));
        }
    }
    let valid_from =
        parse_date(&body.valid_from).map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let valid_until =
        parse_date(&body.valid_until).map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    ty.parse_values(&body.attributes)
        .map_err(|e| ApiError::bad_request("invalid_attributes", e.to_string()))?;

    let mut write = state.db.write().await?;
    // A concurrent retry may have won the lock first.
    if let Some(found) = find_idempotent(&state, &issuer, &idempotency_key, &digest, Some(&mut write)).await?
    {
        return Ok(found);
    }
    let key = load_key(&state, &mut write, &issuer, body.key_id.as_deref()).await?;
    let position = allocate_position(&mut write, &issuer).await?;
    let request = IssueRequest {
        attributes: body.attributes.clone(),
        valid_from,
        valid_until,
        status: position.clone(),
        serial: random_id(),
    };
    let certificate =
        issue(&ty, &key, &request).map_err(|e| ApiError::bad_request("invalid_attributes", e.to_string()))?;
    let actor = caller.actor();
    store_certificate(
        &mut write,
        &certificate,
        Some(&idempotency_key),
        &digest,
        &actor,
        None,
    )
    .await?;
    if StatusPositions::default().opens_list(&position) {
        // A new list: publish it (all valid) before any certificate in it can be presented.
        publish_status_list(&mut write, &key, &position.list).await?;
    }
    write.commit().await?;
    tracing::info!(%issuer, serial = %certificate.serial, type_id = %certificate.type_id, "certificate issued");
    Ok((StatusCode::CREATED, Json(issued(&certificate)?)).into_response())
}

fn issued(certificate: &Certificate) -> ApiResult<Issued> {
    Ok(Issued {
        serial: certificate.serial.clone(),
        status: certificate.status.clone(),
        certificate: serde_json::from_str(&certificate.to_json()).map_err(ApiError::internal)?,
    })
}

/// The certificate an earlier request with this idempotency key issued (200), a conflict if that request
/// had another body (409), or `None`.
async fn find_idempotent(
    state: &AppState,
    issuer: &str,
    key: &str,
    digest: &str,
    write: Option<&mut Write<'_>>,
) -> ApiResult<Option<Response>> {
    let query = sqlx::query(
        "SELECT certificate, request_digest FROM certificates WHERE issuer = $1 AND idempotency_key = $2",
    )
    .bind(issuer)
    .bind(key);
    let row = match write {
        Some(write) => query.fetch_optional(&mut *write.tx).await?,
        None => query.fetch_optional(state.db.pool()).await?,
    };
    let Some(row) = row else { return Ok(None) };
    let stored_digest: String = row.get("request_digest");
    if stored_digest != digest {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        ));
    }
    let text: String = row.get("certificate");
    let certificate = Certificate::from_json(&text).map_err(ApiError::internal)?;
    Ok(Some(
        (StatusCode::OK, Json(issued(&certificate)?)).into_response(),
    ))
}

/// The next free status position: certificates are never deleted, so the count of the issuer's
/// certificates is the next one's number ([`StatusPositions`]).
async fn allocate_position(write: &mut Write<'_>, issuer: &str) -> ApiResult<StatusRef> {
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM certificates WHERE issuer = $1")
        .bind(issuer)
        .fetch_one(&mut *write.tx)
        .await?
        .get("n");
    let count = u64::try_from(count).map_err(ApiError::internal)?;
    Ok(StatusPositions::default().position(count))
}

async fn store_certificate(
    write: &mut Write<'_>,
    certificate: &Certificate,
    idempotency_key: Option<&str>,
    digest: &str,
    actor: &str,
    reason: Option<&str>,
) -> ApiResult<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO certificates (issuer, serial, type_id, key_id, status_list, status_index, status, \
         certificate, idempotency_key, request_digest, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&certificate.issuer)
    .bind(&certificate.serial)
    .bind(certificate.type_id.as_str())
    .bind(&certificate.key_id)
    .bind(&certificate.status.list)
    .bind(i64::from(certificate.status.index))
    .bind(CertificateStatus::Valid.as_str())
    .bind(certificate.to_json())
    .bind(idempotency_key)
    .bind(digest)
    .bind(at)
    .execute(&mut *write.tx)
    .await?;
    record_event(
        write,
        &certificate.issuer,
        &certificate.serial,
        CertificateEvent::Issued,
        reason,
        actor,
    )
    .await
}

async fn record_event(
    write: &mut Write<'_>,
    issuer: &str,
    serial: &str,
    event: CertificateEvent,
    reason: Option<&str>,
    actor: &str,
) -> ApiResult<()> {
    let seq: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM certificate_events WHERE issuer = $1 AND serial = $2",
    )
    .bind(issuer)
    .bind(serial)
    .fetch_one(&mut *write.tx)
    .await?
    .get("next");
    sqlx::query(
        "INSERT INTO certificate_events (issuer, serial, seq, at, action, reason, actor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(issuer)
    .bind(serial)
    .bind(seq)
    .bind(now())
    .bind(event.as_str())
    .bind(reason)
    .bind(actor)
    .execute(&mut *write.tx)
    .await?;
    Ok(())
}

fn parse_status(name: &str) -> ApiResult<CertificateStatus> {
    name.parse().map_err(ApiError::internal)
}

/// Signs and stores the current state of `list` with `key`, one version after the last.
async fn publish_status_list(write: &mut Write<'_>, key: &IssuerKey, list: &str) -> ApiResult<()> {
    let issuer = key.issuer();
    let rows = sqlx::query(
        "SELECT status_index, status FROM certificates \
         WHERE issuer = $1 AND status_list = $2 AND status <> 'valid'",
    )
    .bind(issuer)
    .bind(list)
    .fetch_all(&mut *write.tx)
    .await?;
    let mut statuses = BTreeMap::new();
    for row in rows {
        let index: i64 = row.get("status_index");
        let status: String = row.get("status");
        statuses.insert(
            u32::try_from(index).map_err(ApiError::internal)?,
            parse_status(&status)?,
        );
    }
    let version: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version) + 1, 1) AS next FROM status_lists WHERE issuer = $1 AND list = $2",
    )
    .bind(issuer)
    .bind(list)
    .fetch_one(&mut *write.tx)
    .await?
    .get("next");
    let document = sign_status_list(
        key,
        list,
        &statuses,
        u64::try_from(version).map_err(ApiError::internal)?,
        now(),
    )
    .map_err(ApiError::internal)?;
    sqlx::query("DELETE FROM status_lists WHERE issuer = $1 AND list = $2")
        .bind(issuer)
        .bind(list)
        .execute(&mut *write.tx)
        .await?;
    sqlx::query("INSERT INTO status_lists (issuer, list, version, document) VALUES ($1, $2, $3, $4)")
        .bind(issuer)
        .bind(list)
        .bind(version)
        .bind(document.to_json())
        .execute(&mut *write.tx)
        .await?;
    Ok(())
}

async fn status_list(
    state: axum::extract::State<AppState>,
    UrlPath((issuer, list)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    service(&state)?;
    let row = sqlx::query("SELECT document FROM status_lists WHERE issuer = $1 AND list = $2")
        .bind(&issuer)
        .bind(&list)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such status list"))?;
    let document: String = row.get("document");
    let mut response = ([(header::CONTENT_TYPE, "application/json")], document).into_response();
    // Short caching: a revocation must reach verifiers within a minute.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

// ---------------------------------------------------------------------------------------------------
// Status changes

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    #[serde(default)]
    reason: Option<String>,
}

async fn revoke(
    state: axum::extract::State<AppState>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<Value>> {
    change_status(
        &state,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Revoked,
        body.reason,
    )
    .await
}

async fn suspend(
    state: axum::extract::State<AppState>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<Value>> {
    change_status(
        &state,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Suspended,
        body.reason,
    )
    .await
}

async fn reinstate(
    state: axum::extract::State<AppState>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<Value>> {
    change_status(
        &state,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Valid,
        body.reason,
    )
    .await
}

async fn change_status(
    state: &AppState,
    caller: &ActingIssuer,
    issuer: &str,
    serial: &str,
    to: CertificateStatus,
    reason: Option<String>,
) -> ApiResult<Json<Value>> {
    service(state)?;
    ecert_issuer::check_reason(reason.as_deref()).map_err(refused)?;
    let mut write = state.db.write().await?;
    set_status(
        state,
        &mut write,
        issuer,
        serial,
        to,
        reason.as_deref(),
        &caller.0.actor(),
    )
    .await?;
    write.commit().await?;
    tracing::info!(%issuer, %serial, status = to.as_str(), "certificate status changed");
    Ok(Json(json!({"serial": serial, "status": to.as_str()})))
}

/// Moves a certificate to `to` if its lifecycle allows ([`ecert_issuer::transition`]) and republishes its
/// status list, inside the caller's transaction.
async fn set_status(
    state: &AppState,
    write: &mut Write<'_>,
    issuer: &str,
    serial: &str,
    to: CertificateStatus,
    reason: Option<&str>,
    actor: &str,
) -> ApiResult<()> {
    let row = sqlx::query("SELECT status, status_list FROM certificates WHERE issuer = $1 AND serial = $2")
        .bind(issuer)
        .bind(serial)
        .fetch_optional(&mut *write.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("no such certificate"))?;
    let from = parse_status(&row.get::<String, _>("status"))?;
    let list: String = row.get("status_list");
    let event = ecert_issuer::transition(from, to).map_err(refused)?;
    sqlx::query("UPDATE certificates SET status = $1 WHERE issuer = $2 AND serial = $3")
        .bind(to.as_str())
        .bind(issuer)
        .bind(serial)
        .execute(&mut *write.tx)
        .await?;
    record_event(write, issuer, serial, event, reason, actor).await?;
    let key = load_key(state, write, issuer, None).await?;
    publish_status_list(write, &key, &list).await
}

async fn certificate_record(
    state: axum::extract::State<AppState>,
    _caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    service(&state)?;
    let row = sqlx::query(
        "SELECT type_id, key_id, status_list, status_index, status, certificate, issued_at \
         FROM certificates WHERE issuer = $1 AND serial = $2",
    )
    .bind(&issuer)
    .bind(&serial)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or_else(|| ApiError::not_found("no such certificate"))?;
    let events = sqlx::query(
        "SELECT at, action, reason, actor FROM certificate_events WHERE issuer = $1 AND serial = $2 ORDER BY seq",
    )
    .bind(&issuer)
    .bind(&serial)
    .fetch_all(state.db.pool())
    .await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({"at": e.get::<i64, _>("at"), "action": e.get::<String, _>("action"),
                   "reason": e.get::<Option<String>, _>("reason"), "actor": e.get::<String, _>("actor")})
        })
        .collect();
    let certificate: Value =
        serde_json::from_str(&row.get::<String, _>("certificate")).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "serial": serial,
        "type": row.get::<String, _>("type_id"),
        "key_id": row.get::<String, _>("key_id"),
        "status": row.get::<String, _>("status"),
        "status_list": row.get::<String, _>("status_list"),
        "status_index": row.get::<i64, _>("status_index"),
        "issued_at": row.get::<i64, _>("issued_at"),
        "certificate": certificate,
        "events": events,
    })))
}

// ---------------------------------------------------------------------------------------------------
// Objections

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewObjection {
    /// The holder's certificate, in full: holding it is what entitles the holder to object.
    certificate: Value,
    statement: String,
    corrections: Map<String, Value>,
}

async fn file_objection(
    state: axum::extract::State<AppState>,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<NewObjection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    service(&state)?;
    let text = serde_json::to_string(&body.certificate).map_err(ApiError::internal)?;
    let presented = Certificate::from_json(&text)
        .map_err(|e| ApiError::bad_request("invalid_certificate", e.to_string()))?;
    let row = if presented.issuer == issuer {
        sqlx::query("SELECT certificate, status FROM certificates WHERE issuer = $1 AND serial = $2")
            .bind(&issuer)
            .bind(&presented.serial)
            .fetch_optional(state.db.pool())
            .await?
    } else {
        None
    };
    let stored = match &row {
        Some(row) => Some((
            Certificate::from_json(&row.get::<String, _>("certificate")).map_err(ApiError::internal)?,
            parse_status(&row.get::<String, _>("status"))?,
        )),
        None => None,
    };
    let catalogue = certificate_types(&state);
    let recorded = match &stored {
        Some((certificate, status)) => Some(RecordedCertificate {
            certificate,
            status: *status,
            ty: catalogue
                .get(certificate.type_id.as_str())
                .map_err(ApiError::internal)?,
        }),
        None => None,
    };
    ecert_issuer::check_filing(&issuer, &presented, recorded, &body.statement, &body.corrections)
        .map_err(refused)?;
    let serial = presented.serial;
    let id = random_id();
    let mut write = state.db.write().await?;
    sqlx::query(
        "INSERT INTO objections (id, issuer, serial, state, statement, corrections, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&issuer)
    .bind(&serial)
    .bind(ObjectionState::Filed.as_str())
    .bind(&body.statement)
    .bind(Value::Object(body.corrections).to_string())
    .bind(now())
    .execute(&mut *write.tx)
    .await?;
    objection_event(&mut write, &id, ObjectionEvent::Filed, None, "holder").await?;
    write.commit().await?;
    tracing::info!(%issuer, objection = %id, "objection filed");
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "state": ObjectionState::Filed.as_str()})),
    ))
}

async fn objection_event(
    write: &mut Write<'_>,
    id: &str,
    event: ObjectionEvent,
    note: Option<&str>,
    actor: &str,
) -> ApiResult<()> {
    let seq: i64 =
        sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM objection_events WHERE objection_id = $1")
            .bind(id)
            .fetch_one(&mut *write.tx)
            .await?
            .get("next");
    sqlx::query(
        "INSERT INTO objection_events (objection_id, seq, at, action, note, actor) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(seq)
    .bind(now())
    .bind(event.as_str())
    .bind(note)
    .bind(actor)
    .execute(&mut *write.tx)
    .await?;
    Ok(())
}

async fn objection_json(state: &AppState, issuer: &str, id: &str) -> ApiResult<Value> {
    let row = sqlx::query(
        "SELECT serial, state, statement, corrections, filed_at, replacement_serial FROM objections \
         WHERE id = $1 AND issuer = $2",
    )
    .bind(id)
    .bind(issuer)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or_else(|| ApiError::not_found("no such objection"))?;
    let events = sqlx::query(
        "SELECT at, action, note, actor FROM objection_events WHERE objection_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(state.db.pool())
    .await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({"at": e.get::<i64, _>("at"), "action": e.get::<String, _>("action"),
                   "note": e.get::<Option<String>, _>("note"), "actor": e.get::<String, _>("actor")})
        })
        .collect();
    let replacement_serial: Option<String> = row.get("replacement_serial");
    let replacement = match &replacement_serial {
        Some(serial) => {
            let row = sqlx::query("SELECT certificate FROM certificates WHERE issuer = $1 AND serial = $2")
                .bind(issuer)
                .bind(serial)
                .fetch_one(state.db.pool())
                .await?;
            Some(
                serde_json::from_str::<Value>(&row.get::<String, _>("certificate"))
                    .map_err(ApiError::internal)?,
            )
        }
        None => None,
    };
    let corrections: Value =
        serde_json::from_str(&row.get::<String, _>("corrections")).map_err(ApiError::internal)?;
    Ok(json!({
        "id": id,
        "issuer": issuer,
        "serial": row.get::<String, _>("serial"),
        "state": row.get::<String, _>("state"),
        "statement": row.get::<String, _>("statement"),
        "corrections": corrections,
        "filed_at": row.get::<i64, _>("filed_at"),
        "replacement_serial": replacement_serial,
        "replacement": replacement,
        "events": events,
    }))
}

/// The holder's view of an objection: the id (128 random bits, given only to the holder) is the
/// capability, and the replacement certificate is delivered here once re-issued.
async fn objection(
    state: axum::extract::State<AppState>,
    UrlPath((issuer, id)): UrlPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    service(&state)?;
    Ok(Json(objection_json(&state, &issuer, &id).await?))
}

async fn list_objections(
    state: axum::extract::State<AppState>,
    _caller: ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    service(&state)?;
    let rows = sqlx::query(
        "SELECT id, serial, state, statement, filed_at FROM objections WHERE issuer = $1 ORDER BY filed_at, id",
    )
    .bind(&issuer)
    .fetch_all(state.db.pool())
    .await?;
    let objections: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"id": r.get::<String, _>("id"), "serial": r.get::<String, _>("serial"),
                   "state": r.get::<String, _>("state"), "statement": r.get::<String, _>("statement"),
                   "filed_at": r.get::<i64, _>("filed_at")})
        })
        .collect();
    Ok(Json(json!({ "objections": objections })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DecisionName {
    Accept,
    Reject,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Review {
    decision: DecisionName,
    note: String,
    /// The reviewer's corrections, when they differ from the holder's.
    #[serde(default)]
    corrections: Option<Map<String, Value>>,
}

/// The issuer decides: a rejection is recorded with its note; an acceptance re-issues the certificate
/// with the corrections (new serial, new status position, same validity), revokes the old one and
/// records every step, all in one transaction.
async fn review_objection(
    state: axum::extract::State<AppState>,
    ActingIssuer(caller): ActingIssuer,
    UrlPath((issuer, id)): UrlPath<(String, String)>,
    Json(review): Json<Review>,
) -> ApiResult<Json<Value>> {
    service(&state)?;
    let decision = match review.decision {
        DecisionName::Accept => Decision::Accept,
        DecisionName::Reject => Decision::Reject,
    };
    let actor = caller.actor();
    let mut write = state.db.write().await?;
    let row = sqlx::query("SELECT serial, state, corrections FROM objections WHERE id = $1 AND issuer = $2")
        .bind(&id)
        .bind(&issuer)
        .fetch_optional(&mut *write.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("no such objection"))?;
    let current: ObjectionState = row
        .get::<String, _>("state")
        .parse()
        .map_err(ApiError::internal)?;
    let next = ecert_issuer::review(current, decision, &review.note).map_err(refused)?;
    let serial: String = row.get("serial");
    let replacement_serial = match decision {
        Decision::Reject => {
            objection_event(
                &mut write,
                &id,
                ObjectionEvent::Rejected,
                Some(&review.note),
                &actor,
            )
            .await?;
            None
        }
        Decision::Accept => {
            let corrections = match review.corrections {
                Some(corrections) => corrections,
                None => {
                    serde_json::from_str(&row.get::<String, _>("corrections")).map_err(ApiError::internal)?
                }
            };
            let stored =
                sqlx::query("SELECT certificate FROM certificates WHERE issuer = $1 AND serial = $2")
                    .bind(&issuer)
                    .bind(&serial)
                    .fetch_one(&mut *write.tx)
                    .await?;
            let old = Certificate::from_json(&stored.get::<String, _>("certificate"))
                .map_err(ApiError::internal)?;
            let catalogue = certificate_types(&state);
            let ty = catalogue
                .get(old.type_id.as_str())
                .map_err(ApiError::internal)?
                .clone();
            // The corrections are checked before anything is recorded: a wrong one changes nothing.
            ecert_issuer::corrected_attributes(&ty, &old, &corrections).map_err(refused)?;
            objection_event(
                &mut write,
                &id,
                ObjectionEvent::Accepted,
                Some(&review.note),
                &actor,
            )
            .await?;
            let key = load_key(&state, &mut write, &issuer, None).await?;
            let position = allocate_position(&mut write, &issuer).await?;
            let reissue =
                ecert_issuer::reissue(&ty, &key, &old, &corrections, &id, position.clone(), random_id())
                    .map_err(refused)?;
            let replacement = &reissue.replacement;
            let digest = hex::encode(Sha256::digest(format!("objection:{id}")));
            store_certificate(
                &mut write,
                replacement,
                None,
                &digest,
                &actor,
                Some(&reissue.issued_reason),
            )
            .await?;
            if StatusPositions::default().opens_list(&position) {
                publish_status_list(&mut write, &key, &position.list).await?;
            }
            objection_event(
                &mut write,
                &id,
                ObjectionEvent::Reissued,
                Some(&replacement.serial),
                &actor,
            )
            .await?;
            set_status(
                &state,
                &mut write,
                &issuer,
                &serial,
                CertificateStatus::Revoked,
                Some(&reissue.revoked_reason),
                &actor,
            )
            .await?;
            objection_event(
                &mut write,
                &id,
                ObjectionEvent::OldCertificateRevoked,
                Some(&serial),
                &actor,
            )
            .await?;
            Some(reissue.replacement.serial)
        }
    };
    sqlx::query("UPDATE objections SET state = $1, replacement_serial = $2 WHERE id = $3")
        .bind(next.as_str())
        .bind(replacement_serial)
        .bind(&id)
        .execute(&mut *write.tx)
        .await?;
    write.commit().await?;
    tracing::info!(%issuer, objection = %id, "objection decided");
    Ok(Json(objection_json(&state, &issuer, &id).await?))
}
