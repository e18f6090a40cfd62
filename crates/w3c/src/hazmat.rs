//! Test-vector access: **not for production use**.
//!
//! Enabled by the `hazmat` cargo feature. The official bbs-2023 vectors fix the two random inputs of
//! the suite, the issuer's HMAC key and the holder's BBS blinding scalars, and show every intermediate
//! value; these functions take those inputs and return those values. A derived proof made with known
//! "random" scalars reveals every hidden statement, and a fixed HMAC key links every credential.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::base::{self, BaseProofOptions, SigningKey};
use crate::derive::{self, DeriveOptions, Randomness};
use crate::error::Result;
use crate::group::HmacKey;
use crate::multikey::VerificationMethodResolver;
use crate::suite::Bbs2023;
use crate::verify::{self, VerifiedDocument, VerifyOptions};
use crate::{jsonld, rdf};

/// The intermediate values of a base proof (bbs-2023 §3.4.1-3.4.5).
#[derive(Debug)]
#[non_exhaustive]
pub struct BaseProofTrace {
    /// The document with its base proof.
    pub secured: Value,
    /// The canonical N-Quads of the proof configuration (§3.4.4).
    pub canonical_proof_config: String,
    /// Every statement, HMAC-relabelled and sorted (§3.4.2).
    pub hmac_nquads: Vec<String>,
    /// The mandatory statements by position.
    pub mandatory: BTreeMap<usize, String>,
    /// The non-mandatory statements (the BBS messages) by position.
    pub non_mandatory: BTreeMap<usize, String>,
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the mandatory statements.
    pub mandatory_hash: [u8; 32],
    /// The BBS signature.
    pub bbs_signature: Vec<u8>,
}

/// The intermediate values of a derived proof (bbs-2023 §3.3.2, §3.4.5).
#[derive(Debug)]
#[non_exhaustive]
pub struct DerivedProofTrace {
    /// The reveal document with its derived proof.
    pub revealed: Value,
    /// Positions of the statements the mandatory pointers select.
    pub mandatory_matching: Vec<usize>,
    /// Positions of the statements the selective pointers select.
    pub selective_matching: Vec<usize>,
    /// Positions of the statements both select.
    pub combined_matching: Vec<usize>,
    /// Positions of the non-mandatory statements.
    pub non_mandatory: Vec<usize>,
    /// The mandatory statements' indexes among the revealed ones.
    pub mandatory_indexes: Vec<usize>,
    /// The selected statements' indexes among the non-mandatory ones (the BBS disclosed indexes).
    pub selective_indexes: Vec<usize>,
    /// From the verifier's canonical labels to the signed labels.
    pub label_map: BTreeMap<String, String>,
    /// The BBS proof.
    pub bbs_proof: Vec<u8>,
}

/// The intermediate values of a derived proof's verification (bbs-2023 §3.3.8, §3.4.6).
#[derive(Debug)]
#[non_exhaustive]
pub struct VerifyTrace {
    /// The verification's result.
    pub verified: Result<VerifiedDocument>,
    /// The revealed statements, relabelled by the proof's label map and sorted.
    pub nquads: Vec<String>,
    /// The disclosed (non-mandatory) statements, the BBS disclosed messages.
    pub non_mandatory: Vec<String>,
    /// The proof's mandatory indexes.
    pub mandatory_indexes: Vec<usize>,
    /// The proof's selective indexes.
    pub selective_indexes: Vec<usize>,
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the mandatory statements.
    pub mandatory_hash: [u8; 32],
}

/// The canonical N-Quads (RDFC-1.0) of a JSON-LD document, one statement per line.
pub fn canonical_nquads(suite: &Bbs2023, document: &Value) -> Result<Vec<String>> {
    rdf::canonical_nquads(&jsonld::document_quads(document, suite.loader())?)
}

/// Create Base Proof with a given HMAC key instead of a random one.
pub fn create_base_proof_with_hmac_key(
    suite: &Bbs2023,
    unsecured: &Value,
    key: &SigningKey,
    options: &BaseProofOptions,
    hmac_key: [u8; 32],
) -> Result<BaseProofTrace> {
    let trace = base::create_base_proof_with_hmac_key(
        unsecured,
        key,
        options,
        HmacKey::new(hmac_key),
        suite.loader(),
    )?;
    Ok(BaseProofTrace {
        secured: trace.secured,
        canonical_proof_config: trace.canonical_proof_config,
        hmac_nquads: trace.hmac_nquads,
        mandatory: trace.mandatory,
        non_mandatory: trace.non_mandatory,
        proof_hash: trace.proof_hash,
        mandatory_hash: trace.mandatory_hash,
        bbs_signature: trace.bbs_signature.to_bytes().to_vec(),
    })
}

