//! The registry service: the transparency log in the database, replayed into memory at start-up, with the
//! public read surface (snapshot, issuers, verifiers, types, entries, tree heads, proofs) and the
//! registry administrator's writes, each appended as one log entry.
//!
//! An append runs under the database's writers' lock: the entry is appended to a copy of the log (the
//! rules refuse it there, changing nothing), the entry and the newly signed tree head are committed in one
//! transaction, and only then does the copy replace what readers see. Memory never runs ahead of what is
//! durable, and a failed commit leaves nothing to undo.

use std::path::Path;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use ecert_credential::{Catalogue, CertificateType, RegistryView, VerifierRecord, encode_b64};
use ecert_registry::{Entry, LogSigner, MemoryStore, Registry, SignedTreeHead, Snapshot, leaf_hash};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use crate::app::{AppState, now};
use crate::auth::RegistryAdmin;
use crate::db::Database;
use crate::error::{ApiError, ApiResult, Json, Path as UrlPath, Query};
use crate::keystore::read_secret_file;

/// The registry's log-signing key in the data directory (owner-only).
pub const REGISTRY_KEY_FILE: &str = "registry.key";

/// Most entries or heads one page returns.
const PAGE_LIMIT: u64 = 1000;

/// The registry as this process holds it.
pub struct RegistryService {
    signer: LogSigner,
    loaded: RwLock<Arc<Loaded>>,
}

impl std::fmt::Debug for RegistryService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryService")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

/// The log replayed, with what readers need derived once per append.
#[derive(Debug)]
pub struct Loaded {
    /// The log and its state.
    pub registry: Registry<MemoryStore>,
    /// The latest durable signed head.
    pub head: SignedTreeHead,
    /// The state as verifiers and wallets see it.
    pub view: RegistryView,
    /// The registered certificate types.
    pub catalogue: Catalogue,
}

impl Loaded {
    fn derive(registry: Registry<MemoryStore>, head: SignedTreeHead) -> Loaded {
        let state = registry.state();
        let view = state.view();
        let mut catalogue = Catalogue::default();
        for ty in state.types.values() {
            // The registry's rules already refused duplicate ids.
            let _ = catalogue.insert(ty.clone());
        }
        Loaded {
            registry,
            head,
            view,
            catalogue,
        }
    }

    /// The entries the durable head covers.
    pub fn entries(&self) -> &[Entry] {
        let size = usize::try_from(self.head.size).unwrap_or(usize::MAX);
        let entries = self.registry.entries();
        &entries[..size.min(entries.len())]
    }
}

