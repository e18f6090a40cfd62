//! Issuance: attribute values checked against the certificate type, claims derived, everything signed.

use ecert_credential::{
    CERTIFICATE_FORMAT, Certificate, CertificateType, NamesOnly, SignedContent, StatusRef,
    certificate_header, certificate_interface,
};
use serde_json::{Map, Value};
use time::Date;

use crate::error::{Error, Result};
use crate::key::IssuerKey;

/// What the issuer's operator (or the service) supplies for one certificate. `Debug` names the attributes
/// without their values.
#[derive(Clone)]
pub struct IssueRequest {
    /// The attribute values, as JSON (one entry per attribute of the type, nothing else).
    pub attributes: Map<String, Value>,
    /// First day of validity; also the date derived claims are computed on.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_until: Date,
    /// The status list and the position allocated in it.
    pub status: StatusRef,
    /// The issuer's serial number.
    pub serial: String,
}

impl core::fmt::Debug for IssueRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IssueRequest")
            .field(
                "attributes",
                &NamesOnly::new(self.attributes.keys().map(String::as_str)),
            )
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("status", &self.status)
            .field("serial", &self.serial)
            .finish()
    }
}

/// Issues a certificate of type `ty` with `key`: checks every value (missing, extra, wrongly typed and
/// out-of-range values are errors naming the attribute), derives the claims on `valid_from` and signs.
pub fn issue(ty: &CertificateType, key: &IssuerKey, request: &IssueRequest) -> Result<Certificate> {
    if request.valid_until < request.valid_from {
        return Err(Error::InvalidValidity);
    }
    if !ecert_credential::is_valid_id(&request.serial) || !ecert_credential::is_valid_id(&request.status.list)
    {
        return Err(Error::InvalidId(format!(
            "serial {:?} / status list {:?}",
            request.serial, request.status.list
        )));
    }
    let values = ty.parse_values(&request.attributes)?;
    let claims = ty.derive_claims(&values, request.valid_from)?;
    let interface = certificate_interface()?;
    let content = SignedContent {
        ty,
        valid_from: request.valid_from,
        valid_until: request.valid_until,
        status: &request.status,
        serial: &request.serial,
        values: &values,
        claims: &claims,
    };
    let messages = content.messages(&interface);
    let header = certificate_header(ty, key.issuer(), key.key_id())?;
    let signature = interface.core_sign(key.secret(), &key.public_key(), &header, &messages)?;
    Ok(Certificate {
        format: CERTIFICATE_FORMAT.to_owned(),
        type_id: ty.id.clone(),
        issuer: key.issuer().to_owned(),
        key_id: key.key_id().to_owned(),
        serial: request.serial.clone(),
        valid_from: request.valid_from,
        valid_until: request.valid_until,
        status: request.status.clone(),
        // Normalised: each value as the type writes it (e.g. dates zero-padded).
        attributes: ty
            .attributes
            .iter()
            .zip(&values)
            .map(|(spec, v)| (spec.name.clone(), v.to_json()))
            .collect(),
        claims: ty
            .derived_claims
            .iter()
            .zip(&claims)
            .map(|(c, v)| (c.name.clone(), *v))
            .collect(),
        signature,
    })
}
