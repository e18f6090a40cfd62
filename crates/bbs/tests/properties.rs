//! Property tests of ecert-bbs over both ciphersuites, BLS12-381-SHA-256 and BLS12-381-SHAKE-256:
//!
//! - Sign/Verify and ProofGen/ProofVerify round trips for 0 to 32 messages (empty messages included)
//!   with random disclosed subsets (none, some, all), through the octet-string interface and through
//!   the core scalar interface ([`Interface::new`]) with integer and hashed scalars;
//! - a flipped bit in the signature, the proof, the header, the presentation header or any signed or
//!   disclosed message is rejected;
//! - every encoding round trips, and `from_bytes` of arbitrary bytes never panics, accepts exactly the
//!   canonical encodings it documents and re-encodes them byte for byte.
//!
//! Pairing operations cost milliseconds, so the cryptographic properties run few cases each
//! ([`CRYPTO_CASES`]); every case draws its proof randomness from a proptest-generated seed, so a
//! failure reproduces.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::sync::LazyLock;

use ecert_bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, Error, Interface, PROOF_MIN_BYTES, Proof, PublicKey,
    SIGNATURE_BYTES, Scalar, SecretKey, Signature, hazmat, proof_gen, proof_verify, sign, verify,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The most messages a case signs.
const MAX_MESSAGES: usize = 32;

/// Cases per property that signs, proves or verifies.
const CRYPTO_CASES: u32 = 24;

/// Cases per property that only decodes.
const DECODE_CASES: u32 = 512;

/// Bytes of an encoded scalar.
const SCALAR_BYTES: usize = 32;

/// Bytes of a compressed G1 point.
const G1_BYTES: usize = 48;

/// Bytes of a compressed G2 point (a public key).
const G2_BYTES: usize = 96;

/// r, the order of BLS12-381's groups, big-endian.
const R: [u8; SCALAR_BYTES] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53,
    0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

