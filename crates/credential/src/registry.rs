//! The registry's view as the roles consume it: issuers with their keys and authorised types, verifiers
//! with their registered purposes, and certificate status. Plain data, so that the holder and verifier
//! crates depend on this crate only; the registry crate builds it from its transparency log.

use std::collections::BTreeMap;

use ecert_bbs::PublicKey;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::certificate::date_text;
use crate::schema::TypeId;
use crate::value::{decode_b64, encode_b64};

/// An issuing department as the registry lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRecord {
    /// Registry id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Region code of the department (GB/T 2260).
    pub region: String,
    /// The department, e.g. "public security bureau".
    pub department: String,
    /// The certificate types it may issue.
    pub authorised_types: Vec<TypeId>,
    /// Every key it has published, in publication order.
    pub keys: Vec<KeyRecord>,
}

/// One published issuer key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key id certificates name.
    pub key_id: String,
    /// The BBS public key (base64url in JSON).
    #[serde(with = "public_key_text")]
    pub public_key: PublicKey,
    /// First day certificates may be issued under it.
    #[serde(with = "date_text")]
    pub not_before: Date,
    /// Last day certificates may be issued under it.
    #[serde(with = "date_text")]
    pub not_after: Date,
    /// Active, retired or revoked.
    pub status: KeyStatus,
}

/// The life-cycle state of an issuer key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyStatus {
    /// In use.
    Active,
    /// No longer issuing; certificates it signed before it was retired stay valid, and a certificate whose
    /// validity starts after the retirement day is refused (specs/presentation.md, "Verification"), so
    /// that a leaked retired key cannot mint certificates dated after its retirement.
    Retired {
        /// When the registry logged the retirement (Unix seconds, the `at` of its log entry).
        at: i64,
    },
    /// Withdrawn (e.g. compromised): nothing it signed is trusted any more.
    Revoked {
        /// Why.
        reason: String,
    },
}

/// A verifier (relying party) as the registry lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierRecord {
    /// Registry id; the audience of its requests.
    pub id: String,
    /// Display name, shown to holders.
    pub name: String,
    /// Region code.
    pub region: String,
    /// The purposes it registered.
    pub purposes: Vec<Purpose>,
}

/// A registered purpose: what a verifier may ask for in one situation, and on what legal basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// Id, unique within its verifier.
    pub id: String,
    /// What the check is for, shown to holders.
    pub description: String,
    /// The law or regulation that allows it.
    pub legal_basis: String,
    /// Per certificate type, the attributes and claims it may ask for.
    pub allowed: Vec<PurposeGrant>,
}

/// What a purpose may see of one certificate type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeGrant {
    /// The certificate type.
    #[serde(rename = "type")]
    pub type_id: TypeId,
    /// Attributes it may ask to be disclosed.
    pub attributes: Vec<String>,
    /// Derived claims it may ask for.
    pub claims: Vec<String>,
}

/// Why a key does not vouch for a certificate whose validity starts on some day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRefusal {
    /// The key is revoked: nothing it signed is trusted.
    Revoked,
    /// The day lies outside the key's `not_before`..`not_after`.
    OutsideValidity,
    /// The day is later than the key's retirement day.
    AfterRetirement,
}

/// The seconds a day's calendar date lags behind UTC+14:00, the earliest time zone: [`retirement_day`].
const EARLIEST_ZONE_OFFSET_SECONDS: i64 = 14 * 3600;

/// The last day on which a key retired at `at` (Unix seconds) may still have issued a certificate: the
/// calendar date at that instant in UTC+14:00, the time zone whose date is the latest on Earth. No issuer,
/// whatever its local zone, had reached a later day when the key was retired; China's offices (UTC+8) get
/// at most one day of slack. `None` if `at` is outside the calendar this crate handles.
pub fn retirement_day(at: i64) -> Option<Date> {
    let instant =
        time::OffsetDateTime::from_unix_timestamp(at.checked_add(EARLIEST_ZONE_OFFSET_SECONDS)?).ok()?;
    Some(instant.date())
}

impl KeyRecord {
    /// Whether the key vouches for a certificate whose validity starts on `valid_from`: not revoked, the
    /// day within `not_before`..`not_after`, and, for a retired key, not after its [`retirement_day`]. The
    /// one rule verifiers and wallets apply to a certificate's key (specs/presentation.md, "Verification").
    pub fn vouches_for(&self, valid_from: Date) -> core::result::Result<(), KeyRefusal> {
        match self.status {
            KeyStatus::Revoked { .. } => return Err(KeyRefusal::Revoked),
            KeyStatus::Retired { at } => match retirement_day(at) {
                Some(last) if valid_from <= last => {}
                // A retirement time outside the calendar (no registry writes one) fails closed.
                _ => return Err(KeyRefusal::AfterRetirement),
            },
            KeyStatus::Active => {}
        }
        if valid_from < self.not_before || valid_from > self.not_after {
            return Err(KeyRefusal::OutsideValidity);
        }
        Ok(())
    }
}

