//! The `proof` object of a bbs-2023 secured document: its properties, checked as VC Data Integrity
//! §4.2-4.3 and bbs-2023 §2.2 require, and the proof configuration hash (bbs-2023 §3.4.3-3.4.4).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::datetime::{date_time_stamp_seconds, is_xsd_date_time};
use crate::error::{Error, Result};
use crate::jsonld;
use crate::loader::ContextLoader;
use crate::rdf;

/// The proof `type` of every Data Integrity cryptosuite proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The `cryptosuite` identifier this crate implements.
pub const CRYPTOSUITE: &str = "bbs-2023";

/// A secured document split into the unsecured document and its proof object.
pub(crate) struct Secured {
    pub(crate) document: Value,
    pub(crate) proof: Map<String, Value>,
}

/// Splits `secured` (a JSON object with one `proof` object) and checks the proof's properties: `type`
/// `DataIntegrityProof`, `cryptosuite` `bbs-2023`, a `verificationMethod` URL, a `proofPurpose`, a
/// `proofValue` string and, if present, a valid `created`.
pub(crate) fn split_secured(secured: &Value) -> Result<Secured> {
    let Value::Object(object) = secured else {
        return Err(Error::NotAnObject("a secured document"));
    };
    let mut document = object.clone();
    let proof = match document.remove("proof") {
        Some(Value::Object(proof)) => proof,
        // A proof set is not a bbs-2023 derivation input or output.
        Some(Value::Array(_)) | None => return Err(Error::MissingProof),
        Some(_) => return Err(Error::NotAnObject("proof")),
    };
    check_proof_options(&proof)?;
    for required in ["verificationMethod", "proofPurpose", "proofValue"] {
        if !proof.get(required).is_some_and(Value::is_string) {
            return Err(Error::ProofProperty(required, "missing, or not a string".into()));
        }
    }
    Ok(Secured {
        document: Value::Object(document),
        proof,
    })
}

/// The proof options checks shared by proof creation and verification (bbs-2023 §3.4.4 steps 2-3):
/// `type`, `cryptosuite`, the form of `created`, and a `verificationMethod` that is a URL.
pub(crate) fn check_proof_options(proof: &Map<String, Value>) -> Result<()> {
    match proof.get("type") {
        Some(Value::String(t)) if t == PROOF_TYPE => {}
        Some(Value::String(t)) => {
            return Err(Error::ProofProperty("type", format!("{t:?} is not {PROOF_TYPE}")));
        }
        _ => {
            return Err(Error::ProofProperty(
                "type",
                format!("missing; must be {PROOF_TYPE}"),
            ));
        }
    }
    match proof.get("cryptosuite") {
        Some(Value::String(c)) if c == CRYPTOSUITE => {}
        Some(Value::String(c)) => {
            return Err(Error::ProofProperty(
                "cryptosuite",
                format!("{c:?} is not {CRYPTOSUITE}"),
            ));
        }
        _ => {
            return Err(Error::ProofProperty(
                "cryptosuite",
                format!("missing; must be {CRYPTOSUITE}"),
            ));
        }
    }
    match proof.get("created") {
        None => {}
        Some(Value::String(created)) if is_xsd_date_time(created) => {}
        Some(_) => {
            return Err(Error::ProofProperty(
                "created",
                "not an XML Schema dateTime (e.g. 2023-08-15T23:36:38Z)".into(),
            ));
        }
    }
    // VC Data Integrity §2.1: `expires` is an xsd:dateTimeStamp; `domain` a string or a set of
    // strings; `challenge` a string.
    match proof.get("expires") {
        None => {}
        Some(Value::String(expires)) if date_time_stamp_seconds(expires).is_some() => {}
        Some(_) => {
            return Err(Error::ProofProperty(
                "expires",
                "not an XML Schema dateTimeStamp (e.g. 2026-08-15T23:36:38Z)".into(),
            ));
        }
    }
    match proof.get("domain") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(domains)) if !domains.is_empty() && domains.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(Error::ProofProperty(
                "domain",
                "neither a string nor a non-empty array of strings".into(),
            ));
        }
    }
    if proof.get("challenge").is_some_and(|c| !c.is_string()) {
        return Err(Error::ProofProperty("challenge", "not a string".into()));
    }
    match proof.get("verificationMethod") {
        // bbs-2023 §2.2: "The verificationMethod property of the proof MUST be a URL."
        Some(Value::String(vm)) if is_url(vm) => Ok(()),
        Some(_) => Err(Error::ProofProperty("verificationMethod", "not a URL".into())),
        None => Err(Error::ProofProperty("verificationMethod", "missing".into())),
    }
}

