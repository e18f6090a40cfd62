//! The official test vectors of the Blind BBS draft (draft-irtf-cfrg-bbs-blind-signatures-02, its
//! fixtures under tests/vectors/blind) and of the pseudonym draft (draft-irtf-cfrg-bbs-per-verifier-
//! linkability-02/-03, tests/vectors/pseudonym), both suites, byte for byte: generators and blind
//! generators, commitments made with the mocked scalars, blind signatures, nym secrets, pseudonyms,
//! proofs made with the mocked scalars, and the verification of each. The vectors are all valid cases;
//! the refusals are in tests/extension_refusals.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

mod support;

use std::collections::BTreeMap;

use ecert_bbs::blind::{self, Commitment, ProverBlind};
use ecert_bbs::pseudonym::{self, NymSecrets, Pseudonym};
use ecert_bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, Proof, PublicKey, Scalar, SecretKey, Signature, hazmat,
};
use serde::Deserialize;
use support::{files, hex_bytes, hex32, load};

/// The mocked random scalars' seed: ASCII "3.141592653589793238462643383279".
const SEED: &[u8] = b"3.141592653589793238462643383279";

/// The mocked random scalars' tags, built on the core api_id for both interfaces.
fn commit_dst<C: Ciphersuite>() -> Vec<u8> {
    [C::ID, b"H2G_HM2S_COMMIT_MOCK_RANDOM_SCALARS_DST_"].concat()
}

fn proof_dst<C: Ciphersuite>() -> Vec<u8> {
    [C::ID, b"H2G_HM2S_PROOF_MOCK_RANDOM_SCALARS_DST_"].concat()
}

fn mocked<C: Ciphersuite>(dst: &[u8], count: usize) -> Vec<[u8; 32]> {
    let scalars = hazmat::seeded_random_scalars::<C>(SEED, dst, count);
    assert_eq!(scalars.len(), count);
    scalars
}

#[derive(Deserialize)]
struct Messages {
    messages: Vec<String>,
    #[serde(rename = "committedMessages")]
    committed_messages: Vec<String>,
}

fn bytes_list(list: &[String]) -> Vec<Vec<u8>> {
    list.iter().map(|m| hex_bytes(m)).collect()
}

fn refs(list: &[Vec<u8>]) -> Vec<&[u8]> {
    list.iter().map(Vec::as_slice).collect()
}

fn scalars(list: &[String]) -> Vec<Scalar> {
    list.iter()
        .map(|s| Scalar::from_be_bytes(&hex32(s)).unwrap())
        .collect()
}

#[derive(Deserialize)]
struct GeneratorsFile {
    generators: GeneratorList,
    #[serde(rename = "blindGenerators")]
    blind_generators: GeneratorList,
}

