//! Building requests and verifying presentations against them, offline, from a registry view and status
//! lists.

use core::fmt;
use std::collections::BTreeMap;

use ecert_credential::{
    Catalogue, CertificateStatus, KeyRefusal, MIN_NONCE_BYTES, NamesOnly, Presentation, PresentationRequest,
    REQUEST_FORMAT, RegistryView, RequestItem, StatusSource, TypeId, certificate_header,
    certificate_interface, encode_b64, message_count,
};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// A request with a fresh 256-bit nonce.
pub fn build_request<R: RngCore + CryptoRng>(
    rng: &mut R,
    verifier: &str,
    purpose: &str,
    items: Vec<RequestItem>,
    expires_at: i64,
) -> PresentationRequest {
    let mut nonce = [0u8; 2 * MIN_NONCE_BYTES];
    rng.fill_bytes(&mut nonce);
    PresentationRequest {
        format: REQUEST_FORMAT.to_owned(),
        verifier: verifier.to_owned(),
        purpose: purpose.to_owned(),
        nonce: encode_b64(&nonce),
        expires_at,
        items,
    }
}

/// What a verifier learns from a valid presentation: the disclosed facts and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedPresentation {
    /// The verifier the request was for.
    pub verifier: String,
    /// The purpose.
    pub purpose: String,
    /// One entry per request item.
    pub items: Vec<VerifiedItem>,
}

/// The facts one certificate established. `Debug` names the disclosed attributes and claims without their
/// values, which are the holder's personal data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedItem {
    /// The request item.
    pub item: String,
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: TypeId,
    /// The issuer.
    pub issuer: String,
    /// Validity of the certificate.
    #[serde(with = "ecert_credential::date_format")]
    pub valid_from: Date,
    /// Validity of the certificate.
    #[serde(with = "ecert_credential::date_format")]
    pub valid_until: Date,
    /// The disclosed attributes.
    pub disclosed: serde_json::Map<String, Value>,
    /// The disclosed claims (all true: a false one fails verification).
    pub claims: BTreeMap<String, bool>,
}

impl fmt::Debug for VerifiedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedItem")
            .field("item", &self.item)
            .field("type_id", &self.type_id)
            .field("issuer", &self.issuer)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field(
                "disclosed",
                &NamesOnly::new(self.disclosed.keys().map(String::as_str)),
            )
            .field("claims", &NamesOnly::new(self.claims.keys().map(String::as_str)))
            .finish()
    }
}

