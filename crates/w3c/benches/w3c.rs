//! Criterion benchmarks of ecert-w3c: bbs-2023 base proof creation, derivation and derived-proof
//! verification of two driving licences, each beside the BBS operation underneath it on the same
//! messages, header and presentation header (Sign, ProofGen, ProofVerify). The difference is what
//! JSON-LD processing, canonicalization, grouping, hashing and the CBOR encodings cost.
//!
//! - `licence-v1`: the specification's driver's licence (tests/vectors/FeatureInputs/license.json: VC
//!   v1.1, Data Integrity v2, vdl and AAMVA contexts, an issuer object, images, two driving
//!   privileges), its mandatory and selective pointers;
//! - `licence-v2`: a VC 2.0 licence with the vdl context, as the W3C test suite issues, with the
//!   attributes of an ISO 18013-5 licence; issuer mandatory, expiry date and authority disclosed.
//!
//! `cargo bench -p ecert-w3c`; the figures are recorded in the crate README.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ecert_w3c::ecert_bbs::{Bls12381Sha256, Proof, SecretKey, proof_gen, proof_verify, sign};
use ecert_w3c::{
    BaseProofOptions, Bbs2023, DeriveOptions, DidKeyResolver, JsonPointer, SigningKey, VerifyOptions,
    did_key, hazmat,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

fn pointers(list: &[&str]) -> Vec<JsonPointer> {
    list.iter().map(|p| JsonPointer::parse(p).unwrap()).collect()
}

fn vector(path: &str) -> Value {
    let full = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap()
}

struct Licence {
    name: &'static str,
    credential: Value,
    mandatory: Vec<JsonPointer>,
    selective: Vec<JsonPointer>,
}

fn licences(key: &SigningKey) -> Vec<Licence> {
    let mut v1 = vector("FeatureInputs/license.json");
    v1["issuer"]["id"] = did_key(key.public_key()).into();
    let v2 = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/vdl/v1"],
        "id": "urn:uuid:36245ee9-9074-4b05-a777-febff2e69757",
        "type": ["VerifiableCredential", "Iso18013DriversLicenseCredential"],
        "issuer": did_key(key.public_key()),
        "validFrom": "2024-01-15T00:00:00Z",
        "validUntil": "2029-01-15T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:1a0e4ef5-091f-4060-842e-18e519ab9440",
            "type": "LicensedDriver",
            "driversLicense": {
                "type": "Iso18013DriversLicense",
                "document_number": "542426814",
                "family_name": "TURNER",
                "given_name": "SUSAN",
                "birth_date": "1998-08-28",
                "issue_date": "2024-01-15T10:00:00-07:00",
                "expiry_date": "2029-01-15T12:00:00-06:00",
                "issuing_country": "UA",
                "issuing_authority": "UADMV",
                "resident_address": "12 Main Street",
                "resident_city": "Utopia",
                "resident_postal_code": "12345",
                "sex": 2,
                "height": 170,
                "eye_colour": "brown",
                "age_over_18": true,
                "age_over_21": true,
                "un_distinguishing_sign": "UTA"
            }
        }
    });
    vec![
        Licence {
            name: "licence-v1",
            credential: v1,
            mandatory: serde_json::from_value(vector("FeatureInputs/licenseMandatory.json")).unwrap(),
            selective: serde_json::from_value(vector("FeatureInputs/licenseSelective.json")).unwrap(),
        },
        Licence {
            name: "licence-v2",
            credential: v2,
            mandatory: pointers(&["/issuer"]),
            selective: pointers(&[
                "/credentialSubject/driversLicense/expiry_date",
                "/credentialSubject/driversLicense/issuing_authority",
                "/credentialSubject/driversLicense/age_over_21",
            ]),
        },
    ]
}

