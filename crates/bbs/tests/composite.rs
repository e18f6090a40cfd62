//! Composite proofs through the public API: a driving licence and an ID card of one holder (blind
//! signatures over the holder's secret), the licence valid on the verifier's date and the holder 18 on
//! it, proved without disclosing a date, and the two certificates shown to share the holder secret.
//! Then what a verifier must refuse: another presentation header, a range or equality proof lifted from
//! another presentation, statements changed after the fact, two holders' certificates claimed as one's,
//! an age the holder has not reached; and decoders that never panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use ecert_bbs::committed::{self, CommittedProof, Disclosure};
use ecert_bbs::composite::{
    self, Bound, CompositeProof, EqualityStatement, MessageRef, ProvedCertificate, RangeStatement, RangeTerm,
};
use ecert_bbs::{Bls12381Sha256, Error, Interface, PublicKey, SecretKey, Signature, blind};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

type C = Bls12381Sha256;

/// Days since 1970-01-01, offset by 2^63 as certificates map dates (crates/credential/src/value.rs).
fn day(days: i64) -> Vec<u8> {
    ((days as i128 + (1i128 << 63)) as u64).to_be_bytes().to_vec()
}

fn day_value(days: i64) -> u64 {
    (days as i128 + (1i128 << 63)) as u64
}

/// A holder, by its secret (committed at issuance, never shown).
struct Holder {
    secret: Vec<u8>,
}

struct Issued {
    pk: PublicKey,
    signature: Signature,
    messages: Vec<Vec<u8>>,
    blind: blind::ProverBlind,
}

fn issue(rng: &mut StdRng, seed: u8, holder: &Holder, messages: Vec<Vec<u8>>) -> Issued {
    let sk = SecretKey::key_gen::<C>(&[seed; 32], b"issuer", None).unwrap();
    let pk = sk.public_key();
    let (commitment, blind_factor) = blind::commit::<C, _>(rng, &[&holder.secret]).unwrap();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let signature = blind::blind_sign::<C>(&sk, &pk, Some(&commitment), b"h", &refs).unwrap();
    Issued {
        pk,
        signature,
        messages,
        blind: blind_factor,
    }
}

/// A proof of a blind certificate disclosing its type and committing the holder secret. (The blind
/// interface maps messages by hashing, so ranges are tested on the core interface's integer messages.)
fn blind_proof(
    rng: &mut StdRng,
    issued: &Issued,
    holder: &Holder,
    ph: &[u8],
) -> (CommittedProof, Vec<(usize, committed::Opening)>) {
    let refs: Vec<&[u8]> = issued.messages.iter().map(Vec::as_slice).collect();
    let disclosures: Vec<Disclosure> = (0..refs.len())
        .map(|i| {
            if i == 0 {
                Disclosure::Disclose
            } else {
                Disclosure::Hide
            }
        })
        .collect();
    committed::blind_proof_gen_committed::<C, _>(
        rng,
        &issued.pk,
        &issued.signature,
        b"h",
        ph,
        &refs,
        &[&holder.secret],
        &disclosures,
        &[Disclosure::Commit],
        Some(&issued.blind),
    )
    .unwrap()
}