impl RegistryService {
    /// Loads the log-signing key and replays the log from the database, checking every stored tree head
    /// against the replayed log (a head that does not match means the database was altered).
    pub async fn open(data_dir: &Path, db: &Database) -> Result<RegistryService, String> {
        let secret = read_secret_file(&data_dir.join(REGISTRY_KEY_FILE), 32).map_err(|e| e.to_string())?;
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&secret);
        let signer = LogSigner::from_bytes(&bytes);
        let loaded = Self::load(&signer, db).await?;
        Ok(RegistryService {
            signer,
            loaded: RwLock::new(Arc::new(loaded)),
        })
    }

    async fn load(signer: &LogSigner, db: &Database) -> Result<Loaded, String> {
        let rows = sqlx::query("SELECT seq, entry FROM registry_entries ORDER BY seq")
            .fetch_all(db.pool())
            .await
            .map_err(|e| format!("reading the registry log: {e}"))?;
        let mut entries = Vec::with_capacity(rows.len());
        for (expected, row) in rows.iter().enumerate() {
            let seq: i64 = row.get("seq");
            if usize::try_from(seq).ok() != Some(expected) {
                return Err(format!("the registry log has a gap at entry {expected}"));
            }
            let text: String = row.get("entry");
            entries.push(
                Entry::from_canonical_bytes(text.as_bytes())
                    .map_err(|e| format!("registry entry {seq}: {e}"))?,
            );
        }
        let heads = sqlx::query("SELECT size, head FROM tree_heads ORDER BY size")
            .fetch_all(db.pool())
            .await
            .map_err(|e| format!("reading the tree heads: {e}"))?;
        let mut registry = Registry::new(MemoryStore::default()).map_err(|e| e.to_string())?;
        let mut heads = heads.iter().peekable();
        let mut latest = None;
        for (seq, entry) in entries.iter().enumerate() {
            // Check the heads of sizes reached so far before appending the next entry.
            while let Some(row) = heads.next_if(|row| row.get::<i64, _>("size") as usize <= seq) {
                latest = Some(check_head(signer, &registry, row)?);
            }
            registry
                .append(entry)
                .map_err(|e| format!("registry entry {seq} does not replay: {e}"))?;
        }
        for row in heads {
            latest = Some(check_head(signer, &registry, row)?);
        }
        let head = match latest {
            Some(head) if head.size == registry.log().size() => head,
            // No head for the last entries cannot happen (they are committed together); a fresh
            // database has none at all, and gets its size-0 head on first read.
            Some(head) => {
                return Err(format!(
                    "the latest tree head covers {} entries but the log holds {}",
                    head.size,
                    registry.log().size()
                ));
            }
            None if entries.is_empty() => registry.tree_head(signer, now()).map_err(|e| e.to_string())?,
            None => return Err("the registry log has entries but no tree head".into()),
        };
        Ok(Loaded::derive(registry, head))
    }

    /// The current log, state and derived views.
    pub fn loaded(&self) -> Arc<Loaded> {
        match self.loaded.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The registry's public key (tree heads verify under it).
    pub fn public_key(&self) -> String {
        encode_b64(self.signer.verifying_key().as_bytes())
    }

    /// Stamps `entry` with the time (under the writers' lock, so that times along the log never go back),
    /// appends it and commits it with its tree head. Returns the entry's index and the new head.
    pub async fn append(&self, db: &Database, mut entry: Entry) -> ApiResult<(u64, SignedTreeHead)> {
        let mut write = db.write().await?;
        let current = self.loaded();
        entry.set_at(self.next_at());
        let bytes = entry
            .canonical_bytes()
            .map_err(|e| ApiError::bad_request("invalid_entry", e.to_string()))?;
        // Append to a copy: what readers see changes only once the entry and its head are durable, so a
        // failed commit leaves nothing to undo.
        let mut next = current.registry.clone();
        let index = next.append(&entry).map_err(|e| match e {
            ecert_registry::Error::Rule(what) => ApiError::conflict("rule_violation", what),
            other => ApiError::bad_request("invalid_entry", other.to_string()),
        })?;
        let timestamp = now().max(current.head.timestamp);
        let head = next
            .tree_head(&self.signer, timestamp)
            .map_err(ApiError::internal)?;
        let seq = i64::try_from(index).map_err(ApiError::internal)?;
        let text = String::from_utf8(bytes).map_err(ApiError::internal)?;
        sqlx::query("INSERT INTO registry_entries (seq, entry, appended_at) VALUES ($1, $2, $3)")
            .bind(seq)
            .bind(&text)
            .bind(timestamp)
            .execute(&mut *write.tx)
            .await?;
        sqlx::query("INSERT INTO tree_heads (size, head) VALUES ($1, $2)")
            .bind(seq + 1)
            .bind(serde_json::to_string(&head).map_err(ApiError::internal)?)
            .execute(&mut *write.tx)
            .await?;
        write.commit().await?;
        let kind = entry.kind();
        let next = Loaded::derive(next, head.clone());
        match self.loaded.write() {
            Ok(mut guard) => *guard = Arc::new(next),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(next),
        }
        tracing::info!(index, kind, "registry entry appended");
        Ok((index, head))
    }

    /// The time for a new entry: now, but never before the last entry (the log's times never go back).
    /// Handlers use it to fill in an entry; [`RegistryService::append`] stamps it again under the lock.
    pub fn next_at(&self) -> i64 {
        now().max(self.loaded().registry.state().last_at)
    }
}

