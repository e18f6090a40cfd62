//! The JSON-LD document loader: bundled context documents only, nothing fetched at run time.
//!
//! A credential names its vocabulary by context URLs. Fetching them when a credential arrives would
//! make verification depend on the network and on whoever serves those URLs at that moment (a changed
//! context changes what a signed document means), so every context this crate accepts is bundled in
//! `contexts/` (sources in its README) and an unknown URL is an error that names it. A deployment that
//! needs another context adds it, as reviewed data, with [`ContextLoader::with_context`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use json_ld::syntax::Parse as _;
use json_ld::{IriBuf, LoadError, RemoteDocument};

use crate::error::{Error, Result};

/// The bundled contexts: URL and the published document, byte for byte.
const BUNDLED: &[(&str, &str)] = &[
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("../contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        include_str!("../contexts/credentials-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("../contexts/credentials-examples-v2.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        include_str!("../contexts/data-integrity-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../contexts/data-integrity-v2.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../contexts/multikey-v1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/v1",
        include_str!("../contexts/vdl-v1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/v2",
        include_str!("../contexts/vdl-v2.jsonld"),
    ),
    (
        "https://w3id.org/vdl/aamva/v1",
        include_str!("../contexts/vdl-aamva-v1.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v4rc1",
        include_str!("../contexts/citizenship-v4rc1.jsonld"),
    ),
];

/// The bundled contexts, parsed once per process.
static BUNDLED_PARSED: LazyLock<BTreeMap<String, Arc<json_syntax::Value>>> = LazyLock::new(|| {
    BUNDLED
        .iter()
        // The bundled documents are checked by this module's tests; one that did not parse would be
        // missing, and every credential using it would say so.
        .filter_map(|(url, text)| Some(((*url).to_owned(), Arc::new(parse_context(text).ok()?))))
        .collect()
});

fn parse_context(text: &str) -> Result<json_syntax::Value> {
    let (value, _) =
        json_syntax::Value::parse_str(text).map_err(|e| Error::InvalidContext(format!("not JSON: {e}")))?;
    match value.as_object() {
        Some(object) if object.get("@context").next().is_some() => Ok(value),
        _ => Err(Error::InvalidContext(
            "a context document is a JSON object with an @context entry".into(),
        )),
    }
}

/// Serves JSON-LD context documents from memory: the bundled W3C contexts, plus any a deployment adds.
///
/// Cheap to clone: clones share the documents and the cache of processed contexts.
#[derive(Clone)]
pub struct ContextLoader {
    documents: BTreeMap<String, Arc<json_syntax::Value>>,
    /// Processed `@context` values, by their JSON text (see [`ContextLoader::processed`]).
    processed: Arc<Mutex<HashMap<String, Arc<ProcessedContext>>>>,
    /// Canonical proof configurations and their SHA-256, by the configuration's JSON text (see
    /// [`ContextLoader::canonical_proof_config`]).
    proof_configs: Arc<Mutex<HashMap<String, Arc<CanonicalProofConfig>>>>,
    /// The terms some context of a `@context` value types `@json`, by its JSON text (see
    /// [`ContextLoader::json_terms`]).
    json_terms: Arc<Mutex<HashMap<String, Arc<HashSet<String>>>>>,
}

/// A document's `@context` value, processed: the active context its top level is expanded and
/// compacted with.
pub(crate) type ProcessedContext = json_ld::context_processing::ProcessedOwned<IriBuf, json_ld::BlankIdBuf>;

/// A proof configuration's canonical N-Quads and their SHA-256.
pub(crate) type CanonicalProofConfig = (String, [u8; 32]);

/// How many distinct `@context` values a loader keeps processed. A deployment has a handful (one per
/// credential type and proof form); the bound only stops a stream of made-up contexts from growing
/// the cache without end.
const PROCESSED_CACHE_ENTRIES: usize = 256;

impl Default for ContextLoader {
    fn default() -> Self {
        ContextLoader {
            documents: BUNDLED_PARSED.clone(),
            processed: Arc::default(),
            proof_configs: Arc::default(),
            json_terms: Arc::default(),
        }
    }
}

impl std::fmt::Debug for ContextLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextLoader")
            .field("urls", &self.documents.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ContextLoader {
    /// The bundled contexts: VC Data Model v1.1 and v2.0 (and the v2 examples context), Data Integrity
    /// v1 and v2, Multikey v1, the verifiable driving licence vocabulary (`https://w3id.org/vdl/v1`,
    /// `/v2`, `/aamva/v1`) and the citizenship vocabulary `https://w3id.org/citizenship/v4rc1`.
    pub fn new() -> ContextLoader {
        ContextLoader::default()
    }

    /// This loader with one more context document, served at `url`. `document` is the JSON text of a
    /// context document (an object with an `@context` entry); it replaces any document at that URL.
    pub fn with_context(mut self, url: &str, document: &str) -> Result<ContextLoader> {
        if IriBuf::new(url.to_owned()).is_err() {
            return Err(Error::InvalidContext(format!("{url:?} is not an absolute IRI")));
        }
        self.documents
            .insert(url.to_owned(), Arc::new(parse_context(document)?));
        // What a URL means changed: contexts processed with the old documents no longer apply.
        self.processed = Arc::default();
        self.proof_configs = Arc::default();
        self.json_terms = Arc::default();
        Ok(self)
    }

    /// The processed form of a `@context` value, from the cache or made by `process` and cached.
    ///
    /// Context processing is most of the cost of expanding a credential (the VC v2 context alone defines
    /// about a hundred terms), and every credential of a type carries the same `@context`: processing
    /// it once per loader is what keeps canonicalization from dominating the cost of a proof. The
    /// processed context depends only on the `@context` value and on the documents this loader serves,
    /// which do not change for its life.
    pub(crate) fn processed(
        &self,
        context: &serde_json::Value,
        process: impl FnOnce() -> Result<ProcessedContext>,
    ) -> Result<Arc<ProcessedContext>> {
        let key = context.to_string();
        if let Some(hit) = self.cache().get(&key) {
            return Ok(hit.clone());
        }
        let processed = Arc::new(process()?);
        let mut cache = self.cache();
        if cache.len() >= PROCESSED_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, processed.clone());
        Ok(processed)
    }

    /// The canonical N-Quads and hash of a proof configuration (bbs-2023 §3.4.4), from the cache or
    /// made by `canonicalize` and cached.
    ///
    /// A proof configuration is the same for every credential an issuer key signs with the same
    /// options, and for every presentation of those credentials, while expanding it (the
    /// DataIntegrityProof type-scoped context over the credential's contexts) costs as much as a small
    /// credential. It is a pure function of its JSON and of this loader's documents.
    pub(crate) fn canonical_proof_config(
        &self,
        config: &serde_json::Value,
        canonicalize: impl FnOnce() -> Result<(String, [u8; 32])>,
    ) -> Result<Arc<CanonicalProofConfig>> {
        let key = config.to_string();
        if let Some(hit) = self.proof_config_cache().get(&key) {
            return Ok(hit.clone());
        }
        let computed = Arc::new(canonicalize()?);
        let mut cache = self.proof_config_cache();
        if cache.len() >= PROCESSED_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, computed.clone());
        Ok(computed)
    }

    /// Every term that a context reachable from `context` (inline, or a served document, or a scoped
    /// context inside either) defines with `"@type": "@json"`, in any scope. An over-approximation: a
    /// name counts even where another scope defines it otherwise, which is what its one user
    /// (skolemization by marking, in `group`) needs to stay safe. Unknown URLs are skipped here; the
    /// expansion that follows reports them.
    pub(crate) fn json_terms(&self, context: &serde_json::Value) -> Arc<HashSet<String>> {
        let key = context.to_string();
        let lock = || {
            self.json_terms
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(hit) = lock().get(&key) {
            return hit.clone();
        }
        let mut terms = HashSet::new();
        let mut visited = HashSet::new();
        self.collect_json_terms(context, &mut terms, &mut visited);
        let terms = Arc::new(terms);
        let mut cache = lock();
        if cache.len() >= PROCESSED_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, terms.clone());
        terms
    }

    fn collect_json_terms(
        &self,
        value: &serde_json::Value,
        terms: &mut HashSet<String>,
        visited: &mut HashSet<String>,
    ) {
        match value {
            serde_json::Value::String(url) if visited.insert(url.clone()) => {
                if let Some(document) = self.documents.get(url) {
                    let document = json_syntax::Value::clone(document).into_serde_json();
                    self.collect_json_terms(&document, terms, visited);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    self.collect_json_terms(item, terms, visited);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, entry) in map {
                    if entry.get("@type").and_then(serde_json::Value::as_str) == Some("@json") {
                        terms.insert(key.clone());
                    }
                    // Nested definitions and scoped contexts, and @context/@import URLs.
                    if entry.is_object() || entry.is_array() || key == "@context" || key == "@import" {
                        self.collect_json_terms(entry, terms, visited);
                    }
                }
            }
            _ => {}
        }
    }

    fn proof_config_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<CanonicalProofConfig>>> {
        // As for the context cache: entries are inserted whole, so a poisoned lock is still sound.
        self.proof_configs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ProcessedContext>>> {
        // A panic while holding the lock cannot leave a half-made entry (insertions are whole), so a
        // poisoned cache is still sound.
        self.processed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    /// The URLs this loader serves.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.documents.keys().map(String::as_str)
    }
}

/// The error a JSON-LD processor sees for a URL that is not served.
#[derive(Debug)]
struct NotBundled;

impl std::fmt::Display for NotBundled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a bundled context (ecert-w3c loads no document at run time)")
    }
}

impl std::error::Error for NotBundled {}

impl json_ld::Loader for ContextLoader {
    async fn load(&self, url: &json_ld::Iri) -> std::result::Result<RemoteDocument<IriBuf>, LoadError> {
        match self.documents.get(url.as_str()) {
            Some(document) => Ok(RemoteDocument::new(
                Some(url.to_owned()),
                None,
                json_syntax::Value::clone(document),
            )),
            None => Err(LoadError::new(url.to_owned(), NotBundled)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_context_parses() {
        assert_eq!(BUNDLED_PARSED.len(), BUNDLED.len());
        for (url, text) in BUNDLED {
            parse_context(text).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    }

    #[test]
    fn added_contexts_are_checked() {
        let loader = ContextLoader::new();
        assert!(
            loader
                .clone()
                .with_context("not a url", "{\"@context\": {}}")
                .is_err()
        );
        assert!(
            loader
                .clone()
                .with_context("https://example.org/c", "[1]")
                .is_err()
        );
        assert!(loader.clone().with_context("https://example.org/c", "{").is_err());
        let loader = loader
            .with_context(
                "https://example.org/c",
                "{\"@context\": {\"x\": \"https://example.org/x\"}}",
            )
            .unwrap();
        assert!(loader.urls().any(|u| u == "https://example.org/c"));
    }
}
