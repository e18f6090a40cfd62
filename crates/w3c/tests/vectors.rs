//! The official bbs-2023 test vectors (W3C Data Integrity BBS Cryptosuites v1.0, Appendix A "Test
//! Vectors"; files under `tests/vectors/`, source in its README): every intermediate value of the
//! baseline examples made again byte for byte, and the derived proofs verified.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::collections::BTreeMap;
use std::path::Path;

use ecert_w3c::ecert_bbs::{Bls12381Sha256, SecretKey, hazmat::seeded_random_scalars};
use ecert_w3c::hazmat::{self, VerifyTrace};
use ecert_w3c::{
    BaseProofOptions, Bbs2023, DeriveOptions, DidKeyResolver, Error, JsonPointer, SigningKey, VerifyOptions,
};
use serde_json::Value;

/// The one loader of vector files.
fn load(path: &str) -> Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn load_text(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

fn indexes(value: &Value) -> Vec<usize> {
    serde_json::from_value(value.clone()).unwrap()
}

fn pointers(value: &Value) -> Vec<JsonPointer> {
    serde_json::from_value(value.clone()).unwrap()
}

/// A `{"dataType": "Map", "value": [[k, v], ...]}` (how the vectors write a JavaScript Map) with
/// integer keys.
fn index_map(value: &Value) -> BTreeMap<usize, String> {
    assert_eq!(value["dataType"], "Map");
    value["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_u64().unwrap() as usize,
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    let pairs = if value.get("dataType").is_some() {
        &value["value"]
    } else {
        value
    };
    pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn hex_bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

/// JSON equality with numbers compared as numbers: JavaScript, which wrote the vectors, prints `7.0` as
/// `7`, and serde_json keeps the two apart.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        (x, y) => x == y,
    }
}

#[track_caller]
fn assert_same_json(a: &Value, b: &Value) {
    assert!(same_json(a, b), "left:  {a}\nright: {b}");
}

fn without_proof(document: &Value) -> Value {
    let mut document = document.clone();
    document.as_object_mut().unwrap().remove("proof");
    document
}

/// The issuer key and HMAC key of every example (BBSKeyMaterial.json).
fn key_material() -> (SecretKey, Vec<u8>, [u8; 32]) {
    let material = load("BBSKeyMaterial.json");
    let secret = SecretKey::from_bytes(&hex_bytes(&material["privateKeyHex"])).unwrap();
    assert_eq!(
        secret.public_key().to_bytes().to_vec(),
        hex_bytes(&material["publicKeyHex"])
    );
    let hmac_key: [u8; 32] = hex_bytes(&material["hmacKeyString"]).try_into().unwrap();
    (secret, hex_bytes(&material["publicKeyHex"]), hmac_key)
}

/// The holder's mocked randomness (BBSDeriveMaterial.json): the presentation header and the seed of
/// the BBS "mocked random scalars" (draft-irtf-cfrg-bbs-signatures, Appendix "Mocked Random Scalars").
fn derive_material() -> (Vec<u8>, Vec<u8>) {
    let material = load("BBSDeriveMaterial.json");
    (
        hex_bytes(&material["presentationHeaderHex"]),
        hex_bytes(&material["pseudoRandSeedHex"]),
    )
}

/// The DST the vectors' mocked random scalars were made with: the BBS api_id alone. The BBS draft's
/// Mocked Random Scalars appendix says `api_id || "MOCK_RANDOM_SCALARS_DST_"`; the generator of these
/// vectors passed the api_id where its library took the whole DST (tests/vectors/README.md).
const MOCK_DST: &[u8] = b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_";

/// One baseline example: where its files are and its inputs.
struct Example {
    dir: &'static str,
    unsigned: Value,
    mandatory: Vec<JsonPointer>,
    selective: Vec<JsonPointer>,
}

fn windsurf() -> Example {
    Example {
        dir: "",
        unsigned: load("windDoc.json"),
        mandatory: pointers(&load("windMandatory.json")),
        selective: pointers(&load("windSelective.json")),
    }
}

/// The permanent resident card example. Its input is the signed document without its proof: the
/// top-level prCredUnsigned.json has a different `description` from the one every prc/ file was made
/// from (see tests/vectors/README.md).
fn permanent_resident_card() -> Example {
    Example {
        dir: "prc/",
        unsigned: without_proof(&load("prc/addSignedSDBase.json")),
        mandatory: pointers(&load("prCredMandatory.json")),
        selective: pointers(&load("prCredSelective.json")),
    }
}

fn signing_key(example: &Example) -> (SigningKey, BaseProofOptions) {
    let (secret, _, _) = key_material();
    let config = load(&format!("{}addProofConfig.json", example.dir));
    let key = SigningKey::new(secret, config["verificationMethod"].as_str().unwrap());
    assert_eq!(config["type"], "DataIntegrityProof");
    assert_eq!(config["cryptosuite"], "bbs-2023");
    assert_eq!(config["proofPurpose"], "assertionMethod");
    assert_eq!(config["@context"], example.unsigned["@context"]);
    let options =
        BaseProofOptions::new(example.mandatory.clone()).with_created(config["created"].as_str().unwrap());
    (key, options)
}

fn check_base_proof(example: &Example) -> Value {
    let suite = Bbs2023::new();
    let dir = example.dir;
    // addBaseDocCanon: RDFC-1.0 of the unsigned credential.
    assert_eq!(
        hazmat::canonical_nquads(&suite, &example.unsigned).unwrap(),
        strings(&load(&format!("{dir}addBaseDocCanon.json")))
    );
    let (key, options) = signing_key(example);
    let (_, _, hmac_key) = key_material();
    let trace =
        hazmat::create_base_proof_with_hmac_key(&suite, &example.unsigned, &key, &options, hmac_key).unwrap();
    // addProofConfigCanon: the proof configuration's canonical N-Quads.
    assert_eq!(
        trace.canonical_proof_config,
        load_text(&format!("{dir}addProofConfigCanon.txt"))
    );
    // addBaseDocHMACCanon: HMAC-relabelled and sorted.
    assert_eq!(
        trace.hmac_nquads,
        strings(&load(&format!("{dir}addBaseDocHMACCanon.json")))
    );
    // addBaseTransform: the mandatory and non-mandatory groups.
    let transform = load(&format!("{dir}addBaseTransform.json"));
    assert_eq!(pointers(&transform["mandatoryPointers"]), example.mandatory);
    assert_eq!(trace.mandatory, index_map(&transform["mandatory"]));
    assert_eq!(trace.non_mandatory, index_map(&transform["nonMandatory"]));
    assert_eq!(
        transform["hmacKeyString"].as_str().unwrap().to_lowercase(),
        hex::encode(hmac_key)
    );
    // addHashData: proofHash and mandatoryHash.
    let hashes = load(&format!("{dir}addHashData.json"));
    assert_eq!(trace.proof_hash.to_vec(), hex_bytes(&hashes["proofHash"]));
    assert_eq!(trace.mandatory_hash.to_vec(), hex_bytes(&hashes["mandatoryHash"]));
    // addRawBaseSignatureInfo: the BBS signature.
    let raw = load(&format!("{dir}addRawBaseSignatureInfo.json"));
    assert_eq!(trace.bbs_signature, hex_bytes(&raw["bbsSignature"]));
    assert_eq!(pointers(&raw["mandatoryPointers"]), example.mandatory);
    // addSignedSDBase: the signed credential, proofValue byte for byte.
    let signed = load(&format!("{dir}addSignedSDBase.json"));
    assert_eq!(
        trace.secured["proof"]["proofValue"],
        signed["proof"]["proofValue"]
    );
    assert_same_json(&trace.secured, &signed);
    // derivedRecoveredBaseData: the holder reads the same components back.
    let recovered = load(&format!("{dir}derivedRecoveredBaseData.json"));
    let components = hazmat::base_proof_components(signed["proof"]["proofValue"].as_str().unwrap()).unwrap();
    assert_eq!(components.bbs_signature, hex_bytes(&recovered["bbsSignature"]));
    assert_eq!(components.hmac_key.to_vec(), hex_bytes(&recovered["hmacKey"]));
    assert_eq!(
        components.mandatory_pointers,
        pointers(&recovered["mandatoryPointers"])
    );
    assert_eq!(
        components.bbs_header,
        [trace.proof_hash, trace.mandatory_hash].concat()
    );
    // And the holder's check of the base proof passes.
    suite.verify_base_proof(&signed, &DidKeyResolver).unwrap();
    signed
}

fn check_derived_proof(example: &Example, signed: &Value) -> Value {
    let suite = Bbs2023::new();
    let dir = example.dir;
    let (presentation_header, seed) = derive_material();
    let options = DeriveOptions::new(example.selective.clone(), presentation_header.clone());
    let trace = hazmat::derive_with_random_scalars(&suite, signed, &options, |count| {
        seeded_random_scalars::<Bls12381Sha256>(&seed, MOCK_DST, count)
    })
    .unwrap();
    // derivedGroupIndexes: absolute positions of each group's statements.
    let groups = load(&format!("{dir}derivedGroupIndexes.json"));
    assert_eq!(trace.mandatory_matching, indexes(&groups["mandatoryIndexes"]));
    assert_eq!(trace.selective_matching, indexes(&groups["selectiveIndexes"]));
    assert_eq!(trace.combined_matching, indexes(&groups["combinedIndexes"]));
    assert_eq!(trace.non_mandatory, indexes(&groups["nonMandatoryIndexes"]));
    // derivedAdjIndexes: relative to the revealed and to the non-mandatory statements.
    let adjusted = load(&format!("{dir}derivedAdjIndexes.json"));
    assert_eq!(trace.mandatory_indexes, indexes(&adjusted["adjMandatoryIndexes"]));
    assert_eq!(trace.selective_indexes, indexes(&adjusted["adjSelectiveIndexes"]));
    // derivedDisclosureData: the BBS proof (with the mocked scalars), the label map, the header.
    let disclosure = load(&format!("{dir}derivedDisclosureData.json"));
    assert_eq!(trace.bbs_proof, hex_bytes(&disclosure["bbsProof"]));
    assert_eq!(trace.label_map, string_map(&disclosure["labelMap"]));
    assert_eq!(trace.mandatory_indexes, indexes(&disclosure["mandatoryIndexes"]));
    assert_eq!(
        trace.selective_indexes,
        indexes(&disclosure["adjSelectiveIndexes"])
    );
    let header: Vec<u8> = (0..presentation_header.len())
        .map(|i| disclosure["presentationHeader"][i.to_string()].as_u64().unwrap() as u8)
        .collect();
    assert_eq!(header, presentation_header);
    // derivedUnsignedReveal and derivedRevealDocument: the reveal document, and with its proof.
    assert_same_json(
        &without_proof(&trace.revealed),
        &load(&format!("{dir}derivedUnsignedReveal.json")),
    );
    let revealed = load(&format!("{dir}derivedRevealDocument.json"));
    assert_eq!(
        trace.revealed["proof"]["proofValue"],
        revealed["proof"]["proofValue"]
    );
    assert_same_json(&trace.revealed, &revealed);
    revealed
}

fn check_verification(example: &Example, revealed: &Value) -> VerifyTrace {
    let suite = Bbs2023::new();
    let (presentation_header, _) = derive_material();
    let options = VerifyOptions::default().with_presentation_header(presentation_header.clone());
    let trace = hazmat::verify_traced(&suite, revealed, &DidKeyResolver, &options).unwrap();
    let verified = trace.verified.clone().unwrap();
    assert_eq!(verified.document, without_proof(revealed));
    assert_eq!(verified.presentation_header, presentation_header);
    assert_eq!(
        verified.verification_method,
        revealed["proof"]["verificationMethod"]
    );
    let (_, public_key, _) = key_material();
    assert_eq!(verified.public_key.to_bytes().to_vec(), public_key);
    let hashes = load(&format!("{}addHashData.json", example.dir));
    assert_eq!(trace.proof_hash.to_vec(), hex_bytes(&hashes["proofHash"]));
    assert_eq!(trace.mandatory_hash.to_vec(), hex_bytes(&hashes["mandatoryHash"]));
    assert_eq!(
        suite
            .verify(revealed, &DidKeyResolver, &VerifyOptions::default())
            .unwrap(),
        verified
    );
    trace
}

#[test]
fn windsurf_baseline_enhanced_example() {
    let example = windsurf();
    let signed = check_base_proof(&example);
    let revealed = check_derived_proof(&example, &signed);
    check_verification(&example, &revealed);
}

#[test]
fn permanent_resident_card_baseline_basic_example() {
    let example = permanent_resident_card();
    let signed = check_base_proof(&example);
    let revealed = check_derived_proof(&example, &signed);
    let trace = check_verification(&example, &revealed);
    // verifyNQuads and verifyDerivedProofValue: what the verifier reconstructs.
    assert_eq!(trace.nquads, strings(&load("prc/verifyNQuads.json")));
    let parsed = load("prc/verifyDerivedProofValue.json");
    assert_eq!(trace.mandatory_indexes, indexes(&parsed["mandatoryIndexes"]));
    assert_eq!(trace.selective_indexes, indexes(&parsed["adjSelectedIndexes"]));
    let components =
        hazmat::derived_proof_components(revealed["proof"]["proofValue"].as_str().unwrap()).unwrap();
    assert_eq!(components.bbs_proof, hex_bytes(&parsed["bbsProof"]));
    assert_eq!(components.label_map, string_map(&parsed["labelMap"]));
}

/// The optional-feature examples (anonymous holder binding, pseudonyms) sign with Blind BBS and the
/// pseudonym draft, which this crate does not implement; their canonicalization, HMAC relabelling,
/// grouping and hashing are the baseline's, on the driver's licence credential, and are checked.
#[test]
fn optional_feature_examples_share_the_baseline_transformation() {
    let suite = Bbs2023::new();
    let (secret, _, hmac_key) = key_material();
    let unsigned = load("FeatureInputs/license.json");
    let mandatory = pointers(&load("FeatureInputs/licenseMandatory.json"));
    for dir in ["HolderBinding/", "Pseudonym/", "PseudonymHB/"] {
        assert_eq!(
            hazmat::canonical_nquads(&suite, &unsigned).unwrap(),
            strings(&load(&format!("{dir}addBaseDocCanon.json"))),
            "{dir}"
        );
        let config = load(&format!("{dir}addProofConfig.json"));
        let key = SigningKey::new(
            SecretKey::from_bytes(&secret.to_bytes()).unwrap(),
            config["verificationMethod"].as_str().unwrap(),
        );
        let mut options = BaseProofOptions::new(mandatory.clone());
        if let Some(created) = config["created"].as_str() {
            options = options.with_created(created);
        }
        let trace =
            hazmat::create_base_proof_with_hmac_key(&suite, &unsigned, &key, &options, hmac_key).unwrap();
        assert_eq!(
            trace.canonical_proof_config,
            load_text(&format!("{dir}addProofConfigCanon.txt")),
            "{dir}"
        );
        assert_eq!(
            trace.hmac_nquads,
            strings(&load(&format!("{dir}addBaseDocHMACCanon.json"))),
            "{dir}"
        );
        let transform = load(&format!("{dir}addBaseTransform.json"));
        assert_eq!(trace.mandatory, index_map(&transform["mandatory"]), "{dir}");
        assert_eq!(
            trace.non_mandatory,
            index_map(&transform["nonMandatory"]),
            "{dir}"
        );
        let hashes = load(&format!("{dir}addHashData.json"));
        assert_eq!(
            trace.proof_hash.to_vec(),
            hex_bytes(&hashes["proofHash"]),
            "{dir}"
        );
        assert_eq!(
            trace.mandatory_hash.to_vec(),
            hex_bytes(&hashes["mandatoryHash"]),
            "{dir}"
        );
        // Their proof values announce their feature, which is refused by name.
        let base = load(&format!("{dir}addSignedSDBase.json"));
        let derived = load(&format!("{dir}derivedRevealDocument.json"));
        assert!(matches!(
            suite.derive(
                &mut rand::thread_rng(),
                &base,
                &DeriveOptions::new(Vec::new(), Vec::new())
            ),
            Err(Error::UnsupportedFeature(_))
        ));
        assert!(matches!(
            suite.verify(&derived, &DidKeyResolver, &VerifyOptions::default()),
            Err(Error::UnsupportedFeature(_))
        ));
    }
}

/// addPointerValues.json shows, for the windsurf example, the values the mandatory pointers select,
/// written relative to `credentialSubject`.
#[test]
fn pointer_values() {
    let document = load("windDoc.json");
    for entry in load("addPointerValues.json").as_array().unwrap() {
        let pointer = JsonPointer::parse(entry["pointer"].as_str().unwrap()).unwrap();
        assert_same_json(
            pointer.resolve(&document["credentialSubject"]).unwrap(),
            &entry["value"],
        );
    }
}