#[derive(Deserialize)]
struct GeneratorList {
    api_id: String,
    #[serde(rename = "P1")]
    p1: String,
    #[serde(rename = "Q1")]
    q1: String,
    #[serde(rename = "MsgGenerators")]
    msg_generators: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyPair {
    secret_key: String,
    public_key: String,
}

#[derive(Deserialize)]
struct Expected {
    valid: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommitCase {
    case_name: String,
    committed_messages: Vec<String>,
    #[serde(default)]
    prover_nyms: Vec<String>,
    prover_blind: String,
    commitment_with_proof: String,
    result: Expected,
    trace: CommitTrace,
}

#[derive(Deserialize)]
struct CommitTrace {
    random_scalars: CommitScalars,
}

#[derive(Deserialize)]
struct CommitScalars {
    s_tilde: String,
    m_tildes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignatureCase {
    case_name: String,
    signer_key_pair: KeyPair,
    commitment_with_proof: Option<String>,
    header: String,
    messages: Vec<String>,
    committed_messages: Option<Vec<String>>,
    prover_blind: Option<String>,
    #[serde(default)]
    prover_nyms: Vec<String>,
    #[serde(default, rename = "signer_nym_entropy")]
    signer_nym_entropy: Option<String>,
    #[serde(default, rename = "nym_secrets")]
    nym_secrets: Vec<String>,
    signature: String,
    result: Expected,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProofCase {
    case_name: String,
    signer_public_key: String,
    signature: String,
    commitment_with_proof: Option<String>,
    prover_blind: Option<String>,
    header: String,
    presentation_header: String,
    revealed_messages: BTreeMap<usize, String>,
    revealed_committed_messages: Option<BTreeMap<usize, String>>,
    #[serde(rename = "L")]
    l: usize,
    proof: String,
    #[serde(default, rename = "nym_secrets")]
    nym_secrets: Vec<String>,
    #[serde(default, rename = "context_id")]
    context_id: Option<String>,
    #[serde(default)]
    pseudonym: Option<String>,
    result: Expected,
    trace: ProofTrace,
}

/// Four of the SHAKE-256 pseudonym fixtures spell `randomScalars`.
#[derive(Deserialize)]
struct ProofTrace {
    #[serde(alias = "randomScalars")]
    random_scalars: ProofScalars,
}

/// The blind fixtures spell `e_tilde`, the pseudonym ones `e_Tilde`.
#[derive(Deserialize)]
struct ProofScalars {
    r1: String,
    r2: String,
    #[serde(alias = "e_Tilde")]
    e_tilde: String,
    #[serde(alias = "r1_Tilde")]
    r1_tilde: String,
    #[serde(alias = "r3_Tilde")]
    r3_tilde: String,
    m_tilde_scalars: Vec<String>,
}

impl ProofScalars {
    fn all(&self) -> Vec<[u8; 32]> {
        [&self.r1, &self.r2, &self.e_tilde, &self.r1_tilde, &self.r3_tilde]
            .into_iter()
            .chain(&self.m_tilde_scalars)
            .map(|s| hex32(s))
            .collect()
    }
}

fn check_generators<C: Ciphersuite>(file: &str, api_id: &[u8], blind_count: usize) {
    let v: GeneratorsFile = load(file);
    assert_eq!(v.generators.api_id.as_bytes(), api_id, "{file}: api_id");
    let blind_api_id = [b"BLIND_".as_slice(), api_id].concat();
    assert_eq!(
        v.blind_generators.api_id.as_bytes(),
        blind_api_id,
        "{file}: blind api_id"
    );
    for list in [&v.generators, &v.blind_generators] {
        assert_eq!(hex::encode(hazmat::p1::<C>()), list.p1, "{file}: P1");
        let count = list.msg_generators.len() + 1;
        let made: Vec<String> = hazmat::create_generators_with_api_id::<C>(count, list.api_id.as_bytes())
            .unwrap()
            .iter()
            .map(hex::encode)
            .collect();
        assert_eq!(made[0], list.q1, "{file}: Q of {}", list.api_id);
        assert_eq!(
            made[1..],
            list.msg_generators[..],
            "{file}: generators of {}",
            list.api_id
        );
    }
    assert_eq!(v.blind_generators.msg_generators.len(), blind_count, "{file}");
}

fn commitments<C: Ciphersuite>(dir: &str, with_nyms: bool) -> usize {
    let mut count = 0;
    for file in files(dir) {
        let v: CommitCase = load(&file);
        assert!(v.result.valid, "{file}");
        let committed = bytes_list(&v.committed_messages);
        let nyms = NymSecrets::new(scalars(&v.prover_nyms));
        // (secret_prover_blind, s~, m~_1, ..., m~_(M [+ N]))
        let m = committed.len() + v.prover_nyms.len();
        let random = mocked::<C>(&commit_dst::<C>(), m + 2);
        let traced: Vec<[u8; 32]> = std::iter::once(&v.trace.random_scalars.s_tilde)
            .chain(&v.trace.random_scalars.m_tildes)
            .map(|s| hex32(s))
            .collect();
        assert_eq!(random[1..], traced[..], "{file}: mocked scalars");
        let (commitment, prover_blind) = if with_nyms {
            hazmat::commit_with_nym_with_random_scalars::<C>(&refs(&committed), &nyms.unwrap(), &random)
        } else {
            hazmat::commit_with_random_scalars::<C>(&refs(&committed), &random)
        }
        .unwrap();
        assert_eq!(
            hex::encode(commitment.to_bytes()),
            v.commitment_with_proof,
            "{file}: {}",
            v.case_name
        );
        assert_eq!(
            hex::encode(prover_blind.to_bytes()),
            v.prover_blind,
            "{file}: prover blind"
        );
        assert_eq!(commitment.committed_count(), m);
        // The encoding decodes to the same commitment.
        let decoded = Commitment::from_bytes(&hex_bytes(&v.commitment_with_proof)).unwrap();
        assert_eq!(decoded, commitment);
        assert_eq!(
            ProverBlind::from_bytes(&hex_bytes(&v.prover_blind)).unwrap(),
            prover_blind
        );
        count += 1;
    }
    count
}

fn blind_signatures<C: Ciphersuite>(dir: &str) -> usize {
    let mut count = 0;
    for file in files(dir) {
        let v: SignatureCase = load(&file);
        assert!(v.result.valid, "{file}");
        let sk = SecretKey::from_bytes(&hex_bytes(&v.signer_key_pair.secret_key)).unwrap();
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_key_pair.public_key)).unwrap();
        let header = hex_bytes(&v.header);
        let messages = bytes_list(&v.messages);
        let committed = bytes_list(v.committed_messages.as_deref().unwrap_or_default());
        let commitment = v
            .commitment_with_proof
            .as_deref()
            .map(|c| Commitment::from_bytes(&hex_bytes(c)).unwrap());
        let prover_blind = v
            .prover_blind
            .as_deref()
            .map(|b| ProverBlind::from_bytes(&hex_bytes(b)).unwrap());
        // BlindSign is deterministic: the same bytes come out.
        let signature =
            blind::blind_sign::<C>(&sk, &pk, commitment.as_ref(), &header, &refs(&messages)).unwrap();
        assert_eq!(
            hex::encode(signature.to_bytes()),
            v.signature,
            "{file}: {}",
            v.case_name
        );
        let signature = Signature::from_bytes(&hex_bytes(&v.signature)).unwrap();
        blind::verify_blind_sign::<C>(
            &pk,
            &signature,
            &header,
            &refs(&messages),
            &refs(&committed),
            prover_blind.as_ref(),
        )
        .unwrap_or_else(|e| panic!("{file}: VerifyBlindSign: {e}"));
        count += 1;
    }
    count
}

fn nym_signatures<C: Ciphersuite>(dir: &str) -> usize {
    let mut count = 0;
    for file in files(dir) {
        let v: SignatureCase = load(&file);
        assert!(v.result.valid, "{file}");
        let sk = SecretKey::from_bytes(&hex_bytes(&v.signer_key_pair.secret_key)).unwrap();
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_key_pair.public_key)).unwrap();
        let header = hex_bytes(&v.header);
        let messages = bytes_list(&v.messages);
        let committed = bytes_list(v.committed_messages.as_deref().unwrap_or_default());
        let commitment =
            Commitment::from_bytes(&hex_bytes(v.commitment_with_proof.as_deref().unwrap())).unwrap();
        let prover_blind = ProverBlind::from_bytes(&hex_bytes(v.prover_blind.as_deref().unwrap())).unwrap();
        let prover_nyms = NymSecrets::new(scalars(&v.prover_nyms)).unwrap();
        let entropy = Scalar::from_be_bytes(&hex32(v.signer_nym_entropy.as_deref().unwrap())).unwrap();
        let signature = pseudonym::blind_sign_with_nym::<C>(
            &sk,
            &pk,
            &commitment,
            prover_nyms.len(),
            &entropy,
            &header,
            &refs(&messages),
        )
        .unwrap();
        assert_eq!(
            hex::encode(signature.to_bytes()),
            v.signature,
            "{file}: {}",
            v.case_name
        );
        let nym_secrets = pseudonym::verify_finalize_with_nym::<C>(
            &pk,
            &signature,
            &header,
            &refs(&messages),
            &refs(&committed),
            &prover_nyms,
            &entropy,
            &prover_blind,
        )
        .unwrap_or_else(|e| panic!("{file}: VerifyFinalizeWithNym: {e}"));
        assert!(
            nym_secrets == NymSecrets::new(scalars(&v.nym_secrets)).unwrap(),
            "{file}: nym_secrets"
        );
        count += 1;
    }
    count
}