impl Purpose {
    /// The grant for a certificate type.
    pub fn grant(&self, type_id: &TypeId) -> Option<&PurposeGrant> {
        self.allowed.iter().find(|g| &g.type_id == type_id)
    }
}

/// The registry as a verifier or wallet has it cached: issuers and verifiers by id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryView {
    /// Issuers by id.
    pub issuers: BTreeMap<String, IssuerRecord>,
    /// Verifiers by id.
    pub verifiers: BTreeMap<String, VerifierRecord>,
}

impl RegistryView {
    /// Whether the registry lets `issuer` issue certificates of `type_id`.
    pub fn authorises(&self, issuer: &str, type_id: &TypeId) -> bool {
        self.issuers
            .get(issuer)
            .is_some_and(|i| i.authorised_types.contains(type_id))
    }

    /// The key `key_id` of `issuer`.
    pub fn key(&self, issuer: &str, key_id: &str) -> Option<&KeyRecord> {
        self.issuers.get(issuer)?.keys.iter().find(|k| k.key_id == key_id)
    }
}

/// The state of one certificate in its issuer's status list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Neither revoked nor suspended.
    Valid,
    /// Suspended for now (may be reinstated).
    Suspended,
    /// Revoked for good.
    Revoked,
}

impl CertificateStatus {
    /// The status's name, as status lists, records and events write it.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Revoked => "revoked",
        }
    }
}

impl core::fmt::Display for CertificateStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for CertificateStatus {
    type Err = crate::error::Error;

    fn from_str(name: &str) -> crate::error::Result<CertificateStatus> {
        match name {
            "valid" => Ok(CertificateStatus::Valid),
            "suspended" => Ok(CertificateStatus::Suspended),
            "revoked" => Ok(CertificateStatus::Revoked),
            other => Err(crate::error::Error::Malformed(format!(
                "unknown certificate status {other:?}"
            ))),
        }
    }
}

/// Where a verifier looks up certificate status: the issuers' status lists, as it has them cached.
pub trait StatusSource {
    /// The status of entry `index` of `issuer`'s list `list`; `None` if the list is unknown (the caller
    /// then fails closed).
    fn status(&self, issuer: &str, list: &str, index: u32) -> Option<CertificateStatus>;
}

/// Status lists as plain data: per (issuer, list), the entries that are not valid, and the list's capacity
/// when known (an index at or past it has no status: `None`, so the verifier fails closed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusLists {
    lists: BTreeMap<(String, String), ListEntries>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ListEntries {
    capacity: Option<u32>,
    not_valid: BTreeMap<u32, CertificateStatus>,
}

impl StatusLists {
    /// Declares a list (all entries valid until marked).
    pub fn add_list(&mut self, issuer: &str, list: &str) {
        self.lists
            .entry((issuer.to_owned(), list.to_owned()))
            .or_default();
    }

    /// Sets an entry's status (declaring the list if needed).
    pub fn set(&mut self, issuer: &str, list: &str, index: u32, status: CertificateStatus) {
        let entries = &mut self
            .lists
            .entry((issuer.to_owned(), list.to_owned()))
            .or_default()
            .not_valid;
        if status == CertificateStatus::Valid {
            entries.remove(&index);
        } else {
            entries.insert(index, status);
        }
    }

    /// Replaces a whole list: its capacity and the entries that are not valid.
    pub fn replace_list(
        &mut self,
        issuer: &str,
        list: &str,
        capacity: u32,
        not_valid: impl IntoIterator<Item = (u32, CertificateStatus)>,
    ) {
        let not_valid = not_valid
            .into_iter()
            .filter(|(index, status)| *index < capacity && *status != CertificateStatus::Valid)
            .collect();
        self.lists.insert(
            (issuer.to_owned(), list.to_owned()),
            ListEntries {
                capacity: Some(capacity),
                not_valid,
            },
        );
    }
}

impl StatusSource for StatusLists {
    fn status(&self, issuer: &str, list: &str, index: u32) -> Option<CertificateStatus> {
        let entries = self.lists.get(&(issuer.to_owned(), list.to_owned()))?;
        if entries.capacity.is_some_and(|capacity| index >= capacity) {
            return None;
        }
        Some(
            entries
                .not_valid
                .get(&index)
                .copied()
                .unwrap_or(CertificateStatus::Valid),
        )
    }
}

/// A public key as base64url in JSON.
pub(crate) mod public_key_text {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(pk: &PublicKey, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&encode_b64(&pk.to_bytes()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<PublicKey, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode_b64(&text).map_err(serde::de::Error::custom)?;
        PublicKey::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_round_trip_and_match_the_serde_names() {
        for status in [
            CertificateStatus::Valid,
            CertificateStatus::Suspended,
            CertificateStatus::Revoked,
        ] {
            assert_eq!(status.as_str().parse::<CertificateStatus>(), Ok(status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str()))
            );
        }
        assert!("lost".parse::<CertificateStatus>().is_err());
    }
}
