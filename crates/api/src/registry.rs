//! The registry's operations: its state (types, issuers, verifiers), its administrator's writes, and the
//! transparency log (entries, tree heads, proofs). Snapshots and tree heads are ecert-registry's own
//! types; the records are ecert-credential's.

use ecert_credential::{IssuerRecord, VerifierRecord};
use ecert_registry::{Entry, SignedTreeHead};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use ecert_registry::Snapshot;

/// `getRegistryKey`: the Ed25519 key tree heads verify under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryKey {
    /// The key, base64url.
    pub registry_key: String,
}

/// `listCertificateTypes`: the schemas, verbatim as registered, in log order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateTypes {
    /// The schema documents (specs/schemas/FORMAT.md).
    pub types: Vec<Value>,
}

/// `listIssuers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuers {
    /// Every registered issuer, by id.
    pub issuers: Vec<IssuerRecord>,
}

/// `listVerifiers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verifiers {
    /// Every registered verifier, by id.
    pub verifiers: Vec<VerifierRecord>,
}

/// `registerIssuer`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIssuer {
    /// Registry id, e.g. `110000-psb`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Region code (GB/T 2260).
    pub region: String,
    /// The department.
    pub department: String,
}

/// `authoriseIssuer`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: String,
}

/// `publishIssuerKey`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPublication {
    /// The key id certificates name.
    pub key_id: String,
    /// The BBS public key, base64url.
    pub public_key: String,
    /// First day of issuance, `YYYY-MM-DD`.
    pub not_before: String,
    /// Last day of issuance, `YYYY-MM-DD`.
    pub not_after: String,
    /// The ciphersuite; `BLS12-381-SHA-256` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
}

/// The statuses a published key can be moved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyStatusName {
    /// No longer issuing; what it signed stays valid.
    Retired,
    /// Nothing it signed is trusted any more.
    Revoked,
}

impl KeyStatusName {
    /// The name, as the log entry writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatusName::Retired => "retired",
            KeyStatusName::Revoked => "revoked",
        }
    }
}

/// `changeIssuerKeyStatus`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyStatusChange {
    /// The new status.
    pub status: KeyStatusName,
    /// Why (required by the registry's rules for a revocation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer to every registry write: where the entry went and the head that now covers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appended {
    /// The entry's index in the log.
    pub index: u64,
    /// The newly signed head, already durable.
    pub tree_head: SignedTreeHead,
}

/// The query of the log's paged reads (`listLogEntries`, `listTreeHeads`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The first entry (for tree heads, the smallest size) wanted.
    #[serde(default)]
    pub start: u64,
    /// At most this many (clamped to 1..1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// `listLogEntries`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntries {
    /// The first entry's index.
    pub start: u64,
    /// The size of the tree the latest head covers.
    pub tree_size: u64,
    /// The entries, in order.
    pub entries: Vec<LogEntry>,
}

/// One entry of the log with its leaf hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The entry.
    pub entry: Entry,
    /// Its leaf hash (RFC 9162 §2.1.1), base64url.
    pub leaf_hash: String,
}

/// `listTreeHeads`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeHeads {
    /// Every head signed, by size.
    pub tree_heads: Vec<SignedTreeHead>,
}

/// `getInclusionProof`'s query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The entry.
    pub leaf_index: u64,
    /// The tree; the latest head's size when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_size: Option<u64>,
}

/// `getInclusionProof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// The entry.
    pub leaf_index: u64,
    /// The tree.
    pub tree_size: u64,
    /// The audit path (RFC 9162 §2.1.3), base64url.
    pub hashes: Vec<String>,
}

/// `getConsistencyProof`'s query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older tree.
    pub old_size: u64,
    /// The newer tree; the latest head's size when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_size: Option<u64>,
}

/// `getConsistencyProof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The older tree.
    pub old_size: u64,
    /// The newer tree.
    pub new_size: u64,
    /// The proof (RFC 9162 §2.1.4), base64url.
    pub hashes: Vec<String>,
}
