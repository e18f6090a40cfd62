//! The sample country in process, from the role crates alone: its issuers with keys from a seeded RNG,
//! the registry view, status lists, and certificates issued to its person and its enterprise. For the
//! scenario and property tests and the benches of the functional core, where nothing goes over HTTP.

#![allow(
    clippy::unwrap_used,
    reason = "a fixture built from constants: a failure is a bug in the fixture, and its users are tests"
)]

use ecert_credential::{
    Catalogue, Certificate, CertificateStatus, IssuerRecord, KeyRecord, KeyStatus, PurposeGrant,
    RegistryView, StatusLists, StatusRef, TypeId, parse_date,
};
use ecert_holder::Wallet;
use ecert_issuer::{IssueRequest, IssuerKey, issue};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value};

use crate::country::{ISSUERS, SampleIssuer, business_licence, degree, driving_licence, id_card, verifiers};

/// 2026-11-28T12:00:00Z.
pub const NOW: i64 = 1_795_867_200;

/// The country in process.
#[derive(Debug)]
pub struct World {
    /// The built-in certificate types.
    pub catalogue: &'static Catalogue,
    /// The registry as verifiers and wallets see it.
    pub registry: RegistryView,
    /// Every issuer's status list `2026`, all valid until set.
    pub statuses: StatusLists,
    /// Every issuer's key `k1`.
    pub keys: Vec<IssuerKey>,
    /// Li Hua's wallet: ID card (index 1), driving licence (2), degree (3).
    pub wallet: Wallet,
    /// The enterprise's wallet: its business licence (4).
    pub enterprise_wallet: Wallet,
    /// A seeded RNG, for reproducible presentations.
    pub rng: StdRng,
}

/// A type id from a literal.
pub fn type_id(id: &str) -> TypeId {
    TypeId::new(id).unwrap()
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// A purpose's grant of `attributes` and `claims` of type `ty`.
pub fn grant(ty: &str, attributes: &[&str], claims: &[&str]) -> PurposeGrant {
    PurposeGrant {
        type_id: type_id(ty),
        attributes: attributes.iter().map(|s| s.to_string()).collect(),
        claims: claims.iter().map(|s| s.to_string()).collect(),
    }
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}

impl World {
    /// The country, with its certificates issued and in the wallets.
    pub fn new() -> World {
        let mut rng = StdRng::seed_from_u64(2026);
        let catalogue = Catalogue::built_in().unwrap();
        let mut registry = RegistryView::default();
        let mut keys = Vec::new();
        for SampleIssuer {
            id,
            name,
            region,
            type_id: ty,
        } in ISSUERS
        {
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
        registry
            .verifiers
            .extend(verifiers().into_iter().map(|v| (v.id.clone(), v)));
        let mut statuses = StatusLists::default();
        for issuer in ISSUERS {
            statuses.add_list(issuer.id, "2026");
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
        world
            .wallet
            .add(world.issue("110000-psb", "cn.resident-id-card/1", id_card(), 1));
        world
            .wallet
            .add(world.issue("440000-traffic", "cn.driving-licence/1", driving_licence(), 2));
        world
            .wallet
            .add(world.issue("110000-university", "cn.academic-degree/1", degree(), 3));
        let licence = world.issue("110000-samr", "cn.business-licence/1", business_licence(), 4);
        world.enterprise_wallet.add(licence);
        world
    }

    /// An issuer's key.
    pub fn key(&self, issuer: &str) -> &IssuerKey {
        self.keys.iter().find(|k| k.issuer() == issuer).unwrap()
    }

    /// A certificate valid 2026-01-01 to 2036-01-01 at `index` of the issuer's list `2026`.
    pub fn issue(&self, issuer: &str, ty: &str, attributes: Value, index: u32) -> Certificate {
        self.issue_valid(issuer, ty, attributes, index, "2026-01-01", "2036-01-01")
    }

    /// A certificate valid `from` to `until` at `index` of the issuer's list `2026`.
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

    /// Sets the status of `index` of the issuer's list `2026`.
    pub fn set_status(&mut self, issuer: &str, index: u32, status: CertificateStatus) {
        self.statuses.set(issuer, "2026", index, status);
    }
}