/// The disclosed indexes and the whole lists a proof fixture was made from: the shared messages, and the
/// shared committed messages when the signature had a commitment.
struct Disclosure {
    messages: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
    indexes: Vec<usize>,
    committed_indexes: Vec<usize>,
}

impl Disclosure {
    fn of(v: &ProofCase, shared: &Messages) -> Disclosure {
        let messages = bytes_list(&shared.messages);
        let committed = if v.commitment_with_proof.is_some() {
            bytes_list(&shared.committed_messages)
        } else {
            Vec::new()
        };
        assert_eq!(messages.len(), v.l);
        let revealed_committed = v.revealed_committed_messages.clone().unwrap_or_default();
        // The revealed values are the shared ones at those indexes.
        for (i, m) in &v.revealed_messages {
            assert_eq!(&hex_bytes(m), &messages[*i]);
        }
        for (j, m) in &revealed_committed {
            assert_eq!(&hex_bytes(m), &committed[*j]);
        }
        Disclosure {
            messages,
            committed,
            indexes: v.revealed_messages.keys().copied().collect(),
            committed_indexes: revealed_committed.keys().copied().collect(),
        }
    }

    fn disclosed(&self) -> Vec<(usize, &[u8])> {
        self.indexes
            .iter()
            .map(|&i| (i, self.messages[i].as_slice()))
            .collect()
    }