fn crypto_config() -> ProptestConfig {
    ProptestConfig {
        cases: CRYPTO_CASES,
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

fn decode_config() -> ProptestConfig {
    ProptestConfig {
        cases: DECODE_CASES,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------

/// One message: often empty, otherwise up to 48 arbitrary bytes.
fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(Vec::new()),
        3 => vec(any::<u8>(), 1..48),
    ]
}

/// Disclosed indexes out of `n` messages, ascending, at least `min` of them: the first `min` (none when
/// `min` is 0), all, or a random subset.
fn disclosure(n: usize, min: usize) -> impl Strategy<Value = Vec<usize>> {
    let all: Vec<usize> = (0..n).collect();
    prop_oneof![
        1 => Just(all[..min].to_vec()),
        1 => Just(all.clone()),
        2 => subsequence(all, min..=n),
    ]
}

/// A key, a header and messages to sign.
#[derive(Clone, Debug)]
struct SignCase {
    key_material: [u8; 32],
    key_info: Vec<u8>,
    header: Vec<u8>,
    messages: Vec<Vec<u8>>,
}

prop_compose! {
    fn sign_case(min_messages: usize, min_header: usize)(
        key_material in any::<[u8; 32]>(),
        key_info in vec(any::<u8>(), 0..16),
        header in vec(any::<u8>(), min_header..64),
        messages in vec(message(), min_messages..=MAX_MESSAGES),
    ) -> SignCase {
        SignCase { key_material, key_info, header, messages }
    }
}

/// A signature to make and a proof of it to derive.
#[derive(Clone, Debug)]
struct ProofCase {
    sign: SignCase,
    presentation_header: Vec<u8>,
    disclosed: Vec<usize>,
    /// Hand ProofGen the disclosed indexes in descending order with repeats, which must not matter.
    scramble: bool,
    seed: u64,
}

prop_compose! {
    fn proof_case(min_messages: usize, min_disclosed: usize, min_header: usize)
        (sign in sign_case(min_messages, min_header))
        (
            disclosed in disclosure(sign.messages.len(), min_disclosed),
            sign in Just(sign),
            presentation_header in vec(any::<u8>(), min_header..64),
            scramble in any::<bool>(),
            seed in any::<u64>(),
        ) -> ProofCase {
        ProofCase { sign, presentation_header, disclosed, scramble, seed }
    }
}

/// Where to flip bits in a proof case.
#[derive(Clone, Debug)]
struct FlipCase {
    case: ProofCase,
    /// Bits of the signature (or proof) to flip, one at a time.
    object_bits: Vec<Index>,
    header_bit: Index,
    presentation_header_bit: Index,
    /// Which message (signature) or which disclosed message (proof) to alter, and where.
    message: Index,
    message_bit: Index,
}

prop_compose! {
    fn flip_case(min_disclosed: usize)(
        case in proof_case(1, min_disclosed, 1),
        object_bits in vec(any::<Index>(), 1..6),
        header_bit in any::<Index>(),
        presentation_header_bit in any::<Index>(),
        message in any::<Index>(),
        message_bit in any::<Index>(),
    ) -> FlipCase {
        FlipCase { case, object_bits, header_bit, presentation_header_bit, message, message_bit }
    }
}

/// A message of the core interface: an integer or hashed bytes.
#[derive(Clone, Debug)]
enum CoreMessage {
    Int(u64),
    Hashed(Vec<u8>),
}

fn core_message() -> impl Strategy<Value = CoreMessage> {
    prop_oneof![
        prop_oneof![Just(0u64), Just(1), Just(u64::MAX), 0..100_000u64, any::<u64>()]
            .prop_map(CoreMessage::Int),
        message().prop_map(CoreMessage::Hashed),
    ]
}

/// A core-interface case: an api_id suffix out of a few (generators are cached per api_id, so a few
/// keep the cache small), scalar messages, a disclosure and a tampering target.
#[derive(Clone, Debug)]
struct CoreCase {
    api_suffix: &'static [u8],
    key_material: [u8; 32],
    header: Vec<u8>,
    presentation_header: Vec<u8>,
    messages: Vec<CoreMessage>,
    disclosed: Vec<usize>,
    tamper: Index,
    seed: u64,
}

prop_compose! {
    fn core_case()
        (messages in vec(core_message(), 0..=MAX_MESSAGES))
        (
            disclosed in disclosure(messages.len(), 0),
            messages in Just(messages),
            api_suffix in prop::sample::select(vec![&b"H2G_ECERT1_"[..], b"H2G_", b"TEST_API_ID_"]),
            key_material in any::<[u8; 32]>(),
            header in vec(any::<u8>(), 0..32),
            presentation_header in vec(any::<u8>(), 0..32),
            tamper in any::<Index>(),
            seed in any::<u64>(),
        ) -> CoreCase {
        CoreCase { api_suffix, key_material, header, presentation_header, messages, disclosed, tamper, seed }
    }
}

/// 32 bytes that are often at or around a scalar boundary: 0, 1, r - 1, r, r + 1, all ones, a small
/// integer, or arbitrary.
fn scalar_octets() -> impl Strategy<Value = [u8; SCALAR_BYTES]> {
    let near_r = |delta: i8| {
        let mut bytes = R;
        bytes[SCALAR_BYTES - 1] = bytes[SCALAR_BYTES - 1].wrapping_add_signed(delta);
        bytes
    };
    prop_oneof![
        1 => Just([0u8; SCALAR_BYTES]),
        1 => Just(near_r(-1)),
        1 => Just(R),
        1 => Just(near_r(1)),
        1 => Just([0xff; SCALAR_BYTES]),
        1 => any::<u64>().prop_map(|v| {
            let mut bytes = [0u8; SCALAR_BYTES];
            bytes[SCALAR_BYTES - 8..].copy_from_slice(&v.to_be_bytes());
            bytes
        }),
        3 => any::<[u8; SCALAR_BYTES]>(),
    ]
}

/// Whether 32 big-endian bytes are an integer below r.
fn below_r(bytes: &[u8; SCALAR_BYTES]) -> bool {
    *bytes < R
}

/// Whether 32 big-endian bytes are an integer in 1..r-1.
fn nonzero_below_r(bytes: &[u8; SCALAR_BYTES]) -> bool {
    below_r(bytes) && *bytes != [0u8; SCALAR_BYTES]
}

/// Valid encodings, made once: a public key, a signature and a proof hiding two of three messages.
struct Valid {
    public_key: [u8; G2_BYTES],
    signature: [u8; SIGNATURE_BYTES],
    proof: Vec<u8>,
}

static VALID: LazyLock<Valid> = LazyLock::new(|| {
    let sk = SecretKey::key_gen::<Bls12381Sha256>(&[0x42; 32], b"properties", None).unwrap();
    let pk = sk.public_key();
    let messages: [&[u8]; 3] = [b"one", b"", b"three"];
    let signature = sign::<Bls12381Sha256>(&sk, &pk, b"header", &messages).unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let proof =
        proof_gen::<Bls12381Sha256, _>(&mut rng, &pk, &signature, b"header", b"ph", &messages, &[1]).unwrap();
    Valid {
        public_key: pk.to_bytes(),
        signature: signature.to_bytes(),
        proof: proof.to_bytes(),
    }
});

/// Arbitrary bytes, biased towards the lengths the decoders accept.
fn arbitrary_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..700),
        scalar_octets().prop_map(Vec::from),
        vec(any::<u8>(), G2_BYTES),
        vec(any::<u8>(), SIGNATURE_BYTES),
        (0..6usize).prop_flat_map(|u| vec(any::<u8>(), PROOF_MIN_BYTES + SCALAR_BYTES * u)),
    ]
}

