//! The registry service: the transparency log in the database and, in memory, the Merkle tree's hashes
//! and the state the log folds to; the public read surface (snapshot, issuers, verifiers, types, entries,
//! tree heads, proofs) and the registry administrator's writes, each appended as one log entry.
//!
//! An append is ordered by the database ([`RegistryStore::append`]): this process first reads and applies
//! whatever other processes appended since it last looked, then checks its entry against the rules,
//! appends it in memory, signs the new head and commits both. Readers see the new state only once it is
//! durable: they read the published [`TrustedRegistry`] and proofs up to the published head. Should the
//! commit fail, the in-memory log is rebuilt from the database, so memory never holds what the database
//! does not.
//!
//! At start-up the log is replayed from the database and the latest signed head is checked against it
//! (its signature, its size and its root): it commits to every entry, so an entry altered in the database
//! is found. The older heads are served as stored; clients check each head they rely on themselves.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use ecert_api::{
    Appended, Authorisation, CertificateTypes, ConsistencyProof, ConsistencyQuery, ErrorCode, InclusionProof,
    InclusionQuery, Issuers, KeyPublication, KeyStatusChange, LogEntries, LogEntry, NewIssuer, Page,
    RegistryKey, Snapshot, TreeHeads, Verifiers, operation as op,
};
use ecert_credential::{CertificateType, IssuerRecord, VerifierRecord, encode_b64};
use ecert_registry::{Entry, LogSigner, MemoryStore, MerkleLog, RegistryState, SignedTreeHead, leaf_hash};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::auth::{HasTokenVerifier, RegistryAdmin, TokenVerifier};
use crate::clock::now;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath, Query};
use crate::keystore::read_secret_file;
use crate::routing::Routes;
use crate::store::{RegistryAppend, RegistryStore};
use crate::trust::{TrustSource, TrustedRegistry};

/// The registry's log-signing key in the data directory (owner-only).
pub const REGISTRY_KEY_FILE: &str = "registry.key";

/// Most entries or heads one page returns.
const PAGE_LIMIT: u64 = 1000;

/// Entries read from the database per round trip when replaying the log.
const REPLAY_PAGE: u64 = 10_000;

/// The log as this process holds it: the tree's hashes, the folded state and the schemas in log order.
#[derive(Debug)]
struct Log {
    tree: MerkleLog<MemoryStore>,
    state: RegistryState,
    /// The `type_registered` schemas, verbatim, in log order (`GET /v1/registry/types`).
    schemas: Vec<Value>,
}

impl Log {
    fn empty() -> Result<Log, String> {
        Ok(Log {
            tree: MerkleLog::open(MemoryStore::default()).map_err(|e| e.to_string())?,
            state: RegistryState::default(),
            schemas: Vec::new(),
        })
    }

    fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Applies a stored entry (canonical text) at the end of the log.
    fn apply_stored(&mut self, seq: u64, text: &str) -> Result<(), String> {
        if seq != self.size() {
            return Err(format!("the registry log has a gap at entry {}", self.size()));
        }
        let entry =
            Entry::from_canonical_bytes(text.as_bytes()).map_err(|e| format!("registry entry {seq}: {e}"))?;
        self.apply(&entry, text.as_bytes())
            .map_err(|e| format!("registry entry {seq} does not replay: {e}"))
    }

    /// Checks `entry` against the rules and appends it; on a refusal nothing changes.
    fn apply(&mut self, entry: &Entry, canonical: &[u8]) -> Result<(), ecert_registry::Error> {
        self.state.apply(entry)?;
        self.tree.append(leaf_hash(canonical))?;
        if let Entry::TypeRegistered { schema, .. } = entry {
            self.schemas.push(schema.clone());
        }
        Ok(())
    }

    /// The root at the current size.
    fn root(&self) -> Result<ecert_registry::Hash, String> {
        self.tree.root(self.size()).map_err(|e| e.to_string())
    }
}

/// What readers see: the state at the latest durable head.
#[derive(Debug)]
struct Published {
    trusted: Arc<TrustedRegistry>,
    schemas: Arc<Vec<Value>>,
}

/// The registry as this process holds it.
pub struct RegistryService<S> {
    signer: LogSigner,
    store: S,
    log: RwLock<Log>,
    published: RwLock<Arc<Published>>,
    /// One appender of this process at a time (the database orders processes).
    appending: Mutex<()>,
}