    fn disclosed_committed(&self) -> Vec<(usize, &[u8])> {
        self.committed_indexes
            .iter()
            .map(|&j| (j, self.committed[j].as_slice()))
            .collect()
    }

    /// `U`: the hidden signer messages, the prover blind, the hidden committed messages (and nyms).
    fn undisclosed(&self, nyms: usize) -> usize {
        (self.messages.len() - self.indexes.len())
            + 1
            + (self.committed.len() - self.committed_indexes.len())
            + nyms
    }
}

fn blind_proofs<C: Ciphersuite>(dir: &str, shared: &Messages) -> usize {
    let mut count = 0;
    for file in files(dir) {
        let v: ProofCase = load(&file);
        assert!(v.result.valid, "{file}");
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_public_key)).unwrap();
        let signature = Signature::from_bytes(&hex_bytes(&v.signature)).unwrap();
        let (header, ph) = (hex_bytes(&v.header), hex_bytes(&v.presentation_header));
        let d = Disclosure::of(&v, shared);
        let prover_blind = v
            .prover_blind
            .as_deref()
            .map(|b| ProverBlind::from_bytes(&hex_bytes(b)).unwrap());
        let random = mocked::<C>(&proof_dst::<C>(), 5 + d.undisclosed(0));
        assert_eq!(random, v.trace.random_scalars.all(), "{file}: mocked scalars");
        let proof = hazmat::blind_proof_gen_with_random_scalars::<C>(
            &pk,
            &signature,
            &header,
            &ph,
            &refs(&d.messages),
            &refs(&d.committed),
            &d.indexes,
            &d.committed_indexes,
            prover_blind.as_ref(),
            &random,
        )
        .unwrap();
        assert_eq!(hex::encode(proof.to_bytes()), v.proof, "{file}: {}", v.case_name);
        let proof = Proof::from_bytes(&hex_bytes(&v.proof)).unwrap();
        blind::blind_proof_verify::<C>(
            &pk,
            &proof,
            &header,
            &ph,
            v.l,
            &d.disclosed(),
            &d.disclosed_committed(),
        )
        .unwrap_or_else(|e| panic!("{file}: BlindProofVerify: {e}"));
        count += 1;
    }
    count
}