/// Add Derived Proof with the BBS random scalars given: `random_scalars(count)` returns the `count`
/// scalars ProofGen uses (e.g. `ecert_bbs::hazmat::seeded_random_scalars`).
pub fn derive_with_random_scalars(
    suite: &Bbs2023,
    secured: &Value,
    options: &DeriveOptions,
    mut random_scalars: impl FnMut(usize) -> Vec<[u8; 32]>,
) -> Result<DerivedProofTrace> {
    let trace = derive::derive(
        Randomness::Scalars(&mut random_scalars),
        secured,
        options,
        suite.loader(),
    )?;
    Ok(DerivedProofTrace {
        revealed: trace.revealed,
        mandatory_matching: trace.mandatory_matching,
        selective_matching: trace.selective_matching,
        combined_matching: trace.combined_matching,
        non_mandatory: trace.non_mandatory,
        mandatory_indexes: trace.mandatory_indexes,
        selective_indexes: trace.selective_indexes,
        label_map: trace.label_map,
        bbs_proof: trace.bbs_proof,
    })
}

/// Verify Derived Proof, with its intermediate values.
pub fn verify_traced(
    suite: &Bbs2023,
    secured: &Value,
    resolver: &impl VerificationMethodResolver,
    options: &VerifyOptions,
) -> Result<VerifyTrace> {
    let trace = verify::verify_traced(secured, resolver, options, suite.loader())?;
    Ok(VerifyTrace {
        verified: trace.verified,
        nquads: trace.nquads,
        non_mandatory: trace.non_mandatory,
        mandatory_indexes: trace.mandatory_indexes,
        selective_indexes: trace.selective_indexes,
        proof_hash: trace.proof_hash,
        mandatory_hash: trace.mandatory_hash,
    })
}

/// The components of a base proof value (parseBaseProofValue, bbs-2023 §3.3.2).
#[derive(Debug)]
#[non_exhaustive]
pub struct BaseProofComponents {
    /// The BBS signature.
    pub bbs_signature: Vec<u8>,
    /// `proofHash || mandatoryHash`.
    pub bbs_header: Vec<u8>,
    /// The issuer's public key.
    pub public_key: Vec<u8>,
    /// The HMAC key.
    pub hmac_key: [u8; 32],
    /// The mandatory pointers.
    pub mandatory_pointers: Vec<crate::JsonPointer>,
}

/// parseBaseProofValue (bbs-2023 §3.3.2), baseline feature.
pub fn base_proof_components(proof_value: &str) -> Result<BaseProofComponents> {
    let value = crate::proof_value::BaseProofValue::from_proof_value(proof_value)?;
    Ok(BaseProofComponents {
        bbs_signature: value.bbs_signature.to_bytes().to_vec(),
        bbs_header: value.bbs_header.clone(),
        public_key: value.public_key.to_bytes().to_vec(),
        hmac_key: *value.hmac_key,
        mandatory_pointers: value.mandatory_pointers.clone(),
    })
}

/// The components of a derived proof value (parseDerivedProofValue, bbs-2023 §3.3.6).
#[derive(Debug)]
#[non_exhaustive]
pub struct DerivedProofComponents {
    /// The BBS proof.
    pub bbs_proof: Vec<u8>,
    /// The label map, decompressed.
    pub label_map: BTreeMap<String, String>,
    /// The mandatory indexes.
    pub mandatory_indexes: Vec<u64>,
    /// The selective indexes.
    pub selective_indexes: Vec<u64>,
    /// The presentation header.
    pub presentation_header: Vec<u8>,
}

/// parseDerivedProofValue (bbs-2023 §3.3.6), baseline feature.
pub fn derived_proof_components(proof_value: &str) -> Result<DerivedProofComponents> {
    let value = crate::proof_value::DerivedProofValue::from_proof_value(proof_value)?;
    Ok(DerivedProofComponents {
        label_map: crate::proof_value::decompress_label_map(&value.label_map),
        bbs_proof: value.bbs_proof,
        mandatory_indexes: value.mandatory_indexes,
        selective_indexes: value.selective_indexes,
        presentation_header: value.presentation_header,
    })
}

/// serializeBaseProofValue (bbs-2023 §3.3.1) of components as given, for tests that make base proofs
/// no honest issuer would (a signature over other messages, another key, other pointers).
pub fn encode_base_proof_value(components: &BaseProofComponents) -> Result<String> {
    let hmac_key = zeroize::Zeroizing::new(components.hmac_key);
    Ok(crate::proof_value::BaseProofValue {
        bbs_signature: ecert_bbs::Signature::from_bytes(&components.bbs_signature)?,
        bbs_header: components.bbs_header.clone(),
        public_key: ecert_bbs::PublicKey::from_bytes(&components.public_key)?,
        hmac_key,
        mandatory_pointers: components.mandatory_pointers.clone(),
    }
    .to_proof_value())
}

/// serializeDerivedProofValue (bbs-2023 §3.3.5) of components as given, for tests that play a
/// malicious holder (indexes and label maps that lie).
pub fn encode_derived_proof_value(components: &DerivedProofComponents) -> Result<String> {
    Ok(crate::proof_value::DerivedProofValue {
        bbs_proof: components.bbs_proof.clone(),
        label_map: crate::proof_value::compress_label_map(&components.label_map)?,
        mandatory_indexes: components.mandatory_indexes.clone(),
        selective_indexes: components.selective_indexes.clone(),
        presentation_header: components.presentation_header.clone(),
    }
    .to_proof_value())
}