fn check_head(
    signer: &LogSigner,
    registry: &Registry<MemoryStore>,
    row: &sqlx::sqlite::SqliteRow,
) -> Result<SignedTreeHead, String> {
    let text: String = row.get("head");
    let head: SignedTreeHead =
        serde_json::from_str(&text).map_err(|e| format!("a stored tree head is malformed: {e}"))?;
    let root = head
        .verify(&signer.verifying_key())
        .map_err(|e| format!("stored tree head of size {}: {e}", head.size))?;
    let size = registry.log().size();
    let ours = registry.log().root(size).map_err(|e| e.to_string())?;
    if head.size != size || root != ours {
        return Err(format!(
            "stored tree head of size {} does not match the log replayed from the database",
            head.size
        ));
    }
    Ok(head)
}

/// The registry's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/registry/key", get(registry_key))
        .route("/v1/registry/snapshot", get(snapshot))
        .route("/v1/registry/types", get(types).post(register_type))
        .route("/v1/registry/issuers", get(issuers).post(register_issuer))
        .route("/v1/registry/issuers/{issuer}", get(issuer))
        .route(
            "/v1/registry/issuers/{issuer}/authorisations",
            post(authorise_issuer),
        )
        .route("/v1/registry/issuers/{issuer}/keys", post(publish_key))
        .route(
            "/v1/registry/issuers/{issuer}/keys/{key_id}/status",
            post(change_key_status),
        )
        .route("/v1/registry/verifiers", get(verifiers).post(register_verifier))
        .route("/v1/registry/verifiers/{verifier}", get(verifier))
        .route("/v1/registry/log/entries", get(log_entries))
        .route("/v1/registry/log/tree-head", get(tree_head))
        .route("/v1/registry/log/tree-heads", get(tree_heads))
        .route("/v1/registry/log/inclusion-proof", get(inclusion_proof))
        .route("/v1/registry/log/consistency-proof", get(consistency_proof))
}

async fn registry_key(state: axum::extract::State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"registry_key": state.registry()?.public_key()})))
}

async fn snapshot(state: axum::extract::State<AppState>) -> ApiResult<Json<Snapshot>> {
    let loaded = state.registry()?.loaded();
    Ok(Json(Snapshot {
        tree_head: loaded.head.clone(),
        entries: loaded.entries().to_vec(),
    }))
}

async fn types(state: axum::extract::State<AppState>) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let schemas: Vec<&Value> = loaded
        .entries()
        .iter()
        .filter_map(|entry| match entry {
            Entry::TypeRegistered { schema, .. } => Some(schema),
            _ => None,
        })
        .collect();
    Ok(Json(json!({ "types": schemas })))
}

async fn issuers(state: axum::extract::State<AppState>) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let issuers: Vec<_> = loaded.view.issuers.values().collect();
    Ok(Json(json!({ "issuers": issuers })))
}

async fn issuer(
    state: axum::extract::State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let record = loaded
        .view
        .issuers
        .get(&id)
        .ok_or_else(|| ApiError::not_found("no such issuer in the registry"))?;
    Ok(Json(json!(record)))
}

async fn verifiers(state: axum::extract::State<AppState>) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let verifiers: Vec<_> = loaded.view.verifiers.values().collect();
    Ok(Json(json!({ "verifiers": verifiers })))
}

async fn verifier(
    state: axum::extract::State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let record = loaded
        .view
        .verifiers
        .get(&id)
        .ok_or_else(|| ApiError::not_found("no such verifier in the registry"))?;
    Ok(Json(json!(record)))
}