impl<S> std::fmt::Debug for RegistryService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryService")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

impl<S: RegistryStore> RegistryService<S> {
    /// Loads the log-signing key from `data_dir` and replays the log from `store`.
    pub async fn open(data_dir: &Path, store: S) -> Result<RegistryService<S>, String> {
        let secret = read_secret_file(&data_dir.join(REGISTRY_KEY_FILE), 32).map_err(|e| e.to_string())?;
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&secret);
        RegistryService::with_signer(LogSigner::from_bytes(&bytes), store).await
    }

    /// The registry with this signing key, replayed from `store`.
    pub async fn with_signer(signer: LogSigner, store: S) -> Result<RegistryService<S>, String> {
        let mut log = Log::empty()?;
        let size = store
            .size()
            .await
            .map_err(|e| format!("reading the registry log: {e}"))?;
        replay(&store, &mut log, size).await?;
        let head = match store
            .latest_head()
            .await
            .map_err(|e| format!("reading the tree heads: {e}"))?
        {
            Some(stored) => check_head(&signer, &log, &stored.head)?,
            None if log.size() == 0 => signer.sign(0, &log.root()?, now()),
            None => return Err("the registry log has entries but no tree head".into()),
        };
        let published = publish(&log, head);
        Ok(RegistryService {
            signer,
            store,
            log: RwLock::new(log),
            published: RwLock::new(Arc::new(published)),
            appending: Mutex::new(()),
        })
    }

    fn published(&self) -> Arc<Published> {
        match self.published.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set_published(&self, published: Published) {
        match self.published.write() {
            Ok(mut guard) => *guard = Arc::new(published),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(published),
        }
    }

    fn log(&self) -> std::sync::RwLockReadGuard<'_, Log> {
        self.log.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn log_mut(&self) -> std::sync::RwLockWriteGuard<'_, Log> {
        self.log.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The state at the latest durable head.
    pub fn current(&self) -> Arc<TrustedRegistry> {
        Arc::clone(&self.published().trusted)
    }

    /// The registry's public key (tree heads verify under it).
    pub fn public_key(&self) -> String {
        encode_b64(self.signer.verifying_key().as_bytes())
    }

    /// Reads what other processes appended since this one last looked, and publishes it.
    pub async fn refresh(&self) -> Result<(), String> {
        // Holding the appender's place: nothing else of this process changes the log meanwhile.
        let _appending = self.appending.lock().await;
        let Some(stored) = self
            .store
            .latest_head()
            .await
            .map_err(|e| format!("reading the tree heads: {e}"))?
        else {
            return Ok(());
        };
        let size = self.log().size();
        let head: SignedTreeHead = serde_json::from_str(&stored.head)
            .map_err(|e| format!("a stored tree head is malformed: {e}"))?;
        if head.size <= size {
            return Ok(());
        }
        // The entries a committed head covers were committed with it.
        let missing = fetch_range(&self.store, size, head.size).await?;
        let mut log = self.log_mut();
        for entry in &missing {
            log.apply_stored(entry.seq, &entry.entry)?;
        }
        let head = check_head(&self.signer, &log, &stored.head)?;
        let published = publish(&log, head);
        drop(log);
        self.set_published(published);
        Ok(())
    }

    /// Stamps `entry` with the time (never before the last entry: the log's times never go back),
    /// appends it after whatever other processes appended first, and commits it with its tree head.
    /// Returns the entry's index and the new head.
    pub async fn append(&self, mut entry: Entry) -> ApiResult<(u64, SignedTreeHead)> {
        let _appending = self.appending.lock().await;
        let (mut append, durable) = self.store.append().await?;
        let behind = self.log().size();
        let missing = if durable > behind {
            append.entries(behind).await?
        } else {
            Vec::new()
        };
        let outcome = self.append_locked(&mut append, &mut entry, &missing).await;
        let (index, head) = match outcome {
            Ok(appended) => appended,
            Err(error) => {
                // Refused (by the rules, or an entry that cannot be encoded): nothing was appended in
                // memory. Anything else may have left memory holding what was not committed: rebuild it
                // from the database.
                if error.code() != ErrorCode::RuleViolation && error.code() != ErrorCode::InvalidEntry {
                    drop(append);
                    self.rebuild().await;
                }
                return Err(error);
            }
        };
        if let Err(error) = append.commit().await {
            self.rebuild().await;
            return Err(error.into());
        }
        let published = publish(&self.log(), head.clone());
        self.set_published(published);
        tracing::info!(index, kind = entry.kind(), "registry entry appended");
        Ok((index, head))
    }

    async fn append_locked(
        &self,
        append: &mut S::Append,
        entry: &mut Entry,
        missing: &[crate::store::registry::StoredEntry],
    ) -> ApiResult<(u64, SignedTreeHead)> {
        let (index, head, text) = {
            let mut log = self.log_mut();
            for stored in missing {
                log.apply_stored(stored.seq, &stored.entry)
                    .map_err(ApiError::internal)?;
            }
            entry.set_at(now().max(log.state.last_at));
            let bytes = entry
                .canonical_bytes()
                .map_err(|e| ApiError::new(ErrorCode::InvalidEntry, e.to_string()))?;
            let index = log.size();
            // The state checks the entry before anything changes: a refusal leaves the log as it was.
            log.apply(entry, &bytes).map_err(|e| match e {
                ecert_registry::Error::Rule(what) => ApiError::new(ErrorCode::RuleViolation, what),
                ecert_registry::Error::Malformed(what) => ApiError::new(ErrorCode::InvalidEntry, what),
                other => ApiError::internal(other),
            })?;
            let timestamp = now().max(self.published().trusted.head.timestamp);
            let root = log.root().map_err(ApiError::internal)?;
            let head = self.signer.sign(log.size(), &root, timestamp);
            let text = String::from_utf8(bytes).map_err(ApiError::internal)?;
            (index, head, text)
        };
        let head_text = serde_json::to_string(&head).map_err(ApiError::internal)?;
        append.insert(index, &text, head.timestamp, &head_text).await?;
        Ok((index, head))
    }

    /// Replays the whole log from the database again, after a failed append left memory unsure.
    async fn rebuild(&self) {
        let rebuilt = async {
            let mut log = Log::empty()?;
            let size = self.store.size().await.map_err(|e| e.to_string())?;
            replay(&self.store, &mut log, size).await?;
            let head = match self.store.latest_head().await.map_err(|e| e.to_string())? {
                Some(stored) => check_head(&self.signer, &log, &stored.head)?,
                None => self.signer.sign(0, &log.root()?, now()),
            };
            Ok::<_, String>((log, head))
        };
        match rebuilt.await {
            Ok((log, head)) => {
                let published = publish(&log, head);
                *self.log_mut() = log;
                self.set_published(published);
            }
            Err(error) => {
                tracing::error!(%error, "the registry log could not be rebuilt after a failed append")
            }
        }
    }

    /// The time for a new entry: now, but never before the last entry.
    /// [`RegistryService::append`] stamps it again, in order.
    pub fn next_at(&self) -> i64 {
        now().max(self.log().state.last_at)
    }
}

