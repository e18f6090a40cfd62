//! What the Blind BBS and pseudonym interfaces must refuse, over both suites: malformed encodings,
//! wrong counts, changed commitments, commitments of the other interface, and every input of a
//! verification changed in turn. Each refusal is an `Err`, never a panic or an `Ok`.
//!
//! Beside the changed inputs, the parties a real deployment has to fear are played here as test code:
//! an issuer that knows every message it signed and the commitment but not the prover blind, a holder
//! that shows another holder's pseudonym or one made for another verifier, and a prover that claims a
//! signature for fewer nym secrets than it was issued for.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_bbs::blind::{self, Commitment, ProverBlind};
use ecert_bbs::pseudonym::{self, NymSecrets, Pseudonym};
use ecert_bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, Error, Proof, PublicKey, Scalar, SecretKey, Signature,
    hazmat,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// r, the group order, big-endian.
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53,
    0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

const HEADER: &[u8] = b"cn.driving-licence/1";
const PH: &[u8] = b"verifier nonce 1";

/// A key, signer messages and committed messages for one suite, and a blind issuance over them.
struct Issued {
    sk: SecretKey,
    pk: PublicKey,
    messages: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
    commitment: Commitment,
    prover_blind: ProverBlind,
    signature: Signature,
}

fn refs(list: &[Vec<u8>]) -> Vec<&[u8]> {
    list.iter().map(Vec::as_slice).collect()
}

fn key<C: Ciphersuite>(seed: u8) -> SecretKey {
    SecretKey::key_gen::<C>(&[seed; 32], b"refusals", None).unwrap()
}

fn issue<C: Ciphersuite>(rng: &mut StdRng) -> Issued {
    let sk = key::<C>(1);
    let pk = sk.public_key();
    let messages: Vec<Vec<u8>> = (0..6u8).map(|i| vec![i; 1 + i as usize]).collect();
    let committed: Vec<Vec<u8>> = vec![b"holder secret".to_vec(), b"".to_vec(), b"ID 1101".to_vec()];
    let (commitment, prover_blind) = blind::commit::<C, _>(rng, &refs(&committed)).unwrap();
    let signature = blind::blind_sign::<C>(&sk, &pk, Some(&commitment), HEADER, &refs(&messages)).unwrap();
    Issued {
        sk,
        pk,
        messages,
        committed,
        commitment,
        prover_blind,
        signature,
    }
}

/// Flips one bit of the encoding and decodes it again, if it still decodes.
fn flipped_commitments(commitment: &Commitment) -> Vec<Commitment> {
    let bytes = commitment.to_bytes();
    (0..bytes.len() * 8)
        .step_by(37)
        .filter_map(|bit| {
            let mut changed = bytes.clone();
            changed[bit / 8] ^= 1 << (bit % 8);
            Commitment::from_bytes(&changed).ok()
        })
        .collect()
}

