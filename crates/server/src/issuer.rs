//! The issuer service: keys sealed at rest, issuance with idempotency keys and status positions, status
//! changes with the issuer-signed status lists they publish, and objections leading to correction and
//! re-issue. The rules are ecert-issuer's; this module loads what they need from the store, calls them,
//! and stores what they return.
//!
//! An issuance reserves its status position first (a short transaction on the issuer's counter row),
//! signs outside any transaction, and stores the certificate with its `issued` event in a second one.
//! Two requests racing with one idempotency key both sign, but only the first stores: the second meets
//! the unique key, and answers the first one's certificate; the position it reserved stays unused
//! (valid, and named by no certificate). A status list is published, all valid, in the transaction that
//! stores the first certificate pointing into it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecert_api::{
    CertificateEventRecord, CertificateRecord, ErrorCode, IDEMPOTENCY_KEY, IssueCertificate,
    IssuedCertificate, IssuerKey as IssuerKeyRecord, IssuerKeys, NewIssuerKey, NewObjection, Objection,
    ObjectionEventRecord, ObjectionFiled, ObjectionReview, ObjectionSummary, Objections, ReviewDecision,
    StatusChange, StatusChanged, operation as op,
};
use ecert_credential::{
    Catalogue, Certificate, CertificateStatus, CertificateType, KeyStatus, TypeId, encode_b64, is_valid_id,
    parse_date,
};
use ecert_issuer::{
    Decision, IssueRequest, IssuerKey, ObjectionEvent, ObjectionState, RecordedCertificate, StatusPositions,
    issue, sign_status_list,
};
use rand_core::{OsRng, RngCore};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::auth::{ActingIssuer, HasTokenVerifier, TokenVerifier};
use crate::clock::now;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath};
use crate::keystore::Kek;
use crate::routing::Routes;
use crate::store::issuer::{
    CertificateRow, EventRow, InsertError, NewCertificate, NewObjectionRow, ObjectionRow, StatusListDocument,
    StoredKey,
};
use crate::store::{IssuerStore, IssuerWrite};
use crate::trust::{TrustSource, TrustedRegistry};

/// What the issuer checks issuance against.
#[derive(Clone, Debug)]
pub enum IssuerTrust {
    /// The registry (in this process or synced): its catalogue, the issuers it lists, their authorised
    /// types and the keys it lists as active.
    Registry(Arc<dyn TrustSource>),
    /// No registry: the certificate types ecert ships with, and any key the service holds. For a
    /// department that runs its issuer alone and publishes its keys by hand.
    BuiltIn,
}

/// What the issuer's handlers share.
pub struct IssuerApp<S> {
    /// The storage.
    pub store: S,
    kek: Arc<Kek>,
    trust: IssuerTrust,
    tokens: TokenVerifier,
}

impl<S> Clone for IssuerApp<S>
where
    S: Clone,
{
    fn clone(&self) -> Self {
        IssuerApp {
            store: self.store.clone(),
            kek: Arc::clone(&self.kek),
            trust: self.trust.clone(),
            tokens: self.tokens.clone(),
        }
    }
}

impl<S> std::fmt::Debug for IssuerApp<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerApp")
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl<S> HasTokenVerifier for IssuerApp<S> {
    fn token_verifier(&self) -> &TokenVerifier {
        &self.tokens
    }
}

impl<S: IssuerStore> IssuerApp<S> {
    /// The issuer service of `data_dir` (its key-encryption key, unlocked with `passphrase` when it is
    /// passphrase-based) on `store`.
    pub fn open(
        data_dir: &Path,
        passphrase: Option<&str>,
        store: S,
        trust: IssuerTrust,
        tokens: TokenVerifier,
    ) -> Result<IssuerApp<S>, String> {
        let kek = Kek::open(data_dir, passphrase).map_err(|e| e.to_string())?;
        Ok(IssuerApp {
            store,
            kek: Arc::new(kek),
            trust,
            tokens,
        })
    }