/// Which check a presentation failed. Item-level failures name the request item.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The presentation or request is malformed.
    Malformed(String),
    /// The request has expired.
    RequestExpired,
    /// The presentation answers another request (another nonce, verifier or content): a replay.
    WrongRequest,
    /// The presentation has no certificate for this item.
    ItemMissing(String),
    /// The presentation has an item the request did not ask for, or one twice.
    UnexpectedItem(String),
    /// The certificate's type is not one the item accepts.
    TypeNotAccepted(String),
    /// The issuer is not one the item accepts.
    IssuerNotAccepted(String),
    /// The registry does not authorise this issuer for this type.
    IssuerNotAuthorised(String),
    /// The registry does not list the signing key.
    UnknownKey(String),
    /// The signing key has been revoked.
    KeyRevoked(String),
    /// The certificate's validity starts outside the key's validity window, or after the key's
    /// retirement.
    KeyNotValidAtIssuance(String),
    /// The certificate is not valid yet.
    NotYetValid(String),
    /// The certificate has expired.
    Expired(String),
    /// The certificate has been revoked.
    Revoked(String),
    /// The certificate is suspended.
    Suspended(String),
    /// The certificate's status list is unknown here (fail closed).
    StatusUnknown(String),
    /// The disclosed attributes or claims are not exactly what was asked.
    DisclosureMismatch(String),
    /// A required claim is disclosed as false.
    ClaimNotMet(String),
    /// The BBS proof does not verify.
    ProofInvalid(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Malformed(what) => write!(f, "malformed: {what}"),
            Failure::RequestExpired => f.write_str("the request has expired"),
            Failure::WrongRequest => f.write_str("the presentation answers another request (replay)"),
            Failure::ItemMissing(i) => write!(f, "item {i:?}: no certificate presented"),
            Failure::UnexpectedItem(i) => write!(f, "item {i:?}: not asked for, or presented twice"),
            Failure::TypeNotAccepted(i) => write!(f, "item {i:?}: certificate type not accepted"),
            Failure::IssuerNotAccepted(i) => write!(f, "item {i:?}: issuer not accepted"),
            Failure::IssuerNotAuthorised(i) => write!(
                f,
                "item {i:?}: issuer not authorised for this type by the registry"
            ),
            Failure::UnknownKey(i) => write!(f, "item {i:?}: signing key not in the registry"),
            Failure::KeyRevoked(i) => write!(f, "item {i:?}: signing key revoked"),
            Failure::KeyNotValidAtIssuance(i) => write!(f, "item {i:?}: issued outside the key's validity"),
            Failure::NotYetValid(i) => write!(f, "item {i:?}: certificate not yet valid"),
            Failure::Expired(i) => write!(f, "item {i:?}: certificate expired"),
            Failure::Revoked(i) => write!(f, "item {i:?}: certificate revoked"),
            Failure::Suspended(i) => write!(f, "item {i:?}: certificate suspended"),
            Failure::StatusUnknown(i) => write!(f, "item {i:?}: status list unknown"),
            Failure::DisclosureMismatch(i) => {
                write!(f, "item {i:?}: disclosed values are not what was asked")
            }
            Failure::ClaimNotMet(i) => write!(f, "item {i:?}: a required claim is false"),
            Failure::ProofInvalid(i) => write!(f, "item {i:?}: proof does not verify"),
        }
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// The stable code of the failed check (specs/presentation.md, "Verification").
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Malformed(_) => "malformed",
            Failure::RequestExpired => "request_expired",
            Failure::WrongRequest => "wrong_request",
            Failure::ItemMissing(_) => "item_missing",
            Failure::UnexpectedItem(_) => "unexpected_item",
            Failure::TypeNotAccepted(_) => "type_not_accepted",
            Failure::IssuerNotAccepted(_) => "issuer_not_accepted",
            Failure::IssuerNotAuthorised(_) => "issuer_not_authorised",
            Failure::UnknownKey(_) => "unknown_key",
            Failure::KeyRevoked(_) => "key_revoked",
            Failure::KeyNotValidAtIssuance(_) => "key_not_valid_at_issuance",
            Failure::NotYetValid(_) => "not_yet_valid",
            Failure::Expired(_) => "expired",
            Failure::Revoked(_) => "revoked",
            Failure::Suspended(_) => "suspended",
            Failure::StatusUnknown(_) => "status_unknown",
            Failure::DisclosureMismatch(_) => "disclosure_mismatch",
            Failure::ClaimNotMet(_) => "claim_not_met",
            Failure::ProofInvalid(_) => "proof_invalid",
        }
    }

    /// The request item the failure concerns, if it concerns one.
    pub fn item(&self) -> Option<&str> {
        match self {
            Failure::Malformed(_) | Failure::RequestExpired | Failure::WrongRequest => None,
            Failure::ItemMissing(i)
            | Failure::UnexpectedItem(i)
            | Failure::TypeNotAccepted(i)
            | Failure::IssuerNotAccepted(i)
            | Failure::IssuerNotAuthorised(i)
            | Failure::UnknownKey(i)
            | Failure::KeyRevoked(i)
            | Failure::KeyNotValidAtIssuance(i)
            | Failure::NotYetValid(i)
            | Failure::Expired(i)
            | Failure::Revoked(i)
            | Failure::Suspended(i)
            | Failure::StatusUnknown(i)
            | Failure::DisclosureMismatch(i)
            | Failure::ClaimNotMet(i)
            | Failure::ProofInvalid(i) => Some(i),
        }
    }
}

/// The verification result as JSON (specs/presentation.md, "Verification result"): `{"valid": true, ...the
/// disclosed facts}` or `{"valid": false, "failure": {"code", "item"?, "message"}}`.
pub fn result_json(result: &Result<VerifiedPresentation, Failure>) -> serde_json::Value {
    match result {
        Ok(verified) => {
            let mut value = serde_json::to_value(verified).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("valid".into(), Value::Bool(true));
            }
            value
        }
        Err(failure) => {
            let mut detail = serde_json::Map::new();
            detail.insert("code".into(), Value::from(failure.code()));
            if let Some(item) = failure.item() {
                detail.insert("item".into(), Value::from(item));
            }
            detail.insert("message".into(), Value::from(failure.to_string()));
            serde_json::json!({"valid": false, "failure": detail})
        }
    }
}