#[test]
fn two_certificates_of_one_holder() {
    let mut rng = StdRng::seed_from_u64(1);
    let alice = Holder {
        secret: b"alice's 32-byte holder secret...".to_vec(),
    };
    let bob = Holder {
        secret: b"bob's 32-byte holder secret.....".to_vec(),
    };
    let licence = issue(
        &mut rng,
        1,
        &alice,
        vec![b"cn.driving-licence".to_vec(), b"C1".to_vec()],
    );
    let card = issue(
        &mut rng,
        2,
        &alice,
        vec![b"cn.resident-id-card".to_vec(), b"440300".to_vec()],
    );
    let bobs_card = issue(
        &mut rng,
        2,
        &bob,
        vec![b"cn.resident-id-card".to_vec(), b"110000".to_vec()],
    );
    let api = Interface::<C>::new(&blind::api_id::<C>()).unwrap();
    let ph = b"verifier nonce";
    // The holder secret is committed message 0, at index L + 1 = 3 of each list.
    let secret_at = |proof| MessageRef { proof, message: 3 };
    let equality = EqualityStatement {
        members: vec![secret_at(0), secret_at(1)],
    };
    let prove = |rng: &mut StdRng, second: &Issued, second_holder: &Holder, ph: &[u8]| {
        let (p0, o0) = blind_proof(rng, &licence, &alice, ph);
        let (p1, o1) = blind_proof(rng, second, second_holder, ph);
        let certificates = [
            ProvedCertificate {
                interface: &api,
                proof: p0,
                openings: o0,
            },
            ProvedCertificate {
                interface: &api,
                proof: p1,
                openings: o1,
            },
        ];
        composite::prove_composite(rng, ph, &certificates, &[], std::slice::from_ref(&equality))
    };
    let proof = prove(&mut rng, &card, &alice, ph).unwrap();
    assert_eq!(proof.verify_statements(&[&api, &api], ph), Ok(()));
    // And each BBS proof verifies on its own with its disclosed type.
    for (p, issued) in proof.proofs().iter().zip([&licence, &card]) {
        committed::blind_proof_verify_committed::<C>(
            &issued.pk,
            p,
            b"h",
            ph,
            2,
            &[(0, &issued.messages[0])],
            &[],
        )
        .unwrap();
    }
    let decoded = CompositeProof::from_bytes(&proof.to_bytes()).unwrap();
    assert_eq!(decoded, proof);
    assert_eq!(decoded.verify_statements(&[&api, &api], ph), Ok(()));
    assert!(proof.verify_statements(&[&api, &api], b"another nonce").is_err());
    assert!(proof.verify_statements(&[&api], ph).is_err());
    // Alice's licence with Bob's card: the honest prover refuses; a composite assembled from a proof of
    // Alice's pair with Bob's BBS proof swapped in fails.
    assert_eq!(
        prove(&mut rng, &bobs_card, &bob, ph).err(),
        Some(Error::EqualityStatement)
    );
    let (bob_proof, _) = blind_proof(&mut rng, &bobs_card, &bob, ph);
    let mut parts = proof.to_bytes();
    let mut swapped = Vec::new();
    swapped.push(parts[0]);
    swapped.extend_from_slice(&2u16.to_be_bytes());
    let first = CommittedProof::from_bytes(&proof.proofs()[0].to_bytes())
        .unwrap()
        .to_bytes();
    for p in [first, bob_proof.to_bytes()] {
        swapped.extend_from_slice(&(p.len() as u32).to_be_bytes());
        swapped.extend_from_slice(&p);
    }
    // The statements and the equality proof, as they were.
    let skip = 1
        + 2
        + proof
            .proofs()
            .iter()
            .map(|p| 4 + p.to_bytes().len())
            .sum::<usize>();
    swapped.extend_from_slice(&parts.split_off(skip));
    let forged = CompositeProof::from_bytes(&swapped).unwrap();
    assert_eq!(
        forged.verify_statements(&[&api, &api], ph),
        Err(Error::VerificationFailed)
    );
}

/// Signs dates and numbers as integers (as ecert's certificate interface does) and proves ranges on them.
struct Licence {
    api: Interface<C>,
    pk: PublicKey,
    signature: Signature,
    messages: Vec<ecert_bbs::Scalar>,
}

const BIRTH: usize = 1;
const VALID_FROM: usize = 2;
const VALID_UNTIL: usize = 3;