    /// The certificate types issuance is checked against.
    fn catalogue(&self) -> ApiResult<Catalogue> {
        match &self.trust {
            IssuerTrust::Registry(source) => Ok(source.trusted()?.catalogue.clone()),
            IssuerTrust::BuiltIn => Ok(Catalogue::built_in().cloned().unwrap_or_default()),
        }
    }

    /// The registry's state now, or `None` without a registry.
    fn registry(&self) -> ApiResult<Option<Arc<TrustedRegistry>>> {
        match &self.trust {
            IssuerTrust::Registry(source) => source.trusted().map(Some),
            IssuerTrust::BuiltIn => Ok(None),
        }
    }

    /// Runs `check` against the registry's state; if it refuses for want of something the registry may
    /// have just gained (another process, or the registry node, wrote it a moment ago), runs it once more
    /// against the state caught up with the source.
    async fn with_registry<T>(
        &self,
        check: impl Fn(Option<&TrustedRegistry>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let first = check(self.registry()?.as_deref());
        match (&self.trust, first) {
            (IssuerTrust::Registry(source), Err(error)) if registry_may_lag(&error) => {
                check(Some(&*source.refreshed().await?))
            }
            (_, outcome) => outcome,
        }
    }
}

/// Whether a refusal may come from a registry state a moment behind the source.
fn registry_may_lag(error: &ApiError) -> bool {
    matches!(
        error.code(),
        ErrorCode::NotFound
            | ErrorCode::NotAuthorisedForType
            | ErrorCode::UnknownType
            | ErrorCode::NoIssuerKey
    )
}

type App<S> = State<IssuerApp<S>>;

/// The issuer routes.
pub fn routes<S: IssuerStore>() -> Routes<IssuerApp<S>> {
    Routes::new()
        .route(op::LIST_ISSUER_KEYS, list_keys::<S>)
        .route(op::CREATE_ISSUER_KEY, create_key::<S>)
        .route(op::ISSUE_CERTIFICATE, issue_certificate::<S>)
        .route(op::GET_CERTIFICATE_RECORD, certificate_record::<S>)
        .route(op::REVOKE_CERTIFICATE, revoke::<S>)
        .route(op::SUSPEND_CERTIFICATE, suspend::<S>)
        .route(op::REINSTATE_CERTIFICATE, reinstate::<S>)
        .route(op::GET_STATUS_LIST, status_list::<S>)
        .route(op::LIST_OBJECTIONS, list_objections::<S>)
        .route(op::FILE_OBJECTION, file_objection::<S>)
        .route(op::GET_OBJECTION, objection::<S>)
        .route(op::REVIEW_OBJECTION, review_objection::<S>)
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
    let code = match error {
        Refused::InvalidTransition { .. } => ErrorCode::InvalidTransition,
        Refused::TextLength { .. } | Refused::NoCorrections => ErrorCode::InvalidBody,
        Refused::CertificateMismatch(_) => ErrorCode::InvalidCertificate,
        Refused::CertificateRevoked => ErrorCode::CertificateRevoked,
        Refused::UnknownCertificate => ErrorCode::NotFound,
        Refused::ObjectionClosed => ErrorCode::ObjectionClosed,
        Refused::Credential(_) | Refused::InvalidValidity | Refused::InvalidId(_) | Refused::Bbs(_) => {
            ErrorCode::InvalidAttributes
        }
        other => return ApiError::internal(other),
    };
    ApiError::new(code, message)
}

fn parse_status(name: &str) -> ApiResult<CertificateStatus> {
    name.parse().map_err(ApiError::internal)
}

// ---------------------------------------------------------------------------------------------------
// Keys

async fn create_key<S: IssuerStore>(
    State(app): App<S>,
    _caller: ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<NewIssuerKey>,
) -> ApiResult<(StatusCode, Json<IssuerKeyRecord>)> {
    if !is_valid_id(&body.key_id) {
        return Err(ApiError::new(ErrorCode::InvalidId, "key_id is not a valid id"));
    }
    let key = IssuerKey::generate(&mut OsRng, &issuer, &body.key_id)
        .map_err(|e| ApiError::new(ErrorCode::InvalidId, e.to_string()))?;
    let sealed = app
        .kek
        .seal(&[&issuer, &body.key_id], key.secret_bytes().as_ref())
        .map_err(ApiError::internal)?;
    let stored = StoredKey {
        key_id: body.key_id,
        public_key: encode_b64(&key.public_key().to_bytes()),
        created_at: now(),
    };
    if !app.store.insert_key(&issuer, &stored, &sealed).await? {
        return Err(ApiError::new(
            ErrorCode::KeyExists,
            "the issuer already has a key with this id",
        ));
    }
    tracing::info!(%issuer, key_id = %stored.key_id, "issuer key created");
    Ok((StatusCode::CREATED, Json(key_record(&issuer, stored))))
}

fn key_record(issuer: &str, key: StoredKey) -> IssuerKeyRecord {
    IssuerKeyRecord {
        issuer: issuer.to_owned(),
        key_id: key.key_id,
        suite: ecert_registry::CERTIFICATE_SUITE.to_owned(),
        public_key: key.public_key,
        created_at: key.created_at,
    }
}

async fn list_keys<S: IssuerStore>(
    State(app): App<S>,
    UrlPath(issuer): UrlPath<String>,
) -> ApiResult<Json<IssuerKeys>> {
    let keys = app.store.keys(&issuer).await?;
    Ok(Json(IssuerKeys {
        keys: keys.into_iter().map(|key| key_record(&issuer, key)).collect(),
    }))
}

/// Unseals an issuer key. `key_id` `None` picks the newest key the registry lists as active for the
/// issuer (without a registry, simply the newest), so that a key created but not yet published never
/// signs a certificate or status list that verifiers could not check.
async fn signing_key<S: IssuerStore>(
    app: &IssuerApp<S>,
    issuer: &str,
    key_id: Option<&str>,
) -> ApiResult<IssuerKey> {
    let sealed = app.store.sealed_keys(issuer).await?;
    let chosen = app
        .with_registry(|registry| {
            let published = |key_id: &str| match registry {
                Some(registry) => registry
                    .view
                    .key(issuer, key_id)
                    .is_some_and(|k| k.status == KeyStatus::Active),
                None => true,
            };
            sealed
                .iter()
                .find(|key| match key_id {
                    Some(wanted) => key.key_id == wanted,
                    None => published(&key.key_id),
                })
                .cloned()
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NoIssuerKey,
                        "the issuer has no such key, or none the registry lists as active: create one with \
                         POST /v1/issuers/{issuer}/keys and have the registry publish it",
                    )
                })
        })
        .await?;
    let secret = app
        .kek
        .open_sealed(&[issuer, &chosen.key_id], &chosen.sealed_secret)
        .map_err(ApiError::internal)?;
    IssuerKey::from_secret_bytes(issuer, &chosen.key_id, &secret).map_err(ApiError::internal)
}

