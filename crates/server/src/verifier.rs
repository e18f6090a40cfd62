//! The verifier service: presentation requests (nonce stored, single use, expiring), verification of the
//! presentations answering them against the registry and the issuers' signed status lists, and one audit
//! record per verification that names what was disclosed but never holds a value.

mod answers;
mod open;
mod pool;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, State};
use axum::http::StatusCode;
use ecert_api::{
    ErrorCode, NewPresentationRequest, Since, VerificationRecord, VerificationResult, Verifications,
    VerifiedItemNames, operation as op,
};
use ecert_credential::{
    CertificateStatus, Presentation, PresentationRequest, ScopeError, StatusList, StatusSource, StatusView,
    is_valid_id,
};
use rand_core::OsRng;

use self::answers::AnswerWriter;
use self::open::OpenRequests;
use self::pool::CheckPool;
use crate::auth::{AccessRole, ActingVerifier, Caller, HasTokenVerifier, TokenVerifier};
use crate::clock::now;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath, Query, json_rejection};
use crate::routing::Routes;
use crate::store::VerifierStore;
use crate::store::verifier::{Answer, RecordRow, Recorded};
use crate::trust::{TrustSource, TrustedRegistry};

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

/// The verifier service's in-process state.
#[derive(Debug)]
struct Verifier {
    status_cache: Mutex<StatusCache>,
    answers: AnswerWriter,
    checks: CheckPool,
    open: OpenRequests,
    /// The longest a request may stay answerable, seconds.
    max_ttl: i64,
}

/// What the verifier's handlers share.
pub struct VerifierApp<S> {
    store: S,
    trust: Arc<dyn TrustSource>,
    tokens: TokenVerifier,
    verifier: Arc<Verifier>,
}

impl<S: Clone> Clone for VerifierApp<S> {
    fn clone(&self) -> Self {
        VerifierApp {
            store: self.store.clone(),
            trust: Arc::clone(&self.trust),
            tokens: self.tokens.clone(),
            verifier: Arc::clone(&self.verifier),
        }
    }
}

impl<S> std::fmt::Debug for VerifierApp<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierApp")
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl<S> HasTokenVerifier for VerifierApp<S> {
    fn token_verifier(&self) -> &TokenVerifier {
        &self.tokens
    }
}

impl<S: VerifierStore> VerifierApp<S> {
    /// A verifier writing its answers to `store` and trusting the registry of `trust`; starts the answer
    /// writer on the current tokio runtime and the check threads. Requests stay answerable at most
    /// `max_ttl` seconds.
    pub fn start(
        store: S,
        trust: Arc<dyn TrustSource>,
        tokens: TokenVerifier,
        max_ttl: i64,
    ) -> Result<VerifierApp<S>, String> {
        let verifier = Verifier {
            status_cache: Mutex::new(StatusCache::new()),
            answers: AnswerWriter::start(store.clone()),
            checks: CheckPool::start()?,
            open: OpenRequests::default(),
            max_ttl,
        };
        Ok(VerifierApp {
            store,
            trust,
            tokens,
            verifier: Arc::new(verifier),
        })
    }
}

type App<S> = State<VerifierApp<S>>;

/// The verifier routes.
pub fn routes<S: VerifierStore>() -> Routes<VerifierApp<S>> {
    Routes::new()
        .route(op::CREATE_PRESENTATION_REQUEST, create_request::<S>)
        .route(op::GET_PRESENTATION_REQUEST, get_request::<S>)
        .route(op::SUBMIT_PRESENTATION, submit_presentation::<S>)
        .route(op::LIST_VERIFIER_VERIFICATIONS, verifications::<S>)
}

/// Refuses a request that asks for more than the purpose registered for the verifier allows
/// (`RegistryView::check_request_scope`, the rule the holder's wallet applies too): the wallet would
/// refuse it anyway, and the verifier's operator should hear it first.
fn check_against_purpose(
    registry: &TrustedRegistry,
    verifier: &str,
    body: &NewPresentationRequest,
) -> ApiResult<()> {
    registry
        .view
        .check_request_scope(verifier, &body.purpose, &body.items)
        .map(drop)
        .map_err(|refused| match refused {
            ScopeError::UnknownVerifier(_) => ApiError::not_found("the verifier is not in the registry"),
            ScopeError::UnknownPurpose { .. } => ApiError::new(
                ErrorCode::UnknownPurpose,
                "the verifier has no such registered purpose",
            ),
            ScopeError::OverAsking(over) => ApiError::new(ErrorCode::OverAsking, over.to_string()),
            other => ApiError::new(ErrorCode::OverAsking, other.to_string()),
        })
}