fn decoding<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let bytes = issued.commitment.to_bytes();
    assert_eq!(bytes.len(), 48 + 32 * (3 + 2));
    assert_eq!(Commitment::from_bytes(&bytes).unwrap(), issued.commitment);
    // one byte short or long, one scalar only, nothing but the point
    for bad in [
        &bytes[..bytes.len() - 1],
        &[bytes.as_slice(), &[0]].concat(),
        &bytes[..48 + 32],
        &bytes[..48],
    ] {
        assert_eq!(Commitment::from_bytes(bad), Err(Error::MalformedCommitment));
    }
    // C the identity, C off the curve, C with the compression flag cleared
    let mut identity = bytes.clone();
    identity[..48].copy_from_slice(&[0u8; 48]);
    identity[0] = 0xc0;
    let mut off_curve = bytes.clone();
    off_curve[1..48].copy_from_slice(&[0xff; 47]);
    let mut uncompressed = bytes.clone();
    uncompressed[0] &= 0x7f;
    // s^ = 0, the challenge = r, a response = r
    let mut zero_s = bytes.clone();
    zero_s[48..80].copy_from_slice(&[0u8; 32]);
    let mut challenge_r = bytes.clone();
    let end = challenge_r.len();
    challenge_r[end - 32..].copy_from_slice(&R);
    let mut response_r = bytes.clone();
    response_r[80..112].copy_from_slice(&R);
    for bad in [identity, off_curve, uncompressed, zero_s, challenge_r, response_r] {
        assert_eq!(Commitment::from_bytes(&bad), Err(Error::MalformedCommitment));
    }

    let blind_bytes = issued.prover_blind.to_bytes();
    assert_eq!(
        ProverBlind::from_bytes(&blind_bytes).unwrap(),
        issued.prover_blind
    );
    for bad in [&blind_bytes[..31], &[blind_bytes.as_slice(), &[0]].concat(), &R] {
        assert_eq!(ProverBlind::from_bytes(bad), Err(Error::MalformedScalar));
    }
    // zero is a blind: that of a signature issued without a commitment
    assert!(ProverBlind::from_bytes(&[0u8; 32]).is_ok());

    let nyms = NymSecrets::random(rng, 2).unwrap();
    let nym = pseudonym::calculate_pseudonym::<C>(b"context", &nyms).unwrap();
    let nym_bytes = nym.to_bytes();
    assert_eq!(Pseudonym::from_bytes(&nym_bytes).unwrap(), nym);
    let mut identity = [0u8; 48];
    identity[0] = 0xc0;
    let mut off_curve = nym_bytes;
    off_curve[1..].copy_from_slice(&[0xff; 47]);
    let mut uncompressed = nym_bytes;
    uncompressed[0] &= 0x7f;
    for bad in [
        &nym_bytes[..47],
        &[nym_bytes.as_slice(), &[0]].concat(),
        &identity,
        &off_curve,
        &uncompressed,
    ] {
        assert_eq!(Pseudonym::from_bytes(bad), Err(Error::MalformedPseudonym));
    }
    assert_eq!(NymSecrets::new(Vec::new()).err(), Some(Error::NymVectorLength));
    assert_eq!(NymSecrets::random(rng, 0).err(), Some(Error::NymVectorLength));
}

fn counts<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let committed = refs(&issued.committed);
    let messages = refs(&issued.messages);
    let mocked = |n| hazmat::seeded_random_scalars::<C>(b"seed", b"refusals", n);
    // one random scalar too few, one too many
    for n in [committed.len() + 1, committed.len() + 3] {
        assert_eq!(
            hazmat::commit_with_random_scalars::<C>(&committed, &mocked(n)).err(),
            Some(Error::RandomScalarCount)
        );
    }
    let nyms = NymSecrets::random(rng, 2).unwrap();
    assert_eq!(
        hazmat::commit_with_nym_with_random_scalars::<C>(&committed, &nyms, &mocked(committed.len() + 3))
            .err(),
        Some(Error::RandomScalarCount)
    );
    // U = 6 signer + 1 blind + 3 committed, all hidden
    assert_eq!(
        hazmat::blind_proof_gen_with_random_scalars::<C>(
            &issued.pk,
            &issued.signature,
            HEADER,
            PH,
            &messages,
            &committed,
            &[],
            &[],
            Some(&issued.prover_blind),
            &mocked(5 + 10 - 1),
        )
        .err(),
        Some(Error::RandomScalarCount)
    );
    // a disclosed committed index >= M, a disclosed signer index >= L
    for (signer, committed_indexes) in [(vec![], vec![3]), (vec![6], vec![])] {
        assert_eq!(
            blind::blind_proof_gen::<C, _>(
                rng,
                &issued.pk,
                &issued.signature,
                HEADER,
                PH,
                &messages,
                &committed,
                &signer,
                &committed_indexes,
                Some(&issued.prover_blind),
            )
            .err(),
            Some(Error::DisclosedIndexOutOfRange)
        );
    }
}