impl<S: RegistryStore> TrustSource for RegistryService<S> {
    fn trusted(&self) -> ApiResult<Arc<TrustedRegistry>> {
        Ok(self.current())
    }

    fn refreshed(&self) -> Pin<Box<dyn Future<Output = ApiResult<Arc<TrustedRegistry>>> + Send + '_>> {
        Box::pin(async move {
            if self.store.changes().is_some() {
                self.refresh().await.map_err(ApiError::internal)?;
            }
            Ok(self.current())
        })
    }
}

/// How often a registry shared with other processes looks for their appends when no announcement came
/// (announcements can be lost with the listener's connection).
const POLL_EVERY: Duration = Duration::from_secs(5);

impl<S: RegistryStore> RegistryService<S> {
    /// Keeps the registry caught up with other processes' appends, on each announcement and every
    /// [`POLL_EVERY`], until the service is dropped. Nothing to do on an embedded database.
    pub fn follow(service: &Arc<RegistryService<S>>) {
        let Some(mut changes) = service.store.changes() else {
            return;
        };
        let service = Arc::downgrade(service);
        tokio::spawn(async move {
            loop {
                let changed = tokio::time::timeout(POLL_EVERY, changes.changed()).await;
                if matches!(changed, Ok(Err(_))) {
                    return;
                }
                let Some(service) = service.upgrade() else {
                    return;
                };
                if let Err(error) = service.refresh().await {
                    tracing::error!(%error, "catching up with the registry log failed");
                }
            }
        });
    }
}

