//! The issuer's side: the base proof (bbs-2023 §3.4.1-3.4.4, Create Base Proof and its
//! transformation, hashing, configuration and serialization), and the holder's check of a base proof
//! before accepting a credential.

use std::collections::BTreeMap;

use ecert_bbs::{Bls12381Sha256, PublicKey, SecretKey, Signature};
use rand_core::{CryptoRng, RngCore};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::group::{self, HmacKey};
use crate::loader::ContextLoader;
use crate::multikey::{VerificationMethodResolver, did_key_verification_method};
use crate::pointer::JsonPointer;
use crate::proof::{self, CRYPTOSUITE, PROOF_TYPE};
use crate::proof_value::BaseProofValue;

/// An issuer's BBS signing key and the verification method that names its public key.
///
/// The secret key zeroizes on drop (`ecert_bbs::SecretKey`); `Debug` prints the verification method
/// only.
pub struct SigningKey {
    secret: SecretKey,
    public: PublicKey,
    verification_method: String,
}

impl SigningKey {
    /// A key whose public key is published under `verification_method` (e.g. an issuer's
    /// `https://.../keys/1`, listed as a Multikey in ecert's registry).
    pub fn new(secret: SecretKey, verification_method: impl Into<String>) -> SigningKey {
        let public = secret.public_key();
        SigningKey {
            secret,
            public,
            verification_method: verification_method.into(),
        }
    }

    /// A key named by its own `did:key` (`did:key:zUC7...#zUC7...`), which any verifier resolves
    /// without a registry.
    pub fn with_did_key(secret: SecretKey) -> SigningKey {
        let public = secret.public_key();
        let verification_method = did_key_verification_method(&public);
        SigningKey {
            secret,
            public,
            verification_method,
        }
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The verification method URL proofs made with this key name.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("verification_method", &self.verification_method)
            .finish_non_exhaustive()
    }
}

/// What an issuer chooses for a base proof besides the key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BaseProofOptions {
    /// The statements every presentation must disclose, as JSON pointers into the credential.
    pub mandatory_pointers: Vec<JsonPointer>,
    /// `proof.proofPurpose`; `assertionMethod` for credentials.
    pub proof_purpose: String,
    /// `proof.created`, an `xsd:dateTime`, or none. Every derived proof repeats it to every verifier,
    /// so a precise time links presentations of one credential (bbs-2023 §5.3 "Linkage via Proof
    /// Options"): leave it out, or make it coarse (a date shared by many credentials).
    pub created: Option<String>,
    /// `proof.expires` (VC Data Integrity §2.1), an `xsd:dateTimeStamp` after which verifiers refuse
    /// the proof, or none.
    pub expires: Option<String>,
    /// `proof.domain`: the security domain(s) the proof is meant for, which a verifier that expects a
    /// domain checks (VC Data Integrity §4.3), or none.
    pub domain: Option<Value>,
    /// `proof.challenge`: a verifier's challenge the proof answers, or none.
    pub challenge: Option<String>,
}

impl Default for BaseProofOptions {
    fn default() -> Self {
        BaseProofOptions {
            mandatory_pointers: Vec::new(),
            proof_purpose: "assertionMethod".to_owned(),
            created: None,
            expires: None,
            domain: None,
            challenge: None,
        }
    }
}

impl BaseProofOptions {
    /// Options with these mandatory pointers, purpose `assertionMethod`, no `created`.
    pub fn new(mandatory_pointers: Vec<JsonPointer>) -> BaseProofOptions {
        BaseProofOptions {
            mandatory_pointers,
            ..BaseProofOptions::default()
        }
    }

    /// These options with `proof.created` set.
    pub fn with_created(mut self, created: impl Into<String>) -> BaseProofOptions {
        self.created = Some(created.into());
        self
    }

    /// These options with `proof.expires` set.
    pub fn with_expires(mut self, expires: impl Into<String>) -> BaseProofOptions {
        self.expires = Some(expires.into());
        self
    }

    /// These options with `proof.domain` set to one domain.
    pub fn with_domain(mut self, domain: impl Into<String>) -> BaseProofOptions {
        self.domain = Some(Value::String(domain.into()));
        self
    }

    /// These options with `proof.challenge` set.
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> BaseProofOptions {
        self.challenge = Some(challenge.into());
        self
    }
}

/// Every intermediate value of a base proof, for the test vectors (see `hazmat`).
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        reason = "read by the hazmat test-vector access; the values exist anyway"
    )
)]
pub(crate) struct BaseProofTrace {
    pub(crate) secured: Value,
    pub(crate) canonical_proof_config: String,
    pub(crate) hmac_nquads: Vec<String>,
    pub(crate) mandatory: BTreeMap<usize, String>,
    pub(crate) non_mandatory: BTreeMap<usize, String>,
    pub(crate) proof_hash: [u8; 32],
    pub(crate) mandatory_hash: [u8; 32],
    pub(crate) bbs_signature: Signature,
}