fn changed_commitments<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let messages = refs(&issued.messages);
    let changed = flipped_commitments(&issued.commitment);
    assert!(
        changed.len() > 10,
        "most bit flips still decode, so the proof check is what refuses them"
    );
    blind::verify_commitment::<C>(&issued.commitment).unwrap();
    for commitment in &changed {
        assert_eq!(
            blind::verify_commitment::<C>(commitment),
            Err(Error::VerificationFailed)
        );
        assert!(blind::blind_sign::<C>(&issued.sk, &issued.pk, Some(commitment), HEADER, &messages).is_err());
    }
    // one scalar more or less
    let bytes = issued.commitment.to_bytes();
    let shorter = [&bytes[..bytes.len() - 64], &bytes[bytes.len() - 32..]].concat();
    let longer = [&bytes[..80], &bytes[80..112], &bytes[80..]].concat();
    for bad in [shorter, longer] {
        let commitment = Commitment::from_bytes(&bad).unwrap();
        assert_eq!(
            blind::blind_sign::<C>(&issued.sk, &issued.pk, Some(&commitment), HEADER, &messages).err(),
            Some(Error::VerificationFailed)
        );
    }
    // a commitment of one interface is refused by the other
    let nyms = NymSecrets::random(rng, 1).unwrap();
    let (nym_commitment, _) =
        pseudonym::commit_with_nym::<C, _>(rng, &refs(&issued.committed), &nyms).unwrap();
    pseudonym::verify_commitment::<C>(&nym_commitment).unwrap();
    assert_eq!(
        blind::verify_commitment::<C>(&nym_commitment),
        Err(Error::VerificationFailed)
    );
    assert_eq!(
        pseudonym::verify_commitment::<C>(&issued.commitment),
        Err(Error::VerificationFailed)
    );
    assert_eq!(
        blind::blind_sign::<C>(&issued.sk, &issued.pk, Some(&nym_commitment), HEADER, &messages).err(),
        Some(Error::VerificationFailed)
    );
    let entropy = Scalar::random(rng);
    assert_eq!(
        pseudonym::blind_sign_with_nym::<C>(
            &issued.sk,
            &issued.pk,
            &issued.commitment,
            1,
            &entropy,
            HEADER,
            &messages
        )
        .err(),
        Some(Error::VerificationFailed)
    );
    for commitment in flipped_commitments(&nym_commitment) {
        assert!(
            pseudonym::blind_sign_with_nym::<C>(
                &issued.sk,
                &issued.pk,
                &commitment,
                1,
                &entropy,
                HEADER,
                &messages
            )
            .is_err()
        );
    }
    // N = 0, N larger than the commitment holds
    for n in [0, issued.committed.len() + 2] {
        assert_eq!(
            pseudonym::blind_sign_with_nym::<C>(
                &issued.sk,
                &issued.pk,
                &nym_commitment,
                n,
                &entropy,
                HEADER,
                &messages
            )
            .err(),
            Some(Error::NymVectorLength)
        );
    }
    // a secret key that is not the public key's
    let other = key::<C>(2).public_key();
    assert_eq!(
        blind::blind_sign::<C>(&issued.sk, &other, Some(&issued.commitment), HEADER, &messages).err(),
        Some(Error::KeyMismatch)
    );
}

/// Every list with one entry changed in turn, and with one entry more and one fewer.
fn variations(list: &[Vec<u8>]) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for i in 0..list.len() {
        let mut changed = list.to_vec();
        changed[i].push(0x5a);
        out.push(changed);
    }
    let mut longer = list.to_vec();
    longer.push(b"extra".to_vec());
    out.push(longer);
    if !list.is_empty() {
        out.push(list[..list.len() - 1].to_vec());
    }
    out
}

fn changed_signature(signature: &Signature) -> Signature {
    let mut bytes = signature.to_bytes();
    bytes[79] ^= 1;
    Signature::from_bytes(&bytes).unwrap()
}