/// An absolute URL: a scheme, `:`, and no whitespace.
pub(crate) fn is_url(value: &str) -> bool {
    match value.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Base Proof Configuration (bbs-2023 §3.4.4) and the `proofHash` of §3.4.3 / createVerifyData
/// (§3.3.8 step 1): the proof options without `proofValue`, in the document's `@context`,
/// canonicalized (RDFC-1.0) and hashed with SHA-256. Returns the canonical N-Quads and their hash.
pub(crate) fn proof_config_hash(
    proof: &Map<String, Value>,
    document: &Value,
    loader: &ContextLoader,
) -> Result<(String, [u8; 32])> {
    check_proof_options(proof)?;
    let mut config = proof.clone();
    config.remove("proofValue");
    match document.get("@context") {
        Some(context) => config.insert("@context".to_owned(), context.clone()),
        None => return Err(Error::JsonLd("the document has no @context".into())),
    };
    let config = Value::Object(config);
    let cached = loader.canonical_proof_config(&config, || {
        let canonical = rdf::canonical_nquads(&jsonld::document_quads(&config, loader)?)?.concat();
        let hash = Sha256::digest(canonical.as_bytes()).into();
        Ok((canonical, hash))
    })?;
    Ok(cached.as_ref().clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn proof() -> Map<String, Value> {
        match json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "bbs-2023",
            "created": "2023-08-15T23:36:38Z",
            "verificationMethod": "did:key:zUC7#zUC7",
            "proofPurpose": "assertionMethod",
            "proofValue": "u2V0D",
        }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn proof_options_are_checked() {
        assert_eq!(check_proof_options(&proof()), Ok(()));
        for (key, value, property) in [
            ("type", json!("Ed25519Signature2020"), "type"),
            ("type", json!(["DataIntegrityProof"]), "type"),
            ("cryptosuite", json!("ecdsa-sd-2023"), "cryptosuite"),
            ("cryptosuite", json!(""), "cryptosuite"),
            ("created", json!("2023-08-15"), "created"),
            ("created", json!(1692142598), "created"),
            ("expires", json!("2023-08-15T23:36:38"), "expires"),
            ("expires", json!("tomorrow"), "expires"),
            ("domain", json!(7), "domain"),
            ("domain", json!([]), "domain"),
            ("domain", json!(["a.example", 1]), "domain"),
            ("challenge", json!({"n": 1}), "challenge"),
            ("verificationMethod", json!("not a url"), "verificationMethod"),
            (
                "verificationMethod",
                json!({"id": "did:key:x"}),
                "verificationMethod",
            ),
        ] {
            let mut p = proof();
            p.insert(key.into(), value);
            assert!(
                matches!(check_proof_options(&p), Err(Error::ProofProperty(prop, _)) if prop == property),
                "{key}"
            );
        }
        for key in ["type", "cryptosuite", "verificationMethod"] {
            let mut p = proof();
            p.remove(key);
            assert!(matches!(check_proof_options(&p), Err(Error::ProofProperty(prop, _)) if prop == key));
        }
    }

    #[test]
    fn secured_documents_need_one_proof_with_a_value() {
        let doc = json!({"@context": [], "proof": proof()});
        assert!(split_secured(&doc).is_ok());
        assert_eq!(
            split_secured(&json!({"@context": []})).err(),
            Some(Error::MissingProof)
        );
        assert_eq!(
            split_secured(&json!({"proof": [proof()]})).err(),
            Some(Error::MissingProof)
        );
        assert_eq!(
            split_secured(&json!([1])).err(),
            Some(Error::NotAnObject("a secured document"))
        );
        let mut p = proof();
        p.remove("proofValue");
        assert!(matches!(
            split_secured(&json!({"proof": p})),
            Err(Error::ProofProperty("proofValue", _))
        ));
    }
}