/// The proof options object (bbs-2023 §3.4.1 step 1): what the proof says before its value.
fn proof_options(key: &SigningKey, options: &BaseProofOptions) -> Map<String, Value> {
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    if let Some(created) = &options.created {
        proof.insert("created".into(), created.clone().into());
    }
    proof.insert(
        "verificationMethod".into(),
        key.verification_method.clone().into(),
    );
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(expires) = &options.expires {
        proof.insert("expires".into(), expires.clone().into());
    }
    if let Some(domain) = &options.domain {
        proof.insert("domain".into(), domain.clone());
    }
    if let Some(challenge) = &options.challenge {
        proof.insert("challenge".into(), challenge.clone().into());
    }
    proof
}

/// The contexts that define the Data Integrity proof terms (`DataIntegrityProof`, `cryptosuite`,
/// `proofValue`...): VC Data Model 2.0 includes them, VC 1.1 does not.
const PROOF_TERM_CONTEXTS: [&str; 3] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/data-integrity/v1",
];

/// Context injection (VC Data Integrity §2.4.1 "Context Injection"): a document whose `@context` does
/// not map the proof's terms, a VC 1.1 credential for one, gets the Data Integrity v2 context
/// appended, as the other implementations do; without it the proof configuration has undefined terms
/// and safe mode refuses it. The secured document carries the appended context, so every later step
/// (the holder's, the verifier's) reads the same one.
fn with_data_integrity_context(document: &Map<String, Value>) -> Map<String, Value> {
    let mut document = document.clone();
    let names = |context: &Value| {
        context
            .as_str()
            .is_some_and(|url| PROOF_TERM_CONTEXTS.contains(&url))
    };
    let context = match document.remove("@context") {
        None => Value::from(PROOF_TERM_CONTEXTS[1]),
        Some(Value::Array(contexts)) if contexts.iter().any(names) => Value::Array(contexts),
        Some(Value::Array(mut contexts)) => {
            contexts.push(PROOF_TERM_CONTEXTS[1].into());
            Value::Array(contexts)
        }
        Some(context) if names(&context) => context,
        Some(context) => Value::Array(vec![context, PROOF_TERM_CONTEXTS[1].into()]),
    };
    document.insert("@context".to_owned(), context);
    document
}

/// Create Base Proof (bbs-2023 §3.4.1), with the HMAC key given.
pub(crate) fn create_base_proof_with_hmac_key(
    unsecured: &Value,
    key: &SigningKey,
    options: &BaseProofOptions,
    hmac_key: HmacKey,
    loader: &ContextLoader,
) -> Result<BaseProofTrace> {
    let Value::Object(document) = unsecured else {
        return Err(Error::NotAnObject("the unsecured credential"));
    };
    if document.contains_key("proof") {
        return Err(Error::ProofProperty(
            "proof",
            "the document already has a proof; bbs-2023 signs unsecured documents".into(),
        ));
    }
    let unsecured = &Value::Object(with_data_integrity_context(document));
    // 1.-2. proof = clone of the options; Base Proof Configuration (§3.4.4): type, cryptosuite and
    // created checked, the document's @context, RDFC-1.0; its hash (§3.4.3 step 1).
    let mut proof = proof_options(key, options);
    let (canonical_proof_config, proof_hash) = proof::proof_config_hash(&proof, unsecured, loader)?;

    // 3. Base Proof Transformation (§3.4.2): HMAC-shuffled labels, mandatory / non-mandatory groups.
    let grouped = group::canonicalize_and_group(
        unsecured,
        loader,
        |canonical| Ok(group::shuffled_label_map(&hmac_key, canonical)),
        &[&options.mandatory_pointers],
    )?;
    let mandatory_group = grouped
        .groups
        .into_iter()
        .next()
        .ok_or(Error::NothingToDisclose)?;

    // 4. Base Proof Hashing (§3.4.3): mandatoryHash over the mandatory statements in order.
    let mandatory_hash = group::hash_mandatory(mandatory_group.matching.values());

    // 5. Base Proof Serialization (§3.4.5): header proofHash || mandatoryHash, messages the
    // non-mandatory statements (UTF-8), BBS Sign with BLS12-381-SHA-256 (bbs-2023 §3: "the SHA-256
    // variant SHOULD be used").
    let mut bbs_header = Vec::with_capacity(64);
    bbs_header.extend_from_slice(&proof_hash);
    bbs_header.extend_from_slice(&mandatory_hash);
    let messages: Vec<&[u8]> = mandatory_group
        .non_matching
        .values()
        .map(|s| s.as_bytes())
        .collect();
    let bbs_signature = ecert_bbs::sign::<Bls12381Sha256>(&key.secret, &key.public, &bbs_header, &messages)?;
    let value = BaseProofValue {
        bbs_signature: Signature::from_bytes(&Zeroizing::new(bbs_signature.to_bytes())[..])?,
        bbs_header,
        public_key: key.public.clone(),
        hmac_key: Zeroizing::new(*hmac_key.bytes()),
        mandatory_pointers: options.mandatory_pointers.clone(),
    };

    // 6. proof.proofValue, and the secured document.
    proof.insert("proofValue".into(), value.to_proof_value().into());
    let mut secured = unsecured.clone();
    secured["proof"] = Value::Object(proof);
    Ok(BaseProofTrace {
        secured,
        canonical_proof_config,
        hmac_nquads: grouped.nquads,
        mandatory: mandatory_group.matching,
        non_mandatory: mandatory_group.non_matching,
        proof_hash,
        mandatory_hash,
        bbs_signature,
    })
}