fn blind_verification<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let (messages, committed) = (refs(&issued.messages), refs(&issued.committed));
    let verify = |sig: &Signature, header: &[u8], m: &[&[u8]], c: &[&[u8]], b: Option<&ProverBlind>| {
        blind::verify_blind_sign::<C>(&issued.pk, sig, header, m, c, b)
    };
    verify(
        &issued.signature,
        HEADER,
        &messages,
        &committed,
        Some(&issued.prover_blind),
    )
    .unwrap();
    for changed in variations(&issued.messages) {
        assert!(
            verify(
                &issued.signature,
                HEADER,
                &refs(&changed),
                &committed,
                Some(&issued.prover_blind)
            )
            .is_err()
        );
    }
    for changed in variations(&issued.committed) {
        assert!(
            verify(
                &issued.signature,
                HEADER,
                &messages,
                &refs(&changed),
                Some(&issued.prover_blind)
            )
            .is_err()
        );
    }
    let other_blind = ProverBlind::from_bytes(&Scalar::random(rng).to_be_bytes()).unwrap();
    for blind in [None, Some(&other_blind)] {
        assert!(verify(&issued.signature, HEADER, &messages, &committed, blind).is_err());
    }
    assert!(
        verify(
            &issued.signature,
            b"another header",
            &messages,
            &committed,
            Some(&issued.prover_blind)
        )
        .is_err()
    );
    let changed = changed_signature(&issued.signature);
    assert!(
        verify(
            &changed,
            HEADER,
            &messages,
            &committed,
            Some(&issued.prover_blind)
        )
        .is_err()
    );
    // The signature is not a core signature, nor one of the other interface.
    assert!(ecert_bbs::verify::<C>(&issued.pk, &issued.signature, HEADER, &messages).is_err());
}

fn blind_proofs<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let (messages, committed) = (refs(&issued.messages), refs(&issued.committed));
    let proof = blind::blind_proof_gen::<C, _>(
        rng,
        &issued.pk,
        &issued.signature,
        HEADER,
        PH,
        &messages,
        &committed,
        &[1, 4],
        &[2],
        Some(&issued.prover_blind),
    )
    .unwrap();
    assert_eq!(proof.undisclosed_count(), 4 + 1 + 2);
    let disclosed = [(1, messages[1]), (4, messages[4])];
    let disclosed_committed = [(2, committed[2])];
    let verify =
        |proof: &Proof, header: &[u8], ph: &[u8], l: usize, d: &[(usize, &[u8])], dc: &[(usize, &[u8])]| {
            blind::blind_proof_verify::<C>(&issued.pk, proof, header, ph, l, d, dc)
        };
    verify(&proof, HEADER, PH, 6, &disclosed, &disclosed_committed).unwrap();
    // L ± 1
    for l in [5, 7, 0, 100] {
        assert!(verify(&proof, HEADER, PH, l, &disclosed, &disclosed_committed).is_err());
    }
    // a changed disclosed message or committed message
    let changed: &[u8] = b"changed";
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            6,
            &[(1, changed), (4, messages[4])],
            &disclosed_committed
        )
        .is_err()
    );
    assert!(verify(&proof, HEADER, PH, 6, &disclosed, &[(2, changed)]).is_err());
    // the committed message passed as a signer message, and moved to another index
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            6,
            &[(1, messages[1]), (4, messages[4]), (5, committed[2])],
            &[]
        )
        .is_err()
    );
    assert!(verify(&proof, HEADER, PH, 6, &disclosed, &[(1, committed[2])]).is_err());
    // indexes not ascending
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            6,
            &[(4, messages[4]), (1, messages[1])],
            &disclosed_committed
        )
        .is_err()
    );
    // another ph, another header
    assert!(
        verify(
            &proof,
            HEADER,
            b"another nonce",
            6,
            &disclosed,
            &disclosed_committed
        )
        .is_err()
    );
    assert!(verify(&proof, b"another header", PH, 6, &disclosed, &disclosed_committed).is_err());
    // a changed proof: every tenth byte flipped in turn
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(10) {
        let mut changed = bytes.clone();
        changed[i] ^= 0x10;
        if let Ok(changed) = Proof::from_bytes(&changed) {
            assert!(verify(&changed, HEADER, PH, 6, &disclosed, &disclosed_committed).is_err());
        }
    }
    // Under the core interface the same proof is no proof of these messages.
    assert!(ecert_bbs::proof_verify::<C>(&issued.pk, &proof, HEADER, PH, &disclosed).is_err());
}

