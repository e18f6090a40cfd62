//! The regulator's reads beyond the public log: status and objection histories of every issuer (the
//! verification records are [`Verifications`](crate::Verifications)).

use serde::{Deserialize, Serialize};

/// The query of the audit reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Only records at or after this time, Unix seconds.
    #[serde(default)]
    pub since: i64,
    /// At most this many (clamped to 1..1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Only this issuer's (not for verification records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// One certificate event, as the regulator reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditCertificateEvent {
    /// The issuer.
    pub issuer: String,
    /// The certificate.
    pub serial: String,
    /// The event's number in the certificate's history.
    pub seq: i64,
    /// When, Unix seconds.
    pub at: i64,
    /// `issued`, `suspended`, `reinstated` or `revoked`.
    pub action: String,
    /// The reason recorded.
    pub reason: Option<String>,
    /// Who.
    pub actor: String,
}

/// `listAuditCertificateEvents`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditCertificateEvents {
    /// In time order.
    pub events: Vec<AuditCertificateEvent>,
}

/// One objection event, as the regulator reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditObjectionEvent {
    /// The issuer.
    pub issuer: String,
    /// The certificate objected to.
    pub serial: String,
    /// The objection's id.
    pub objection: String,
    /// The event's number in the objection's history.
    pub seq: i64,
    /// When, Unix seconds.
    pub at: i64,
    /// `filed`, `accepted`, `rejected`, `reissued` or `old_certificate_revoked`.
    pub action: String,
    /// The note recorded.
    pub note: Option<String>,
    /// Who.
    pub actor: String,
}

/// `listAuditObjectionEvents`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditObjectionEvents {
    /// In time order.
    pub events: Vec<AuditObjectionEvent>,
}