// ---------------------------------------------------------------------------------------------------
// Issuance

/// The idempotency key of an issuance, from its header.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let value = headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingIdempotencyKey,
            "issuance needs an Idempotency-Key header, so that a retry cannot issue twice",
        )
    })?;
    value
        .to_str()
        .ok()
        .filter(|key| (1..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 128 visible ASCII characters",
            )
        })
}

/// The digest an idempotency key is bound to: SHA-256 of the request body as serde writes it.
fn request_digest(body: &IssueCertificate) -> ApiResult<String> {
    Ok(hex::encode(Sha256::digest(
        serde_json::to_vec(body).map_err(ApiError::internal)?,
    )))
}

/// An issuance checked against the type and the registry, ready to sign.
struct Checked {
    ty: CertificateType,
    valid_from: time::Date,
    valid_until: time::Date,
}

/// Everything about an issuance that can be checked before a position is taken: the type, the
/// registry's authorisation (when there is a registry), the dates and the values.
fn check_issuance(
    registry: Option<&TrustedRegistry>,
    issuer: &str,
    body: &IssueCertificate,
) -> ApiResult<Checked> {
    let built_in;
    let catalogue = match registry {
        Some(registry) => &registry.catalogue,
        None => {
            built_in = Catalogue::built_in().cloned().unwrap_or_default();
            &built_in
        }
    };
    let ty = catalogue
        .get(&body.type_id)
        .map_err(|e| ApiError::new(ErrorCode::UnknownType, e.to_string()))?
        .clone();
    if let Some(registry) = registry {
        if !registry.view.issuers.contains_key(issuer) {
            return Err(ApiError::not_found("no such issuer in the registry"));
        }
        let type_id =
            TypeId::new(&body.type_id).map_err(|e| ApiError::new(ErrorCode::UnknownType, e.to_string()))?;
        if !registry.view.authorises(issuer, &type_id) {
            return Err(ApiError::new(
                ErrorCode::NotAuthorisedForType,
                "the registry does not authorise this issuer for this certificate type",
            ));
        }
    }
    let valid_from =
        parse_date(&body.valid_from).map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))?;
    let valid_until =
        parse_date(&body.valid_until).map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))?;
    ty.parse_values(&body.attributes)
        .map_err(|e| ApiError::new(ErrorCode::InvalidAttributes, e.to_string()))?;
    Ok(Checked {
        ty,
        valid_from,
        valid_until,
    })
}