/// A valid encoding (public key, signature or proof) with a few bits flipped, truncated or extended:
/// the near misses a decoder is most likely to get wrong.
fn mutated_valid_bytes() -> impl Strategy<Value = Vec<u8>> {
    let base = prop_oneof![
        Just(VALID.public_key.to_vec()),
        Just(VALID.signature.to_vec()),
        Just(VALID.proof.clone()),
    ];
    (
        base,
        vec(any::<Index>(), 0..4),
        any::<Index>(),
        vec(any::<u8>(), 0..40),
        0..3u8,
    )
        .prop_map(|(mut bytes, bits, cut, tail, shape)| {
            for bit in &bits {
                flip_bit(&mut bytes, bit);
            }
            match shape {
                0 => bytes.truncate(cut.index(bytes.len() + 1)),
                1 => bytes.extend_from_slice(&tail),
                _ => {}
            }
            bytes
        })
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// Flips one bit of `bytes`, chosen by `bit`. `bytes` must not be empty.
fn flip_bit(bytes: &mut [u8], bit: &Index) {
    let i = bit.index(bytes.len() * 8);
    bytes[i / 8] ^= 1 << (i % 8);
}

/// `bytes` with one bit flipped.
fn flipped(bytes: &[u8], bit: &Index) -> Vec<u8> {
    let mut out = bytes.to_vec();
    flip_bit(&mut out, bit);
    out
}

/// A different message: one bit flipped, or for the empty message a single zero byte (an empty message
/// has no bit to flip, and must not be confused with `[0]`).
fn altered_message(message: &[u8], bit: &Index) -> Vec<u8> {
    if message.is_empty() {
        vec![0]
    } else {
        flipped(message, bit)
    }
}

/// A different scalar, still below r: the lowest set bit cleared, or 1 for zero.
fn altered_scalar(scalar: &Scalar) -> Scalar {
    let mut bytes = scalar.to_be_bytes();
    match bytes.iter().rposition(|&b| b != 0) {
        Some(i) => bytes[i] &= bytes[i] - 1,
        None => bytes[SCALAR_BYTES - 1] = 1,
    }
    Scalar::from_be_bytes(&bytes).unwrap()
}

fn as_slices(messages: &[Vec<u8>]) -> Vec<&[u8]> {
    messages.iter().map(Vec::as_slice).collect()
}

fn key_pair<C: Ciphersuite>(case: &SignCase) -> (SecretKey, PublicKey) {
    let sk = SecretKey::key_gen::<C>(&case.key_material, &case.key_info, None).unwrap();
    let pk = sk.public_key();
    (sk, pk)
}

/// The disclosed indexes as handed to ProofGen: as drawn, or descending with every index twice.
fn proof_gen_indexes(case: &ProofCase) -> Vec<usize> {
    if case.scramble {
        case.disclosed
            .iter()
            .rev()
            .chain(&case.disclosed)
            .copied()
            .collect()
    } else {
        case.disclosed.clone()
    }
}

/// `(index, message)` pairs of the disclosed messages, ascending.
fn disclosed_pairs<'a>(messages: &'a [Vec<u8>], disclosed: &[usize]) -> Vec<(usize, &'a [u8])> {
    disclosed.iter().map(|&i| (i, messages[i].as_slice())).collect()
}

