//! [`Wallet`]: the certificates a person or enterprise holds, and the answer to a request.
//!
//! Answering is two steps, so that a user interface can ask before anything leaves the wallet:
//! [`Wallet::prepare`] checks the request against the registry and picks certificates, returning either a
//! [`Refusal`] with its reason or a [`Consent`] summary; [`Wallet::present`] then derives the presentation.

use core::fmt;

use ecert_credential::{
    Beyond, Catalogue, Certificate, NamesOnly, PRESENTATION_FORMAT, Presentation, PresentationRequest,
    PresentedCertificate, RegistryView, RequestItem, ScopeError, TypeId, certificate_interface,
    disclosed_positions,
};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// The certificates held. Their attribute values are the holder's personal data, most of which no
/// verifier ever sees: `Debug` shows only what each certificate is, and dropping the wallet wipes the
/// values' text.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    certificates: Vec<Certificate>,
}

impl fmt::Debug for Wallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.certificates
                    .iter()
                    .map(|c| format!("{} from {}, serial {}", c.type_id, c.issuer, c.serial)),
            )
            .finish()
    }
}

impl Drop for Wallet {
    fn drop(&mut self) {
        for certificate in &mut self.certificates {
            certificate.attributes.values_mut().for_each(wipe);
        }
    }
}

/// Wipes the text of a JSON value in place. Strings carry the personal data (names, id numbers,
/// dates); a number is overwritten, which may leave its bytes, as serde_json gives no way to wipe one.
fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => zeroize::Zeroize::zeroize(text),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(fields) => fields.values_mut().for_each(wipe),
        Value::Number(_) => *value = Value::Null,
        Value::Null | Value::Bool(_) => {}
    }
}

/// Why the wallet will not answer a request. Every reason names what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The request is malformed.
    Malformed(String),
    /// The request has expired.
    Expired,
    /// The registry does not know the verifier.
    UnknownVerifier(String),
    /// The verifier has not registered the purpose the request names.
    PurposeNotRegistered {
        /// The verifier.
        verifier: String,
        /// The purpose named.
        purpose: String,
    },
    /// The request asks for something its purpose does not allow.
    OverAsking {
        /// The request item.
        item: String,
        /// The certificate type.
        type_id: String,
        /// The attribute or claim asked for beyond the purpose (or `*` for a type it does not cover).
        name: String,
    },
    /// No certificate held fits the item (type, issuer, validity, required claims).
    NoSuitableCertificate(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Malformed(what) => write!(f, "malformed request: {what}"),
            Refusal::Expired => f.write_str("the request has expired"),
            Refusal::UnknownVerifier(v) => write!(f, "verifier {v:?} is not in the registry"),
            Refusal::PurposeNotRegistered { verifier, purpose } => {
                write!(
                    f,
                    "verifier {verifier:?} has not registered the purpose {purpose:?}"
                )
            }
            Refusal::OverAsking { item, type_id, name } if name == "*" => {
                write!(
                    f,
                    "over-asking in item {item:?}: the purpose does not cover certificates of type {type_id}"
                )
            }
            Refusal::OverAsking { item, type_id, name } => {
                write!(
                    f,
                    "over-asking in item {item:?}: the purpose does not allow {name:?} of {type_id}"
                )
            }
            Refusal::NoSuitableCertificate(item) => write!(f, "no certificate held fits item {item:?}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// What the holder is asked to agree to: to whom, why, and exactly what each certificate will disclose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    /// The verifier's registry id.
    pub verifier: String,
    /// The verifier's name.
    pub verifier_name: String,
    /// The purpose id.
    pub purpose: String,
    /// What the purpose is.
    pub purpose_description: String,
    /// Its legal basis.
    pub legal_basis: String,
    /// Per request item, the certificate chosen and what it discloses.
    pub items: Vec<ConsentItem>,
}

/// One certificate in a consent summary. `Debug` names what would be disclosed without the values.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsentItem {
    /// The request item.
    pub item: String,
    /// Index of the certificate in the wallet.
    pub certificate: usize,
    /// Its type.
    pub type_id: TypeId,
    /// The type's display name.
    pub type_name: String,
    /// Its issuer.
    pub issuer: String,
    /// The attributes to disclose, with their values.
    pub attributes: Vec<(String, Value)>,
    /// The claims to disclose.
    pub claims: Vec<(String, bool)>,
    /// Always disclosed so the verifier can check them: validity dates and status reference.
    pub always: Vec<(String, String)>,
}

