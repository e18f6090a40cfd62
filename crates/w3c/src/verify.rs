//! The verifier's side: Verify Derived Proof (bbs-2023 §3.4.6) with createVerifyData (§3.3.8), after
//! the checks VC Data Integrity §4.3 (Verify Proof) puts before any cryptosuite.

use ecert_bbs::{Bls12381Sha256, Proof, PublicKey};
use serde_json::Value;

use crate::derive::verifier_nquads;
use crate::error::{Error, Result};
use crate::group;
use crate::loader::ContextLoader;
use crate::multikey::VerificationMethodResolver;
use crate::proof;
use crate::proof_value::{DerivedProofValue, decompress_label_map};

/// What a verifier expects of a presentation beyond a valid proof.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The `proofPurpose` the proof must state (VC-DI §4.3 step 4); `assertionMethod` for
    /// credentials, `None` to accept any.
    pub expected_proof_purpose: Option<String>,
    /// The presentation header the proof must be bound to (the verifier's request), or `None` to accept
    /// any and read it from [`VerifiedDocument::presentation_header`].
    pub expected_presentation_header: Option<Vec<u8>>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            expected_proof_purpose: Some("assertionMethod".to_owned()),
            expected_presentation_header: None,
        }
    }
}

impl VerifyOptions {
    /// These options requiring the presentation header `presentation_header`.
    pub fn with_presentation_header(mut self, presentation_header: impl Into<Vec<u8>>) -> VerifyOptions {
        self.expected_presentation_header = Some(presentation_header.into());
        self
    }
}

/// A derived proof that verified: the disclosed document and what the proof said about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedDocument {
    /// The revealed document without its proof: exactly the statements that were disclosed.
    pub document: Value,
    /// The proof's `verificationMethod`, which named `public_key`.
    pub verification_method: String,
    /// The issuer's key the proof verified under.
    pub public_key: PublicKey,
    /// The proof's `proofPurpose`.
    pub proof_purpose: String,
    /// The proof's `created`, if any.
    pub created: Option<String>,
    /// The BBS presentation header the holder bound the proof to.
    pub presentation_header: Vec<u8>,
}

/// Every intermediate value of a verification, for the test vectors (see `hazmat`).
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        reason = "read by the hazmat test-vector access; the values exist anyway"
    )
)]
pub(crate) struct VerifyTrace {
    pub(crate) verified: Result<VerifiedDocument>,
    pub(crate) nquads: Vec<String>,
    pub(crate) non_mandatory: Vec<String>,
    pub(crate) mandatory_indexes: Vec<usize>,
    pub(crate) selective_indexes: Vec<usize>,
    pub(crate) proof_hash: [u8; 32],
    pub(crate) mandatory_hash: [u8; 32],
}

