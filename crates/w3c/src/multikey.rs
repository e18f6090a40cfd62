//! BLS12-381 G2 public keys as Multikeys and `did:key` DIDs (bbs-2023 §2.1.1; Controlled Identifiers
//! v1.0 §2.2.2 Multikey; the did:key method), and the resolution of a proof's `verificationMethod`
//! into a key, locally.
//!
//! A Multikey is `z` (base58btc) followed by the base58 encoding of the multicodec `bls12_381-g2-pub`
//! (`0xeb 0x01`) and the 96-byte compressed G2 point: 98 bytes, which always begin `zUC7`. Any other
//! multibase or multicodec is refused (bbs-2023 §2.1.1: "Any other encoding MUST NOT be allowed").

use std::collections::BTreeMap;

use ecert_bbs::{PUBLIC_KEY_BYTES, PublicKey};
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The multicodec prefix of a BLS12-381 G2 public key, varint-encoded (`0xeb01`).
const BLS12_381_G2_PUB: [u8; 2] = [0xeb, 0x01];

/// The context a Multikey verification method document is written in.
const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// `publicKeyMultibase` of a BBS public key: `z` + base58btc(`0xeb01` || compressed G2 point).
pub fn public_key_multibase(public_key: &PublicKey) -> String {
    let mut bytes = Vec::with_capacity(2 + PUBLIC_KEY_BYTES);
    bytes.extend_from_slice(&BLS12_381_G2_PUB);
    bytes.extend_from_slice(&public_key.to_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The BBS public key of a `publicKeyMultibase` value; the point is validated (on the curve, in the
/// subgroup, not the identity).
pub fn public_key_from_multibase(multibase: &str) -> Result<PublicKey> {
    let bad = |why: &str| Error::VerificationMethod(format!("publicKeyMultibase {why}"));
    let encoded = multibase
        .strip_prefix('z')
        .ok_or_else(|| bad("must be base58btc (start with 'z')"))?;
    let bytes = bs58::decode(encoded)
        .into_vec()
        .map_err(|_| bad("is not base58btc"))?;
    let key = bytes
        .strip_prefix(&BLS12_381_G2_PUB[..])
        .ok_or_else(|| bad("is not a BLS12-381 G2 key (multicodec 0xeb01)"))?;
    if key.len() != PUBLIC_KEY_BYTES {
        return Err(bad("does not hold a 96-byte compressed G2 point"));
    }
    PublicKey::from_bytes(key).map_err(|_| bad("is not a valid BLS12-381 G2 public key"))
}

/// The `did:key` DID of a BBS public key: `did:key:zUC7...`.
pub fn did_key(public_key: &PublicKey) -> String {
    format!("did:key:{}", public_key_multibase(public_key))
}

/// The verification method URL of a BBS public key's `did:key`: `did:key:zUC7...#zUC7...`, as the
/// did:key method names the key in its DID document.
pub fn did_key_verification_method(public_key: &PublicKey) -> String {
    let multibase = public_key_multibase(public_key);
    format!("did:key:{multibase}#{multibase}")
}

/// A Multikey verification method document for `public_key`, with identifier `id` and `controller`.
pub fn multikey_document(id: &str, controller: &str, public_key: &PublicKey) -> Value {
    json!({
        "@context": MULTIKEY_CONTEXT,
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase(public_key),
    })
}

/// The DID document of a BBS public key's `did:key` (did:key method §3.1.3, Multikey representation):
/// what a resolver endpoint answers for `did:key:zUC7...`.
pub fn did_key_document(public_key: &PublicKey) -> Value {
    let did = did_key(public_key);
    let id = did_key_verification_method(public_key);
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [{
            "id": id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(public_key),
        }],
        "authentication": [id],
        "assertionMethod": [id],
        "capabilityDelegation": [id],
        "capabilityInvocation": [id],
    })
}

/// The identifier and key of a Multikey verification method document: `type` must be `Multikey` and
/// `publicKeyMultibase` a BLS12-381 G2 key (bbs-2023 §2.2: dereferencing the verification method
/// "MUST result in an object containing a type property with the value set to Multikey").
pub fn public_key_from_multikey_document(document: &Value) -> Result<(String, PublicKey)> {
    let bad = |why: &str| Error::VerificationMethod(why.to_owned());
    let object = document
        .as_object()
        .ok_or_else(|| bad("a verification method document must be a JSON object"))?;
    match object.get("type") {
        Some(Value::String(t)) if t == "Multikey" => {}
        _ => return Err(bad("the verification method's type must be Multikey")),
    }
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the verification method has no id"))?;
    let multibase = object
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the verification method has no publicKeyMultibase"))?;
    Ok((id.to_owned(), public_key_from_multibase(multibase)?))
}

/// Finds the public key of a proof's `verificationMethod`, without the network.
///
/// Implemented by [`DidKeyResolver`] (keys that are their own identifier) and [`VerificationMethods`]
/// (keys known in advance, e.g. from ecert's registry snapshot). A resolver only says which key a URL
/// names; whether that key is trusted for the credential is the caller's decision.
pub trait VerificationMethodResolver {
    /// The key `verification_method` names, or [`Error::VerificationMethod`] saying why not.
    fn resolve(&self, verification_method: &str) -> Result<PublicKey>;

    /// The controller of `verification_method` (Controlled Identifiers v1.0 §2.2: the entity whose
    /// identifier the key is bound to), which VC Data Model 2.0 requires to be the credential's issuer.
    /// By default the URL before its fragment, as for `did:key:MB#MB` (controller `did:key:MB`) and
    /// every method listed in its controller's document under `<controller>#<key>`.
    fn controller(&self, verification_method: &str) -> Result<String> {
        match verification_method.split_once('#') {
            Some((controller, fragment)) if !controller.is_empty() && !fragment.is_empty() => {
                Ok(controller.to_owned())
            }
            _ => Err(Error::VerificationMethod(format!(
                "{verification_method:?} names no controller (expected <controller>#<key>)"
            ))),
        }
    }
}

/// Resolves `did:key:zUC7...#zUC7...` URLs by decoding them: the key is in the identifier.
#[derive(Clone, Copy, Debug, Default)]
pub struct DidKeyResolver;

impl VerificationMethodResolver for DidKeyResolver {
    fn resolve(&self, verification_method: &str) -> Result<PublicKey> {
        let bad = |why: &str| Error::VerificationMethod(format!("{verification_method:?}: {why}"));
        let rest = verification_method
            .strip_prefix("did:key:")
            .ok_or_else(|| bad("not a did:key URL"))?;
        // did:key §3.1.3: the verification method of did:key:MB is did:key:MB#MB.
        let (multibase, fragment) = rest
            .split_once('#')
            .ok_or_else(|| bad("a did:key verification method ends in #<the key>"))?;
        if fragment != multibase {
            return Err(bad("the fragment is not the DID's key"));
        }
        public_key_from_multibase(multibase)
    }
}

/// Verification methods known in advance (e.g. an issuer's keys listed in ecert's registry, under
/// their `https:` identifiers), with `did:key` URLs resolved by decoding.
#[derive(Clone, Debug, Default)]
pub struct VerificationMethods {
    keys: BTreeMap<String, PublicKey>,
    /// Controllers of the methods that were inserted with their documents.
    controllers: BTreeMap<String, String>,
}

impl VerificationMethods {
    /// No known methods: resolves `did:key` URLs only.
    pub fn new() -> VerificationMethods {
        VerificationMethods::default()
    }

    /// Adds the method `id` with key `public_key`.
    pub fn insert(&mut self, id: &str, public_key: PublicKey) {
        self.keys.insert(id.to_owned(), public_key);
    }

    /// Adds a Multikey verification method document (see [`public_key_from_multikey_document`]), with
    /// its `controller`.
    pub fn insert_document(&mut self, document: &Value) -> Result<()> {
        let (id, key) = public_key_from_multikey_document(document)?;
        let controller = document
            .get("controller")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::VerificationMethod("the verification method has no controller".into()))?;
        self.controllers.insert(id.clone(), controller.to_owned());
        self.keys.insert(id, key);
        Ok(())
    }
}