async fn create_request<S: VerifierStore>(
    State(app): App<S>,
    _caller: ActingVerifier,
    UrlPath(verifier): UrlPath<String>,
    Json(body): Json<NewPresentationRequest>,
) -> ApiResult<(StatusCode, Json<PresentationRequest>)> {
    if check_against_purpose(&*app.trust.trusted()?, &verifier, &body).is_err() {
        // The verifier or its purpose may have been registered a moment ago, elsewhere.
        check_against_purpose(&*app.trust.refreshed().await?, &verifier, &body)?;
    }
    let max_ttl = app.verifier.max_ttl;
    let ttl = body.ttl_secs.unwrap_or(max_ttl);
    if !(1..=max_ttl).contains(&ttl) {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            format!("ttl_secs must be 1 to {max_ttl}"),
        ));
    }
    let created_at = now();
    let request =
        ecert_verifier::build_request(&mut OsRng, &verifier, &body.purpose, body.items, created_at + ttl);
    request
        .check()
        .map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))?;
    let text = serde_json::to_string(&request).map_err(ApiError::internal)?;
    app.store
        .insert_request(&request.nonce, &verifier, &text, created_at, request.expires_at)
        .await?;
    app.verifier.open.insert(&verifier, request.clone(), created_at);
    Ok((StatusCode::CREATED, Json(request)))
}

/// A stored request that can still be answered: from memory when this process created it and it is
/// still open there, otherwise from the database.
async fn open_request<S: VerifierStore>(
    app: &VerifierApp<S>,
    verifier: &str,
    nonce: &str,
) -> ApiResult<Arc<PresentationRequest>> {
    if let Some(request) = app.verifier.open.get(verifier, nonce, now()) {
        return Ok(request);
    }
    let stored = app
        .store
        .request(verifier, nonce)
        .await?
        .ok_or_else(|| ApiError::not_found("no such presentation request"))?;
    if stored.used_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::NonceUsed,
            "the request was already answered; ask for a new one",
        ));
    }
    if now() > stored.expires_at {
        return Err(ApiError::new(
            ErrorCode::RequestExpired,
            "the request has expired; ask for a new one",
        ));
    }
    serde_json::from_str(&stored.request)
        .map(Arc::new)
        .map_err(ApiError::internal)
}