/// Signs the case's messages and derives the case's proof.
fn signed_and_proved<C: Ciphersuite>(case: &ProofCase) -> (PublicKey, Signature, Proof) {
    let s = &case.sign;
    let (sk, pk) = key_pair::<C>(s);
    let messages = as_slices(&s.messages);
    let signature = sign::<C>(&sk, &pk, &s.header, &messages).unwrap();
    let mut rng = StdRng::seed_from_u64(case.seed);
    let proof = proof_gen::<C, _>(
        &mut rng,
        &pk,
        &signature,
        &s.header,
        &case.presentation_header,
        &messages,
        &proof_gen_indexes(case),
    )
    .unwrap();
    (pk, signature, proof)
}

// ---------------------------------------------------------------------------------------------------
// Properties, generic over the ciphersuite
// ---------------------------------------------------------------------------------------------------

/// KeyGen is deterministic, and the secret and public keys round trip through their encodings.
fn check_key_round_trip<C: Ciphersuite>(case: &SignCase) -> Result<(), TestCaseError> {
    let (sk, pk) = key_pair::<C>(case);
    let (sk_again, _) = key_pair::<C>(case);
    prop_assert_eq!(&sk, &sk_again);

    let decoded_sk = SecretKey::from_bytes(&sk.to_bytes()).unwrap();
    prop_assert_eq!(&decoded_sk, &sk);
    prop_assert_eq!(decoded_sk.to_bytes(), sk.to_bytes());
    prop_assert_eq!(decoded_sk.public_key(), pk.clone());

    let decoded_pk = PublicKey::from_bytes(&pk.to_bytes()).unwrap();
    prop_assert_eq!(&decoded_pk, &pk);
    prop_assert_eq!(decoded_pk.to_bytes(), pk.to_bytes());

    // Too little key material is refused; other key info gives another key.
    let short = &case.key_material[..case.header.len() % 32];
    prop_assert_eq!(
        SecretKey::key_gen::<C>(short, &case.key_info, None).err(),
        Some(Error::KeyMaterialTooShort)
    );
    let mut other_info = case.key_info.clone();
    other_info.push(0);
    let other = SecretKey::key_gen::<C>(&case.key_material, &other_info, None).unwrap();
    prop_assert_ne!(other.public_key(), pk);
    Ok(())
}

/// Sign then Verify accepts; signing is deterministic, agrees with CoreSign over the hashed messages,
/// and the signature round trips through its encoding. Another key, a missing message, an extra
/// message or a mismatched key pair is refused.
fn check_sign_verify<C: Ciphersuite>(case: &SignCase) -> Result<(), TestCaseError> {
    let (sk, pk) = key_pair::<C>(case);
    let messages = as_slices(&case.messages);
    let signature = sign::<C>(&sk, &pk, &case.header, &messages).unwrap();
    prop_assert_eq!(verify::<C>(&pk, &signature, &case.header, &messages), Ok(()));
    prop_assert_eq!(&sign::<C>(&sk, &pk, &case.header, &messages).unwrap(), &signature);

    let bytes = signature.to_bytes();
    let decoded = Signature::from_bytes(&bytes).unwrap();
    prop_assert_eq!(&decoded, &signature);
    prop_assert_eq!(decoded.to_bytes(), bytes);
    prop_assert_eq!(verify::<C>(&pk, &decoded, &case.header, &messages), Ok(()));

    // The octet-string interface is the core interface over hashed messages.
    let interface = Interface::<C>::signatures();
    let scalars: Vec<Scalar> = messages
        .iter()
        .map(|m| interface.map_message_to_scalar(m))
        .collect();
    let scalar_bytes: Vec<[u8; SCALAR_BYTES]> = scalars.iter().map(Scalar::to_be_bytes).collect();
    prop_assert_eq!(hazmat::messages_to_scalars::<C>(&messages), scalar_bytes);
    prop_assert_eq!(
        &interface.core_sign(&sk, &pk, &case.header, &scalars).unwrap(),
        &signature
    );

    let mut other_material = case.key_material;
    other_material[0] ^= 1;
    let other_sk = SecretKey::key_gen::<C>(&other_material, &case.key_info, None).unwrap();
    let other_pk = other_sk.public_key();
    prop_assert_eq!(
        verify::<C>(&other_pk, &signature, &case.header, &messages),
        Err(Error::VerificationFailed)
    );
    prop_assert_eq!(
        sign::<C>(&sk, &other_pk, &case.header, &messages).err(),
        Some(Error::KeyMismatch)
    );
    if let Some((_, fewer)) = messages.split_last() {
        prop_assert_eq!(
            verify::<C>(&pk, &signature, &case.header, fewer),
            Err(Error::VerificationFailed)
        );
    }
    let mut more = messages.clone();
    more.push(b"");
    prop_assert_eq!(
        verify::<C>(&pk, &signature, &case.header, &more),
        Err(Error::VerificationFailed)
    );
    Ok(())
}