/// The issuer knows every signer message, the commitment and the signature, but not the prover blind
/// or the committed messages; with guesses for them its proofs fail.
fn issuer_cannot_present<C: Ciphersuite>(rng: &mut StdRng) {
    let issued = issue::<C>(rng);
    let messages = refs(&issued.messages);
    let guessed_blind = ProverBlind::from_bytes(&Scalar::random(rng).to_be_bytes()).unwrap();
    let guessed_committed: Vec<&[u8]> = vec![b"guess", b"", b"ID 1101"];
    for (blind, committed) in [
        (None, refs(&issued.committed)),
        (Some(&guessed_blind), refs(&issued.committed)),
        (Some(&issued.prover_blind), guessed_committed.clone()),
    ] {
        let proof = blind::blind_proof_gen::<C, _>(
            rng,
            &issued.pk,
            &issued.signature,
            HEADER,
            PH,
            &messages,
            &committed,
            &[0],
            &[],
            blind,
        )
        .unwrap();
        assert_eq!(
            blind::blind_proof_verify::<C>(&issued.pk, &proof, HEADER, PH, 6, &[(0, messages[0])], &[]),
            Err(Error::VerificationFailed)
        );
    }
}

/// A holder issued with pseudonyms: its nym secrets and everything the proofs need.
struct NymHolder {
    pk: PublicKey,
    messages: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
    prover_nyms: NymSecrets,
    prover_blind: ProverBlind,
    entropy: Scalar,
    nym_secrets: NymSecrets,
    signature: Signature,
}

fn issue_with_nym<C: Ciphersuite>(rng: &mut StdRng, n: usize) -> NymHolder {
    let sk = key::<C>(3);
    let pk = sk.public_key();
    let messages: Vec<Vec<u8>> = (0..4u8).map(|i| vec![0xa0 + i; 3]).collect();
    let committed: Vec<Vec<u8>> = vec![b"holder secret".to_vec(), b"region 440000".to_vec()];
    let prover_nyms = NymSecrets::random(rng, n).unwrap();
    let (commitment, prover_blind) =
        pseudonym::commit_with_nym::<C, _>(rng, &refs(&committed), &prover_nyms).unwrap();
    let entropy = Scalar::random(rng);
    let signature =
        pseudonym::blind_sign_with_nym::<C>(&sk, &pk, &commitment, n, &entropy, HEADER, &refs(&messages))
            .unwrap();
    let nym_secrets = pseudonym::verify_finalize_with_nym::<C>(
        &pk,
        &signature,
        HEADER,
        &refs(&messages),
        &refs(&committed),
        &prover_nyms,
        &entropy,
        &prover_blind,
    )
    .unwrap();
    NymHolder {
        pk,
        messages,
        committed,
        prover_nyms,
        prover_blind,
        entropy,
        nym_secrets,
        signature,
    }
}

