//! A sample country for the demo, the load benches and the tests: issuing departments of two regions,
//! four verifiers with registered purposes, one person's and one enterprise's attributes, and the set-up
//! of all of it over HTTP with real tokens, exactly as operators would do it.

use ecert_api::{Client, ClientCode, ClientError, IssueCertificate, KeyPublication, NewIssuer};
use ecert_credential::{Purpose, PurposeGrant, TypeId, VerifierRecord};
use ecert_server::auth::{AccessRole, PlatformKey};
use serde_json::{Map, Value, json};

/// An issuing department of the sample country.
#[derive(Clone, Copy, Debug)]
pub struct SampleIssuer {
    /// Registry id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// GB/T 2260 region code.
    pub region: &'static str,
    /// The certificate type it issues.
    pub type_id: &'static str,
}

/// The departments: two regions' public-security bureaus, a traffic authority, a university and a market
/// regulator.
pub const ISSUERS: [SampleIssuer; 5] = [
    SampleIssuer {
        id: "110000-psb",
        name: "Beijing Public Security Bureau",
        region: "110000",
        type_id: "cn.resident-id-card/1",
    },
    SampleIssuer {
        id: "440000-psb",
        name: "Guangdong Public Security Department",
        region: "440000",
        type_id: "cn.resident-id-card/1",
    },
    SampleIssuer {
        id: "440000-traffic",
        name: "Guangdong Traffic Police",
        region: "440000",
        type_id: "cn.driving-licence/1",
    },
    SampleIssuer {
        id: "110000-university",
        name: "Beijing University of Technology",
        region: "110000",
        type_id: "cn.academic-degree/1",
    },
    SampleIssuer {
        id: "110000-samr",
        name: "Beijing Market Regulation Administration",
        region: "110000",
        type_id: "cn.business-licence/1",
    },
];

/// The schema files of the certificate types the sample issuers use (specs/schemas/).
pub const SCHEMAS: [&str; 4] = [
    include_str!("../../../specs/schemas/cn.resident-id-card@1.json"),
    include_str!("../../../specs/schemas/cn.driving-licence@1.json"),
    include_str!("../../../specs/schemas/cn.academic-degree@1.json"),
    include_str!("../../../specs/schemas/cn.business-licence@1.json"),
];

fn purpose(id: &str, description: &str, type_id: &str, attributes: &[&str], claims: &[&str]) -> Purpose {
    Purpose {
        id: id.into(),
        description: description.into(),
        legal_basis: "Personal Information Protection Law art. 13".into(),
        allowed: TypeId::new(type_id)
            .map(|type_id| PurposeGrant {
                type_id,
                attributes: attributes.iter().map(|s| s.to_string()).collect(),
                claims: claims.iter().map(|s| s.to_string()).collect(),
            })
            .into_iter()
            .collect(),
    }
}

/// The verifiers and what each is registered to ask.
pub fn verifiers() -> Vec<VerifierRecord> {
    let record = |id: &str, name: &str, region: &str, purpose: Purpose| VerifierRecord {
        id: id.into(),
        name: name.into(),
        region: region.into(),
        purposes: vec![purpose],
    };
    vec![
        record(
            "110105-car-rental",
            "Chaoyang Car Rental Desk",
            "110105",
            purpose(
                "rent-a-car",
                "Check a driving licence and adulthood before renting a car",
                "cn.driving-licence/1",
                &["licence_class"],
                &["age_over_18", "age_over_21"],
            ),
        ),
        record(
            "110108-employer",
            "Haidian Software Ltd",
            "110108",
            purpose(
                "hiring",
                "Check an applicant's degree",
                "cn.academic-degree/1",
                &["degree_level", "degree_field", "major", "institution"],
                &[],
            ),
        ),
        record(
            "440106-hospital",
            "Guangzhou Tianhe Hospital",
            "440106",
            purpose(
                "cross-region-care",
                "Check the region of household registration for cross-region medical insurance",
                "cn.resident-id-card/1",
                &["residence_region"],
                &[],
            ),
        ),
        record(
            "110101-bank",
            "Dongcheng Commercial Bank",
            "110101",
            purpose(
                "corporate-account",
                "Open a corporate account",
                "cn.business-licence/1",
                &[
                    "enterprise_name",
                    "unified_social_credit_code",
                    "legal_representative",
                    "registration_region",
                ],
                &[],
            ),
        ),
    ]
}

/// Li Hua's resident ID card.
pub fn id_card() -> Value {
    json!({
        "name": "Li Hua", "sex": "female", "ethnicity": "Han", "birth_date": "1990-03-07",
        "address": "1 Jianguomen Outer St, Chaoyang, Beijing", "residence_region": "110105",
        "id_number": "110105199003078882", "issuing_authority": "Beijing PSB Chaoyang Branch",
        "photo_digest": ecert_credential::encode_b64(&[9u8; 32]),
    })
}

