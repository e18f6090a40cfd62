//! The official test vectors of draft-irtf-cfrg-bbs-signatures-09 (§8 and Appendix C), both suites:
//! key pair, P1 and generators, hash_to_scalar, message scalars, mocked random scalars, signatures and
//! proofs made with the mocked scalars, byte for byte; every valid case accepted and every invalid one
//! rejected. The files and their source are described in tests/vectors/README.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

mod support;

use ecert_bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, Error, Proof, PublicKey, SecretKey, Signature, hazmat,
};
use serde::Deserialize;
use support::{files, hex_bytes, hex32, load};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyPairFile {
    key_material: String,
    key_info: String,
    key_dst: String,
    key_pair: KeyPair,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyPair {
    secret_key: String,
    public_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GeneratorsFile {
    #[serde(rename = "P1")]
    p1: String,
    #[serde(rename = "Q1")]
    q1: String,
    msg_generators: Vec<String>,
}

#[derive(Deserialize)]
struct HashToScalarFile {
    message: String,
    dst: String,
    scalar: String,
}

#[derive(Deserialize)]
struct MapToScalarFile {
    dst: String,
    cases: Vec<MapToScalarCase>,
}

#[derive(Deserialize)]
struct MapToScalarCase {
    message: String,
    scalar: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MockedRngFile {
    seed: String,
    dst: String,
    count: usize,
    mocked_scalars: Vec<String>,
}

#[derive(Deserialize)]
struct Expected {
    valid: bool,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignatureCase {
    case_name: String,
    signer_key_pair: KeyPair,
    header: String,
    messages: Vec<String>,
    signature: String,
    result: Expected,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProofCase {
    case_name: String,
    signer_public_key: String,
    signature: String,
    header: String,
    presentation_header: String,
    messages: Vec<String>,
    disclosed_indexes: Vec<usize>,
    proof: String,
    result: Expected,
    trace: ProofTrace,
}

#[derive(Deserialize)]
struct ProofTrace {
    random_scalars: RandomScalars,
}

#[derive(Deserialize)]
struct RandomScalars {
    r1: String,
    r2: String,
    e_tilde: String,
    r1_tilde: String,
    r3_tilde: String,
    m_tilde_scalars: Vec<String>,
}

/// Runs every check for one suite, whose vectors live in `dir`.
fn suite<C: Ciphersuite>(dir: &str) {
    key_pair::<C>(dir);
    generators::<C>(dir);
    hash_to_scalar::<C>(dir);
    messages_to_scalars::<C>(dir);
    mocked_random_scalars::<C>(dir);
    signatures::<C>(dir);
    proofs::<C>(dir);
}

fn key_pair<C: Ciphersuite>(dir: &str) {
    let v: KeyPairFile = load(format!("{dir}/keypair.json"));
    let key_dst = hex_bytes(&v.key_dst);
    let sk = SecretKey::key_gen::<C>(
        &hex_bytes(&v.key_material),
        &hex_bytes(&v.key_info),
        Some(&key_dst),
    )
    .unwrap();
    assert_eq!(hex::encode(sk.to_bytes()), v.key_pair.secret_key, "{dir}: KeyGen");
    assert_eq!(
        hex::encode(sk.public_key().to_bytes()),
        v.key_pair.public_key,
        "{dir}: SkToPk"
    );
    // The vector passes key_dst = api_id || "KEYGEN_DST_" explicitly (draft §8.3.1); the default that
    // §3.4.1 defines, used for None, is ciphersuite_id || "KEYGEN_DST_".
    assert_eq!(key_dst, [C::ID, b"H2G_HM2S_KEYGEN_DST_"].concat());
    let default =
        SecretKey::key_gen::<C>(&hex_bytes(&v.key_material), &hex_bytes(&v.key_info), None).unwrap();
    let explicit_default_dst = [C::ID, b"KEYGEN_DST_"].concat();
    let explicit = SecretKey::key_gen::<C>(
        &hex_bytes(&v.key_material),
        &hex_bytes(&v.key_info),
        Some(&explicit_default_dst),
    )
    .unwrap();
    assert_eq!(default.to_bytes(), explicit.to_bytes());
    assert_ne!(default.to_bytes(), sk.to_bytes());
    // And both encodings round trip.
    assert_eq!(
        SecretKey::from_bytes(&sk.to_bytes()).unwrap().to_bytes(),
        sk.to_bytes()
    );
    let pk = PublicKey::from_bytes(&hex_bytes(&v.key_pair.public_key)).unwrap();
    assert_eq!(pk, sk.public_key());
}

fn generators<C: Ciphersuite>(dir: &str) {
    let v: GeneratorsFile = load(format!("{dir}/generators.json"));
    assert_eq!(hex::encode(hazmat::p1::<C>()), v.p1, "{dir}: P1");
    let count = v.msg_generators.len() + 1;
    let generators: Vec<String> = hazmat::create_generators::<C>(count)
        .iter()
        .map(hex::encode)
        .collect();
    assert_eq!(generators[0], v.q1, "{dir}: Q_1");
    assert_eq!(generators[1..], v.msg_generators[..], "{dir}: H_i");
    // The list is prefix-stable: asking for fewer gives the first ones, whatever was cached before.
    let fewer: Vec<String> = hazmat::create_generators::<C>(3)
        .iter()
        .map(hex::encode)
        .collect();
    assert_eq!(fewer[..], generators[..3]);
    assert!(hazmat::create_generators::<C>(0).is_empty());
}

fn hash_to_scalar<C: Ciphersuite>(dir: &str) {
    let v: HashToScalarFile = load(format!("{dir}/h2s.json"));
    let scalar = hazmat::hash_to_scalar::<C>(&hex_bytes(&v.message), &hex_bytes(&v.dst));
    assert_eq!(hex::encode(scalar), v.scalar, "{dir}: hash_to_scalar");
}

fn messages_to_scalars<C: Ciphersuite>(dir: &str) {
    let v: MapToScalarFile = load(format!("{dir}/MapMessageToScalarAsHash.json"));
    let api_id = [C::ID, b"H2G_HM2S_"].concat();
    assert_eq!(
        hex_bytes(&v.dst),
        [api_id.as_slice(), b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat()
    );
    let messages: Vec<Vec<u8>> = v.cases.iter().map(|c| hex_bytes(&c.message)).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let scalars: Vec<String> = hazmat::messages_to_scalars::<C>(&refs)
        .iter()
        .map(hex::encode)
        .collect();
    let expected: Vec<&String> = v.cases.iter().map(|c| &c.scalar).collect();
    assert_eq!(
        scalars.iter().collect::<Vec<_>>(),
        expected,
        "{dir}: messages_to_scalars"
    );
}

fn mocked_rng(dir: &str) -> MockedRngFile {
    load(format!("{dir}/mockedRng.json"))
}

fn mocked_random_scalars<C: Ciphersuite>(dir: &str) {
    let v = mocked_rng(dir);
    let scalars: Vec<String> =
        hazmat::seeded_random_scalars::<C>(&hex_bytes(&v.seed), &hex_bytes(&v.dst), v.count)
            .iter()
            .map(hex::encode)
            .collect();
    assert_eq!(scalars, v.mocked_scalars, "{dir}: seeded_random_scalars");
}

fn signatures<C: Ciphersuite>(dir: &str) {
    let (mut valid, mut invalid) = (0, 0);
    for file in files(&format!("{dir}/signature")) {
        let v: SignatureCase = load(&file);
        let header = hex_bytes(&v.header);
        let messages: Vec<Vec<u8>> = v.messages.iter().map(|m| hex_bytes(m)).collect();
        let messages: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_key_pair.public_key)).unwrap();
        let outcome = Signature::from_bytes(&hex_bytes(&v.signature))
            .and_then(|signature| ecert_bbs::verify::<C>(&pk, &signature, &header, &messages));
        if v.result.valid {
            valid += 1;
            assert_eq!(outcome, Ok(()), "{file}: {}", v.case_name);
            // Signing is deterministic: the same bytes come out.
            let sk = SecretKey::from_bytes(&hex_bytes(&v.signer_key_pair.secret_key)).unwrap();
            let signature = ecert_bbs::sign::<C>(&sk, &pk, &header, &messages).unwrap();
            assert_eq!(hex::encode(signature.to_bytes()), v.signature, "{file}: Sign");
        } else {
            invalid += 1;
            assert!(
                outcome.is_err(),
                "{file}: {} ({:?}) was accepted",
                v.case_name,
                v.result.reason
            );
        }
    }
    assert!(
        valid >= 3 && invalid >= 6,
        "{dir}: {valid} valid, {invalid} invalid signature cases"
    );
}

fn proofs<C: Ciphersuite>(dir: &str) {
    let rng = mocked_rng(dir);
    let (mut valid, mut invalid) = (0, 0);
    for file in files(&format!("{dir}/proof")) {
        let v: ProofCase = load(&file);
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_public_key)).unwrap();
        let header = hex_bytes(&v.header);
        let ph = hex_bytes(&v.presentation_header);
        let messages: Vec<Vec<u8>> = v.messages.iter().map(|m| hex_bytes(m)).collect();
        let messages: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let disclosed: Vec<(usize, &[u8])> = v
            .disclosed_indexes
            .iter()
            .map(|&i| (i, messages.get(i).copied().unwrap_or_default()))
            .collect();
        let outcome = Proof::from_bytes(&hex_bytes(&v.proof))
            .and_then(|proof| ecert_bbs::proof_verify::<C>(&pk, &proof, &header, &ph, &disclosed));
        if !v.result.valid {
            invalid += 1;
            assert!(
                outcome.is_err(),
                "{file}: {} ({:?}) was accepted",
                v.case_name,
                v.result.reason
            );
            continue;
        }
        valid += 1;
        assert_eq!(outcome, Ok(()), "{file}: {}", v.case_name);

        // ProofGen with the mocked scalars reproduces the proof byte for byte.
        let undisclosed = messages.len() - v.disclosed_indexes.len();
        let scalars =
            hazmat::seeded_random_scalars::<C>(&hex_bytes(&rng.seed), &hex_bytes(&rng.dst), 5 + undisclosed);
        let t = &v.trace.random_scalars;
        let traced: Vec<[u8; 32]> = [&t.r1, &t.r2, &t.e_tilde, &t.r1_tilde, &t.r3_tilde]
            .into_iter()
            .chain(&t.m_tilde_scalars)
            .map(|s| hex32(s))
            .collect();
        assert_eq!(scalars, traced, "{file}: mocked random scalars");
        let signature = Signature::from_bytes(&hex_bytes(&v.signature)).unwrap();
        let proof = hazmat::proof_gen_with_random_scalars::<C>(
            &pk,
            &signature,
            &header,
            &ph,
            &messages,
            &v.disclosed_indexes,
            &scalars,
        )
        .unwrap();
        assert_eq!(hex::encode(proof.to_bytes()), v.proof, "{file}: ProofGen");
        // The signature itself verifies too.
        assert_eq!(
            ecert_bbs::verify::<C>(&pk, &signature, &header, &messages),
            Ok(())
        );
    }
    assert!(
        valid >= 5 && invalid >= 9,
        "{dir}: {valid} valid, {invalid} invalid proof cases"
    );
}

#[test]
fn bls12_381_sha_256() {
    suite::<Bls12381Sha256>("bls12-381-sha-256");
}

#[test]
fn bls12_381_shake_256() {
    suite::<Bls12381Shake256>("bls12-381-shake-256");
}

/// The shared message list is the one the signature and proof vectors use.
#[test]
fn shared_messages_match_the_fixtures() {
    let messages: Vec<String> = load("messages.json");
    let v: SignatureCase = load("bls12-381-sha-256/signature/signature004.json");
    assert_eq!(messages, v.messages);
}

/// Negative cases with the reason the verifier gives: the opaque verification error, or the decoding
/// error for a proof whose shape is wrong.
#[test]
fn rejected_cases_fail_for_the_right_reason() {
    let v: ProofCase = load("bls12-381-sha-256/proof/proof004.json");
    let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_public_key)).unwrap();
    let proof = Proof::from_bytes(&hex_bytes(&v.proof)).unwrap();
    let messages: Vec<Vec<u8>> = v.messages.iter().map(|m| hex_bytes(m)).collect();
    let disclosed: Vec<(usize, &[u8])> = v
        .disclosed_indexes
        .iter()
        .map(|&i| (i, messages[i].as_slice()))
        .collect();
    let outcome = ecert_bbs::proof_verify::<Bls12381Sha256>(
        &pk,
        &proof,
        &hex_bytes(&v.header),
        &hex_bytes(&v.presentation_header),
        &disclosed,
    );
    assert_eq!(outcome, Err(Error::VerificationFailed));
    let mut truncated = hex_bytes(&v.proof);
    truncated.pop();
    assert_eq!(Proof::from_bytes(&truncated), Err(Error::MalformedProof));
}