fn nym_verification<C: Ciphersuite>(rng: &mut StdRng) {
    let h = issue_with_nym::<C>(rng, 3);
    let (messages, committed) = (refs(&h.messages), refs(&h.committed));
    let finalize = |sig: &Signature,
                    header: &[u8],
                    m: &[&[u8]],
                    c: &[&[u8]],
                    nyms: &NymSecrets,
                    e: &Scalar,
                    b: &ProverBlind| {
        pseudonym::verify_finalize_with_nym::<C>(&h.pk, sig, header, m, c, nyms, e, b).map(|_| ())
    };
    finalize(
        &h.signature,
        HEADER,
        &messages,
        &committed,
        &h.prover_nyms,
        &h.entropy,
        &h.prover_blind,
    )
    .unwrap();
    for changed in variations(&h.messages) {
        assert!(
            finalize(
                &h.signature,
                HEADER,
                &refs(&changed),
                &committed,
                &h.prover_nyms,
                &h.entropy,
                &h.prover_blind
            )
            .is_err()
        );
    }
    for changed in variations(&h.committed) {
        assert!(
            finalize(
                &h.signature,
                HEADER,
                &messages,
                &refs(&changed),
                &h.prover_nyms,
                &h.entropy,
                &h.prover_blind
            )
            .is_err()
        );
    }
    let other_blind = ProverBlind::from_bytes(&Scalar::random(rng).to_be_bytes()).unwrap();
    assert!(
        finalize(
            &h.signature,
            HEADER,
            &messages,
            &committed,
            &h.prover_nyms,
            &h.entropy,
            &other_blind
        )
        .is_err()
    );
    assert!(
        finalize(
            &h.signature,
            HEADER,
            &messages,
            &committed,
            &h.prover_nyms,
            &Scalar::random(rng),
            &h.prover_blind
        )
        .is_err()
    );
    assert!(
        finalize(
            &h.signature,
            b"other",
            &messages,
            &committed,
            &h.prover_nyms,
            &h.entropy,
            &h.prover_blind
        )
        .is_err()
    );
    assert!(
        finalize(
            &changed_signature(&h.signature),
            HEADER,
            &messages,
            &committed,
            &h.prover_nyms,
            &h.entropy,
            &h.prover_blind
        )
        .is_err()
    );
    // each prover nym changed in turn; one nym fewer, one more
    let nyms = h.prover_nyms.as_scalars();
    for i in 0..nyms.len() {
        let mut changed: Vec<Scalar> = nyms
            .iter()
            .map(|s| Scalar::from_be_bytes(&s.to_be_bytes()).unwrap())
            .collect();
        changed[i] = Scalar::random(rng);
        let changed = NymSecrets::new(changed).unwrap();
        assert!(
            finalize(
                &h.signature,
                HEADER,
                &messages,
                &committed,
                &changed,
                &h.entropy,
                &h.prover_blind
            )
            .is_err()
        );
    }
    let copy = |list: &[Scalar]| {
        list.iter()
            .map(|s| Scalar::from_be_bytes(&s.to_be_bytes()).unwrap())
            .collect::<Vec<_>>()
    };
    let fewer = NymSecrets::new(copy(&nyms[..2])).unwrap();
    let mut more = copy(nyms);
    more.push(Scalar::random(rng));
    let more = NymSecrets::new(more).unwrap();
    for nyms in [fewer, more] {
        assert!(
            finalize(
                &h.signature,
                HEADER,
                &messages,
                &committed,
                &nyms,
                &h.entropy,
                &h.prover_blind
            )
            .is_err()
        );
    }
}