/// The answer to an issuance found under its idempotency key: the certificate (200) if the request is
/// the same, `idempotency_key_reused` (409) if it is not.
fn issued_before(found: &crate::store::issuer::IssuedBefore, digest: &str) -> ApiResult<IssuedCertificate> {
    if found.request_digest != digest {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        ));
    }
    issued(Certificate::from_json(&found.certificate).map_err(ApiError::internal)?)
}

fn issued(certificate: Certificate) -> ApiResult<IssuedCertificate> {
    Ok(IssuedCertificate {
        serial: certificate.serial.clone(),
        status: certificate.status.clone(),
        certificate,
    })
}

/// The all-valid first version of each of `lists` the issuer has not published, signed with `key`.
async fn new_lists<S: IssuerStore>(
    app: &IssuerApp<S>,
    key: &IssuerKey,
    lists: &[&str],
) -> ApiResult<Vec<(String, String)>> {
    let missing = app.store.missing_lists(key.issuer(), lists).await?;
    missing
        .into_iter()
        .map(|list| {
            let document =
                sign_status_list(key, &list, &BTreeMap::new(), 1, now()).map_err(ApiError::internal)?;
            Ok((list, document.to_json()))
        })
        .collect()
}

async fn issue_certificate<S: IssuerStore>(
    State(app): App<S>,
    ActingIssuer(caller): ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
    headers: HeaderMap,
    Json(body): Json<IssueCertificate>,
) -> ApiResult<Response> {
    let idempotency_key = idempotency_key(&headers)?;
    let digest = request_digest(&body)?;
    if let Some(Some(found)) = app.store.issued_before(&issuer, &[&idempotency_key]).await?.pop() {
        return Ok((StatusCode::OK, Json(issued_before(&found, &digest)?)).into_response());
    }
    let checked = app
        .with_registry(|registry| check_issuance(registry, &issuer, &body))
        .await?;
    let key = signing_key(&app, &issuer, body.key_id.as_deref()).await?;
    let sequence = app.store.reserve_positions(&issuer, 1).await?;
    let position = StatusPositions::default().position(sequence);
    let request = IssueRequest {
        attributes: body.attributes,
        valid_from: checked.valid_from,
        valid_until: checked.valid_until,
        status: position.clone(),
        serial: random_id(),
    };
    let certificate = issue(&checked.ty, &key, &request).map_err(refused)?;
    let lists = new_lists(&app, &key, &[&position.list]).await?;
    let actor = caller.actor();
    let row = ToStore {
        certificate: &certificate,
        idempotency_key: Some(&idempotency_key),
        digest: &digest,
    };
    let stored = store_certificates(&app, &[row], &lists, &actor).await;
    match stored {
        Ok(()) => {}
        Err(InsertError::IdempotencyKeyTaken) => {
            // A concurrent retry stored first: answer what it stored.
            let found = app
                .store
                .issued_before(&issuer, &[&idempotency_key])
                .await?
                .pop()
                .flatten();
            let found = found.ok_or_else(|| ApiError::internal("an idempotency key taken but not found"))?;
            return Ok((StatusCode::OK, Json(issued_before(&found, &digest)?)).into_response());
        }
        Err(InsertError::Database(error)) => return Err(error.into()),
    }
    tracing::info!(%issuer, serial = %certificate.serial, type_id = %certificate.type_id, "certificate issued");
    Ok((StatusCode::CREATED, Json(issued(certificate)?)).into_response())
}