/// Li Hua's driving licence.
pub fn driving_licence() -> Value {
    json!({
        "name": "Li Hua", "sex": "female", "nationality": "China",
        "address": "1 Jianguomen Outer St, Chaoyang, Beijing", "birth_date": "1990-03-07",
        "id_number": "110105199003078882", "licence_class": "C1", "first_issue_date": "2012-05-20",
        "issuing_region": "440100", "points_deducted": 0,
        "photo_digest": ecert_credential::encode_b64(&[9u8; 32]),
    })
}

/// Li Hua's degree.
pub fn degree() -> Value {
    json!({
        "name": "Li Hua", "sex": "female", "birth_date": "1990-03-07",
        "id_number": "110105199003078882", "degree_level": "bachelor", "degree_field": "engineering",
        "major": "Computer Science and Technology", "institution": "Beijing University of Technology",
        "institution_code": "10005", "conferral_date": "2012-07-01", "certificate_number": "1000542012000123",
    })
}

/// An enterprise's business licence.
pub fn business_licence() -> Value {
    json!({
        "enterprise_name": "Beijing Green Tea Trading Co., Ltd.", "unified_social_credit_code": "91110105MA01ABCD2X",
        "enterprise_type": "limited liability company", "legal_representative": "Wang Qiang",
        "registered_capital_cny": 1_000_000, "established_date": "2018-04-02", "business_term_end": "2048-04-01",
        "address": "8 Sanlitun Rd, Chaoyang, Beijing", "business_scope": "Tea wholesale and retail",
        "registration_authority": "Beijing Chaoyang Market Regulation Administration", "registration_region": "110105",
    })
}

/// Today (UTC), `YYYY-MM-DD`: the sample keys take effect on the day they are published (an earlier
/// `not_before` would be a backdated key, which the regulator's audit flags).
pub fn today() -> String {
    ecert_credential::format_date(time::OffsetDateTime::now_utc().date())
}

/// The last day of the sample keys and certificates.
pub const LAST_DAY: &str = "2035-12-31";

/// An issuance request of `type_id` with `attributes` (a JSON object; anything else issues with no
/// attributes, which the service refuses), valid from today to [`LAST_DAY`].
pub fn issue_body(type_id: &str, attributes: Value) -> IssueCertificate {
    IssueCertificate {
        type_id: type_id.to_owned(),
        attributes: match attributes {
            Value::Object(attributes) => attributes,
            _ => Map::new(),
        },
        valid_from: today(),
        valid_until: LAST_DAY.to_owned(),
        key_id: None,
    }
}

/// Mints a one-hour token.
pub fn token(platform: &PlatformKey, role: AccessRole, scope: Option<&str>) -> Result<String, String> {
    platform.mint("sample", role, scope, ecert_server::clock::now(), 3600)
}

/// Sets the sample country up on the services at `base`: the types, the issuers (each authorised for
/// its type, with a key `k1` it creates and the registry publishes) and the verifiers.
pub async fn set_up(base: &Client, platform: &PlatformKey) -> Result<(), ClientError> {
    let minted = |role, scope| {
        token(platform, role, scope).map_err(|message| ClientError {
            status: None,
            code: ClientCode::BadResponse,
            message,
        })
    };
    let admin = base.with_token(&minted(AccessRole::RegistryAdmin, None)?);
    for schema in SCHEMAS {
        let schema: Value = serde_json::from_str(schema).map_err(|e| ClientError {
            status: None,
            code: ClientCode::BadResponse,
            message: format!("a sample schema: {e}"),
        })?;
        admin.register_type(&schema).await?;
    }
    for issuer in ISSUERS {
        admin
            .register_issuer(&NewIssuer {
                id: issuer.id.into(),
                name: issuer.name.into(),
                region: issuer.region.into(),
                department: issuer.name.into(),
            })
            .await?;
        admin.authorise_issuer(issuer.id, issuer.type_id).await?;
        let department = base.with_token(&minted(AccessRole::Issuer, Some(issuer.id))?);
        let key = department.create_issuer_key(issuer.id, "k1").await?;
        admin
            .publish_key(
                issuer.id,
                &KeyPublication {
                    key_id: "k1".into(),
                    public_key: key.public_key,
                    not_before: today(),
                    not_after: LAST_DAY.into(),
                    suite: None,
                },
            )
            .await?;
    }
    for verifier in verifiers() {
        admin.register_verifier(&verifier).await?;
    }
    Ok(())
}