fn licence(birth: i64, valid_from: i64, valid_until: i64) -> Licence {
    let sk = SecretKey::key_gen::<C>(&[7u8; 32], b"traffic police", None).unwrap();
    let pk = sk.public_key();
    let api = Interface::<C>::new(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_TEST_").unwrap();
    let messages = vec![
        api.map_message_to_scalar(b"C1"),
        ecert_bbs::Scalar::from_u64(day_value(birth)),
        ecert_bbs::Scalar::from_u64(day_value(valid_from)),
        ecert_bbs::Scalar::from_u64(day_value(valid_until)),
    ];
    let signature = api.core_sign(&sk, &pk, b"licence", &messages).unwrap();
    Licence {
        api,
        pk,
        signature,
        messages,
    }
}

/// The car-rental desk's statement on `as_of`: valid_from <= as_of <= valid_until, birth <= as_of - 18y.
fn desk_statement(as_of: i64, eighteen_years_ago: i64) -> RangeStatement {
    let at = |message| MessageRef { proof: 0, message };
    RangeStatement {
        bits: 16,
        terms: vec![
            RangeTerm {
                at: at(VALID_FROM),
                bound: Bound::AtMost(day_value(as_of)),
            },
            RangeTerm {
                at: at(VALID_UNTIL),
                bound: Bound::AtLeast(day_value(as_of)),
            },
            RangeTerm {
                at: at(BIRTH),
                bound: Bound::AtMost(day_value(eighteen_years_ago)),
            },
        ],
    }
}

fn present(
    rng: &mut StdRng,
    l: &Licence,
    ph: &[u8],
    ranges: &[RangeStatement],
) -> Result<CompositeProof, Error> {
    let disclosures = [
        Disclosure::Disclose,
        Disclosure::Commit,
        Disclosure::Commit,
        Disclosure::Commit,
    ];
    let (proof, openings) = l
        .api
        .core_proof_gen_committed(
            rng,
            &l.pk,
            &l.signature,
            b"licence",
            ph,
            &l.messages,
            &disclosures,
        )
        .unwrap();
    composite::prove_composite(
        rng,
        ph,
        &[ProvedCertificate {
            interface: &l.api,
            proof,
            openings,
        }],
        ranges,
        &[],
    )
}

fn verify(l: &Licence, proof: &CompositeProof, ph: &[u8]) -> Result<(), Error> {
    l.api.core_proof_verify_committed(
        &l.pk,
        &proof.proofs()[0],
        b"licence",
        ph,
        &[(0, l.messages[0].clone())],
    )?;
    proof.verify_statements(&[&l.api], ph)
}

#[test]
fn licence_valid_today_and_age_at_least_18() {
    let mut rng = StdRng::seed_from_u64(2);
    let today = 20_430; // 2025-12-09
    let eighteen_years_ago = today - 6_575; // 18 years of 365.25 days
    // Born 17 years and 364 days before today, licence issued a year ago for ten years.
    let young = licence(eighteen_years_ago + 1, today - 365, today + 3_287);
    // The honest wallet cannot prove the age: the value is out of range.
    assert_eq!(
        present(
            &mut rng,
            &young,
            b"ph",
            &[desk_statement(today, eighteen_years_ago)]
        )
        .err(),
        Some(Error::RangeStatement)
    );
    // Born 18 years ago to the day: accepted.
    let adult = licence(eighteen_years_ago, today - 365, today + 3_287);
    let proof = present(
        &mut rng,
        &adult,
        b"ph",
        &[desk_statement(today, eighteen_years_ago)],
    )
    .unwrap();
    assert_eq!(verify(&adult, &proof, b"ph"), Ok(()));
    assert!(proof.to_bytes().len() < 2_000, "{} bytes", proof.to_bytes().len());
    // The verifier checks its own date: a statement for another day is another statement.
    let mut changed = proof.to_bytes();
    let decoded = CompositeProof::from_bytes(&changed).unwrap();
    assert_eq!(
        decoded.range_statements()[0],
        &desk_statement(today, eighteen_years_ago)
    );
    // Change the as_of of the first term in the encoding (the 8 bytes at the end of the first term).
    let statement_at = 1 + 2 + 4 + proof.proofs()[0].to_bytes().len() + 2 + 1 + 2;
    let bound_at = statement_at + 2 + 4 + 1;
    changed[bound_at + 7] ^= 1;
    let moved = CompositeProof::from_bytes(&changed).unwrap();
    assert_eq!(verify(&adult, &moved, b"ph"), Err(Error::VerificationFailed));
    // An expired licence: refused to the prover.
    let expired = licence(eighteen_years_ago - 1000, today - 4_000, today - 1);
    assert_eq!(
        present(
            &mut rng,
            &expired,
            b"ph",
            &[desk_statement(today, eighteen_years_ago)]
        )
        .err(),
        Some(Error::RangeStatement)
    );
}

#[test]
fn range_proofs_do_not_move_between_presentations() {
    let mut rng = StdRng::seed_from_u64(3);
    let today = 20_430;
    let l = licence(today - 10_000, today - 100, today + 100);
    let statement = desk_statement(today, today - 6_575);
    let first = present(&mut rng, &l, b"nonce 1", std::slice::from_ref(&statement)).unwrap();
    let second = present(&mut rng, &l, b"nonce 2", std::slice::from_ref(&statement)).unwrap();
    assert_eq!(verify(&l, &first, b"nonce 1"), Ok(()));
    assert_eq!(verify(&l, &second, b"nonce 2"), Ok(()));
    // The second presentation's BBS proof with the first one's range proof.
    let a = first.to_bytes();
    let b = second.to_bytes();
    let bbs_end = |p: &CompositeProof| 1 + 2 + 4 + p.proofs()[0].to_bytes().len();
    let spliced = [&b[..bbs_end(&second)], &a[bbs_end(&first)..]].concat();
    let spliced = CompositeProof::from_bytes(&spliced).unwrap();
    assert_eq!(verify(&l, &spliced, b"nonce 2"), Err(Error::VerificationFailed));
    // Two presentations share no byte string of their proofs (they are unlinkable by the proofs).
    assert_ne!(
        first.proofs()[0].commitments()[0].1,
        second.proofs()[0].commitments()[0].1
    );
}

#[test]
fn statements_must_refer_to_committed_messages() {
    let mut rng = StdRng::seed_from_u64(4);
    let l = licence(1000, 2000, 3000);
    let disclosures = [
        Disclosure::Disclose,
        Disclosure::Hide,
        Disclosure::Commit,
        Disclosure::Commit,
    ];
    let (proof, openings) = l
        .api
        .core_proof_gen_committed(
            &mut rng,
            &l.pk,
            &l.signature,
            b"licence",
            b"ph",
            &l.messages,
            &disclosures,
        )
        .unwrap();
    let certificates = [ProvedCertificate {
        interface: &l.api,
        proof,
        openings,
    }];
    for at in [
        MessageRef {
            proof: 0,
            message: BIRTH,
        },
        MessageRef {
            proof: 1,
            message: VALID_FROM,
        },
        MessageRef { proof: 0, message: 0 },
    ] {
        let statement = RangeStatement {
            bits: 16,
            terms: vec![RangeTerm {
                at,
                bound: Bound::AtLeast(0),
            }],
        };
        assert_eq!(
            composite::prove_composite(&mut rng, b"ph", &certificates, &[statement], &[]).err(),
            Some(Error::CompositeStatement)
        );
    }
    let single = EqualityStatement {
        members: vec![MessageRef {
            proof: 0,
            message: VALID_FROM,
        }],
    };
    assert_eq!(
        composite::prove_composite(&mut rng, b"ph", &certificates, &[], &[single]).err(),
        Some(Error::CompositeStatement)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decoding_never_panics(bytes in vec(any::<u8>(), 0..1200)) {
        if let Ok(proof) = CompositeProof::from_bytes(&bytes) {
            prop_assert_eq!(proof.to_bytes(), bytes);
        }
    }

    /// The parts' decoders, on arbitrary bytes and on the lengths they expect.
    #[test]
    fn part_decoders_never_panic(bytes in vec(any::<u8>(), 0..1100), total in prop::sample::select(vec![0usize, 1, 7, 8, 16, 64, 256, 512])) {
        if let Ok(p) = ecert_bbs::range::RangeProof::from_bytes(&bytes, total) {
            prop_assert_eq!(p.to_bytes(), bytes.clone());
        }
        let sized = &bytes[..bytes.len().min(ecert_bbs::range::RangeProof::encoded_len(total.max(8)))];
        let _ = ecert_bbs::range::RangeProof::from_bytes(sized, total);
        if let Ok(p) = ecert_bbs::equality::EqualityProof::from_bytes(&bytes, total) {
            prop_assert_eq!(p.to_bytes(), bytes.clone());
        }
        if let Ok(c) = ecert_bbs::committed::MessageCommitment::from_bytes(&bytes[..bytes.len().min(48)]) {
            prop_assert_eq!(c.to_bytes().to_vec(), bytes[..48].to_vec());
        }
        if let Ok(p) = CommittedProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }

    /// A valid composite with bytes changed: decoding never panics and what decodes does not verify.
    #[test]
    fn changed_composites_do_not_verify(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        use std::sync::OnceLock;
        static FIXTURE: OnceLock<(Vec<u8>, Licence)> = OnceLock::new();
        let (bytes, l) = FIXTURE.get_or_init(|| {
            let mut rng = StdRng::seed_from_u64(5);
            let l = licence(10_000, 20_000, 21_000);
            let proof = present(&mut rng, &l, b"ph", &[desk_statement(20_430, 13_855)]).unwrap();
            (proof.to_bytes(), l)
        });
        let mut changed = bytes.clone();
        let i = at.index(changed.len());
        changed[i] ^= 1 << bit;
        if let Ok(proof) = CompositeProof::from_bytes(&changed) {
            prop_assert!(verify(l, &proof, b"ph").is_err());
        }
    }
}

#[test]
fn date_mapping_matches_the_certificates() {
    // The helper above is the mapping of crates/credential/src/value.rs: days + 2^63, big-endian.
    assert_eq!(day(0), (1u64 << 63).to_be_bytes().to_vec());
    assert_eq!(day_value(-1), (1u64 << 63) - 1);
}