fn bench(c: &mut Criterion) {
    let secret = SecretKey::key_gen::<Bls12381Sha256>(&[0x42; 32], b"bench", None).unwrap();
    let public = secret.public_key();
    let key = SigningKey::with_did_key(SecretKey::from_bytes(&secret.to_bytes()).unwrap());
    let suite = Bbs2023::new();
    let ph = b"car-rental desk nonce 81f2".to_vec();
    let mut rng = StdRng::seed_from_u64(7);

    for licence in licences(&key) {
        let options = BaseProofOptions::new(licence.mandatory.clone());
        let derive = DeriveOptions::new(licence.selective.clone(), ph.clone());
        // The BBS inputs of these credentials, from the same computation the suite does.
        let trace =
            hazmat::create_base_proof_with_hmac_key(&suite, &licence.credential, &key, &options, [5; 32])
                .unwrap();
        let header = [trace.proof_hash, trace.mandatory_hash].concat();
        let messages: Vec<&[u8]> = trace.non_mandatory.values().map(|m| m.as_bytes()).collect();
        let signed = suite
            .create_base_proof(&mut rng, &licence.credential, &key, &options)
            .unwrap();
        let derived = suite.derive(&mut rng, &signed, &derive).unwrap();
        let verify_options = VerifyOptions::default().with_presentation_header(ph.clone());
        let verify_trace = hazmat::verify_traced(&suite, &derived, &DidKeyResolver, &verify_options).unwrap();
        verify_trace.verified.as_ref().unwrap();
        let components =
            hazmat::derived_proof_components(derived["proof"]["proofValue"].as_str().unwrap()).unwrap();
        let bbs_proof = Proof::from_bytes(&components.bbs_proof).unwrap();
        let verify_header = [verify_trace.proof_hash, verify_trace.mandatory_hash].concat();
        let disclosed: Vec<(usize, &[u8])> = verify_trace
            .selective_indexes
            .iter()
            .zip(&verify_trace.non_mandatory)
            .map(|(&i, m)| (i, m.as_bytes()))
            .collect();
        let disclosed_indexes = verify_trace.selective_indexes.clone();
        eprintln!(
            "{}: {} statements, {} mandatory, {} BBS messages, {} disclosed",
            licence.name,
            trace.hmac_nquads.len(),
            trace.mandatory.len(),
            messages.len(),
            disclosed.len()
        );

        let mut group = c.benchmark_group(format!("{}/base-proof", licence.name));
        group.bench_function("bbs-2023 create_base_proof", |b| {
            b.iter(|| {
                suite
                    .create_base_proof(&mut rng, black_box(&licence.credential), &key, &options)
                    .unwrap()
            })
        });
        group.bench_function("BBS sign", |b| {
            b.iter(|| sign::<Bls12381Sha256>(&secret, &public, black_box(&header), &messages).unwrap())
        });
        group.finish();

        let mut group = c.benchmark_group(format!("{}/derive", licence.name));
        group.bench_function("bbs-2023 derive", |b| {
            b.iter(|| suite.derive(&mut rng, black_box(&signed), &derive).unwrap())
        });
        let signature = ecert_w3c::ecert_bbs::Signature::from_bytes(&trace.bbs_signature).unwrap();
        group.bench_function("BBS proof_gen", |b| {
            b.iter(|| {
                proof_gen::<Bls12381Sha256, _>(
                    &mut rng,
                    &public,
                    &signature,
                    black_box(&header),
                    &ph,
                    &messages,
                    &disclosed_indexes,
                )
                .unwrap()
            })
        });
        group.finish();

        let mut group = c.benchmark_group(format!("{}/verify", licence.name));
        group.bench_function("bbs-2023 verify", |b| {
            b.iter(|| {
                suite
                    .verify(black_box(&derived), &DidKeyResolver, &verify_options)
                    .unwrap()
            })
        });
        group.bench_function("BBS proof_verify", |b| {
            b.iter(|| {
                proof_verify::<Bls12381Sha256>(
                    &public,
                    black_box(&bbs_proof),
                    &verify_header,
                    &ph,
                    &disclosed,
                )
                .unwrap()
            })
        });
        group.finish();
    }
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
    targets = bench
}
criterion_main!(benches);