impl VerificationMethodResolver for VerificationMethods {
    fn resolve(&self, verification_method: &str) -> Result<PublicKey> {
        match self.keys.get(verification_method) {
            Some(key) => Ok(key.clone()),
            None if verification_method.starts_with("did:key:") => {
                DidKeyResolver.resolve(verification_method)
            }
            None => Err(Error::VerificationMethod(format!(
                "{verification_method:?} is not a known verification method"
            ))),
        }
    }

    fn controller(&self, verification_method: &str) -> Result<String> {
        match self.controllers.get(verification_method) {
            Some(controller) => Ok(controller.clone()),
            None => DidKeyResolver.controller(verification_method),
        }
    }
}

impl<R: VerificationMethodResolver + ?Sized> VerificationMethodResolver for &R {
    fn resolve(&self, verification_method: &str) -> Result<PublicKey> {
        (**self).resolve(verification_method)
    }

    fn controller(&self, verification_method: &str) -> Result<String> {
        (**self).controller(verification_method)
    }
}

#[cfg(test)]
mod tests {
    use ecert_bbs::{Bls12381Sha256, SecretKey};

    use super::*;

    fn key() -> PublicKey {
        SecretKey::key_gen::<Bls12381Sha256>(&[7u8; 32], b"multikey test", None)
            .unwrap()
            .public_key()
    }