fn publish(log: &Log, head: SignedTreeHead) -> Published {
    Published {
        trusted: Arc::new(TrustedRegistry::of(&log.state, head)),
        schemas: Arc::new(log.schemas.clone()),
    }
}

/// Entries `from..to` of the log, in pages.
async fn fetch_range<S: RegistryStore>(
    store: &S,
    from: u64,
    to: u64,
) -> Result<Vec<crate::store::registry::StoredEntry>, String> {
    let mut entries = Vec::new();
    let mut next = from;
    while next < to {
        let page = store
            .entries(next, REPLAY_PAGE.min(to - next))
            .await
            .map_err(|e| format!("reading the registry log: {e}"))?;
        let Some(last) = page.last() else {
            return Err(format!(
                "the registry log ends at {next}, before its head's size {to}"
            ));
        };
        next = last.seq + 1;
        entries.extend(page);
    }
    Ok(entries)
}

/// Applies the stored entries up to `size` to `log`, a page at a time.
async fn replay<S: RegistryStore>(store: &S, log: &mut Log, size: u64) -> Result<(), String> {
    while log.size() < size {
        let page = store
            .entries(log.size(), REPLAY_PAGE)
            .await
            .map_err(|e| format!("reading the registry log: {e}"))?;
        if page.is_empty() {
            return Err(format!(
                "the registry log ends at {}, before its size {size}",
                log.size()
            ));
        }
        for entry in page {
            log.apply_stored(entry.seq, &entry.entry)?;
        }
    }
    Ok(())
}

/// Checks a stored head against the log as replayed: its signature, its size and its root.
fn check_head(signer: &LogSigner, log: &Log, text: &str) -> Result<SignedTreeHead, String> {
    let head: SignedTreeHead =
        serde_json::from_str(text).map_err(|e| format!("a stored tree head is malformed: {e}"))?;
    let root = head
        .verify(&signer.verifying_key())
        .map_err(|e| format!("stored tree head of size {}: {e}", head.size))?;
    if head.size != log.size() {
        return Err(format!(
            "the latest tree head covers {} entries but the log holds {}",
            head.size,
            log.size()
        ));
    }
    if root != log.root()? {
        return Err(format!(
            "stored tree head of size {} does not match the log replayed from the database",
            head.size
        ));
    }
    Ok(head)
}

// -------------------------------------------------------------------------------------------------------
// The routes

/// What the registry's handlers share.
#[derive(Debug)]
pub struct RegistryApp<S> {
    /// The registry.
    pub service: Arc<RegistryService<S>>,
    /// Checks the administrator's tokens.
    pub tokens: TokenVerifier,
}

impl<S> Clone for RegistryApp<S> {
    fn clone(&self) -> Self {
        RegistryApp {
            service: Arc::clone(&self.service),
            tokens: self.tokens.clone(),
        }
    }
}

impl<S> HasTokenVerifier for RegistryApp<S> {
    fn token_verifier(&self) -> &TokenVerifier {
        &self.tokens
    }
}

type App<S> = State<RegistryApp<S>>;

/// The registry's routes.
pub fn routes<S: RegistryStore>() -> Routes<RegistryApp<S>> {
    Routes::new()
        .route(op::GET_REGISTRY_KEY, registry_key::<S>)
        .route(op::GET_REGISTRY_SNAPSHOT, snapshot::<S>)
        .route(op::LIST_CERTIFICATE_TYPES, types::<S>)
        .route(op::REGISTER_CERTIFICATE_TYPE, register_type::<S>)
        .route(op::LIST_ISSUERS, issuers::<S>)
        .route(op::REGISTER_ISSUER, register_issuer::<S>)
        .route(op::GET_ISSUER, issuer::<S>)
        .route(op::AUTHORISE_ISSUER, authorise_issuer::<S>)
        .route(op::PUBLISH_ISSUER_KEY, publish_key::<S>)
        .route(op::CHANGE_ISSUER_KEY_STATUS, change_key_status::<S>)
        .route(op::LIST_VERIFIERS, verifiers::<S>)
        .route(op::REGISTER_VERIFIER, register_verifier::<S>)
        .route(op::GET_VERIFIER, verifier::<S>)
        .route(op::LIST_LOG_ENTRIES, log_entries::<S>)
        .route(op::GET_TREE_HEAD, tree_head::<S>)
        .route(op::LIST_TREE_HEADS, tree_heads::<S>)
        .route(op::GET_INCLUSION_PROOF, inclusion_proof::<S>)
        .route(op::GET_CONSISTENCY_PROOF, consistency_proof::<S>)
}