/// Create Base Proof (bbs-2023 §3.4.1): `unsecured` with a base proof, which the issuer gives to the
/// holder only. A fresh HMAC key is drawn from `rng` (§3.4.2 step 1).
pub(crate) fn create_base_proof<R: RngCore + CryptoRng>(
    rng: &mut R,
    unsecured: &Value,
    key: &SigningKey,
    options: &BaseProofOptions,
    loader: &ContextLoader,
) -> Result<Value> {
    let mut hmac_key = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut hmac_key[..]);
    Ok(create_base_proof_with_hmac_key(unsecured, key, options, HmacKey::new(*hmac_key), loader)?.secured)
}

/// The holder's check of a base proof: that the issuer's BBS signature covers this document, these
/// mandatory pointers and this proof configuration, under the key the verification method names.
///
/// bbs-2023 defines verification for derived proofs only; a wallet still has to know that a credential
/// it accepts will yield presentations that verify. This redoes the issuer's transformation and
/// hashing with the HMAC key in the proof and runs BBS Verify.
pub(crate) fn verify_base_proof(
    secured: &Value,
    resolver: &dyn VerificationMethodResolver,
    loader: &ContextLoader,
) -> Result<()> {
    let secured = proof::split_secured(secured)?;
    let proof_value = secured
        .proof
        .get("proofValue")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let base = BaseProofValue::from_proof_value(proof_value)?;
    let verification_method = secured
        .proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if resolver.resolve(verification_method)? != base.public_key {
        return Err(Error::PublicKeyMismatch);
    }
    let (_, proof_hash) = proof::proof_config_hash(&secured.proof, &secured.document, loader)?;
    let hmac_key = HmacKey::new(*base.hmac_key);
    let grouped = group::canonicalize_and_group(
        &secured.document,
        loader,
        |canonical| Ok(group::shuffled_label_map(&hmac_key, canonical)),
        &[&base.mandatory_pointers],
    )?;
    let mandatory_group = grouped
        .groups
        .into_iter()
        .next()
        .ok_or(Error::NothingToDisclose)?;
    let mandatory_hash = group::hash_mandatory(mandatory_group.matching.values());
    // The header binds the proof configuration and the mandatory statements; one that differs means the
    // document or proof options changed after signing.
    if base.bbs_header[..32] != proof_hash || base.bbs_header[32..] != mandatory_hash {
        return Err(Error::ProofVerification);
    }
    let messages: Vec<&[u8]> = mandatory_group
        .non_matching
        .values()
        .map(|s| s.as_bytes())
        .collect();
    ecert_bbs::verify::<Bls12381Sha256>(&base.public_key, &base.bbs_signature, &base.bbs_header, &messages)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use ecert_bbs::{Bls12381Sha256, SecretKey};
    use serde_json::json;

    use super::*;
    use crate::multikey::DidKeyResolver;
    use crate::{Bbs2023, DeriveOptions, VerifyOptions};

    /// VC-DI §2.4.1: a VC 1.1 credential does not define the proof terms; the Data Integrity v2 context
    /// is appended, once, and the whole flow works on the result.
    #[test]
    fn vc_1_1_credentials_get_the_data_integrity_context() {
        let suite = Bbs2023::new();
        let key = SigningKey::with_did_key(
            SecretKey::key_gen::<Bls12381Sha256>(&[8; 32], b"injection", None).unwrap(),
        );
        let credential = json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vdl/v1"],
            "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
            "issuer": crate::did_key(key.public_key()),
            "issuanceDate": "2024-01-15T00:00:00Z",
            "credentialSubject": {"type": "LicensedDriver", "driversLicense": {
                "type": "Iso18013DriversLicense", "expiry_date": "2029-01-15T00:00:00Z", "issuing_authority": "UADMV"
            }}
        });
        let mut rng = rand_core::OsRng;
        let options = BaseProofOptions::new(vec![JsonPointer::parse("/issuer").unwrap()]);
        let signed = suite
            .create_base_proof(&mut rng, &credential, &key, &options)
            .unwrap();
        assert_eq!(
            signed["@context"][2],
            "https://w3id.org/security/data-integrity/v2"
        );
        assert_eq!(signed["@context"].as_array().unwrap().len(), 3);
        suite.verify_base_proof(&signed, &DidKeyResolver).unwrap();
        let resigned = suite
            .create_base_proof(&mut rng, &without_proof(&signed), &key, &options)
            .unwrap();
        assert_eq!(resigned["@context"], signed["@context"]);
        let derived = suite
            .derive(&mut rng, &signed, &DeriveOptions::default())
            .unwrap();
        suite
            .verify(&derived, &DidKeyResolver, &VerifyOptions::default())
            .unwrap();
    }

    fn without_proof(document: &Value) -> Value {
        let mut document = document.clone();
        document.as_object_mut().unwrap().remove("proof");
        document
    }
}
