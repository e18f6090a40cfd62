//! Criterion benchmarks of the certificate layer against the BBS core beneath it: issue, present
//! (`Wallet::prepare` + `Wallet::present`) and verify a `cn.birth-medical-certificate/1` (12 attributes,
//! no derived claims: 17 messages) disclosing 2 attributes, each beside the `ecert_bbs::Interface` core
//! operation it is built on (`core_sign`, `core_proof_gen`, `core_proof_verify`) over the same messages,
//! header, presentation header and disclosed positions, measured in the same run.
//!
//! `cargo bench -p ecert --bench certificate`; the medians are in
//! `target/criterion/{issue,present,verify}/{certificate,bbs_core_*/17}/new/estimates.json`.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ecert_bbs::{Bls12381Sha256, Interface, SecretKey};
use ecert_credential::{
    Catalogue, CertificateType, IssuerRecord, KeyRecord, KeyStatus, Purpose, PurposeGrant, RegistryView,
    RequestItem, StatusLists, StatusRef, VerifierRecord, certificate_api_id, certificate_header,
    disclosed_positions, message_count, parse_date,
};
use ecert_holder::Wallet;
use ecert_issuer::{IssueRequest, IssuerKey, issue};
use ecert_verifier::{build_request, verify};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

/// A built-in type with exactly 12 attributes (and no derived claims).
const TYPE: &str = "cn.birth-medical-certificate/1";
const ISSUER: &str = "110105-hospital";
const KEY_ID: &str = "k1";
const VERIFIER: &str = "110105-household-office";
const PURPOSE: &str = "household-registration";
/// The 2 attributes disclosed.
const DISCLOSED: [&str; 2] = ["child_name", "birth_date"];
/// 2026-11-28T12:00:00Z.
const NOW: i64 = 1_795_867_200;

fn issue_request() -> IssueRequest {
    let attributes = json!({
        "child_name": "Li Xiaoming", "child_sex": "male", "birth_date": "2024-05-06",
        "birth_place_region": "110105", "institution": "Peking Union Medical College Hospital",
        "mother_name": "Li Hua", "mother_id_number": "110105199003078882",
        "father_name": "Zhang Wei", "father_id_number": "11010519881102331X",
        "certificate_number": "Q110123456", "gestational_weeks": 39, "birth_weight_grams": 3350,
    });
    IssueRequest {
        attributes: attributes.as_object().unwrap().clone(),
        valid_from: parse_date("2024-05-06").unwrap(),
        valid_until: parse_date("2124-05-06").unwrap(),
        status: StatusRef {
            list: "2024".into(),
            index: 17,
        },
        serial: format!("{ISSUER}-000017"),
    }
}

/// The registry: the hospital with its key, authorised for the type, and one verifier whose purpose
/// grants exactly the disclosed attributes.
fn registry(ty: &CertificateType, key: &IssuerKey) -> RegistryView {
    let mut registry = RegistryView::default();
    registry.issuers.insert(
        ISSUER.into(),
        IssuerRecord {
            id: ISSUER.into(),
            name: "Chaoyang Maternity Hospital".into(),
            region: "110105".into(),
            department: "health commission".into(),
            authorised_types: vec![ty.id.clone()],
            keys: vec![KeyRecord {
                key_id: KEY_ID.into(),
                public_key: key.public_key(),
                not_before: parse_date("2020-01-01").unwrap(),
                not_after: parse_date("2030-12-31").unwrap(),
                status: KeyStatus::Active,
            }],
        },
    );
    registry.verifiers.insert(
        VERIFIER.into(),
        VerifierRecord {
            id: VERIFIER.into(),
            name: "Chaoyang Household Registration Office".into(),
            region: "110105".into(),
            purposes: vec![Purpose {
                id: PURPOSE.into(),
                description: "Register a newborn's household registration".into(),
                legal_basis: "bench regulation art. 1".into(),
                allowed: vec![PurposeGrant {
                    type_id: ty.id.clone(),
                    attributes: DISCLOSED.iter().map(|s| s.to_string()).collect(),
                    claims: Vec::new(),
                }],
            }],
        },
    );
    registry
}

