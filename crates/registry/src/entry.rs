//! The registry log's entries: every change to the registry is one, in a canonical encoding (RFC 8785
//! JSON canonicalisation) whose leaf hash goes into the Merkle tree.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One change to the registry. `at` is when it was appended (Unix seconds), non-decreasing along the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Entry {
    /// A certificate type enters the catalogue, with its schema (specs/schemas/FORMAT.md) verbatim.
    TypeRegistered {
        /// When.
        at: i64,
        /// The schema document.
        schema: serde_json::Value,
    },
    /// An issuing department joins.
    IssuerRegistered {
        /// When.
        at: i64,
        /// Registry id.
        id: String,
        /// Display name.
        name: String,
        /// GB/T 2260 region code of the department.
        region: String,
        /// The department.
        department: String,
    },
    /// An issuer may issue a certificate type from now on.
    IssuerAuthorised {
        /// When.
        at: i64,
        /// The issuer.
        issuer: String,
        /// The certificate type.
        #[serde(rename = "type")]
        type_id: String,
    },
    /// An issuer publishes a key.
    KeyPublished {
        /// When.
        at: i64,
        /// The issuer.
        issuer: String,
        /// The key's id, unique for the issuer forever.
        key_id: String,
        /// The BBS ciphersuite, `BLS12-381-SHA-256` for certificate format 1.
        suite: String,
        /// The public key, base64url.
        public_key: String,
        /// First day certificates may be issued under it, `YYYY-MM-DD`.
        not_before: String,
        /// Last day, `YYYY-MM-DD`.
        not_after: String,
    },
    /// A key is retired (stops issuing; what it signed stays valid) or revoked (nothing it signed is
    /// trusted). Revocation is final.
    KeyStatusChanged {
        /// When.
        at: i64,
        /// The issuer.
        issuer: String,
        /// The key.
        key_id: String,
        /// `retired` or `revoked`.
        status: String,
        /// Why (required for revocation, e.g. "compromise").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A verifier registers, with its purposes.
    VerifierRegistered {
        /// When.
        at: i64,
        /// The verifier record (ecert-credential's `VerifierRecord` JSON).
        verifier: serde_json::Value,
    },
}

impl Entry {
    /// The entry's kind: its `kind` member in the log (specs/registry.md), for logs, counts and filters.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::TypeRegistered { .. } => "type_registered",
            Entry::IssuerRegistered { .. } => "issuer_registered",
            Entry::IssuerAuthorised { .. } => "issuer_authorised",
            Entry::KeyPublished { .. } => "key_published",
            Entry::KeyStatusChanged { .. } => "key_status_changed",
            Entry::VerifierRegistered { .. } => "verifier_registered",
        }
    }

    /// When the entry was appended.
    pub fn at(&self) -> i64 {
        match self {
            Entry::TypeRegistered { at, .. }
            | Entry::IssuerRegistered { at, .. }
            | Entry::IssuerAuthorised { at, .. }
            | Entry::KeyPublished { at, .. }
            | Entry::KeyStatusChanged { at, .. }
            | Entry::VerifierRegistered { at, .. } => *at,
        }
    }

    /// Sets when the entry was appended: the registry stamps each entry as it appends it, under its
    /// writers' lock, so that times along the log never go back.
    pub fn set_at(&mut self, when: i64) {
        match self {
            Entry::TypeRegistered { at, .. }
            | Entry::IssuerRegistered { at, .. }
            | Entry::IssuerAuthorised { at, .. }
            | Entry::KeyPublished { at, .. }
            | Entry::KeyStatusChanged { at, .. }
            | Entry::VerifierRegistered { at, .. } => *at = when,
        }
    }

    /// The canonical encoding (RFC 8785): the bytes the log's leaf hash is taken over.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>> {
        let value = serde_json::to_value(self).map_err(|e| Error::Malformed(e.to_string()))?;
        canonical_json(&value)
    }

    /// Parses an entry from its canonical bytes, refusing any other encoding of it, so that one entry has
    /// exactly one leaf hash.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Entry> {
        let entry: Entry =
            ecert_credential::strict_json::from_slice(bytes).map_err(|e| Error::Malformed(e.to_string()))?;
        if entry.canonical_bytes()? != bytes {
            return Err(Error::Malformed(
                "entry is not in canonical form (RFC 8785)".into(),
            ));
        }
        Ok(entry)
    }
}

/// RFC 8785 for the values entries hold (ecert-credential's canonical form: integers of magnitude below
/// 2^53 only, since entries never carry another number).
pub fn canonical_json(value: &serde_json::Value) -> Result<Vec<u8>> {
    ecert_credential::canonical_json(value).map_err(|e| Error::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    /// One entry of every kind.
    fn one_of_each() -> Vec<Entry> {
        vec![
            Entry::TypeRegistered {
                at: 1,
                schema: json!({"id": "cn.x/1"}),
            },
            Entry::IssuerRegistered {
                at: 1,
                id: "i".into(),
                name: "I".into(),
                region: "110000".into(),
                department: "d".into(),
            },
            Entry::IssuerAuthorised {
                at: 1,
                issuer: "i".into(),
                type_id: "cn.x/1".into(),
            },
            Entry::KeyPublished {
                at: 1,
                issuer: "i".into(),
                key_id: "k1".into(),
                suite: "BLS12-381-SHA-256".into(),
                public_key: "AA".into(),
                not_before: "2026-01-01".into(),
                not_after: "2030-12-31".into(),
            },
            Entry::KeyStatusChanged {
                at: 1,
                issuer: "i".into(),
                key_id: "k1".into(),
                status: "retired".into(),
                reason: None,
            },
            Entry::VerifierRegistered {
                at: 1,
                verifier: json!({}),
            },
        ]
    }

    #[test]
    fn the_kind_is_the_kind_member_the_log_carries() {
        let entries = one_of_each();
        for entry in &entries {
            let encoded: serde_json::Value =
                serde_json::from_slice(&entry.canonical_bytes().unwrap()).unwrap();
            assert_eq!(encoded["kind"], entry.kind());
        }
        let mut kinds: Vec<_> = entries.iter().map(Entry::kind).collect();
        kinds.dedup();
        assert_eq!(kinds.len(), entries.len(), "every kind has its own name");
    }
}
