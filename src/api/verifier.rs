//! The verifier service: presentation requests (nonce stored, single use, expiring), verification of the
//! presentations answering them against the registry and the issuers' signed status lists, and one audit
//! record per verification that names what was disclosed but never holds a value.

mod answers;
mod open;
mod pool;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::FromRequest;
use axum::http::StatusCode;
use axum::routing::{get, post};
use ecert_credential::{
    CertificateStatus, Presentation, PresentationRequest, RegistryView, RequestItem, ScopeError, StatusList,
    StatusSource, StatusView, is_valid_id,
};
use rand_core::OsRng;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

use self::answers::{Answer, AnswerWriter, Recorded};
use self::open::OpenRequests;
use self::pool::CheckPool;
use crate::app::{AppState, now};
use crate::auth::{AccessRole, ActingVerifier, Caller};
use crate::db::Database;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath, Query, json_rejection};

/// Status lists already checked, by (issuer, list): a list's signature is verified once per version,
/// not once per presentation, and its version is read again only after the database was written.
type StatusCache = HashMap<(String, String), CheckedList>;

/// A checked status list and what it was last checked against.
#[derive(Clone, Debug)]
struct CheckedList {
    /// The version checked.
    version: i64,
    /// The database generation at which `version` was last seen to be the current one.
    generation: u64,
    view: Arc<StatusView>,
}

/// The verifier service's state.
#[derive(Debug)]
pub struct VerifierService {
    status_cache: Mutex<StatusCache>,
    answers: AnswerWriter,
    checks: CheckPool,
    open: OpenRequests,
}

impl VerifierService {
    /// A service with an empty cache, writing its answers to `db`; starts the answer writer on the
    /// current tokio runtime and the check threads.
    pub fn new(db: &Database) -> Result<VerifierService, String> {
        Ok(VerifierService {
            status_cache: Mutex::new(StatusCache::new()),
            answers: AnswerWriter::start(db.clone()),
            checks: CheckPool::start()?,
            open: OpenRequests::default(),
        })
    }
}

/// The verifier routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/verifiers/{verifier}/requests", post(create_request))
        .route("/v1/verifiers/{verifier}/requests/{nonce}", get(get_request))
        .route(
            "/v1/verifiers/{verifier}/requests/{nonce}/presentation",
            post(submit_presentation),
        )
        .route("/v1/verifiers/{verifier}/verifications", get(verifications))
}

fn service(state: &AppState) -> ApiResult<&VerifierService> {
    state
        .verifier
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this service does not host verifiers"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRequest {
    purpose: String,
    items: Vec<RequestItem>,
    /// Lifetime in seconds; at most the service's configured lifetime.
    #[serde(default)]
    ttl_secs: Option<i64>,
}

/// Refuses a request that asks for more than the purpose registered for the verifier allows
/// ([`RegistryView::check_request_scope`], the rule the holder's wallet applies too): the wallet would
/// refuse it anyway, and the verifier's operator should hear it first.
fn check_against_purpose(registry: &RegistryView, verifier: &str, body: &NewRequest) -> ApiResult<()> {
    registry
        .check_request_scope(verifier, &body.purpose, &body.items)
        .map(drop)
        .map_err(|refused| match refused {
            ScopeError::UnknownVerifier(_) => ApiError::not_found("the verifier is not in the registry"),
            ScopeError::UnknownPurpose { .. } => {
                ApiError::bad_request("unknown_purpose", "the verifier has no such registered purpose")
            }
            ScopeError::OverAsking(over) => ApiError::forbidden("over_asking", over.to_string()),
            other => ApiError::forbidden("over_asking", other.to_string()),
        })
}

