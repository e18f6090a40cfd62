//! A small country for the scenario tests: issuers of two regions, a registry view, status lists, and
//! certificates issued to one person and one enterprise.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses part of the fixture, through `mod common`"
)]

use ecert_credential::{
    Catalogue, Certificate, CertificateStatus, IssuerRecord, KeyRecord, KeyStatus, Purpose, PurposeGrant,
    RegistryView, StatusLists, StatusRef, TypeId, VerifierRecord, parse_date,
};
use ecert_holder::Wallet;
use ecert_issuer::{IssueRequest, IssuerKey, issue};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

/// 2026-11-28T12:00:00Z.
pub const NOW: i64 = 1_795_867_200;

pub struct World {
    pub catalogue: &'static Catalogue,
    pub registry: RegistryView,
    pub statuses: StatusLists,
    pub keys: Vec<IssuerKey>,
    pub wallet: Wallet,
    pub enterprise_wallet: Wallet,
    pub rng: StdRng,
}

pub fn type_id(id: &str) -> TypeId {
    TypeId::new(id).unwrap()
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

pub fn grant(ty: &str, attributes: &[&str], claims: &[&str]) -> PurposeGrant {
    PurposeGrant {
        type_id: type_id(ty),
        attributes: attributes.iter().map(|s| s.to_string()).collect(),
        claims: claims.iter().map(|s| s.to_string()).collect(),
    }
}

fn purpose(id: &str, description: &str, allowed: Vec<PurposeGrant>) -> Purpose {
    Purpose {
        id: id.into(),
        description: description.into(),
        legal_basis: "test regulation art. 1".into(),
        allowed,
    }
}

fn verifier(id: &str, name: &str, region: &str, purposes: Vec<Purpose>) -> (String, VerifierRecord) {
    (
        id.into(),
        VerifierRecord {
            id: id.into(),
            name: name.into(),
            region: region.into(),
            purposes,
        },
    )
}

impl World {
    pub fn new() -> World {
        let mut rng = StdRng::seed_from_u64(2026);
        let catalogue = Catalogue::built_in().unwrap();
        let issuers = [
            (
                "110000-psb",
                "Beijing Public Security Bureau",
                "110000",
                "cn.resident-id-card/1",
            ),
            (
                "440000-psb",
                "Guangdong Public Security Department",
                "440000",
                "cn.resident-id-card/1",
            ),
            (
                "440000-traffic",
                "Guangdong Traffic Police",
                "440000",
                "cn.driving-licence/1",
            ),
            (
                "110000-university",
                "Beijing University of Technology",
                "110000",
                "cn.academic-degree/1",
            ),
            (
                "110000-samr",
                "Beijing Market Regulation Administration",
                "110000",
                "cn.business-licence/1",
            ),
        ];
        let mut registry = RegistryView::default();
        let mut keys = Vec::new();
        for (id, name, region, ty) in issuers {
            let key = IssuerKey::generate(&mut rng, id, "k1").unwrap();
            registry.issuers.insert(
                id.into(),
                IssuerRecord {
                    id: id.into(),
                    name: name.into(),
                    region: region.into(),
                    department: name.into(),
                    authorised_types: vec![type_id(ty)],
                    keys: vec![KeyRecord {
                        key_id: "k1".into(),
                        public_key: key.public_key(),
                        not_before: parse_date("2020-01-01").unwrap(),
                        not_after: parse_date("2030-12-31").unwrap(),
                        status: KeyStatus::Active,
                    }],
                },
            );
            keys.push(key);
        }
        registry.verifiers.extend([
            verifier(
                "110105-car-rental",
                "Chaoyang Car Rental Desk",
                "110105",
                vec![purpose(
                    "rent-a-car",
                    "Check a driving licence and adulthood before renting a car",
                    vec![grant(
                        "cn.driving-licence/1",
                        &["licence_class"],
                        &["age_over_18", "age_over_21"],
                    )],
                )],
            ),
            verifier(
                "110108-employer",
                "Haidian Software Ltd",
                "110108",
                vec![purpose(
                    "hiring",
                    "Check an applicant's degree",
                    vec![grant(
                        "cn.academic-degree/1",
                        &["degree_level", "degree_field", "major", "institution"],
                        &[],
                    )],
                )],
            ),
            verifier(
                "440106-hospital",
                "Guangzhou Tianhe Hospital",
                "440106",
                vec![purpose(
                    "cross-region-care",
                    "Check the region of household registration for cross-region medical insurance",
                    vec![grant("cn.resident-id-card/1", &["residence_region"], &[])],
                )],
            ),
            verifier(
                "110101-bank",
                "Dongcheng Commercial Bank",
                "110101",
                vec![purpose(
                    "corporate-account",
                    "Open a corporate account",
                    vec![grant(
                        "cn.business-licence/1",
                        &[
                            "enterprise_name",
                            "unified_social_credit_code",
                            "legal_representative",
                            "registration_region",
                        ],
                        &[],
                    )],
                )],
            ),
        ]);
        let mut statuses = StatusLists::default();
        for (id, ..) in issuers {
            statuses.add_list(id, "2026");
        }
        let mut world = World {
            catalogue,
            registry,
            statuses,
            keys,
            wallet: Wallet::new(),
            enterprise_wallet: Wallet::new(),
            rng,
        };
        let person = json!({"name": "Li Hua", "sex": "female", "birth_date": "1990-03-07", "id_number": "110105199003078882"});
        world.wallet.add(world.issue(
            "110000-psb",
            "cn.resident-id-card/1",
            json!({
                "name": "Li Hua", "sex": "female", "ethnicity": "Han", "birth_date": "1990-03-07",
                "address": "1 Jianguomen Outer St, Chaoyang, Beijing", "residence_region": "110105",
                "id_number": "110105199003078882", "issuing_authority": "Beijing PSB Chaoyang Branch",
                "photo_digest": ecert_credential::encode_b64(&[9u8; 32]),
            }),
            1,
        ));
        world.wallet.add(world.issue(
            "440000-traffic",
            "cn.driving-licence/1",
            json!({
                "name": person["name"], "sex": person["sex"], "nationality": "China",
                "address": "1 Jianguomen Outer St, Chaoyang, Beijing", "birth_date": person["birth_date"],
                "id_number": person["id_number"], "licence_class": "C1", "first_issue_date": "2012-05-20",
                "issuing_region": "440100", "points_deducted": 0,
                "photo_digest": ecert_credential::encode_b64(&[9u8; 32]),
            }),
            2,
        ));
        world.wallet.add(world.issue(
            "110000-university",
            "cn.academic-degree/1",
            json!({
                "name": person["name"], "sex": person["sex"], "birth_date": person["birth_date"],
                "id_number": person["id_number"], "degree_level": "bachelor", "degree_field": "engineering",
                "major": "Computer Science and Technology", "institution": "Beijing University of Technology",
                "institution_code": "10005", "conferral_date": "2012-07-01", "certificate_number": "1000542012000123",
            }),
            3,
        ));
        let licence = world.issue(
            "110000-samr",
            "cn.business-licence/1",
            json!({
                "enterprise_name": "Beijing Green Tea Trading Co., Ltd.", "unified_social_credit_code": "91110105MA01ABCD2X",
                "enterprise_type": "limited liability company", "legal_representative": "Wang Qiang",
                "registered_capital_cny": 1_000_000, "established_date": "2018-04-02", "business_term_end": "2048-04-01",
                "address": "8 Sanlitun Rd, Chaoyang, Beijing", "business_scope": "Tea wholesale and retail",
                "registration_authority": "Beijing Chaoyang Market Regulation Administration", "registration_region": "110105",
            }),
            4,
        );
        world.enterprise_wallet.add(licence);
        world
    }

    pub fn key(&self, issuer: &str) -> &IssuerKey {
        self.keys.iter().find(|k| k.issuer() == issuer).unwrap()
    }

    pub fn issue(&self, issuer: &str, ty: &str, attributes: Value, index: u32) -> Certificate {
        self.issue_valid(issuer, ty, attributes, index, "2026-01-01", "2036-01-01")
    }

    pub fn issue_valid(
        &self,
        issuer: &str,
        ty: &str,
        attributes: Value,
        index: u32,
        from: &str,
        until: &str,
    ) -> Certificate {
        let ty = self.catalogue.get(ty).unwrap();
        let request = IssueRequest {
            attributes: object(attributes),
            valid_from: parse_date(from).unwrap(),
            valid_until: parse_date(until).unwrap(),
            status: StatusRef {
                list: "2026".into(),
                index,
            },
            serial: format!("{issuer}-{index:06}"),
        };
        let certificate = issue(ty, self.key(issuer), &request).unwrap();
        certificate
            .verify_signature(ty, &self.key(issuer).public_key())
            .unwrap();
        certificate
    }

    pub fn set_status(&mut self, issuer: &str, index: u32, status: CertificateStatus) {
        self.statuses.set(issuer, "2026", index, status);
    }
}