async fn registry_key<S: RegistryStore>(State(app): App<S>) -> Json<RegistryKey> {
    Json(RegistryKey {
        registry_key: app.service.public_key(),
    })
}

async fn snapshot<S: RegistryStore>(State(app): App<S>) -> ApiResult<Json<Snapshot>> {
    let tree_head = app.service.current().head.clone();
    let stored = fetch_range(&app.service.store, 0, tree_head.size)
        .await
        .map_err(ApiError::internal)?;
    let entries = stored
        .iter()
        .map(|stored| Entry::from_canonical_bytes(stored.entry.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    Ok(Json(Snapshot { tree_head, entries }))
}

async fn types<S: RegistryStore>(State(app): App<S>) -> Json<CertificateTypes> {
    Json(CertificateTypes {
        types: app.service.published().schemas.as_ref().clone(),
    })
}

async fn issuers<S: RegistryStore>(State(app): App<S>) -> Json<Issuers> {
    Json(Issuers {
        issuers: app.service.current().view.issuers.values().cloned().collect(),
    })
}

async fn issuer<S: RegistryStore>(
    State(app): App<S>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<IssuerRecord>> {
    app.service
        .current()
        .view
        .issuers
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such issuer in the registry"))
}

async fn verifiers<S: RegistryStore>(State(app): App<S>) -> Json<Verifiers> {
    Json(Verifiers {
        verifiers: app.service.current().view.verifiers.values().cloned().collect(),
    })
}

async fn verifier<S: RegistryStore>(
    State(app): App<S>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<VerifierRecord>> {
    app.service
        .current()
        .view
        .verifiers
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such verifier in the registry"))
}

/// Appends an entry; only a registry administrator's handler can call it (`RegistryAdmin` is checked by
/// its extractor).
async fn append<S: RegistryStore>(
    app: &RegistryApp<S>,
    _admin: &RegistryAdmin,
    entry: Entry,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let (index, tree_head) = app.service.append(entry).await?;
    Ok((StatusCode::CREATED, Json(Appended { index, tree_head })))
}

async fn register_type<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    Json(schema): Json<Value>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    // Parse here for a clear 400; the registry's rules parse it again.
    let text = serde_json::to_string(&schema).map_err(ApiError::internal)?;
    CertificateType::from_json(&text).map_err(|e| ApiError::new(ErrorCode::InvalidSchema, e.to_string()))?;
    let at = app.service.next_at();
    append(&app, &admin, Entry::TypeRegistered { at, schema }).await
}

async fn register_issuer<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    Json(body): Json<NewIssuer>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let entry = Entry::IssuerRegistered {
        at: app.service.next_at(),
        id: body.id,
        name: body.name,
        region: body.region,
        department: body.department,
    };
    append(&app, &admin, entry).await
}

async fn authorise_issuer<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<Authorisation>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&app, &issuer)?;
    let entry = Entry::IssuerAuthorised {
        at: app.service.next_at(),
        issuer,
        type_id: body.type_id,
    };
    append(&app, &admin, entry).await
}

async fn publish_key<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<KeyPublication>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&app, &issuer)?;
    // Shape checks answer 400 here; what depends on the registry's state is the rules' 409.
    ecert_credential::decode_b64(&body.public_key)
        .ok()
        .and_then(|bytes| ecert_bbs::PublicKey::from_bytes(&bytes).ok())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidPublicKey, "not a BLS12-381 G2 public key"))?;
    for date in [&body.not_before, &body.not_after] {
        ecert_credential::parse_date(date)
            .map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))?;
    }
    let entry = Entry::KeyPublished {
        at: app.service.next_at(),
        issuer,
        key_id: body.key_id,
        suite: body
            .suite
            .unwrap_or_else(|| ecert_registry::CERTIFICATE_SUITE.to_owned()),
        public_key: body.public_key,
        not_before: body.not_before,
        not_after: body.not_after,
    };
    append(&app, &admin, entry).await
}