/// ProofGen then ProofVerify accepts, for any disclosed subset handed over in any order with repeats;
/// the proof hides exactly the undisclosed messages, has the documented length, round trips through its
/// encoding and is fresh each time. Out-of-range or non-ascending indexes and another key are refused.
fn check_proof_round_trip<C: Ciphersuite>(case: &ProofCase) -> Result<(), TestCaseError> {
    let s = &case.sign;
    let (pk, signature, proof) = signed_and_proved::<C>(case);
    let messages = as_slices(&s.messages);
    let ph = &case.presentation_header;
    let disclosed = disclosed_pairs(&s.messages, &case.disclosed);
    prop_assert_eq!(proof_verify::<C>(&pk, &proof, &s.header, ph, &disclosed), Ok(()));

    let hidden = messages.len() - case.disclosed.len();
    prop_assert_eq!(proof.undisclosed_count(), hidden);
    let bytes = proof.to_bytes();
    prop_assert_eq!(bytes.len(), PROOF_MIN_BYTES + SCALAR_BYTES * hidden);
    let decoded = Proof::from_bytes(&bytes).unwrap();
    prop_assert_eq!(&decoded, &proof);
    prop_assert_eq!(decoded.to_bytes(), bytes.clone());
    prop_assert_eq!(
        proof_verify::<C>(&pk, &decoded, &s.header, ph, &disclosed),
        Ok(())
    );

    // Fresh randomness, fresh proof: unlinkable bytes that verify all the same.
    let mut rng = StdRng::seed_from_u64(case.seed.wrapping_add(1));
    let again = proof_gen::<C, _>(
        &mut rng,
        &pk,
        &signature,
        &s.header,
        ph,
        &messages,
        &case.disclosed,
    )
    .unwrap();
    prop_assert_ne!(again.to_bytes(), bytes);
    prop_assert_eq!(proof_verify::<C>(&pk, &again, &s.header, ph, &disclosed), Ok(()));

    let mut out_of_range = case.disclosed.clone();
    out_of_range.push(messages.len());
    prop_assert_eq!(
        proof_gen::<C, _>(&mut rng, &pk, &signature, &s.header, ph, &messages, &out_of_range).err(),
        Some(Error::DisclosedIndexOutOfRange)
    );
    if disclosed.len() >= 2 {
        let descending: Vec<_> = disclosed.iter().rev().copied().collect();
        prop_assert_eq!(
            proof_verify::<C>(&pk, &proof, &s.header, ph, &descending),
            Err(Error::VerificationFailed)
        );
    }
    let mut other_material = s.key_material;
    other_material[31] ^= 0x80;
    let other_pk = SecretKey::key_gen::<C>(&other_material, &s.key_info, None)
        .unwrap()
        .public_key();
    prop_assert_eq!(
        proof_verify::<C>(&other_pk, &proof, &s.header, ph, &disclosed),
        Err(Error::VerificationFailed)
    );
    Ok(())
}

