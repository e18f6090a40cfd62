//! [`Presentation`]: what a holder sends a verifier, one BBS proof per certificate disclosing what the
//! request asked and nothing else (specs/presentation.md).
//!
//! Every presentation discloses, beside the asked attributes and claims, the certificate's validity dates
//! and status reference (positions 0 to 3), because the verifier must check them; the serial (position 4)
//! and every other attribute stay hidden.

use std::collections::BTreeMap;

use ecert_bbs::{Interface, Proof, Scalar};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::Date;

use crate::certificate::{CertificateSuite, StatusRef, date_text, position};
use crate::error::{Error, Result};
use crate::schema::{CertificateType, TypeId};
use crate::value::{AttributeValue, days_since_epoch, decode_b64, encode_b64, integer_scalar};
use crate::withheld::NamesOnly;

/// The format tag of presentations, also the prefix of their presentation header.
pub const PRESENTATION_FORMAT: &str = "ecert-presentation/1";

/// A holder's answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Presentation {
    /// Always [`PRESENTATION_FORMAT`].
    pub format: String,
    /// The digest of the request answered, base64url.
    pub request: String,
    /// One entry per request item.
    pub items: Vec<PresentedCertificate>,
}

/// One certificate as presented: its public framing, the disclosed values and the proof. `Debug` names
/// the disclosed attributes and claims without their values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresentedCertificate {
    /// The request item answered.
    pub item: String,
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: TypeId,
    /// The issuer's registry id.
    pub issuer: String,
    /// The issuer key that signed the certificate.
    pub key_id: String,
    /// First day of validity (disclosed).
    #[serde(with = "date_text")]
    pub valid_from: Date,
    /// Last day of validity (disclosed).
    #[serde(with = "date_text")]
    pub valid_until: Date,
    /// Status list and index (disclosed).
    pub status: StatusRef,
    /// The disclosed attributes.
    pub disclosed: serde_json::Map<String, Value>,
    /// The disclosed claims.
    pub claims: BTreeMap<String, bool>,
    /// The BBS proof, base64url.
    #[serde(with = "proof_text")]
    pub proof: Proof,
}

impl core::fmt::Debug for PresentedCertificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PresentedCertificate")
            .field("item", &self.item)
            .field("type_id", &self.type_id)
            .field("issuer", &self.issuer)
            .field("key_id", &self.key_id)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("status", &self.status)
            .field(
                "disclosed",
                &NamesOnly::new(self.disclosed.keys().map(String::as_str)),
            )
            .field("claims", &NamesOnly::new(self.claims.keys().map(String::as_str)))
            .finish_non_exhaustive()
    }
}

impl Presentation {
    /// Parses a presentation from JSON.
    pub fn from_json(text: &str) -> Result<Presentation> {
        crate::strict_json::from_str(text).map_err(|e| Error::Malformed(e.to_string()))
    }

    /// The presentation as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Which messages of a certificate of `ty` a presentation discloses, in ascending order: the four public
/// system fields, then the asked attributes and claims. Unknown names are an error.
pub fn disclosed_positions(
    ty: &CertificateType,
    attributes: &[String],
    claims: &[String],
) -> Result<Vec<usize>> {
    let mut positions = vec![
        position::VALID_FROM,
        position::VALID_UNTIL,
        position::STATUS_LIST,
        position::STATUS_INDEX,
    ];
    for name in attributes {
        let (i, _) = ty.attribute(name).ok_or_else(|| Error::UnknownAttribute {
            type_id: ty.id.to_string(),
            name: name.clone(),
        })?;
        positions.push(position::FIRST_ATTRIBUTE + i);
    }
    for name in claims {
        let (i, _) = ty.claim(name).ok_or_else(|| Error::UnknownAttribute {
            type_id: ty.id.to_string(),
            name: name.clone(),
        })?;
        positions.push(position::FIRST_ATTRIBUTE + ty.attributes.len() + i);
    }
    positions.sort_unstable();
    positions.dedup();
    Ok(positions)
}

/// How many messages a certificate of `ty` has.
pub fn message_count(ty: &CertificateType) -> usize {
    position::FIRST_ATTRIBUTE + ty.attributes.len() + ty.derived_claims.len()
}

impl PresentedCertificate {
    /// The disclosed messages as `(position, scalar)` in ascending order, rebuilt from the presented
    /// values and checked against the type.
    pub fn disclosed_messages(
        &self,
        ty: &CertificateType,
        interface: &Interface<CertificateSuite>,
    ) -> Result<Vec<(usize, Scalar)>> {
        let mut messages = vec![
            (
                position::VALID_FROM,
                integer_scalar(days_since_epoch(self.valid_from)),
            ),
            (
                position::VALID_UNTIL,
                integer_scalar(days_since_epoch(self.valid_until)),
            ),
            (
                position::STATUS_LIST,
                interface.map_message_to_scalar(self.status.list.as_bytes()),
            ),
            (
                position::STATUS_INDEX,
                integer_scalar(i64::from(self.status.index)),
            ),
        ];
        for (name, json) in &self.disclosed {
            let (i, spec) = ty.attribute(name).ok_or_else(|| Error::UnknownAttribute {
                type_id: ty.id.to_string(),
                name: name.clone(),
            })?;
            messages.push((
                position::FIRST_ATTRIBUTE + i,
                spec.parse_value(json)?.to_scalar(interface),
            ));
        }
        for (name, value) in &self.claims {
            let (i, _) = ty.claim(name).ok_or_else(|| Error::UnknownAttribute {
                type_id: ty.id.to_string(),
                name: name.clone(),
            })?;
            let at = position::FIRST_ATTRIBUTE + ty.attributes.len() + i;
            messages.push((at, AttributeValue::Boolean(*value).to_scalar(interface)));
        }
        messages.sort_by_key(|(i, _)| *i);
        Ok(messages)
    }
}

/// A BBS proof as base64url in JSON.
mod proof_text {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(proof: &Proof, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&encode_b64(&proof.to_bytes()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Proof, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode_b64(&text).map_err(serde::de::Error::custom)?;
        Proof::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}