/// The answer to every registry write: where the entry went and the head that now covers it.
#[derive(Debug, Serialize)]
struct Appended {
    index: u64,
    tree_head: SignedTreeHead,
}

/// Appends an entry; only a registry administrator's handler can call it (`RegistryAdmin` is checked by
/// its extractor).
async fn append(
    state: &AppState,
    _admin: &RegistryAdmin,
    entry: Entry,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let registry = state.registry()?;
    let (index, tree_head) = registry.append(&state.db, entry).await?;
    Ok((StatusCode::CREATED, Json(Appended { index, tree_head })))
}

async fn register_type(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    Json(schema): Json<Value>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    // Parse here for a clear 400; the registry's rules parse it again.
    let text = serde_json::to_string(&schema).map_err(ApiError::internal)?;
    CertificateType::from_json(&text).map_err(|e| ApiError::bad_request("invalid_schema", e.to_string()))?;
    let at = state.registry()?.next_at();
    append(&state, &admin, Entry::TypeRegistered { at, schema }).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewIssuer {
    id: String,
    name: String,
    region: String,
    department: String,
}

async fn register_issuer(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    Json(body): Json<NewIssuer>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let at = state.registry()?.next_at();
    let entry = Entry::IssuerRegistered {
        at,
        id: body.id,
        name: body.name,
        region: body.region,
        department: body.department,
    };
    append(&state, &admin, entry).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Authorisation {
    #[serde(rename = "type")]
    type_id: String,
}

async fn authorise_issuer(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<Authorisation>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&state, &issuer)?;
    let at = state.registry()?.next_at();
    let entry = Entry::IssuerAuthorised {
        at,
        issuer,
        type_id: body.type_id,
    };
    append(&state, &admin, entry).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    key_id: String,
    public_key: String,
    not_before: String,
    not_after: String,
    #[serde(default)]
    suite: Option<String>,
}

async fn publish_key(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    UrlPath(issuer): UrlPath<String>,
    Json(body): Json<NewKey>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&state, &issuer)?;
    // Shape checks answer 400 here; what depends on the registry's state is the rules' 409.
    ecert_credential::decode_b64(&body.public_key)
        .ok()
        .and_then(|bytes| ecert_bbs::PublicKey::from_bytes(&bytes).ok())
        .ok_or_else(|| ApiError::bad_request("invalid_public_key", "not a BLS12-381 G2 public key"))?;
    for date in [&body.not_before, &body.not_after] {
        ecert_credential::parse_date(date)
            .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    }
    let at = state.registry()?.next_at();
    let entry = Entry::KeyPublished {
        at,
        issuer,
        key_id: body.key_id,
        suite: body
            .suite
            .unwrap_or_else(|| ecert_registry::CERTIFICATE_SUITE.to_owned()),
        public_key: body.public_key,
        not_before: body.not_before,
        not_after: body.not_after,
    };
    append(&state, &admin, entry).await
}

/// The statuses a key can be moved to.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KeyStatusName {
    Retired,
    Revoked,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyStatusChange {
    status: KeyStatusName,
    #[serde(default)]
    reason: Option<String>,
}

async fn change_key_status(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    UrlPath((issuer, key_id)): UrlPath<(String, String)>,
    Json(body): Json<KeyStatusChange>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    require_issuer(&state, &issuer)?;
    let at = state.registry()?.next_at();
    let entry = Entry::KeyStatusChanged {
        at,
        issuer,
        key_id,
        status: match body.status {
            KeyStatusName::Retired => "retired",
            KeyStatusName::Revoked => "revoked",
        }
        .to_owned(),
        reason: body.reason,
    };
    append(&state, &admin, entry).await
}

async fn register_verifier(
    state: axum::extract::State<AppState>,
    admin: RegistryAdmin,
    Json(record): Json<VerifierRecord>,
) -> ApiResult<(StatusCode, Json<Appended>)> {
    let at = state.registry()?.next_at();
    let verifier = serde_json::to_value(&record).map_err(ApiError::internal)?;
    append(&state, &admin, Entry::VerifierRegistered { at, verifier }).await
}