    #[test]
    fn multikeys_round_trip_and_start_with_zuc7() {
        let pk = key();
        let multibase = public_key_multibase(&pk);
        assert!(multibase.starts_with("zUC7"), "{multibase}");
        assert_eq!(public_key_from_multibase(&multibase).unwrap(), pk);
        let vm = did_key_verification_method(&pk);
        assert_eq!(DidKeyResolver.resolve(&vm).unwrap(), pk);
        let doc = multikey_document("https://issuer.example/keys/1", "https://issuer.example", &pk);
        assert_eq!(
            public_key_from_multikey_document(&doc).unwrap(),
            ("https://issuer.example/keys/1".to_owned(), pk.clone())
        );
        let did_doc = did_key_document(&pk);
        assert_eq!(did_doc["verificationMethod"][0]["id"], vm);
    }

    #[test]
    fn other_encodings_are_refused() {
        let pk = key();
        let multibase = public_key_multibase(&pk);
        let raw = bs58::decode(&multibase[1..]).into_vec().unwrap();
        let mut ed25519 = raw.clone();
        ed25519[0] = 0xed;
        for bad in [
            format!("u{}", &multibase[1..]),
            format!("z{}", bs58::encode(&ed25519).into_string()),
            format!("z{}", bs58::encode(&raw[..97]).into_string()),
            format!("z{}", bs58::encode([&raw[..], &[0]].concat()).into_string()),
            "z0OIl".to_owned(),
        ] {
            assert!(public_key_from_multibase(&bad).is_err(), "{bad}");
        }
        let did = did_key(&pk);
        for bad in [
            did.clone(),
            format!("{did}#other"),
            format!("did:web:x#{multibase}"),
        ] {
            assert!(DidKeyResolver.resolve(&bad).is_err(), "{bad}");
        }
        let mut doc = multikey_document("urn:k", "urn:c", &pk);
        doc["type"] = "JsonWebKey".into();
        assert!(public_key_from_multikey_document(&doc).is_err());
    }

    #[test]
    fn known_methods_first_then_did_key() {
        let pk = key();
        let mut methods = VerificationMethods::new();
        methods.insert("https://issuer.example/keys/1", pk.clone());
        assert_eq!(methods.resolve("https://issuer.example/keys/1").unwrap(), pk);
        assert_eq!(methods.resolve(&did_key_verification_method(&pk)).unwrap(), pk);
        assert!(methods.resolve("https://issuer.example/keys/2").is_err());
    }
}