fn nym_proofs<C: Ciphersuite>(rng: &mut StdRng) {
    let h = issue_with_nym::<C>(rng, 2);
    let (messages, committed) = (refs(&h.messages), refs(&h.committed));
    let context: &[u8] = b"https://portal.hospital.example";
    let (proof, nym) = pseudonym::proof_gen_with_nym::<C, _>(
        rng,
        &h.pk,
        &h.signature,
        HEADER,
        PH,
        &h.nym_secrets,
        context,
        &messages,
        &committed,
        &[2],
        &[1],
        &h.prover_blind,
    )
    .unwrap();
    let disclosed = [(2, messages[2])];
    let disclosed_committed = [(1, committed[1])];
    let verify = |proof: &Proof,
                  header: &[u8],
                  ph: &[u8],
                  nym: &Pseudonym,
                  ctx: &[u8],
                  n: usize,
                  l: usize,
                  d: &[(usize, &[u8])],
                  dc: &[(usize, &[u8])]| {
        pseudonym::proof_verify_with_nym::<C>(&h.pk, proof, header, ph, nym, ctx, n, l, d, dc)
    };
    verify(
        &proof,
        HEADER,
        PH,
        &nym,
        context,
        2,
        4,
        &disclosed,
        &disclosed_committed,
    )
    .unwrap();
    for l in [3, 5] {
        assert!(
            verify(
                &proof,
                HEADER,
                PH,
                &nym,
                context,
                2,
                l,
                &disclosed,
                &disclosed_committed
            )
            .is_err()
        );
    }
    for n in [0, 1, 3] {
        assert!(
            verify(
                &proof,
                HEADER,
                PH,
                &nym,
                context,
                n,
                4,
                &disclosed,
                &disclosed_committed
            )
            .is_err()
        );
    }
    let changed: &[u8] = b"changed";
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            &nym,
            context,
            2,
            4,
            &[(2, changed)],
            &disclosed_committed
        )
        .is_err()
    );
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            &nym,
            context,
            2,
            4,
            &disclosed,
            &[(1, changed)]
        )
        .is_err()
    );
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            &nym,
            context,
            2,
            4,
            &[(2, messages[2]), (3, committed[1])],
            &[]
        )
        .is_err()
    );
    assert!(
        verify(
            &proof,
            HEADER,
            b"other nonce",
            &nym,
            context,
            2,
            4,
            &disclosed,
            &disclosed_committed
        )
        .is_err()
    );
    assert!(
        verify(
            &proof,
            b"other header",
            PH,
            &nym,
            context,
            2,
            4,
            &disclosed,
            &disclosed_committed
        )
        .is_err()
    );
    // another verifier's context: the pseudonym of this one does not verify there
    assert!(
        verify(
            &proof,
            HEADER,
            PH,
            &nym,
            b"https://bar.example",
            2,
            4,
            &disclosed,
            &disclosed_committed
        )
        .is_err()
    );
    // the holder's own pseudonym for another context, and another holder's pseudonym for this one
    let elsewhere = pseudonym::calculate_pseudonym::<C>(b"https://bar.example", &h.nym_secrets).unwrap();
    let other_holder = issue_with_nym::<C>(rng, 2);
    let someone_else = pseudonym::calculate_pseudonym::<C>(context, &other_holder.nym_secrets).unwrap();
    for wrong in [elsewhere, someone_else] {
        assert_ne!(wrong, nym);
        assert!(
            verify(
                &proof,
                HEADER,
                PH,
                &wrong,
                context,
                2,
                4,
                &disclosed,
                &disclosed_committed
            )
            .is_err()
        );
    }
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(10) {
        let mut changed = bytes.clone();
        changed[i] ^= 0x04;
        if let Ok(changed) = Proof::from_bytes(&changed) {
            assert!(
                verify(
                    &changed,
                    HEADER,
                    PH,
                    &nym,
                    context,
                    2,
                    4,
                    &disclosed,
                    &disclosed_committed
                )
                .is_err()
            );
        }
    }
    // A prover that uses the prover nyms (without the signer's entropy) cannot prove: the signed
    // secrets are the finalised ones.
    let (proof, nym) = pseudonym::proof_gen_with_nym::<C, _>(
        rng,
        &h.pk,
        &h.signature,
        HEADER,
        PH,
        &h.prover_nyms,
        context,
        &messages,
        &committed,
        &[],
        &[],
        &h.prover_blind,
    )
    .unwrap();
    assert!(verify(&proof, HEADER, PH, &nym, context, 2, 4, &[], &[]).is_err());
}

/// A signature issued for N + 1 nym secrets verifies for no N: the count is in every header.
fn nym_count_is_bound<C: Ciphersuite>(rng: &mut StdRng) {
    let h = issue_with_nym::<C>(rng, 3);
    let (messages, committed) = (refs(&h.messages), refs(&h.committed));
    // Read the three nym secrets as two: the last one becomes a committed message the prover hides.
    let nyms = h.nym_secrets.as_scalars();
    let two = NymSecrets::new(
        nyms[1..]
            .iter()
            .map(|s| Scalar::from_be_bytes(&s.to_be_bytes()).unwrap())
            .collect(),
    )
    .unwrap();
    let (proof, nym) = pseudonym::proof_gen_with_nym::<C, _>(
        rng,
        &h.pk,
        &h.signature,
        HEADER,
        PH,
        &h.nym_secrets,
        b"ctx",
        &messages,
        &committed,
        &[],
        &[],
        &h.prover_blind,
    )
    .unwrap();
    for n in [2, 4] {
        assert!(
            pseudonym::proof_verify_with_nym::<C>(&h.pk, &proof, HEADER, PH, &nym, b"ctx", n, 4, &[], &[])
                .is_err()
        );
    }
    let two_nym = pseudonym::calculate_pseudonym::<C>(b"ctx", &two).unwrap();
    assert!(
        pseudonym::proof_verify_with_nym::<C>(&h.pk, &proof, HEADER, PH, &two_nym, b"ctx", 2, 4, &[], &[])
            .is_err()
    );
}

