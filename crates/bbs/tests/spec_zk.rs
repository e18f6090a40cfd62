//! The example of specs/zk-proofs.md §7: a composite a car-rental desk receives (a driving licence,
//! its class disclosed, three dates committed, "valid on 2025-12-09" and "born on or before 2007-12-09"
//! proved), decoded and verified as a verifier would; a changed date in the statement fails.
//!
//! `ECERT_WRITE_SPEC_EXAMPLES=1 cargo test -p ecert-bbs --test spec_zk` writes the example afresh (after a
//! deliberate format change); otherwise the file is only read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]

use std::path::PathBuf;

use ecert_bbs::committed::Disclosure;
use ecert_bbs::composite::{
    self, Bound, CompositeProof, MessageRef, ProvedCertificate, RangeStatement, RangeTerm,
};
use ecert_bbs::{Bls12381Sha256, Interface, PublicKey, Scalar, SecretKey};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

type C = Bls12381Sha256;

#[derive(Serialize, Deserialize)]
struct Example {
    description: String,
    api_id: String,
    issuer_public_key: String,
    header: String,
    presentation_header: String,
    /// (index, scalar) of the disclosed messages.
    disclosed: Vec<(usize, String)>,
    composite: String,
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/examples/zk-licence-composite.json")
}

/// Days since 1970-01-01 plus 2^63, as certificates map dates.
fn day(days: u64) -> u64 {
    (1 << 63) + days
}

const TODAY: u64 = 20_431; // 2025-12-09
const EIGHTEEN_YEARS_AGO: u64 = 13_856; // 2007-12-09

fn statement(as_of: u64) -> RangeStatement {
    let at = |message| MessageRef { proof: 0, message };
    RangeStatement {
        bits: 16,
        terms: vec![
            RangeTerm {
                at: at(2),
                bound: Bound::AtMost(day(as_of)),
            },
            RangeTerm {
                at: at(3),
                bound: Bound::AtLeast(day(as_of)),
            },
            RangeTerm {
                at: at(1),
                bound: Bound::AtMost(day(EIGHTEEN_YEARS_AGO)),
            },
        ],
    }
}

fn make() -> Example {
    let api_id = b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_EXAMPLE_".to_vec();
    let api = Interface::<C>::new(&api_id).unwrap();
    let sk =
        SecretKey::key_gen::<C>(b"ecert spec example issuer key material", b"traffic police", None).unwrap();
    let pk = sk.public_key();
    let messages = vec![
        api.map_message_to_scalar(b"C1"),
        Scalar::from_u64(day(10_000)),
        Scalar::from_u64(day(TODAY - 365)),
        Scalar::from_u64(day(TODAY + 3_287)),
    ];
    let header = b"cn.driving-licence/1".to_vec();
    let ph = b"nonce of the car-rental desk's request".to_vec();
    let signature = api.core_sign(&sk, &pk, &header, &messages).unwrap();
    let mut rng = StdRng::seed_from_u64(2025);
    let disclosures = [
        Disclosure::Disclose,
        Disclosure::Commit,
        Disclosure::Commit,
        Disclosure::Commit,
    ];
    let (proof, openings) = api
        .core_proof_gen_committed(&mut rng, &pk, &signature, &header, &ph, &messages, &disclosures)
        .unwrap();
    let composite = composite::prove_composite(
        &mut rng,
        &ph,
        &[ProvedCertificate {
            interface: &api,
            proof,
            openings,
        }],
        &[statement(TODAY)],
        &[],
    )
    .unwrap();
    Example {
        description:
            "specs/zk-proofs.md §7: a driving licence (class, birth, valid from, valid until), class \
                      disclosed, dates committed; valid on 2025-12-09 and born on or before 2007-12-09"
                .into(),
        api_id: String::from_utf8(api_id).unwrap(),
        issuer_public_key: hex::encode(pk.to_bytes()),
        header: hex::encode(header),
        presentation_header: hex::encode(ph),
        disclosed: vec![(0, hex::encode(messages[0].to_be_bytes()))],
        composite: hex::encode(composite.to_bytes()),
    }
}

fn verify(example: &Example, composite: &CompositeProof) -> Result<(), ecert_bbs::Error> {
    let api = Interface::<C>::new(example.api_id.as_bytes()).unwrap();
    let pk = PublicKey::from_bytes(&hex::decode(&example.issuer_public_key).unwrap()).unwrap();
    let ph = hex::decode(&example.presentation_header).unwrap();
    let disclosed: Vec<(usize, Scalar)> = example
        .disclosed
        .iter()
        .map(|(i, s)| (*i, Scalar::from_be_bytes(&hex::decode(s).unwrap()).unwrap()))
        .collect();
    api.core_proof_verify_committed(
        &pk,
        &composite.proofs()[0],
        &hex::decode(&example.header).unwrap(),
        &ph,
        &disclosed,
    )?;
    composite.verify_statements(&[&api], &ph)
}

#[test]
fn the_spec_example_verifies() {
    if std::env::var_os("ECERT_WRITE_SPEC_EXAMPLES").is_some() {
        let text = serde_json::to_string_pretty(&make()).unwrap();
        std::fs::write(path(), text + "\n").unwrap();
    }
    let text = std::fs::read_to_string(path()).unwrap();
    let example: Example = serde_json::from_str(&text).unwrap();
    let composite = CompositeProof::from_bytes(&hex::decode(&example.composite).unwrap()).unwrap();
    assert_eq!(composite.range_statements(), vec![&statement(TODAY)]);
    assert_eq!(verify(&example, &composite), Ok(()));
    // The same bytes with the verifier's date a day later in the statement: another statement.
    let mut changed = hex::decode(&example.composite).unwrap();
    let bbs_len = composite.proofs()[0].to_bytes().len();
    let first_bound = 1 + 2 + 4 + bbs_len + 2 + 1 + 2 + 2 + 4 + 1;
    changed[first_bound + 7] ^= 0x01;
    let changed = CompositeProof::from_bytes(&changed).unwrap();
    assert_ne!(changed.range_statements(), vec![&statement(TODAY)]);
    assert!(verify(&example, &changed).is_err());
}
