//! [`Certificate`]: one issued certificate, its JSON form and its BBS messages (specs/certificate.md).
//!
//! A certificate is a BBS signature (BLS12-381-SHA-256) over a fixed list of messages: five system fields,
//! then the type's attributes in schema order, then its derived claims. The signature header binds the
//! format version, the type, the issuer and the key, all of which are shared by many holders (the draft's
//! privacy rule for headers, §5.1); everything particular to one certificate is a message, so that it can
//! stay hidden in a presentation.

use std::collections::BTreeMap;

use ecert_bbs::{Bls12381Sha256, Ciphersuite, Interface, PublicKey, Scalar, Signature};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::Date;

use crate::error::{Error, Result};
use crate::schema::{CertificateType, TypeId};
use crate::value::{
    AttributeValue, days_since_epoch, decode_b64, encode_b64, format_date, integer_scalar, parse_date,
};
use crate::withheld::NamesOnly;

/// The format tag of certificates this crate writes and reads.
pub const CERTIFICATE_FORMAT: &str = "ecert-certificate/1";

/// The BBS ciphersuite of ecert certificates, format 1.
pub type CertificateSuite = Bls12381Sha256;

/// `ciphersuite_id || "H2G_" || "ECERT1_"`: the BBS interface of ecert certificates. Generators are the
/// draft's (`H2G_`); messages are mapped by ecert's typed mapping, version 1 (specs/certificate.md).
pub fn certificate_api_id() -> Vec<u8> {
    [CertificateSuite::ID, b"H2G_ECERT1_".as_slice()].concat()
}

/// The BBS interface certificates are signed under.
pub fn certificate_interface() -> Result<Interface<CertificateSuite>> {
    Ok(Interface::new(&certificate_api_id())?)
}

/// Positions of the system fields among a certificate's messages; the attributes follow from
/// [`FIRST_ATTRIBUTE`](position::FIRST_ATTRIBUTE), then the derived claims.
pub mod position {
    /// First day of validity (a date).
    pub const VALID_FROM: usize = 0;
    /// Last day of validity (a date).
    pub const VALID_UNTIL: usize = 1;
    /// The issuer's status list (text).
    pub const STATUS_LIST: usize = 2;
    /// The certificate's index in that list (an integer).
    pub const STATUS_INDEX: usize = 3;
    /// The issuer's serial number of the certificate (text).
    pub const SERIAL: usize = 4;
    /// Where the attributes start.
    pub const FIRST_ATTRIBUTE: usize = 5;
}

/// Where a certificate's revocation and suspension status is published: an issuer's status list and the
/// certificate's index in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRef {
    /// The list's id, unique within its issuer.
    pub list: String,
    /// The certificate's position in the list.
    pub index: u32,
}

/// An issued certificate, as the holder keeps it. `Debug` shows what the certificate is and the names of
/// its attributes and claims, never their values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Always [`CERTIFICATE_FORMAT`].
    pub format: String,
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: TypeId,
    /// The issuing department's registry id.
    pub issuer: String,
    /// The id of the issuer's key that signed it.
    pub key_id: String,
    /// The issuer's serial number for this certificate.
    pub serial: String,
    /// First day of validity.
    #[serde(with = "date_text")]
    pub valid_from: Date,
    /// Last day of validity.
    #[serde(with = "date_text")]
    pub valid_until: Date,
    /// Where its status is published.
    pub status: StatusRef,
    /// The attribute values, as JSON (specs/schemas/FORMAT.md gives each type's JSON form).
    pub attributes: serde_json::Map<String, Value>,
    /// The derived claims the issuer computed on `valid_from`.
    pub claims: BTreeMap<String, bool>,
    /// The BBS signature, base64url.
    #[serde(with = "signature_text")]
    pub signature: Signature,
}

impl core::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Certificate")
            .field("format", &self.format)
            .field("type_id", &self.type_id)
            .field("issuer", &self.issuer)
            .field("key_id", &self.key_id)
            .field("serial", &self.serial)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("status", &self.status)
            .field(
                "attributes",
                &NamesOnly::new(self.attributes.keys().map(String::as_str)),
            )
            .field("claims", &NamesOnly::new(self.claims.keys().map(String::as_str)))
            .finish_non_exhaustive()
    }
}

/// What is signed, in order: the system fields, the attribute values and the claims. `Debug` withholds
/// the values and claims (each [`AttributeValue`] prints its kind only).
#[derive(Clone)]
pub struct SignedContent<'a> {
    /// The certificate type.
    pub ty: &'a CertificateType,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_until: Date,
    /// Status list and index.
    pub status: &'a StatusRef,
    /// Serial number.
    pub serial: &'a str,
    /// Attribute values in the type's order.
    pub values: &'a [AttributeValue],
    /// Claims in the type's order.
    pub claims: &'a [bool],
}

impl core::fmt::Debug for SignedContent<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignedContent")
            .field("ty", &self.ty.id)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("status", self.status)
            .field("serial", &self.serial)
            .field("values", &self.values)
            .field(
                "claims",
                &NamesOnly::new(self.ty.derived_claims.iter().map(|c| c.name.as_str())),
            )
            .finish()
    }
}