fn string(proof: &serde_json::Map<String, Value>, key: &str) -> String {
    proof
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Indexes from the proof: within `0..bound`, strictly ascending (as both the holder's algorithm and
/// BBS ProofVerify produce and need them).
fn checked_indexes(indexes: &[u64], bound: usize, what: &str) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(indexes.len());
    for &index in indexes {
        let index = usize::try_from(index)
            .ok()
            .filter(|&i| i < bound)
            .ok_or_else(|| {
                Error::Indexes(format!(
                    "{what} index {index} is out of range (below {bound} required)"
                ))
            })?;
        if out.last().is_some_and(|&last| last >= index) {
            return Err(Error::Indexes(format!(
                "{what} indexes are not strictly ascending"
            )));
        }
        out.push(index);
    }
    Ok(out)
}

/// Verify Derived Proof (bbs-2023 §3.4.6), returning the intermediate values too.
pub(crate) fn verify_traced(
    secured: &Value,
    resolver: &dyn VerificationMethodResolver,
    options: &VerifyOptions,
    loader: &ContextLoader,
) -> Result<VerifyTrace> {
    // VC-DI §4.3 steps 2-6: a proof object with type, verificationMethod and proofPurpose; the
    // expected purpose; bbs-2023 §2.2: DataIntegrityProof, bbs-2023, a URL.
    let secured = proof::split_secured(secured)?;
    let proof_purpose = string(&secured.proof, "proofPurpose");
    if let Some(expected) = &options.expected_proof_purpose {
        if &proof_purpose != expected {
            return Err(Error::ProofProperty(
                "proofPurpose",
                format!("{proof_purpose:?} is not the expected {expected:?}"),
            ));
        }
    }
    let derived = DerivedProofValue::from_proof_value(&string(&secured.proof, "proofValue"))?;
    if let Some(expected) = &options.expected_presentation_header {
        if &derived.presentation_header != expected {
            return Err(Error::ProofProperty(
                "proofValue",
                "the presentation header is not the one this verifier asked for".into(),
            ));
        }
    }
    let bbs_proof = Proof::from_bytes(&derived.bbs_proof)?;

    // 1. The issuer's key.
    let verification_method = string(&secured.proof, "verificationMethod");
    let public_key = resolver.resolve(&verification_method)?;

    // createVerifyData (§3.3.8) 1. proofHash of the proof options in the document's context.
    let (_, proof_hash) = proof::proof_config_hash(&secured.proof, &secured.document, loader)?;
    // 2.-4. The revealed document's statements, relabelled by the proof's label map, sorted.
    let label_map = decompress_label_map(&derived.label_map);
    let nquads = verifier_nquads(&secured.document, &label_map, loader)?;
    // 5.-7. Mandatory at mandatoryIndexes, the rest disclosed.
    let mandatory_indexes = checked_indexes(&derived.mandatory_indexes, nquads.len(), "mandatory")?;
    let mut mandatory = Vec::with_capacity(mandatory_indexes.len());
    let mut non_mandatory = Vec::with_capacity(nquads.len() - mandatory_indexes.len());
    let mut next_mandatory = mandatory_indexes.iter().peekable();
    for (i, nquad) in nquads.iter().enumerate() {
        if next_mandatory.next_if_eq(&&i).is_some() {
            mandatory.push(nquad.clone());
        } else {
            non_mandatory.push(nquad.clone());
        }
    }
    // 8. mandatoryHash.
    let mandatory_hash = group::hash_mandatory(&mandatory);

    // Each disclosed statement is the signed message at its selective index; the total number of signed
    // messages is the disclosed ones plus those the proof hides.
    let message_count = non_mandatory.len() + bbs_proof.undisclosed_count();
    let selective_indexes = checked_indexes(&derived.selective_indexes, message_count, "selective")?;
    let verified = if selective_indexes.len() != non_mandatory.len() {
        Err(Error::Indexes(format!(
            "{} statements are disclosed but the proof has {} selective indexes",
            non_mandatory.len(),
            selective_indexes.len()
        )))
    } else {
        // Verify Derived Proof 4.-6.: ProofVerify with header proofHash || mandatoryHash.
        let mut bbs_header = Vec::with_capacity(64);
        bbs_header.extend_from_slice(&proof_hash);
        bbs_header.extend_from_slice(&mandatory_hash);
        let disclosed: Vec<(usize, &[u8])> = selective_indexes
            .iter()
            .zip(&non_mandatory)
            .map(|(&i, m)| (i, m.as_bytes()))
            .collect();
        ecert_bbs::proof_verify::<Bls12381Sha256>(
            &public_key,
            &bbs_proof,
            &bbs_header,
            &derived.presentation_header,
            &disclosed,
        )
        .map_err(Error::from)
        .map(|()| VerifiedDocument {
            document: secured.document.clone(),
            verification_method,
            public_key,
            proof_purpose,
            created: secured
                .proof
                .get("created")
                .and_then(Value::as_str)
                .map(str::to_owned),
            presentation_header: derived.presentation_header.clone(),
        })
    };
    Ok(VerifyTrace {
        verified,
        nquads,
        non_mandatory,
        mandatory_indexes,
        selective_indexes,
        proof_hash,
        mandatory_hash,
    })
}

/// Verify Derived Proof (bbs-2023 §3.4.6).
pub(crate) fn verify(
    secured: &Value,
    resolver: &dyn VerificationMethodResolver,
    options: &VerifyOptions,
    loader: &ContextLoader,
) -> Result<VerifiedDocument> {
    verify_traced(secured, resolver, options, loader)?.verified
}