async fn get_request<S: VerifierStore>(
    State(app): App<S>,
    UrlPath((verifier, nonce)): UrlPath<(String, String)>,
) -> ApiResult<Json<PresentationRequest>> {
    Ok(Json(PresentationRequest::clone(
        &*open_request(&app, &verifier, &nonce).await?,
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
async fn status_lists<S: VerifierStore>(
    app: &VerifierApp<S>,
    registry: &Arc<TrustedRegistry>,
    presentation: &Presentation,
) -> ApiResult<CheckedLists> {
    let mut lists = CheckedLists::default();
    for item in &presentation.items {
        let key = (item.issuer.clone(), item.status.list.clone());
        if lists.0.contains_key(&key) {
            continue;
        }
        // Loaded before the version is read: a write ending in between makes the entry look stale.
        let generation = app.store.generation();
        let cached = app
            .verifier
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
        // An unknown list stays undeclared: the verifier library then fails closed (status unknown).
        let Some(version) = app.store.status_list_version(&key.0, &key.1).await? else {
            continue;
        };
        let entry = match cached.filter(|entry| entry.version == version) {
            Some(entry) => CheckedList { generation, ..entry },
            None => {
                let Some((version, view)) = check_status_list(app, registry, &key).await? else {
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
        if let Ok(mut cache) = app.verifier.status_cache.lock() {
            cache.insert(key, entry);
        }
    }
    Ok(lists)
}

/// Reads a status list's current document and checks its signature against the issuer's key in the
/// registry; `None` when the key is unknown or the signature does not verify (the presentation then
/// fails closed on an unknown status).
async fn check_status_list<S: VerifierStore>(
    app: &VerifierApp<S>,
    registry: &Arc<TrustedRegistry>,
    (issuer, list): &(String, String),
) -> ApiResult<Option<(i64, Arc<StatusView>)>> {
    let Some((version, text)) = app.store.status_list(issuer, list).await? else {
        return Ok(None);
    };
    let document = StatusList::from_json(&text).map_err(ApiError::internal)?;
    let Some(public_key) = registry
        .view
        .key(&document.issuer, &document.key_id)
        .map(|k| k.public_key.clone())
    else {
        return Ok(None);
    };
    let checked = app
        .verifier
        .checks
        .run(move || document.verify(&public_key))
        .await?;
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
                Err(ApiError::new(ErrorCode::InvalidPresentation, e.body_text()))
            }
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

async fn submit_presentation<S: VerifierStore>(
    State(app): App<S>,
    UrlPath((verifier, nonce)): UrlPath<(String, String)>,
    PresentationBody(presentation): PresentationBody,
) -> ApiResult<Json<VerificationResult>> {
    let request = open_request(&app, &verifier, &nonce).await?;
    let registry = app.trust.trusted()?;
    let lists = status_lists(&app, &registry, &presentation).await?;
    let verified_at = now();
    // What the audit keeps: per item, type, issuer and the names of what was disclosed, never a value.
    let items: Vec<VerifiedItemNames> = presentation
        .items
        .iter()
        .map(|item| VerifiedItemNames {
            item: item.item.clone(),
            type_id: item.type_id.to_string(),
            issuer: item.issuer.clone(),
            disclosed: item.disclosed.keys().cloned().collect(),
            claims: item.claims.keys().cloned().collect(),
        })
        .collect();
    let purpose = request.purpose.clone();
    let presentation = Arc::new(presentation);
    let mut checked = verify_on_pool(&app, &request, &presentation, &registry, lists, verified_at).await?;
    if let Err(failure) = &checked
        && REGISTRY_FAILURES.contains(&failure.code())
    {
        // The key or the issuer's authorisation may have reached the registry a moment ago, elsewhere:
        // check again against the state caught up with the source, if it moved.
        let fresher = app.trust.refreshed().await?;
        if fresher.head.size > registry.head.size {
            let lists = status_lists(&app, &fresher, &presentation).await?;
            checked = verify_on_pool(&app, &request, &presentation, &fresher, lists, verified_at).await?;
        }
    }
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
        items: serde_json::to_string(&items).map_err(ApiError::internal)?,
    };
    // Single use: only the first answer spends the nonce; a concurrent replay finds it taken.
    let recorded = app.verifier.answers.record(answer).await?;
    app.verifier.open.remove(&nonce);
    if recorded == Recorded::AlreadyUsed {
        return Err(ApiError::new(
            ErrorCode::NonceUsed,
            "the request was already answered; ask for a new one",
        ));
    }
    tracing::info!(%verifier, %outcome, "presentation verified");
    Ok(Json(VerificationResult::from(&checked)))
}

/// The failures a registry state a moment behind its source can cause.
const REGISTRY_FAILURES: [&str; 3] = ["unknown_key", "issuer_not_authorised", "status_unknown"];

/// Runs the verification on the check threads.
async fn verify_on_pool<S>(
    app: &VerifierApp<S>,
    request: &Arc<PresentationRequest>,
    presentation: &Arc<Presentation>,
    registry: &Arc<TrustedRegistry>,
    lists: CheckedLists,
    verified_at: i64,
) -> ApiResult<Result<ecert_verifier::VerifiedPresentation, ecert_verifier::Failure>> {
    let (request, presentation, registry) = (
        Arc::clone(request),
        Arc::clone(presentation),
        Arc::clone(registry),
    );
    app.verifier
        .checks
        .run(move || {
            ecert_verifier::verify(
                &request,
                &presentation,
                &registry.view,
                &lists,
                &registry.catalogue,
                verified_at,
            )
        })
        .await
}

/// A record id that sorts in time order (nanoseconds first), unique by its random tail.
fn record_id() -> String {
    let mut bytes = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{nanos:020}-{}", hex::encode(bytes))
}

/// Stored verification records as the API answers them.
pub(crate) fn verification_records(rows: Vec<RecordRow>) -> ApiResult<Verifications> {
    let verifications = rows
        .into_iter()
        .map(|row| {
            Ok(VerificationRecord {
                id: row.id,
                verifier: row.verifier,
                purpose: row.purpose,
                at: row.at,
                outcome: row.outcome,
                items: serde_json::from_str(&row.items).map_err(ApiError::internal)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Verifications { verifications })
}

async fn verifications<S: VerifierStore>(
    State(app): App<S>,
    caller: Caller,
    UrlPath(verifier): UrlPath<String>,
    Query(query): Query<Since>,
) -> ApiResult<Json<Verifications>> {
    if caller.0.role != AccessRole::Regulator {
        caller.require_scope(AccessRole::Verifier, &verifier)?;
    }
    if !is_valid_id(&verifier) {
        return Err(ApiError::new(ErrorCode::InvalidId, "not a valid verifier id"));
    }
    let rows = app
        .store
        .records(Some(&verifier), query.since, query.limit.unwrap_or(1000))
        .await?;
    Ok(Json(verification_records(rows)?))
}