async fn create_request(
    state: axum::extract::State<AppState>,
    _caller: ActingVerifier,
    UrlPath(verifier): UrlPath<String>,
    Json(body): Json<NewRequest>,
) -> ApiResult<(StatusCode, Json<PresentationRequest>)> {
    let service = service(&state)?;
    let loaded = state.registry()?.loaded();
    check_against_purpose(&loaded.view, &verifier, &body)?;
    let max_ttl = state.config.presentation_request_ttl_secs;
    let ttl = body.ttl_secs.unwrap_or(max_ttl);
    if !(1..=max_ttl).contains(&ttl) {
        return Err(ApiError::bad_request(
            "invalid_body",
            format!("ttl_secs must be 1 to {max_ttl}"),
        ));
    }
    let created_at = now();
    let request =
        ecert_verifier::build_request(&mut OsRng, &verifier, &body.purpose, body.items, created_at + ttl);
    request
        .check()
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let mut write = state.db.write_records().await?;
    sqlx::query(
        "INSERT INTO presentation_requests (nonce, verifier, request, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&request.nonce)
    .bind(&verifier)
    .bind(serde_json::to_string(&request).map_err(ApiError::internal)?)
    .bind(created_at)
    .bind(request.expires_at)
    .execute(&mut *write.tx)
    .await?;
    write.commit().await?;
    service.open.insert(&verifier, request.clone(), created_at);
    Ok((StatusCode::CREATED, Json(request)))
}

/// A stored request that can still be answered: from memory when this process created it and it is
/// still open there, otherwise from the database.
async fn open_request(state: &AppState, verifier: &str, nonce: &str) -> ApiResult<Arc<PresentationRequest>> {
    if let Some(request) = service(state)?.open.get(verifier, nonce, now()) {
        return Ok(request);
    }
    let row = sqlx::query(
        "SELECT request, expires_at, used_at FROM presentation_requests WHERE nonce = $1 AND verifier = $2",
    )
    .bind(nonce)
    .bind(verifier)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or_else(|| ApiError::not_found("no such presentation request"))?;
    if row.get::<Option<i64>, _>("used_at").is_some() {
        return Err(ApiError::conflict(
            "nonce_used",
            "the request was already answered; ask for a new one",
        ));
    }
    if now() > row.get::<i64, _>("expires_at") {
        return Err(ApiError::new(
            StatusCode::GONE,
            "request_expired",
            "the request has expired; ask for a new one",
        ));
    }
    serde_json::from_str(&row.get::<String, _>("request"))
        .map(Arc::new)
        .map_err(ApiError::internal)
}

async fn get_request(
    state: axum::extract::State<AppState>,
    UrlPath((verifier, nonce)): UrlPath<(String, String)>,
) -> ApiResult<Json<PresentationRequest>> {
    service(&state)?;
    Ok(Json(PresentationRequest::clone(
        &*open_request(&state, &verifier, &nonce).await?,
    )))
}

/// The checked status lists one verification uses, shared with the cache rather than copied.
#[derive(Debug, Default)]
struct CheckedLists(HashMap<(String, String), Arc<StatusView>>);

impl StatusSource for CheckedLists {
    fn status(&self, issuer: &str, list: &str, index: u32) -> Option<CertificateStatus> {
        self.0.get(&(issuer.to_owned(), list.to_owned()))?.status(index)
    }
}

/// The status lists a presentation points to, each checked against its issuer's key in the registry.
/// A list is taken from the cache while the database generation is unchanged; otherwise its version is
/// read, and its document fetched and its signature checked only when that version is new.
async fn status_lists(
    state: &AppState,
    service: &VerifierService,
    registry: &Arc<crate::api::registry::Loaded>,
    presentation: &Presentation,
) -> ApiResult<CheckedLists> {
    let mut lists = CheckedLists::default();
    for item in &presentation.items {
        let key = (item.issuer.clone(), item.status.list.clone());
        if lists.0.contains_key(&key) {
            continue;
        }
        // Loaded before the version is read: a write ending in between makes the entry look stale.
        let generation = state.db.generation();
        let cached = service
            .status_cache
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned());
        if let Some(entry) = &cached
            && entry.generation == generation
        {
            lists.0.insert(key, Arc::clone(&entry.view));
            continue;
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM status_lists WHERE issuer = $1 AND list = $2")
                .bind(&key.0)
                .bind(&key.1)
                .fetch_optional(state.db.pool())
                .await?;
        // An unknown list stays undeclared: the verifier library then fails closed (status unknown).
        let Some(version) = version else { continue };
        let entry = match cached.filter(|entry| entry.version == version) {
            Some(entry) => CheckedList { generation, ..entry },
            None => {
                let Some((version, view)) = check_status_list(state, service, registry, &key).await? else {
                    continue;
                };
                CheckedList {
                    version,
                    generation,
                    view,
                }
            }
        };
        lists.0.insert(key.clone(), Arc::clone(&entry.view));
        if let Ok(mut cache) = service.status_cache.lock() {
            cache.insert(key, entry);
        }
    }
    Ok(lists)
}

/// Reads a status list's current document and checks its signature against the issuer's key in the
/// registry; `None` when the key is unknown or the signature does not verify (the presentation then
/// fails closed on an unknown status).
async fn check_status_list(
    state: &AppState,
    service: &VerifierService,
    registry: &Arc<crate::api::registry::Loaded>,
    (issuer, list): &(String, String),
) -> ApiResult<Option<(i64, Arc<StatusView>)>> {
    let row = sqlx::query("SELECT version, document FROM status_lists WHERE issuer = $1 AND list = $2")
        .bind(issuer)
        .bind(list)
        .fetch_optional(state.db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let version: i64 = row.get("version");
    let document = StatusList::from_json(&row.get::<String, _>("document")).map_err(ApiError::internal)?;
    let Some(public_key) = registry
        .view
        .key(&document.issuer, &document.key_id)
        .map(|k| k.public_key.clone())
    else {
        return Ok(None);
    };
    let checked = service.checks.run(move || document.verify(&public_key)).await?;
    match checked {
        Ok(view) => Ok(Some((version, Arc::new(view)))),
        Err(_) => {
            tracing::warn!(%issuer, %list, "status list signature does not verify");
            Ok(None)
        }
    }
}

/// The body of a submitted presentation, parsed once; a body that is JSON but not a presentation is
/// `invalid_presentation`.
struct PresentationBody(Presentation);

impl<S: Send + Sync> FromRequest<S> for PresentationBody {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<Presentation>::from_request(request, state).await {
            Ok(axum::Json(presentation)) => Ok(PresentationBody(presentation)),
            Err(axum::extract::rejection::JsonRejection::JsonDataError(e)) => {
                Err(ApiError::bad_request("invalid_presentation", e.body_text()))
            }
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

async fn submit_presentation(
    state: axum::extract::State<AppState>,
    UrlPath((verifier, nonce)): UrlPath<(String, String)>,
    PresentationBody(presentation): PresentationBody,
) -> ApiResult<Json<Value>> {
    let service = service(&state)?;
    let request = open_request(&state, &verifier, &nonce).await?;
    let loaded = state.registry()?.loaded();
    let lists = status_lists(&state, service, &loaded, &presentation).await?;
    let verified_at = now();
    // What the audit keeps: per item, type, issuer and the names of what was disclosed, never a value.
    let items: Vec<Value> = presentation
        .items
        .iter()
        .map(|item| {
            json!({
                "item": item.item,
                "type": item.type_id,
                "issuer": item.issuer,
                "disclosed": item.disclosed.keys().collect::<Vec<_>>(),
                "claims": item.claims.keys().collect::<Vec<_>>(),
            })
        })
        .collect();
    let purpose = request.purpose.clone();
    let checked = service
        .checks
        .run(move || {
            ecert_verifier::verify(
                &request,
                &presentation,
                &loaded.view,
                &lists,
                &loaded.catalogue,
                verified_at,
            )
        })
        .await?;
    let outcome = match &checked {
        Ok(_) => "valid".to_owned(),
        Err(failure) => failure.code().to_owned(),
    };
    let answer = Answer {
        id: record_id(),
        verifier: verifier.clone(),
        nonce: nonce.clone(),
        purpose,
        at: verified_at,
        outcome: outcome.clone(),
        items: Value::Array(items).to_string(),
    };
    // Single use: only the first answer spends the nonce; a concurrent replay finds it taken.
    let recorded = service.answers.record(answer).await?;
    service.open.remove(&nonce);
    if recorded == Recorded::AlreadyUsed {
        return Err(ApiError::conflict(
            "nonce_used",
            "the request was already answered; ask for a new one",
        ));
    }
    tracing::info!(%verifier, %outcome, "presentation verified");
    Ok(Json(ecert_verifier::result_json(&checked)))
}

/// A record id that sorts in time order (nanoseconds first), unique by its random tail.
fn record_id() -> String {
    let mut bytes = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{nanos:020}-{}", hex::encode(bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Since {
    #[serde(default)]
    since: i64,
    #[serde(default)]
    limit: Option<i64>,
}

/// Verification records as JSON, oldest first; `verifier` `None` means all (the regulator's view).
pub async fn verification_records(
    state: &AppState,
    verifier: Option<&str>,
    since: i64,
    limit: i64,
) -> ApiResult<Vec<Value>> {
    let rows = sqlx::query(
        "SELECT id, verifier, purpose, at, outcome, items FROM verifications \
         WHERE at >= $1 AND ($2 IS NULL OR verifier = $2) ORDER BY at, id LIMIT $3",
    )
    .bind(since)
    .bind(verifier)
    .bind(limit.clamp(1, 1000))
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let items: Value =
                serde_json::from_str(&row.get::<String, _>("items")).map_err(ApiError::internal)?;
            Ok(json!({
                "id": row.get::<String, _>("id"),
                "verifier": row.get::<String, _>("verifier"),
                "purpose": row.get::<String, _>("purpose"),
                "at": row.get::<i64, _>("at"),
                "outcome": row.get::<String, _>("outcome"),
                "items": items,
            }))
        })
        .collect()
}

async fn verifications(
    state: axum::extract::State<AppState>,
    caller: Caller,
    UrlPath(verifier): UrlPath<String>,
    Query(query): Query<Since>,
) -> ApiResult<Json<Value>> {
    if caller.0.role != AccessRole::Regulator {
        caller.require_scope(AccessRole::Verifier, &verifier)?;
    }
    if !is_valid_id(&verifier) {
        return Err(ApiError::bad_request("invalid_id", "not a valid verifier id"));
    }
    let records =
        verification_records(&state, Some(&verifier), query.since, query.limit.unwrap_or(1000)).await?;
    Ok(Json(json!({ "verifications": records })))
}