fn nym_proofs<C: Ciphersuite>(dir: &str, shared: &Messages) -> usize {
    let mut count = 0;
    for file in files(dir) {
        let v: ProofCase = load(&file);
        assert!(v.result.valid, "{file}");
        let pk = PublicKey::from_bytes(&hex_bytes(&v.signer_public_key)).unwrap();
        let signature = Signature::from_bytes(&hex_bytes(&v.signature)).unwrap();
        let (header, ph) = (hex_bytes(&v.header), hex_bytes(&v.presentation_header));
        let context_id = hex_bytes(v.context_id.as_deref().unwrap());
        let d = Disclosure::of(&v, shared);
        let prover_blind = ProverBlind::from_bytes(&hex_bytes(v.prover_blind.as_deref().unwrap())).unwrap();
        let nym_secrets = NymSecrets::new(scalars(&v.nym_secrets)).unwrap();
        let expected = Pseudonym::from_bytes(&hex_bytes(v.pseudonym.as_deref().unwrap())).unwrap();
        assert_eq!(
            pseudonym::calculate_pseudonym::<C>(&context_id, &nym_secrets).unwrap(),
            expected,
            "{file}: pseudonym"
        );
        let random = mocked::<C>(&proof_dst::<C>(), 5 + d.undisclosed(nym_secrets.len()));
        assert_eq!(random, v.trace.random_scalars.all(), "{file}: mocked scalars");
        let (proof, nym) = hazmat::proof_gen_with_nym_with_random_scalars::<C>(
            &pk,
            &signature,
            &header,
            &ph,
            &nym_secrets,
            &context_id,
            &refs(&d.messages),
            &refs(&d.committed),
            &d.indexes,
            &d.committed_indexes,
            &prover_blind,
            &random,
        )
        .unwrap();
        assert_eq!(hex::encode(proof.to_bytes()), v.proof, "{file}: {}", v.case_name);
        assert_eq!(nym, expected, "{file}: ProofGenWithNym's pseudonym");
        let proof = Proof::from_bytes(&hex_bytes(&v.proof)).unwrap();
        pseudonym::proof_verify_with_nym::<C>(
            &pk,
            &proof,
            &header,
            &ph,
            &expected,
            &context_id,
            nym_secrets.len(),
            v.l,
            &d.disclosed(),
            &d.disclosed_committed(),
        )
        .unwrap_or_else(|e| panic!("{file}: ProofVerifyWithNym: {e}"));
        count += 1;
    }
    count
}

fn blind_suite<C: Ciphersuite>(dir: &str) {
    let root = format!("blind/{dir}");
    check_generators::<C>(&format!("{root}/generators.json"), &blind::api_id::<C>(), 5);
    assert_eq!(blind::api_id::<C>(), [C::ID, b"BLIND_H2G_HM2S_"].concat());
    let shared: Messages = load("blind/messages.json");
    assert_eq!(commitments::<C>(&format!("{root}/commit"), false), 2);
    assert_eq!(blind_signatures::<C>(&format!("{root}/signature")), 5);
    assert_eq!(blind_proofs::<C>(&format!("{root}/proof"), &shared), 8);
}

fn pseudonym_suite<C: Ciphersuite>(dir: &str) {
    let root = format!("pseudonym/{dir}");
    check_generators::<C>(&format!("{root}/generators.json"), &pseudonym::api_id::<C>(), 6);
    assert_eq!(pseudonym::api_id::<C>(), [C::ID, b"H2G_HM2S_PSEUDONYM_"].concat());
    let shared: Messages = load("pseudonym/messages.json");
    assert_eq!(commitments::<C>(&format!("{root}/nymCommit"), true), 4);
    assert_eq!(nym_signatures::<C>(&format!("{root}/nymSignature")), 6);
    assert_eq!(nym_proofs::<C>(&format!("{root}/nymProof"), &shared), 11);
}

#[test]
fn blind_bls12_381_sha_256() {
    blind_suite::<Bls12381Sha256>("bls12-381-sha-256");
}

#[test]
fn blind_bls12_381_shake_256() {
    blind_suite::<Bls12381Shake256>("bls12-381-shake-256");
}

#[test]
fn pseudonym_bls12_381_sha_256() {
    pseudonym_suite::<Bls12381Sha256>("bls12-381-sha-256");
}

#[test]
fn pseudonym_bls12_381_shake_256() {
    pseudonym_suite::<Bls12381Shake256>("bls12-381-shake-256");
}