/// A flipped bit in the signature is refused when decoding or when verifying; so is a flipped bit in
/// the header and any altered message.
fn check_signature_tampering<C: Ciphersuite>(flip: &FlipCase) -> Result<(), TestCaseError> {
    let s = &flip.case.sign;
    let (sk, pk) = key_pair::<C>(s);
    let messages = as_slices(&s.messages);
    let signature = sign::<C>(&sk, &pk, &s.header, &messages).unwrap();
    prop_assert_eq!(verify::<C>(&pk, &signature, &s.header, &messages), Ok(()));

    let bytes = signature.to_bytes();
    for bit in &flip.object_bits {
        match Signature::from_bytes(&flipped(&bytes, bit)) {
            Err(e) => prop_assert_eq!(e, Error::MalformedSignature),
            Ok(tampered) => prop_assert_eq!(
                verify::<C>(&pk, &tampered, &s.header, &messages),
                Err(Error::VerificationFailed),
                "signature with bit {} flipped verified",
                bit.index(bytes.len() * 8)
            ),
        }
    }

    let header = flipped(&s.header, &flip.header_bit);
    prop_assert_eq!(
        verify::<C>(&pk, &signature, &header, &messages),
        Err(Error::VerificationFailed)
    );

    let j = flip.message.index(messages.len());
    let altered = altered_message(messages[j], &flip.message_bit);
    let mut tampered = messages.clone();
    tampered[j] = &altered;
    prop_assert_eq!(
        verify::<C>(&pk, &signature, &s.header, &tampered),
        Err(Error::VerificationFailed)
    );
    Ok(())
}

/// A flipped bit in the proof is refused when decoding or when verifying, and so are a proof one hidden
/// message shorter or longer, a flipped bit in the header or the presentation header, and an altered
/// disclosed message.
fn check_proof_tampering<C: Ciphersuite>(flip: &FlipCase) -> Result<(), TestCaseError> {
    let case = &flip.case;
    let s = &case.sign;
    let ph = &case.presentation_header;
    let (pk, _, proof) = signed_and_proved::<C>(case);
    let disclosed = disclosed_pairs(&s.messages, &case.disclosed);
    prop_assert_eq!(proof_verify::<C>(&pk, &proof, &s.header, ph, &disclosed), Ok(()));

    let bytes = proof.to_bytes();
    let mut variants: Vec<(String, Vec<u8>)> = flip
        .object_bits
        .iter()
        .map(|bit| {
            let name = format!("proof with bit {} flipped", bit.index(bytes.len() * 8));
            (name, flipped(&bytes, bit))
        })
        .collect();
    // One more hidden-message response (a copy of c, a valid scalar), or one fewer.
    let mut longer = bytes.clone();
    longer.extend_from_within(bytes.len() - SCALAR_BYTES..);
    variants.push(("proof with an extra response".into(), longer));
    if proof.undisclosed_count() > 0 {
        let mut shorter = bytes[..bytes.len() - 2 * SCALAR_BYTES].to_vec();
        shorter.extend_from_slice(&bytes[bytes.len() - SCALAR_BYTES..]);
        variants.push(("proof with a response removed".into(), shorter));
    }
    for (name, tampered) in variants {
        match Proof::from_bytes(&tampered) {
            Err(e) => prop_assert_eq!(e, Error::MalformedProof, "{}", name),
            Ok(tampered) => prop_assert_eq!(
                proof_verify::<C>(&pk, &tampered, &s.header, ph, &disclosed),
                Err(Error::VerificationFailed),
                "{} verified",
                name
            ),
        }
    }

    let header = flipped(&s.header, &flip.header_bit);
    prop_assert_eq!(
        proof_verify::<C>(&pk, &proof, &header, ph, &disclosed),
        Err(Error::VerificationFailed)
    );
    let tampered_ph = flipped(ph, &flip.presentation_header_bit);
    prop_assert_eq!(
        proof_verify::<C>(&pk, &proof, &s.header, &tampered_ph, &disclosed),
        Err(Error::VerificationFailed)
    );

    let k = flip.message.index(disclosed.len());
    let altered = altered_message(disclosed[k].1, &flip.message_bit);
    let mut tampered = disclosed.clone();
    tampered[k].1 = &altered;
    prop_assert_eq!(
        proof_verify::<C>(&pk, &proof, &s.header, ph, &tampered),
        Err(Error::VerificationFailed)
    );
    Ok(())
}