/// Verifies `presentation` against the `request` this verifier issued, at `now_unix`.
pub fn verify(
    request: &PresentationRequest,
    presentation: &Presentation,
    registry: &RegistryView,
    statuses: &dyn StatusSource,
    catalogue: &Catalogue,
    now_unix: i64,
) -> Result<VerifiedPresentation, Failure> {
    request.check().map_err(|e| Failure::Malformed(e.to_string()))?;
    if now_unix > request.expires_at {
        return Err(Failure::RequestExpired);
    }
    if presentation.format != ecert_credential::PRESENTATION_FORMAT {
        return Err(Failure::Malformed(format!(
            "unknown presentation format {:?}",
            presentation.format
        )));
    }
    if presentation.request != request.digest_text() {
        return Err(Failure::WrongRequest);
    }
    let today = OffsetDateTime::from_unix_timestamp(now_unix)
        .map_err(|e| Failure::Malformed(e.to_string()))?
        .date();
    let interface = certificate_interface().map_err(|e| Failure::Malformed(e.to_string()))?;
    let presentation_header = request.presentation_header();

    if let Some(extra) = presentation.items.iter().find(|p| {
        !request.items.iter().any(|i| i.id == p.item)
            || presentation.items.iter().filter(|q| q.item == p.item).count() > 1
    }) {
        return Err(Failure::UnexpectedItem(extra.item.clone()));
    }
    let mut items = Vec::with_capacity(request.items.len());
    for asked in &request.items {
        let id = || asked.id.clone();
        let presented = presentation
            .items
            .iter()
            .find(|p| p.item == asked.id)
            .ok_or_else(|| Failure::ItemMissing(id()))?;
        // Which certificates are acceptable at all.
        if !asked.types.contains(&presented.type_id) {
            return Err(Failure::TypeNotAccepted(id()));
        }
        if asked
            .issuers
            .as_ref()
            .is_some_and(|list| !list.contains(&presented.issuer))
        {
            return Err(Failure::IssuerNotAccepted(id()));
        }
        if !registry.authorises(&presented.issuer, &presented.type_id) {
            return Err(Failure::IssuerNotAuthorised(id()));
        }
        let key = registry
            .key(&presented.issuer, &presented.key_id)
            .ok_or_else(|| Failure::UnknownKey(id()))?;
        match key.vouches_for(presented.valid_from) {
            Ok(()) => {}
            Err(KeyRefusal::Revoked) => return Err(Failure::KeyRevoked(id())),
            Err(KeyRefusal::OutsideValidity | KeyRefusal::AfterRetirement) => {
                return Err(Failure::KeyNotValidAtIssuance(id()));
            }
        }
        // Validity and status.
        if today < presented.valid_from {
            return Err(Failure::NotYetValid(id()));
        }
        if today > presented.valid_until {
            return Err(Failure::Expired(id()));
        }
        match statuses.status(&presented.issuer, &presented.status.list, presented.status.index) {
            Some(CertificateStatus::Valid) => {}
            Some(CertificateStatus::Revoked) => return Err(Failure::Revoked(id())),
            Some(CertificateStatus::Suspended) => return Err(Failure::Suspended(id())),
            None => return Err(Failure::StatusUnknown(id())),
        }
        // Exactly what was asked, and every asked claim true.
        let mut disclosed: Vec<&String> = presented.disclosed.keys().collect();
        let mut wanted: Vec<&String> = asked.disclose.iter().collect();
        disclosed.sort();
        wanted.sort();
        wanted.dedup();
        let claims_match = presented.claims.len() == asked.claims.len()
            && asked.claims.iter().all(|c| presented.claims.contains_key(c));
        if disclosed != wanted || !claims_match {
            return Err(Failure::DisclosureMismatch(id()));
        }
        if presented.claims.values().any(|v| !v) {
            return Err(Failure::ClaimNotMet(id()));
        }
        // The proof: the right number of messages for the type, then BBS.
        let ty = catalogue
            .get(presented.type_id.as_str())
            .map_err(|_| Failure::TypeNotAccepted(id()))?;
        let messages = presented
            .disclosed_messages(ty, &interface)
            .map_err(|_| Failure::DisclosureMismatch(id()))?;
        if messages.len() + presented.proof.undisclosed_count() != message_count(ty) {
            return Err(Failure::ProofInvalid(id()));
        }
        let header = certificate_header(ty, &presented.issuer, &presented.key_id)
            .map_err(|e| Failure::Malformed(e.to_string()))?;
        interface
            .core_proof_verify(
                &key.public_key,
                &presented.proof,
                &header,
                &presentation_header,
                &messages,
            )
            .map_err(|_| Failure::ProofInvalid(id()))?;
        items.push(VerifiedItem {
            item: asked.id.clone(),
            type_id: presented.type_id.clone(),
            issuer: presented.issuer.clone(),
            valid_from: presented.valid_from,
            valid_until: presented.valid_until,
            disclosed: presented.disclosed.clone(),
            claims: presented.claims.clone(),
        });
    }
    Ok(VerifiedPresentation {
        verifier: request.verifier.clone(),
        purpose: request.purpose.clone(),
        items,
    })
}