/// The operations that draw randomness draw it from the RNG they are given: two streams give different
/// bytes (the pseudonym excepted, which is the point of it).
fn randomness_comes_from_the_rng<C: Ciphersuite>() {
    let mut first = StdRng::seed_from_u64(1);
    let mut second = StdRng::seed_from_u64(2);
    let committed: Vec<&[u8]> = vec![b"a", b"b"];
    let (c1, b1) = blind::commit::<C, _>(&mut first, &committed).unwrap();
    let (c2, b2) = blind::commit::<C, _>(&mut second, &committed).unwrap();
    assert_ne!(c1, c2);
    assert_ne!(b1, b2);
    let h = issue_with_nym::<C>(&mut first, 1);
    let (messages, committed) = (refs(&h.messages), refs(&h.committed));
    let prove = |rng: &mut StdRng| {
        pseudonym::proof_gen_with_nym::<C, _>(
            rng,
            &h.pk,
            &h.signature,
            HEADER,
            PH,
            &h.nym_secrets,
            b"ctx",
            &messages,
            &committed,
            &[],
            &[],
            &h.prover_blind,
        )
        .unwrap()
    };
    let (p1, n1) = prove(&mut first);
    let (p2, n2) = prove(&mut second);
    assert_ne!(p1, p2);
    assert_eq!(n1, n2);
    let issued = issue::<C>(&mut first);
    let proof = |rng: &mut StdRng| {
        blind::blind_proof_gen::<C, _>(
            rng,
            &issued.pk,
            &issued.signature,
            HEADER,
            PH,
            &refs(&issued.messages),
            &refs(&issued.committed),
            &[],
            &[],
            Some(&issued.prover_blind),
        )
        .unwrap()
    };
    assert_ne!(proof(&mut first), proof(&mut second));
    let nyms = NymSecrets::random(&mut first, 1).unwrap();
    let (c1, _) = pseudonym::commit_with_nym::<C, _>(&mut first, &committed, &nyms).unwrap();
    let (c2, _) = pseudonym::commit_with_nym::<C, _>(&mut second, &committed, &nyms).unwrap();
    assert_ne!(c1, c2);
    assert_ne!(Scalar::random(&mut first), Scalar::random(&mut second));
}

/// Secrets print nothing of their value.
#[test]
fn secrets_do_not_print() {
    let mut rng = StdRng::seed_from_u64(9);
    let (commitment, blind) = blind::commit::<Bls12381Sha256, _>(&mut rng, &[b"secret"]).unwrap();
    let nyms = NymSecrets::random(&mut rng, 2).unwrap();
    assert_eq!(format!("{blind:?}"), "ProverBlind(..)");
    assert!(!format!("{nyms:?}").contains(&hex::encode(nyms.as_scalars()[0].to_be_bytes())));
    assert_eq!(format!("{nyms:?}"), "NymSecrets { len: 2, .. }");
    assert_eq!(format!("{commitment:?}"), "Commitment { committed_count: 1, .. }");
}

fn suite<C: Ciphersuite>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    decoding::<C>(&mut rng);
    counts::<C>(&mut rng);
    changed_commitments::<C>(&mut rng);
    blind_verification::<C>(&mut rng);
    blind_proofs::<C>(&mut rng);
    issuer_cannot_present::<C>(&mut rng);
    nym_verification::<C>(&mut rng);
    nym_proofs::<C>(&mut rng);
    nym_count_is_bound::<C>(&mut rng);
    randomness_comes_from_the_rng::<C>();
}

#[test]
fn refusals_bls12_381_sha_256() {
    suite::<Bls12381Sha256>(11);
}

#[test]
fn refusals_bls12_381_shake_256() {
    suite::<Bls12381Shake256>(12);
}
