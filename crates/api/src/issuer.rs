//! The issuer service's operations: keys, issuance, certificate records and status changes, status lists
//! (ecert-credential's `StatusList`, served as signed), and objections.

use ecert_credential::{Certificate, CertificateStatus, StatusRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The header carrying a client's idempotency key (draft-ietf-httpapi-idempotency-key-header).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `createIssuerKey`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIssuerKey {
    /// The new key's id, never reused.
    pub key_id: String,
}

/// The public half of a key the issuer service holds (`createIssuerKey`, `listIssuerKeys`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerKey {
    /// The issuer.
    pub issuer: String,
    /// The key id.
    pub key_id: String,
    /// The BBS ciphersuite.
    pub suite: String,
    /// The public key, base64url.
    pub public_key: String,
    /// When it was created, Unix seconds.
    pub created_at: i64,
}

/// `listIssuerKeys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerKeys {
    /// Oldest first.
    pub keys: Vec<IssuerKey>,
}

/// `issueCertificate`'s body (and one row of a batch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueCertificate {
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: String,
    /// One member per attribute of the type, in its JSON form.
    pub attributes: Map<String, Value>,
    /// First day of validity, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day of validity, `YYYY-MM-DD`.
    pub valid_until: String,
    /// The key to sign with; the newest key the registry lists as active when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// `issueCertificate`: the certificate, 201 when issued now, 200 when an earlier request with the same
/// idempotency key issued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedCertificate {
    /// Its serial.
    pub serial: String,
    /// Its status position.
    pub status: StatusRef,
    /// The certificate, for the holder.
    pub certificate: Certificate,
}

/// One step of a certificate's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateEventRecord {
    /// When, Unix seconds.
    pub at: i64,
    /// `issued`, `suspended`, `reinstated` or `revoked`.
    pub action: String,
    /// The reason recorded.
    pub reason: Option<String>,
    /// Who: `role:scope:subject` of the token.
    pub actor: String,
}

/// `getCertificateRecord`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRecord {
    /// The serial.
    pub serial: String,
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: String,
    /// The key that signed it.
    pub key_id: String,
    /// Its status now.
    pub status: CertificateStatus,
    /// Its status list.
    pub status_list: String,
    /// Its index in that list.
    pub status_index: u32,
    /// When it was issued, Unix seconds.
    pub issued_at: i64,
    /// The certificate.
    pub certificate: Certificate,
    /// Its history, oldest first.
    pub events: Vec<CertificateEventRecord>,
}

/// The body of `revokeCertificate`, `suspendCertificate` and `reinstateCertificate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Why, recorded in the history (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer to a status change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChanged {
    /// The certificate.
    pub serial: String,
    /// Its status now.
    pub status: CertificateStatus,
}

/// `fileObjection`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// The holder's certificate, in full and exactly as issued. Kept as JSON here so that one that does not
    /// parse is answered `invalid_certificate`, not as a malformed body.
    pub certificate: Value,
    /// What is wrong (1 to 2000 characters).
    pub statement: String,
    /// The corrected attribute values, at least one.
    pub corrections: Map<String, Value>,
}

/// `fileObjection`: the objection's id, the holder's capability to follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionFiled {
    /// 128 random bits in hex.
    pub id: String,
    /// Always `filed`.
    pub state: String,
}

/// One objection in `listObjections`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionSummary {
    /// Its id.
    pub id: String,
    /// The certificate objected to.
    pub serial: String,
    /// `filed`, `rejected` or `resolved`.
    pub state: String,
    /// The holder's statement.
    pub statement: String,
    /// When it was filed, Unix seconds.
    pub filed_at: i64,
}

/// `listObjections`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objections {
    /// Oldest first.
    pub objections: Vec<ObjectionSummary>,
}

/// One step of an objection's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionEventRecord {
    /// When, Unix seconds.
    pub at: i64,
    /// `filed`, `accepted`, `rejected`, `reissued` or `old_certificate_revoked`.
    pub action: String,
    /// The reviewer's note; for `reissued` the new serial, for `old_certificate_revoked` the old one.
    pub note: Option<String>,
    /// Who.
    pub actor: String,
}

/// `getObjection` and `reviewObjection`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objection {
    /// Its id.
    pub id: String,
    /// The issuer.
    pub issuer: String,
    /// The certificate objected to.
    pub serial: String,
    /// `filed`, `rejected` or `resolved`.
    pub state: String,
    /// The holder's statement.
    pub statement: String,
    /// The holder's corrections, as filed.
    pub corrections: Map<String, Value>,
    /// When it was filed, Unix seconds.
    pub filed_at: i64,
    /// The replacement's serial, once re-issued.
    pub replacement_serial: Option<String>,
    /// The replacement certificate, once re-issued: delivered to the holder here.
    pub replacement: Option<Certificate>,
    /// Its history, oldest first.
    pub events: Vec<ObjectionEventRecord>,
}

/// The issuer's decision on an objection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Correct and re-issue.
    Accept,
    /// Keep the certificate as it is.
    Reject,
}

/// `reviewObjection`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionReview {
    /// Accept or reject.
    pub decision: ReviewDecision,
    /// The reasons, recorded and given to the holder (1 to 2000 characters).
    pub note: String,
    /// The reviewer's corrections, when they differ from the holder's (acceptance only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrections: Option<Map<String, Value>>,
}