async fn change_key_status<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    UrlPath((issuer, key_id)): UrlPath<(String, String)>,
    Json(body): Json<KeyStatusChange>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&app, &issuer)?;
    let entry = Entry::KeyStatusChanged {
        at: app.service.next_at(),
        issuer,
        key_id,
        status: body.status.as_str().to_owned(),
        reason: body.reason,
    };
    append(&app, &admin, entry).await
}

async fn register_verifier<S: RegistryStore>(
    State(app): App<S>,
    admin: RegistryAdmin,
    Json(record): Json<VerifierRecord>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let verifier = serde_json::to_value(&record).map_err(ApiError::internal)?;
    let entry = Entry::VerifierRegistered {
        at: app.service.next_at(),
        verifier,
    };
    append(&app, &admin, entry).await
}

fn require_issuer<S: RegistryStore>(app: &RegistryApp<S>, issuer: &str) -> ApiResult<()> {
    if app.service.current().view.issuers.contains_key(issuer) {
        Ok(())
    } else {
        Err(ApiError::not_found("no such issuer in the registry"))
    }
}

async fn log_entries<S: RegistryStore>(
    State(app): App<S>,
    Query(page): Query<Page>,
) -> ApiResult<Json<LogEntries>> {
    let tree_size = app.service.current().head.size;
    let limit = page.limit.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT);
    let start = page.start.min(tree_size);
    let end = start.saturating_add(limit).min(tree_size);
    let stored = if start < end {
        app.service.store.entries(start, end - start).await?
    } else {
        Vec::new()
    };
    let entries = stored
        .iter()
        .map(|stored| {
            Ok(LogEntry {
                entry: Entry::from_canonical_bytes(stored.entry.as_bytes()).map_err(ApiError::internal)?,
                leaf_hash: encode_b64(&leaf_hash(stored.entry.as_bytes())),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(LogEntries {
        start,
        tree_size,
        entries,
    }))
}

async fn tree_head<S: RegistryStore>(State(app): App<S>) -> Json<SignedTreeHead> {
    Json(app.service.current().head.clone())
}

async fn tree_heads<S: RegistryStore>(
    State(app): App<S>,
    Query(page): Query<Page>,
) -> ApiResult<Json<TreeHeads>> {
    let limit = page.limit.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT);
    let published = app.service.current().head.size;
    let stored = app.service.store.heads(page.start, limit).await?;
    let tree_heads = stored
        .iter()
        // Heads another process committed after this one's latest are served once it has caught up.
        .filter(|stored| stored.size <= published)
        .map(|stored| serde_json::from_str(&stored.head).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(TreeHeads { tree_heads }))
}

fn hashes(proof: &[ecert_registry::Hash]) -> Vec<String> {
    proof.iter().map(|h| encode_b64(h)).collect()
}

async fn inclusion_proof<S: RegistryStore>(
    State(app): App<S>,
    Query(query): Query<InclusionQuery>,
) -> ApiResult<Json<InclusionProof>> {
    let published = app.service.current().head.size;
    let size = query.tree_size.unwrap_or(published);
    if size > published || query.leaf_index >= size {
        return Err(ApiError::new(
            ErrorCode::InvalidProofRequest,
            format!("need leaf_index < tree_size <= {published}"),
        ));
    }
    let proof = app
        .service
        .log()
        .tree
        .inclusion_proof(query.leaf_index, size)
        .map_err(|e| ApiError::new(ErrorCode::InvalidProofRequest, e.to_string()))?;
    Ok(Json(InclusionProof {
        leaf_index: query.leaf_index,
        tree_size: size,
        hashes: hashes(&proof),
    }))
}

async fn consistency_proof<S: RegistryStore>(
    State(app): App<S>,
    Query(query): Query<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyProof>> {
    let published = app.service.current().head.size;
    let new = query.new_size.unwrap_or(published);
    if new > published || query.old_size > new {
        return Err(ApiError::new(
            ErrorCode::InvalidProofRequest,
            format!("need old_size <= new_size <= {published}"),
        ));
    }
    let proof = app
        .service
        .log()
        .tree
        .consistency_proof(query.old_size, new)
        .map_err(|e| ApiError::new(ErrorCode::InvalidProofRequest, e.to_string()))?;
    Ok(Json(ConsistencyProof {
        old_size: query.old_size,
        new_size: new,
        hashes: hashes(&proof),
    }))
}