/// A signed certificate to store, with what its request is remembered by.
struct ToStore<'a> {
    certificate: &'a Certificate,
    idempotency_key: Option<&'a str>,
    digest: &'a str,
}

/// Stores certificates of one issuer and publishes `lists` (the all-valid first versions of the lists
/// they open), in one transaction.
async fn store_certificates<S: IssuerStore>(
    app: &IssuerApp<S>,
    certificates: &[ToStore<'_>],
    lists: &[(String, String)],
    actor: &str,
) -> Result<(), InsertError> {
    let Some(first) = certificates.first() else {
        return Ok(());
    };
    let issuer = first.certificate.issuer.as_str();
    let issued_at = now();
    let rows: Vec<NewCertificate<'_>> = certificates
        .iter()
        .map(|row| NewCertificate {
            issuer,
            serial: &row.certificate.serial,
            type_id: row.certificate.type_id.as_str(),
            key_id: &row.certificate.key_id,
            status_list: &row.certificate.status.list,
            status_index: row.certificate.status.index,
            certificate: row.certificate.to_json(),
            idempotency_key: row.idempotency_key,
            request_digest: row.digest,
            issued_at,
            actor,
            reason: None,
        })
        .collect();
    let documents: Vec<StatusListDocument<'_>> = lists
        .iter()
        .map(|(list, document)| StatusListDocument {
            issuer,
            list,
            version: 1,
            document: document.clone(),
        })
        .collect();
    app.store.insert_certificates(&rows, &documents).await
}

/// Signs and stores the current state of `list` with `key`, one version after the last, inside `write`.
async fn republish<W: IssuerWrite>(write: &mut W, key: &IssuerKey, list: &str) -> ApiResult<()> {
    let mut statuses = BTreeMap::new();
    for (index, status) in write.not_valid(list).await? {
        statuses.insert(
            u32::try_from(index).map_err(ApiError::internal)?,
            parse_status(&status)?,
        );
    }
    let version = write.next_list_version(list).await?;
    let document = sign_status_list(
        key,
        list,
        &statuses,
        u64::try_from(version).map_err(ApiError::internal)?,
        now(),
    )
    .map_err(ApiError::internal)?;
    write
        .put_status_list(&StatusListDocument {
            issuer: key.issuer(),
            list,
            version,
            document: document.to_json(),
        })
        .await?;
    Ok(())
}

async fn status_list<S: IssuerStore>(
    State(app): App<S>,
    UrlPath((issuer, list)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    let document = app
        .store
        .status_list(&issuer, &list)
        .await?
        .ok_or_else(|| ApiError::not_found("no such status list"))?;
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

async fn revoke<S: IssuerStore>(
    State(app): App<S>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<StatusChanged>> {
    change_status(
        &app,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Revoked,
        body.reason,
    )
    .await
}

async fn suspend<S: IssuerStore>(
    State(app): App<S>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<StatusChanged>> {
    change_status(
        &app,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Suspended,
        body.reason,
    )
    .await
}

async fn reinstate<S: IssuerStore>(
    State(app): App<S>,
    caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
    Json(body): Json<StatusChange>,
) -> ApiResult<Json<StatusChanged>> {
    change_status(
        &app,
        &caller,
        &issuer,
        &serial,
        CertificateStatus::Valid,
        body.reason,
    )
    .await
}

async fn change_status<S: IssuerStore>(
    app: &IssuerApp<S>,
    caller: &ActingIssuer,
    issuer: &str,
    serial: &str,
    to: CertificateStatus,
    reason: Option<String>,
) -> ApiResult<Json<StatusChanged>> {
    ecert_issuer::check_reason(reason.as_deref()).map_err(refused)?;
    let key = signing_key(app, issuer, None).await;
    let mut write = app.store.write(issuer).await?;
    let key = match key {
        Ok(key) => key,
        // An unknown certificate is 404 whether or not the issuer has a key.
        Err(error) => {
            write
                .certificate(serial)
                .await?
                .ok_or_else(|| ApiError::not_found("no such certificate"))?;
            return Err(error);
        }
    };
    set_status(&mut write, &key, serial, to, reason.as_deref(), &caller.0.actor()).await?;
    write.commit().await?;
    tracing::info!(%issuer, %serial, status = to.as_str(), "certificate status changed");
    Ok(Json(StatusChanged {
        serial: serial.to_owned(),
        status: to,
    }))
}

/// Moves a certificate to `to` if its lifecycle allows ([`ecert_issuer::transition`]) and republishes its
/// status list, inside `write`.
async fn set_status<W: IssuerWrite>(
    write: &mut W,
    key: &IssuerKey,
    serial: &str,
    to: CertificateStatus,
    reason: Option<&str>,
    actor: &str,
) -> ApiResult<()> {
    let row = write
        .certificate(serial)
        .await?
        .ok_or_else(|| ApiError::not_found("no such certificate"))?;
    let event = ecert_issuer::transition(parse_status(&row.status)?, to).map_err(refused)?;
    write.set_status(serial, to.as_str()).await?;
    write
        .certificate_event(serial, now(), event.as_str(), reason, actor)
        .await?;
    republish(write, key, &row.status_list).await
}

fn event_records(events: Vec<EventRow>) -> Vec<CertificateEventRecord> {
    events
        .into_iter()
        .map(|event| CertificateEventRecord {
            at: event.at,
            action: event.action,
            reason: event.detail,
            actor: event.actor,
        })
        .collect()
}

async fn certificate_record<S: IssuerStore>(
    State(app): App<S>,
    _caller: ActingIssuer,
    UrlPath((issuer, serial)): UrlPath<(String, String)>,
) -> ApiResult<Json<CertificateRecord>> {
    let row: CertificateRow = app
        .store
        .certificate(&issuer, &serial)
        .await?
        .ok_or_else(|| ApiError::not_found("no such certificate"))?;
    let events = app.store.certificate_events(&issuer, &serial).await?;
    Ok(Json(CertificateRecord {
        serial,
        type_id: row.type_id,
        key_id: row.key_id,
        status: parse_status(&row.status)?,
        status_list: row.status_list,
        status_index: u32::try_from(row.status_index).map_err(ApiError::internal)?,
        issued_at: row.issued_at,
        certificate: Certificate::from_json(&row.certificate).map_err(ApiError::internal)?,
        events: event_records(events),
    }))
}

// ---------------------------------------------------------------------------------------------------
// Objections

async fn file_objection<S: IssuerStore>(
    State(app): App<S>,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<NewObjection>,
) -> ApiResult<(StatusCode, Json<ObjectionFiled>)> {
    let text = serde_json::to_string(&body.certificate).map_err(ApiError::internal)?;
    let presented = Certificate::from_json(&text)
        .map_err(|e| ApiError::new(ErrorCode::InvalidCertificate, e.to_string()))?;
    let row = if presented.issuer == issuer {
        app.store.certificate(&issuer, &presented.serial).await?
    } else {
        None
    };
    let stored = match &row {
        Some(row) => Some((
            Certificate::from_json(&row.certificate).map_err(ApiError::internal)?,
            parse_status(&row.status)?,
        )),
        None => None,
    };
    let catalogue = app.catalogue()?;
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
    let id = random_id();
    let objection = NewObjectionRow {
        id: &id,
        issuer: &issuer,
        serial: &presented.serial,
        state: ObjectionState::Filed.as_str(),
        statement: &body.statement,
        corrections: Value::Object(body.corrections).to_string(),
        filed_at: now(),
    };
    app.store.insert_objection(&objection, "holder").await?;
    tracing::info!(%issuer, objection = %id, "objection filed");
    Ok((
        StatusCode::CREATED,
        Json(ObjectionFiled {
            id,
            state: ObjectionState::Filed.as_str().to_owned(),
        }),
    ))
}

async fn objection_answer<S: IssuerStore>(
    app: &IssuerApp<S>,
    issuer: &str,
    id: &str,
) -> ApiResult<Objection> {
    let row: ObjectionRow = app
        .store
        .objection(issuer, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such objection"))?;
    let events = app.store.objection_events(id).await?;
    let replacement = match &row.replacement_serial {
        Some(serial) => {
            let row = app
                .store
                .certificate(issuer, serial)
                .await?
                .ok_or_else(|| ApiError::internal("a replacement certificate is missing"))?;
            Some(Certificate::from_json(&row.certificate).map_err(ApiError::internal)?)
        }
        None => None,
    };
    Ok(Objection {
        id: row.id,
        issuer: issuer.to_owned(),
        serial: row.serial,
        state: row.state,
        statement: row.statement,
        corrections: serde_json::from_str(&row.corrections).map_err(ApiError::internal)?,
        filed_at: row.filed_at,
        replacement_serial: row.replacement_serial,
        replacement,
        events: events
            .into_iter()
            .map(|event| ObjectionEventRecord {
                at: event.at,
                action: event.action,
                note: event.detail,
                actor: event.actor,
            })
            .collect(),
    })
}

/// The holder's view of an objection: the id (128 random bits, given only to the holder) is the
/// capability, and the replacement certificate is delivered here once re-issued.
async fn objection<S: IssuerStore>(
    State(app): App<S>,
    UrlPath((issuer, id)): UrlPath<(String, String)>,
) -> ApiResult<Json<Objection>> {
    Ok(Json(objection_answer(&app, &issuer, &id).await?))
}

async fn list_objections<S: IssuerStore>(
    State(app): App<S>,
    _caller: ActingIssuer,
    UrlPath(issuer): UrlPath<String>,
) -> ApiResult<Json<Objections>> {
    let rows = app.store.objections(&issuer).await?;
    Ok(Json(Objections {
        objections: rows
            .into_iter()
            .map(|row| ObjectionSummary {
                id: row.id,
                serial: row.serial,
                state: row.state,
                statement: row.statement,
                filed_at: row.filed_at,
            })
            .collect(),
    }))
}

/// The issuer decides: a rejection is recorded with its note; an acceptance re-issues the certificate
/// with the corrections (new serial, new status position, same validity), revokes the old one and
/// records every step, all in one transaction.
async fn review_objection<S: IssuerStore>(
    State(app): App<S>,
    ActingIssuer(caller): ActingIssuer,
    UrlPath((issuer, id)): UrlPath<(String, String)>,
    Json(review): Json<ObjectionReview>,
) -> ApiResult<Json<Objection>> {
    let decision = match review.decision {
        ReviewDecision::Accept => Decision::Accept,
        ReviewDecision::Reject => Decision::Reject,
    };
    let actor = caller.actor();
    let key = match decision {
        Decision::Accept => Some(signing_key(&app, &issuer, None)),
        Decision::Reject => None,
    };
    let key = match key {
        Some(key) => Some(key.await),
        None => None,
    };
    let catalogue = app.catalogue()?;
    let mut write = app.store.write(&issuer).await?;
    let row = write
        .objection(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such objection"))?;
    let current: ObjectionState = row.state.parse().map_err(ApiError::internal)?;
    let next = ecert_issuer::review(current, decision, &review.note).map_err(refused)?;
    let replacement_serial = match decision {
        Decision::Reject => {
            write
                .objection_event(
                    &id,
                    now(),
                    ObjectionEvent::Rejected.as_str(),
                    Some(&review.note),
                    &actor,
                )
                .await?;
            None
        }
        Decision::Accept => {
            let key = key.ok_or_else(|| ApiError::internal("no key for an acceptance"))??;
            let corrections: Map<String, Value> = match review.corrections {
                Some(corrections) => corrections,
                None => serde_json::from_str(&row.corrections).map_err(ApiError::internal)?,
            };
            let stored = write
                .certificate(&row.serial)
                .await?
                .ok_or_else(|| ApiError::internal("the certificate objected to is missing"))?;
            let old = Certificate::from_json(&stored.certificate).map_err(ApiError::internal)?;
            let ty = catalogue.get(old.type_id.as_str()).map_err(ApiError::internal)?;
            // The corrections are checked before anything is recorded: a wrong one changes nothing.
            ecert_issuer::corrected_attributes(ty, &old, &corrections).map_err(refused)?;
            write
                .objection_event(
                    &id,
                    now(),
                    ObjectionEvent::Accepted.as_str(),
                    Some(&review.note),
                    &actor,
                )
                .await?;
            let position = StatusPositions::default().position(write.reserve_positions(1).await?);
            let reissue =
                ecert_issuer::reissue(ty, &key, &old, &corrections, &id, position.clone(), random_id())
                    .map_err(refused)?;
            let replacement = &reissue.replacement;
            let digest = hex::encode(Sha256::digest(format!("objection:{id}")));
            write
                .insert_certificate(&NewCertificate {
                    issuer: &issuer,
                    serial: &replacement.serial,
                    type_id: replacement.type_id.as_str(),
                    key_id: &replacement.key_id,
                    status_list: &replacement.status.list,
                    status_index: replacement.status.index,
                    certificate: replacement.to_json(),
                    idempotency_key: None,
                    request_digest: &digest,
                    issued_at: now(),
                    actor: &actor,
                    reason: Some(&reissue.issued_reason),
                })
                .await?;
            if write.next_list_version(&position.list).await? == 1 {
                // The replacement opened a list: publish it before it can be presented.
                republish(&mut write, &key, &position.list).await?;
            }
            write
                .objection_event(
                    &id,
                    now(),
                    ObjectionEvent::Reissued.as_str(),
                    Some(&replacement.serial),
                    &actor,
                )
                .await?;
            set_status(
                &mut write,
                &key,
                &row.serial,
                CertificateStatus::Revoked,
                Some(&reissue.revoked_reason),
                &actor,
            )
            .await?;
            write
                .objection_event(
                    &id,
                    now(),
                    ObjectionEvent::OldCertificateRevoked.as_str(),
                    Some(&row.serial),
                    &actor,
                )
                .await?;
            Some(reissue.replacement.serial)
        }
    };
    write
        .set_objection_state(&id, next.as_str(), replacement_serial.as_deref())
        .await?;
    write.commit().await?;
    tracing::info!(%issuer, objection = %id, "objection decided");
    Ok(Json(objection_answer(&app, &issuer, &id).await?))
}
