//! [`PresentationRequest`]: what a verifier asks for, and its digest, which every presentation made for it
//! is bound to (specs/presentation.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::schema::TypeId;
use crate::value::{decode_b64, encode_b64};

/// The format tag of requests.
pub const REQUEST_FORMAT: &str = "ecert-request/1";

/// Fewest nonce bytes a request may carry (128 bits).
pub const MIN_NONCE_BYTES: usize = 16;
const MAX_NONCE_BYTES: usize = 64;
const MAX_ITEMS: usize = 16;

/// A verifier's request: who asks, for which registered purpose, with a fresh nonce and an expiry, and
/// per item which certificates it accepts and what it wants disclosed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresentationRequest {
    /// Always [`REQUEST_FORMAT`].
    pub format: String,
    /// The verifier's registry id: the audience.
    pub verifier: String,
    /// The registered purpose the request is made under.
    pub purpose: String,
    /// A fresh random value, base64url, 16 to 64 bytes; single use.
    pub nonce: String,
    /// When the request stops being answerable, Unix seconds.
    pub expires_at: i64,
    /// What is asked, one item per certificate.
    pub items: Vec<RequestItem>,
}

/// One certificate asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestItem {
    /// The item's id within the request, echoed by the presentation.
    pub id: String,
    /// Accepted certificate types.
    pub types: Vec<TypeId>,
    /// Accepted issuers; absent means any issuer the registry authorises for the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuers: Option<Vec<String>>,
    /// Attributes to disclose.
    #[serde(default)]
    pub disclose: Vec<String>,
    /// Derived claims required (each must be true).
    #[serde(default)]
    pub claims: Vec<String>,
}

impl PresentationRequest {
    /// Parses and checks the shape of a request (format, nonce length, items).
    pub fn from_json(text: &str) -> Result<PresentationRequest> {
        let request: PresentationRequest =
            crate::strict_json::from_str(text).map_err(|e| Error::Malformed(e.to_string()))?;
        request.check()?;
        Ok(request)
    }

    /// The request as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks the request's shape: format, a nonce of 128 to 512 bits, 1 to 16 items with distinct ids,
    /// each accepting at least one type.
    pub fn check(&self) -> Result<()> {
        let fail = |what: &str| Err(Error::Malformed(format!("request: {what}")));
        if self.format != REQUEST_FORMAT {
            return fail("unknown format");
        }
        let nonce = decode_b64(&self.nonce)?;
        if !(MIN_NONCE_BYTES..=MAX_NONCE_BYTES).contains(&nonce.len()) {
            return fail("the nonce must be 16 to 64 bytes");
        }
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return fail("a request has 1 to 16 items");
        }
        let mut ids: Vec<&str> = self.items.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.items.len() {
            return fail("item ids must be distinct");
        }
        if self.items.iter().any(|i| i.types.is_empty()) {
            return fail("every item accepts at least one certificate type");
        }
        Ok(())
    }

    /// SHA-256 of the request's canonical JSON: object keys sorted, no whitespace (RFC 8785; a request
    /// holds only strings, integers, arrays and objects, for which that is the whole of JCS).
    pub fn digest(&self) -> [u8; 32] {
        // serde_json's Value keeps object keys sorted (no `preserve_order`), which is the canonical order.
        let canonical = serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_default();
        Sha256::digest(canonical.as_bytes()).into()
    }

    /// The presentation header every proof for this request carries: `"ecert-presentation/1" || digest`.
    pub fn presentation_header(&self) -> Vec<u8> {
        [
            crate::presentation::PRESENTATION_FORMAT.as_bytes(),
            &self.digest(),
        ]
        .concat()
    }

    /// The digest as base64url, as presentations quote it.
    pub fn digest_text(&self) -> String {
        encode_b64(&self.digest())
    }
}