/// The core interface over integer and hashed scalars under an api_id of its own: CoreSign/CoreVerify
/// and CoreProofGen/CoreProofVerify round trip; scalars round trip through their encoding; an altered
/// signed or disclosed scalar is refused, and so is the same signature under another api_id.
fn check_core_interface<C: Ciphersuite>(case: &CoreCase) -> Result<(), TestCaseError> {
    let api_id = [C::ID, case.api_suffix].concat();
    let api = Interface::<C>::new(&api_id).unwrap();
    prop_assert_eq!(api.api_id(), api_id.as_slice());
    let sk = SecretKey::key_gen::<C>(&case.key_material, b"", None).unwrap();
    let pk = sk.public_key();

    let messages: Vec<Scalar> = case
        .messages
        .iter()
        .map(|m| match m {
            CoreMessage::Int(v) => Scalar::from_u64(*v),
            CoreMessage::Hashed(bytes) => api.map_message_to_scalar(bytes),
        })
        .collect();
    for (scalar, m) in messages.iter().zip(&case.messages) {
        let bytes = scalar.to_be_bytes();
        prop_assert_eq!(&Scalar::from_be_bytes(&bytes).unwrap(), scalar);
        if let CoreMessage::Int(v) = m {
            // from_u64 is the integer itself, not a hash of it.
            prop_assert_eq!(&bytes[..SCALAR_BYTES - 8], &[0u8; SCALAR_BYTES - 8][..]);
            prop_assert_eq!(&bytes[SCALAR_BYTES - 8..], &v.to_be_bytes()[..]);
        }
    }

    let signature = api.core_sign(&sk, &pk, &case.header, &messages).unwrap();
    prop_assert_eq!(api.core_verify(&pk, &signature, &case.header, &messages), Ok(()));
    let other_api = Interface::<C>::new(&[api_id.as_slice(), b"OTHER_"].concat()).unwrap();
    prop_assert_eq!(
        other_api.core_verify(&pk, &signature, &case.header, &messages),
        Err(Error::VerificationFailed)
    );
    if !messages.is_empty() {
        let j = case.tamper.index(messages.len());
        let mut tampered = messages.clone();
        tampered[j] = altered_scalar(&messages[j]);
        prop_assert_eq!(
            api.core_verify(&pk, &signature, &case.header, &tampered),
            Err(Error::VerificationFailed)
        );
    }

    let mut rng = StdRng::seed_from_u64(case.seed);
    let ph = &case.presentation_header;
    let proof = api
        .core_proof_gen(
            &mut rng,
            &pk,
            &signature,
            &case.header,
            ph,
            &messages,
            &case.disclosed,
        )
        .unwrap();
    prop_assert_eq!(proof.undisclosed_count(), messages.len() - case.disclosed.len());
    let disclosed: Vec<(usize, Scalar)> = case.disclosed.iter().map(|&i| (i, messages[i].clone())).collect();
    prop_assert_eq!(
        api.core_proof_verify(&pk, &proof, &case.header, ph, &disclosed),
        Ok(())
    );
    let decoded = Proof::from_bytes(&proof.to_bytes()).unwrap();
    prop_assert_eq!(&decoded, &proof);
    prop_assert_eq!(
        api.core_proof_verify(&pk, &decoded, &case.header, ph, &disclosed),
        Ok(())
    );
    prop_assert_eq!(
        other_api.core_proof_verify(&pk, &proof, &case.header, ph, &disclosed),
        Err(Error::VerificationFailed)
    );
    if !disclosed.is_empty() {
        let k = case.tamper.index(disclosed.len());
        let mut tampered = disclosed.clone();
        tampered[k].1 = altered_scalar(&disclosed[k].1);
        prop_assert_eq!(
            api.core_proof_verify(&pk, &proof, &case.header, ph, &tampered),
            Err(Error::VerificationFailed)
        );
    }
    Ok(())
}