impl fmt::Debug for ConsentItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsentItem")
            .field("item", &self.item)
            .field("certificate", &self.certificate)
            .field("type_id", &self.type_id)
            .field("type_name", &self.type_name)
            .field("issuer", &self.issuer)
            .field(
                "attributes",
                &NamesOnly::new(self.attributes.iter().map(|(a, _)| a.as_str())),
            )
            .field(
                "claims",
                &NamesOnly::new(self.claims.iter().map(|(c, _)| c.as_str())),
            )
            .field(
                "always",
                &NamesOnly::new(self.always.iter().map(|(a, _)| a.as_str())),
            )
            .finish()
    }
}

impl Wallet {
    /// An empty wallet.
    pub fn new() -> Wallet {
        Wallet::default()
    }

    /// Adds a certificate (check it first with `Certificate::verify_signature`).
    pub fn add(&mut self, certificate: Certificate) {
        self.certificates.push(certificate);
    }

    /// The certificates held.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Checks `request` against the registry and picks a certificate per item; nothing is disclosed yet.
    pub fn prepare(
        &self,
        request: &PresentationRequest,
        registry: &RegistryView,
        catalogue: &Catalogue,
        now_unix: i64,
    ) -> Result<Consent, Refusal> {
        request.check().map_err(|e| Refusal::Malformed(e.to_string()))?;
        if now_unix > request.expires_at {
            return Err(Refusal::Expired);
        }
        let (verifier, purpose) = registry
            .check_request_scope(&request.verifier, &request.purpose, &request.items)
            .map_err(|refused| match refused {
                ScopeError::UnknownVerifier(verifier) => Refusal::UnknownVerifier(verifier),
                ScopeError::UnknownPurpose { verifier, purpose } => {
                    Refusal::PurposeNotRegistered { verifier, purpose }
                }
                ScopeError::OverAsking(over) => Refusal::OverAsking {
                    item: over.item,
                    type_id: over.type_id.to_string(),
                    name: match over.beyond {
                        Beyond::Attribute(name) | Beyond::Claim(name) => name,
                        _ => "*".to_owned(),
                    },
                },
                other => Refusal::Malformed(other.to_string()),
            })?;
        let today = date_of(now_unix).ok_or_else(|| Refusal::Malformed("clock out of range".into()))?;
        let items = request
            .items
            .iter()
            .map(|item| self.choose(item, registry, catalogue, today))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Consent {
            verifier: verifier.id.clone(),
            verifier_name: verifier.name.clone(),
            purpose: purpose.id.clone(),
            purpose_description: purpose.description.clone(),
            legal_basis: purpose.legal_basis.clone(),
            items,
        })
    }

    /// The most recently issued certificate that fits `item` today.
    fn choose(
        &self,
        item: &RequestItem,
        registry: &RegistryView,
        catalogue: &Catalogue,
        today: Date,
    ) -> Result<ConsentItem, Refusal> {
        let fits = |c: &Certificate| {
            let Ok(ty) = catalogue.get(c.type_id.as_str()) else {
                return false;
            };
            let issuer_accepted = match &item.issuers {
                Some(list) => list.contains(&c.issuer),
                None => true,
            };
            let key_ok = registry
                .key(&c.issuer, &c.key_id)
                .is_some_and(|k| k.vouches_for(c.valid_from).is_ok());
            item.types.contains(&c.type_id)
                && issuer_accepted
                && registry.authorises(&c.issuer, &c.type_id)
                && key_ok
                && c.valid_from <= today
                && today <= c.valid_until
                && item
                    .disclose
                    .iter()
                    .all(|a| ty.attribute(a).is_some() && c.attributes.contains_key(a))
                && item.claims.iter().all(|name| c.claims.get(name) == Some(&true))
        };
        let (index, certificate) = self
            .certificates
            .iter()
            .enumerate()
            .filter(|(_, c)| fits(c))
            .max_by_key(|(_, c)| c.valid_from)
            .ok_or_else(|| Refusal::NoSuitableCertificate(item.id.clone()))?;
        let ty = catalogue
            .get(certificate.type_id.as_str())
            .map_err(|e| Refusal::Malformed(e.to_string()))?;
        Ok(ConsentItem {
            item: item.id.clone(),
            certificate: index,
            type_id: certificate.type_id.clone(),
            type_name: ty.name.clone(),
            issuer: certificate.issuer.clone(),
            attributes: item
                .disclose
                .iter()
                .map(|a| {
                    (
                        a.clone(),
                        certificate.attributes.get(a).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect(),
            claims: item.claims.iter().map(|c| (c.clone(), true)).collect(),
            always: vec![
                (
                    "valid_from".into(),
                    ecert_credential::format_date(certificate.valid_from),
                ),
                (
                    "valid_until".into(),
                    ecert_credential::format_date(certificate.valid_until),
                ),
                (
                    "status".into(),
                    format!("{}#{}", certificate.status.list, certificate.status.index),
                ),
            ],
        })
    }

    /// Derives the presentation the holder consented to: one proof per certificate, bound to the request.
    pub fn present<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        request: &PresentationRequest,
        consent: &Consent,
        registry: &RegistryView,
        catalogue: &Catalogue,
    ) -> Result<Presentation, Refusal> {
        let malformed = |e: &dyn fmt::Display| Refusal::Malformed(e.to_string());
        let interface = certificate_interface().map_err(|e| malformed(&e))?;
        let presentation_header = request.presentation_header();
        let mut items = Vec::with_capacity(consent.items.len());
        for chosen in &consent.items {
            // The consent names the certificate by position; if the wallet changed since, refuse rather
            // than present a certificate the holder did not agree to.
            let certificate = self
                .certificates
                .get(chosen.certificate)
                .filter(|c| c.type_id == chosen.type_id && c.issuer == chosen.issuer)
                .ok_or_else(|| Refusal::NoSuitableCertificate(chosen.item.clone()))?;
            let ty = catalogue
                .get(certificate.type_id.as_str())
                .map_err(|e| malformed(&e))?;
            let key = registry
                .key(&certificate.issuer, &certificate.key_id)
                .ok_or_else(|| Refusal::NoSuitableCertificate(chosen.item.clone()))?;
            let attributes: Vec<String> = chosen.attributes.iter().map(|(a, _)| a.clone()).collect();
            let claims: Vec<String> = chosen.claims.iter().map(|(c, _)| c.clone()).collect();
            let positions = disclosed_positions(ty, &attributes, &claims).map_err(|e| malformed(&e))?;
            let messages = certificate.messages(ty, &interface).map_err(|e| malformed(&e))?;
            let proof = interface
                .core_proof_gen(
                    rng,
                    &key.public_key,
                    &certificate.signature,
                    &certificate.header(ty).map_err(|e| malformed(&e))?,
                    &presentation_header,
                    &messages,
                    &positions,
                )
                .map_err(|e| malformed(&e))?;
            items.push(PresentedCertificate {
                item: chosen.item.clone(),
                type_id: certificate.type_id.clone(),
                issuer: certificate.issuer.clone(),
                key_id: certificate.key_id.clone(),
                valid_from: certificate.valid_from,
                valid_until: certificate.valid_until,
                status: certificate.status.clone(),
                disclosed: chosen.attributes.iter().cloned().collect(),
                claims: chosen.claims.iter().cloned().collect(),
                proof,
            });
        }
        Ok(Presentation {
            format: PRESENTATION_FORMAT.to_owned(),
            request: request.digest_text(),
            items,
        })
    }

    /// The wallet as JSON (the CLI encrypts it at rest).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A wallet from JSON.
    pub fn from_json(text: &str) -> Result<Wallet, Refusal> {
        ecert_credential::strict_json::from_str(text).map_err(|e| Refusal::Malformed(e.to_string()))
    }
}

/// The UTC calendar date of a Unix time.
pub(crate) fn date_of(unix: i64) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(unix).ok().map(|t| t.date())
}