fn require_issuer(state: &AppState, issuer: &str) -> ApiResult<()> {
    if state.registry()?.loaded().view.issuers.contains_key(issuer) {
        Ok(())
    } else {
        Err(ApiError::not_found("no such issuer in the registry"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    start: u64,
    #[serde(default)]
    limit: Option<u64>,
}

async fn log_entries(
    state: axum::extract::State<AppState>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let entries = loaded.entries();
    let limit = page.limit.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT);
    let start = usize::try_from(page.start)
        .unwrap_or(usize::MAX)
        .min(entries.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(entries.len());
    let page: Vec<Value> = entries[start..end]
        .iter()
        .map(|entry| {
            let leaf = entry
                .canonical_bytes()
                .map(|b| encode_b64(&leaf_hash(&b)))
                .unwrap_or_default();
            json!({"entry": entry, "leaf_hash": leaf})
        })
        .collect();
    Ok(Json(
        json!({"start": start, "tree_size": loaded.head.size, "entries": page}),
    ))
}

async fn tree_head(state: axum::extract::State<AppState>) -> ApiResult<Json<SignedTreeHead>> {
    Ok(Json(state.registry()?.loaded().head.clone()))
}

async fn tree_heads(
    state: axum::extract::State<AppState>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    state.registry()?;
    let limit = page.limit.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT);
    let start = i64::try_from(page.start).unwrap_or(i64::MAX);
    let rows = sqlx::query("SELECT head FROM tree_heads WHERE size >= $1 ORDER BY size LIMIT $2")
        .bind(start)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(state.db.pool())
        .await?;
    let mut heads = Vec::with_capacity(rows.len());
    for row in rows {
        let text: String = row.get("head");
        heads.push(serde_json::from_str::<Value>(&text).map_err(ApiError::internal)?);
    }
    Ok(Json(json!({ "tree_heads": heads })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionQuery {
    leaf_index: u64,
    tree_size: Option<u64>,
}

async fn inclusion_proof(
    state: axum::extract::State<AppState>,
    Query(query): Query<InclusionQuery>,
) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let size = query.tree_size.unwrap_or(loaded.head.size);
    if size > loaded.head.size || query.leaf_index >= size {
        return Err(ApiError::bad_request(
            "invalid_proof_request",
            format!("need leaf_index < tree_size <= {}", loaded.head.size),
        ));
    }
    let proof = loaded
        .registry
        .log()
        .inclusion_proof(query.leaf_index, size)
        .map_err(|e| ApiError::bad_request("invalid_proof_request", e.to_string()))?;
    let hashes: Vec<String> = proof.iter().map(|h| encode_b64(h)).collect();
    Ok(Json(
        json!({"leaf_index": query.leaf_index, "tree_size": size, "hashes": hashes}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyQuery {
    old_size: u64,
    new_size: Option<u64>,
}

async fn consistency_proof(
    state: axum::extract::State<AppState>,
    Query(query): Query<ConsistencyQuery>,
) -> ApiResult<Json<Value>> {
    let loaded = state.registry()?.loaded();
    let new = query.new_size.unwrap_or(loaded.head.size);
    if new > loaded.head.size || query.old_size > new {
        return Err(ApiError::bad_request(
            "invalid_proof_request",
            format!("need old_size <= new_size <= {}", loaded.head.size),
        ));
    }
    let proof = loaded
        .registry
        .log()
        .consistency_proof(query.old_size, new)
        .map_err(|e| ApiError::bad_request("invalid_proof_request", e.to_string()))?;
    let hashes: Vec<String> = proof.iter().map(|h| encode_b64(h)).collect();
    Ok(Json(
        json!({"old_size": query.old_size, "new_size": new, "hashes": hashes}),
    ))
}