fn certificate(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2026);
    let catalogue = Catalogue::built_in().unwrap();
    let ty = catalogue.get(TYPE).unwrap();
    assert_eq!(ty.attributes.len(), 12);
    let l = message_count(ty);
    let key = IssuerKey::generate(&mut rng, ISSUER, KEY_ID).unwrap();
    let registry = registry(ty, &key);
    let mut statuses = StatusLists::default();
    statuses.add_list(ISSUER, "2024");

    // The certificate layer's fixtures: a certificate in a wallet, a request and its presentation.
    let request = issue_request();
    let certificate = issue(ty, &key, &request).unwrap();
    certificate.verify_signature(ty, &key.public_key()).unwrap();
    let mut wallet = Wallet::new();
    wallet.add(certificate.clone());
    let disclosed: Vec<String> = DISCLOSED.iter().map(|s| s.to_string()).collect();
    let asked = RequestItem {
        id: "birth".into(),
        types: vec![ty.id.clone()],
        issuers: None,
        disclose: disclosed.clone(),
        claims: Vec::new(),
    };
    let presentation_request = build_request(&mut rng, VERIFIER, PURPOSE, vec![asked], NOW + 300);
    let consent = wallet
        .prepare(&presentation_request, &registry, catalogue, NOW)
        .unwrap();
    let presentation = wallet
        .present(&mut rng, &presentation_request, &consent, &registry, catalogue)
        .unwrap();
    verify(
        &presentation_request,
        &presentation,
        &registry,
        &statuses,
        catalogue,
        NOW,
    )
    .unwrap();

    // The BBS core's fixtures: the same key, messages, header, presentation header and positions.
    let interface = Interface::<Bls12381Sha256>::new(&certificate_api_id()).unwrap();
    let sk = SecretKey::from_bytes(key.secret_bytes().as_slice()).unwrap();
    let pk = sk.public_key();
    let header = certificate_header(ty, ISSUER, KEY_ID).unwrap();
    let ph = presentation_request.presentation_header();
    let messages = certificate.messages(ty, &interface).unwrap();
    assert_eq!(messages.len(), l);
    let positions = disclosed_positions(ty, &disclosed, &[]).unwrap();
    let disclosed_messages: Vec<_> = positions.iter().map(|&i| (i, messages[i].clone())).collect();
    let signature = interface.core_sign(&sk, &pk, &header, &messages).unwrap();
    assert_eq!(signature, certificate.signature);
    let proof = interface
        .core_proof_gen(&mut rng, &pk, &signature, &header, &ph, &messages, &positions)
        .unwrap();
    interface
        .core_proof_verify(&pk, &proof, &header, &ph, &disclosed_messages)
        .unwrap();

    let mut group = c.benchmark_group("issue");
    group.bench_function("certificate", |b| {
        b.iter(|| issue(ty, &key, black_box(&request)).unwrap())
    });
    group.bench_with_input(BenchmarkId::new("bbs_core_sign", l), &messages, |b, m| {
        b.iter(|| interface.core_sign(&sk, &pk, &header, black_box(m)).unwrap())
    });
    group.finish();

    let mut group = c.benchmark_group("present");
    group.bench_function("certificate", |b| {
        b.iter(|| {
            let received = black_box(&presentation_request);
            let consent = wallet.prepare(received, &registry, catalogue, NOW).unwrap();
            wallet
                .present(&mut rng, received, &consent, &registry, catalogue)
                .unwrap()
        })
    });
    group.bench_with_input(BenchmarkId::new("bbs_core_proof_gen", l), &messages, |b, m| {
        b.iter(|| {
            interface
                .core_proof_gen(&mut rng, &pk, &signature, &header, &ph, black_box(m), &positions)
                .unwrap()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("verify");
    group.bench_function("certificate", |b| {
        b.iter(|| {
            verify(
                &presentation_request,
                black_box(&presentation),
                &registry,
                &statuses,
                catalogue,
                NOW,
            )
            .unwrap()
        })
    });
    group.bench_with_input(
        BenchmarkId::new("bbs_core_proof_verify", l),
        &disclosed_messages,
        |b, d| {
            b.iter(|| {
                interface
                    .core_proof_verify(&pk, &proof, &header, &ph, black_box(d))
                    .unwrap()
            })
        },
    );
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = certificate
}
criterion_main!(benches);