/// Every decoder returns (never panics), refuses with its own error, and whatever it accepts re-encodes
/// to exactly the input: the encodings are canonical.
fn check_decoders(bytes: &[u8]) -> Result<(), TestCaseError> {
    let as_scalar: Option<[u8; SCALAR_BYTES]> = bytes.try_into().ok();

    match SecretKey::from_bytes(bytes) {
        Ok(sk) => prop_assert_eq!(&sk.to_bytes()[..], bytes),
        Err(e) => prop_assert_eq!(e, Error::MalformedSecretKey),
    }
    prop_assert_eq!(
        SecretKey::from_bytes(bytes).is_ok(),
        as_scalar.is_some_and(|s| nonzero_below_r(&s))
    );

    match Scalar::from_be_bytes(bytes) {
        Ok(s) => prop_assert_eq!(&s.to_be_bytes()[..], bytes),
        Err(e) => prop_assert_eq!(e, Error::MalformedScalar),
    }
    prop_assert_eq!(
        Scalar::from_be_bytes(bytes).is_ok(),
        as_scalar.is_some_and(|s| below_r(&s))
    );

    match PublicKey::from_bytes(bytes) {
        Ok(pk) => prop_assert_eq!(&pk.to_bytes()[..], bytes),
        Err(e) => prop_assert_eq!(e, Error::MalformedPublicKey),
    }
    match Signature::from_bytes(bytes) {
        Ok(sig) => prop_assert_eq!(&sig.to_bytes()[..], bytes),
        Err(e) => prop_assert_eq!(e, Error::MalformedSignature),
    }
    match Proof::from_bytes(bytes) {
        Ok(proof) => {
            prop_assert_eq!(proof.to_bytes(), bytes);
            prop_assert_eq!(
                bytes.len(),
                PROOF_MIN_BYTES + SCALAR_BYTES * proof.undisclosed_count()
            );
        }
        Err(e) => prop_assert_eq!(e, Error::MalformedProof),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------

/// One proptest per property and suite, so that the suites run (and fail) separately.
macro_rules! for_both_suites {
    ($($check:ident($strategy:expr) => $sha256:ident, $shake256:ident;)*) => {
        proptest! {
            #![proptest_config(crypto_config())]
            $(
                #[test]
                fn $sha256(case in $strategy) {
                    $check::<Bls12381Sha256>(&case)?;
                }

                #[test]
                fn $shake256(case in $strategy) {
                    $check::<Bls12381Shake256>(&case)?;
                }
            )*
        }
    };
}

for_both_suites! {
    check_key_round_trip(sign_case(0, 0)) => key_round_trip_sha256, key_round_trip_shake256;
    check_sign_verify(sign_case(0, 0)) => sign_verify_sha256, sign_verify_shake256;
    check_proof_round_trip(proof_case(0, 0, 0)) => proof_round_trip_sha256, proof_round_trip_shake256;
    check_signature_tampering(flip_case(0)) => signature_tampering_sha256, signature_tampering_shake256;
    check_proof_tampering(flip_case(1)) => proof_tampering_sha256, proof_tampering_shake256;
    check_core_interface(core_case()) => core_interface_sha256, core_interface_shake256;
}

proptest! {
    #![proptest_config(decode_config())]

    /// Arbitrary bytes, of any length or of the lengths the decoders expect.
    #[test]
    fn decoders_accept_arbitrary_bytes(bytes in arbitrary_bytes()) {
        check_decoders(&bytes)?;
    }

    /// Valid encodings with bits flipped, truncated or extended.
    #[test]
    fn decoders_accept_mutated_encodings(bytes in mutated_valid_bytes()) {
        check_decoders(&bytes)?;
    }

    /// A valid point followed by any scalar: a signature exactly when the scalar is in 1..r-1.
    #[test]
    fn signature_decoding_checks_e(e in scalar_octets()) {
        let bytes = [&VALID.signature[..G1_BYTES], &e[..]].concat();
        let decoded = Signature::from_bytes(&bytes);
        prop_assert_eq!(decoded.is_ok(), nonzero_below_r(&e));
        if let Ok(signature) = decoded {
            prop_assert_eq!(&signature.to_bytes()[..], &bytes[..]);
        }
    }

    /// Three valid points followed by any scalars: a proof exactly when there are at least four and all
    /// are in 1..r-1.
    #[test]
    fn proof_decoding_checks_scalars(scalars in vec(scalar_octets(), 0..8)) {
        let mut bytes = VALID.proof[..3 * G1_BYTES].to_vec();
        for s in &scalars {
            bytes.extend_from_slice(s);
        }
        let decoded = Proof::from_bytes(&bytes);
        prop_assert_eq!(decoded.is_ok(), scalars.len() >= 4 && scalars.iter().all(nonzero_below_r));
        if let Ok(proof) = decoded {
            prop_assert_eq!(proof.to_bytes(), bytes);
            prop_assert_eq!(proof.undisclosed_count(), scalars.len() - 4);
        }
    }
}
