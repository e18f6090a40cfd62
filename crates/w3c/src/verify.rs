//! The verifier's side: Verify Derived Proof (bbs-2023 §3.4.6) with createVerifyData (§3.3.8), after
//! the checks VC Data Integrity §4.3 (Verify Proof) puts before any cryptosuite.

use ecert_bbs::{Bls12381Sha256, Proof, PublicKey};
use serde_json::Value;

use crate::datetime::date_time_stamp_seconds;
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
    /// The security domain the proof must name in `proof.domain` (VC Data Integrity §4.3,
    /// `INVALID_DOMAIN_ERROR`), or `None` not to check.
    pub expected_domain: Option<String>,
    /// The challenge the proof must carry in `proof.challenge` (VC Data Integrity §4.3,
    /// `INVALID_CHALLENGE_ERROR`), or `None` not to check.
    pub expected_challenge: Option<String>,
    /// The verifier's current time, seconds since 1970-01-01T00:00:00Z: a proof whose `expires` is
    /// before it is refused (`PROOF_EXPIRED`). A proof with `expires` is refused when no time is given,
    /// since it cannot be checked. This crate reads no clock; the caller passes the time.
    pub now: Option<i64>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            expected_proof_purpose: Some("assertionMethod".to_owned()),
            expected_presentation_header: None,
            expected_domain: None,
            expected_challenge: None,
            now: None,
        }
    }
}

impl VerifyOptions {
    /// These options checking the proof's time limits against `now` (seconds since 1970-01-01 UTC).
    pub fn at(mut self, now: i64) -> VerifyOptions {
        self.now = Some(now);
        self
    }

    /// These options requiring `proof.domain` to name `domain`.
    pub fn with_domain(mut self, domain: impl Into<String>) -> VerifyOptions {
        self.expected_domain = Some(domain.into());
        self
    }

    /// These options requiring `proof.challenge` to be `challenge`.
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> VerifyOptions {
        self.expected_challenge = Some(challenge.into());
        self
    }

    /// These options requiring `proof.proofPurpose` to be `purpose` (`None`: any purpose).
    pub fn with_proof_purpose(mut self, purpose: Option<String>) -> VerifyOptions {
        self.expected_proof_purpose = purpose;
        self
    }

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

/// VC Data Integrity §4.3 (Verify Proof) steps on the verifier's options: the expected domain and
/// challenge, and `expires` against the verifier's time. The forms were checked with the proof.
fn check_proof_options_against(
    proof: &serde_json::Map<String, Value>,
    options: &VerifyOptions,
) -> Result<()> {
    if let Some(expected) = &options.expected_domain {
        let names_expected = match proof.get("domain") {
            Some(Value::String(domain)) => domain == expected,
            Some(Value::Array(domains)) => domains.iter().any(|d| d.as_str() == Some(expected)),
            _ => false,
        };
        if !names_expected {
            return Err(Error::ProofProperty(
                "domain",
                format!("does not name the expected domain {expected:?}"),
            ));
        }
    }
    if let Some(expected) = &options.expected_challenge {
        if proof.get("challenge").and_then(Value::as_str) != Some(expected) {
            return Err(Error::ProofProperty(
                "challenge",
                "is not the challenge this verifier gave".into(),
            ));
        }
    }
    if let Some(expires) = proof.get("expires").and_then(Value::as_str) {
        let expires_at = date_time_stamp_seconds(expires)
            .ok_or_else(|| Error::ProofProperty("expires", "not an XML Schema dateTimeStamp".into()))?;
        match options.now {
            None => {
                return Err(Error::ProofProperty(
                    "expires",
                    "the proof expires but the verifier gave no time to check it against".into(),
                ));
            }
            Some(now) if now > expires_at => {
                return Err(Error::ProofProperty(
                    "expires",
                    format!("the proof expired at {expires}"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
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
    check_proof_options_against(&secured.proof, options)?;
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