impl SignedContent<'_> {
    /// The BBS messages.
    pub fn messages(&self, interface: &Interface<CertificateSuite>) -> Vec<Scalar> {
        let mut messages =
            Vec::with_capacity(position::FIRST_ATTRIBUTE + self.values.len() + self.claims.len());
        messages.push(integer_scalar(days_since_epoch(self.valid_from)));
        messages.push(integer_scalar(days_since_epoch(self.valid_until)));
        messages.push(interface.map_message_to_scalar(self.status.list.as_bytes()));
        messages.push(integer_scalar(i64::from(self.status.index)));
        messages.push(interface.map_message_to_scalar(self.serial.as_bytes()));
        messages.extend(self.values.iter().map(|v| v.to_scalar(interface)));
        messages.extend(
            self.claims
                .iter()
                .map(|&c| AttributeValue::Boolean(c).to_scalar(interface)),
        );
        messages
    }
}

/// The signature header: the format, the type id, the issuer and the key id, each as `I2OSP(length, 2) ||
/// UTF-8 bytes`, then the type's schema digest as `I2OSP(32, 2) || digest` (specs/certificate.md §4). A
/// field longer than 65535 bytes has no encoding and is refused.
///
/// The digest binds the type's whole schema, not only its id: a catalogue whose copy of the type differs
/// in any attribute (name, order, type, constraint) rebuilds another header, so a certificate signed
/// under one reading of the type never verifies under another.
pub fn certificate_header(ty: &CertificateType, issuer: &str, key_id: &str) -> Result<Vec<u8>> {
    let mut header = Vec::new();
    let fields: [&[u8]; 5] = [
        CERTIFICATE_FORMAT.as_bytes(),
        ty.id.as_str().as_bytes(),
        issuer.as_bytes(),
        key_id.as_bytes(),
        ty.schema_digest(),
    ];
    for field in fields {
        let length = u16::try_from(field.len())
            .map_err(|_| Error::Malformed("an id is longer than 65535 bytes".into()))?;
        header.extend_from_slice(&length.to_be_bytes());
        header.extend_from_slice(field);
    }
    Ok(header)
}

impl Certificate {
    /// The signature header of this certificate, of type `ty`.
    pub fn header(&self, ty: &CertificateType) -> Result<Vec<u8>> {
        if ty.id != self.type_id {
            return Err(Error::Malformed(format!(
                "certificate is of type {}, not {}",
                self.type_id, ty.id
            )));
        }
        certificate_header(ty, &self.issuer, &self.key_id)
    }

    /// Checks the certificate against its type (format, attribute values, claims) and returns the typed
    /// values and claims in signing order.
    pub fn content(&self, ty: &CertificateType) -> Result<(Vec<AttributeValue>, Vec<bool>)> {
        if self.format != CERTIFICATE_FORMAT {
            return Err(Error::Malformed(format!(
                "format is {:?}, expected {CERTIFICATE_FORMAT}",
                self.format
            )));
        }
        if ty.id != self.type_id {
            return Err(Error::Malformed(format!(
                "certificate is of type {}, not {}",
                self.type_id, ty.id
            )));
        }
        let values = ty.parse_values(&self.attributes)?;
        if let Some(extra) = self.claims.keys().find(|k| ty.claim(k).is_none()) {
            return Err(Error::Malformed(format!("type {} has no claim {extra:?}", ty.id)));
        }
        let claims = ty
            .derived_claims
            .iter()
            .map(|c| {
                self.claims
                    .get(&c.name)
                    .copied()
                    .ok_or_else(|| Error::Malformed(format!("claim {:?} is missing", c.name)))
            })
            .collect::<Result<Vec<bool>>>()?;
        Ok((values, claims))
    }

    /// The certificate's BBS messages.
    pub fn messages(
        &self,
        ty: &CertificateType,
        interface: &Interface<CertificateSuite>,
    ) -> Result<Vec<Scalar>> {
        let (values, claims) = self.content(ty)?;
        Ok(SignedContent {
            ty,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            status: &self.status,
            serial: &self.serial,
            values: &values,
            claims: &claims,
        }
        .messages(interface))
    }

    /// Verifies the issuer's signature over the whole certificate, and that its derived claims follow
    /// from its attributes on `valid_from` (a holder does this on receipt: a claim the issuer computed
    /// wrongly would otherwise be presented as fact).
    pub fn verify_signature(&self, ty: &CertificateType, pk: &PublicKey) -> Result<()> {
        let interface = certificate_interface()?;
        let (values, claims) = self.content(ty)?;
        if ty.derive_claims(&values, self.valid_from)? != claims {
            return Err(Error::Malformed(
                "a derived claim does not follow from the attributes".into(),
            ));
        }
        let messages = self.messages(ty, &interface)?;
        Ok(interface.core_verify(pk, &self.signature, &self.header(ty)?, &messages)?)
    }

    /// Parses a certificate from JSON.
    pub fn from_json(text: &str) -> Result<Certificate> {
        crate::strict_json::from_str(text).map_err(|e| Error::Malformed(e.to_string()))
    }

    /// The certificate as JSON.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// `YYYY-MM-DD` in JSON, for `#[serde(with = ...)]` (exported as `ecert_credential::date_format`).
pub mod date_text {
    use super::*;

    /// Writes the date as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(date: &Date, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(*date))
    }

    /// Reads a `YYYY-MM-DD` date.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        parse_date(&text).map_err(serde::de::Error::custom)
    }
}

/// A BBS signature as base64url in JSON.
mod signature_text {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        signature: &Signature,
        s: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&encode_b64(&signature.to_bytes()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Signature, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode_b64(&text).map_err(serde::de::Error::custom)?;
        Signature::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}
