//! The regulators' audit: checking tree heads against each other, replaying the log, every issuer's key
//! history, and anomalies that the write rules cannot forbid but that a regulator must see.

use std::collections::{BTreeMap, HashMap};

use ed25519_dalek::VerifyingKey;
use time::{Date, OffsetDateTime};

use crate::entry::Entry;
use crate::error::{Error, Result};
use crate::merkle::{Hash, verify_consistency};
use crate::state::{KeyHistory, KeyState, RegistryState};
use crate::tree_head::SignedTreeHead;

/// Something a regulator should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Anomaly {
    /// An issuer has several active keys with overlapping validity: it could sign some holders'
    /// certificates with one key and others' with another, and so tell them apart (tagging).
    SeveralActiveKeys {
        /// The issuer.
        issuer: String,
        /// The active keys whose validity overlaps.
        key_ids: Vec<String>,
    },
    /// A key's first day of issuance is before the day it was published: certificates could be
    /// backdated under it.
    BackdatedKey {
        /// The issuer.
        issuer: String,
        /// The key.
        key_id: String,
        /// Its `not_before`.
        not_before: Date,
        /// The day it entered the log.
        published: Date,
    },
    /// A purpose asks for an attribute more sensitive than the policy allows purposes to ask for.
    OverbroadPurpose {
        /// The verifier.
        verifier: String,
        /// The purpose.
        purpose: String,
        /// The certificate type.
        type_id: String,
        /// The attribute.
        attribute: String,
        /// Its sensitivity level.
        sensitivity: u8,
    },
    /// An entry is earlier than the one before it.
    OutOfOrder {
        /// Its index in the log.
        index: u64,
    },
    /// An entry repeats an earlier one byte for byte.
    Duplicate {
        /// Its index in the log.
        index: u64,
        /// The index of the first occurrence.
        first: u64,
    },
    /// An entry breaks a write rule (the registry should have refused it).
    RuleViolation {
        /// Its index in the log.
        index: u64,
        /// Which rule.
        reason: String,
    },
}

/// What the audit tolerates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditPolicy {
    /// The most sensitive level a registered purpose may ask for without being flagged (the levels of
    /// specs/schemas/FORMAT.md: 4 is identity numbers, biometrics and financial data).
    pub max_purpose_sensitivity: u8,
}

impl Default for AuditPolicy {
    fn default() -> AuditPolicy {
        AuditPolicy {
            max_purpose_sensitivity: 3,
        }
    }
}

/// The result of auditing a log.
#[derive(Clone, Debug)]
pub struct AuditReport {
    /// The state the entries fold to, skipping entries that break a rule.
    pub state: RegistryState,
    /// What was found, in log order where it has one.
    pub anomalies: Vec<Anomaly>,
}

/// Audits a log's entries: replays them (an entry that breaks a rule is reported and skipped), and
/// reports out-of-order and duplicated entries, several active keys per issuer, backdated keys and
/// overbroad purposes.
pub fn audit(entries: &[Entry], policy: AuditPolicy) -> Result<AuditReport> {
    let mut anomalies = Vec::new();
    let mut state = RegistryState::default();
    let mut seen: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut previous_at = i64::MIN;
    for (index, entry) in entries.iter().enumerate() {
        let index = index as u64;
        let bytes = entry.canonical_bytes()?;
        if let Some(&first) = seen.get(&bytes) {
            anomalies.push(Anomaly::Duplicate { index, first });
        } else {
            seen.insert(bytes, index);
        }
        if entry.at() < previous_at {
            anomalies.push(Anomaly::OutOfOrder { index });
        }
        previous_at = previous_at.max(entry.at());
        // Order is reported above; replay the rest of the rules on an entry re-timed to keep going.
        if let Err(error) = state.apply(&retimed(entry, state.last_at)) {
            let reason = match error {
                Error::Rule(reason) => reason,
                other => other.to_string(),
            };
            anomalies.push(Anomaly::RuleViolation { index, reason });
        }
    }
    anomalies.extend(key_anomalies(&state));
    anomalies.extend(purpose_anomalies(&state, policy));
    Ok(AuditReport { state, anomalies })
}

/// The entry with its time raised to `floor`, so that replay checks the other rules of an out-of-order
/// entry instead of stopping at its time.
fn retimed(entry: &Entry, floor: i64) -> Entry {
    let mut entry = entry.clone();
    let at = match &mut entry {
        Entry::TypeRegistered { at, .. }
        | Entry::IssuerRegistered { at, .. }
        | Entry::IssuerAuthorised { at, .. }
        | Entry::KeyPublished { at, .. }
        | Entry::KeyStatusChanged { at, .. }
        | Entry::VerifierRegistered { at, .. } => at,
    };
    *at = (*at).max(floor);
    entry
}

fn day_of(unix: i64) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(unix).ok().map(|t| t.date())
}

fn key_anomalies(state: &RegistryState) -> Vec<Anomaly> {
    let mut anomalies = Vec::new();
    for issuer in state.issuers.values() {
        let active: Vec<&KeyHistory> = issuer
            .keys
            .iter()
            .filter(|k| k.state == KeyState::Active)
            .collect();
        let overlapping: Vec<String> = active
            .iter()
            .filter(|a| {
                active.iter().any(|b| {
                    a.key_id != b.key_id && a.not_before <= b.not_after && b.not_before <= a.not_after
                })
            })
            .map(|k| k.key_id.clone())
            .collect();
        if overlapping.len() > 1 {
            anomalies.push(Anomaly::SeveralActiveKeys {
                issuer: issuer.id.clone(),
                key_ids: overlapping,
            });
        }
        for key in &issuer.keys {
            if let Some(published) = day_of(key.published_at).filter(|day| key.not_before < *day) {
                anomalies.push(Anomaly::BackdatedKey {
                    issuer: issuer.id.clone(),
                    key_id: key.key_id.clone(),
                    not_before: key.not_before,
                    published,
                });
            }
        }
    }
    anomalies
}

fn purpose_anomalies(state: &RegistryState, policy: AuditPolicy) -> Vec<Anomaly> {
    let mut anomalies = Vec::new();
    for verifier in state.verifiers.values() {
        for purpose in &verifier.purposes {
            for grant in &purpose.allowed {
                let Some(ty) = state.types.get(&grant.type_id) else {
                    continue;
                };
                for attribute in &grant.attributes {
                    if let Some((_, spec)) = ty
                        .attribute(attribute)
                        .filter(|(_, s)| s.sensitivity.level() > policy.max_purpose_sensitivity)
                    {
                        anomalies.push(Anomaly::OverbroadPurpose {
                            verifier: verifier.id.clone(),
                            purpose: purpose.id.clone(),
                            type_id: ty.id.to_string(),
                            attribute: attribute.clone(),
                            sensitivity: spec.sensitivity.level(),
                        });
                    }
                }
            }
        }
    }
    anomalies
}

/// Checks that a newer signed tree head extends an older one: both signatures, then the consistency
/// proof between them (RFC 9162 §2.1.4.2). A log that rewrote history cannot pass.
pub fn check_heads(
    registry_key: &VerifyingKey,
    older: &SignedTreeHead,
    newer: &SignedTreeHead,
    consistency_proof: &[Hash],
) -> Result<()> {
    let old_root = older.verify(registry_key)?;
    let new_root = newer.verify(registry_key)?;
    if newer.timestamp < older.timestamp {
        return Err(Error::Malformed(
            "the newer tree head is older than the older one".into(),
        ));
    }
    verify_consistency(older.size, newer.size, &old_root, &new_root, consistency_proof)?;
    Ok(())
}

/// Every key an issuer ever published, in publication order, with its current state and the times of
/// publication and of retirement or revocation.
pub fn key_history<'a>(state: &'a RegistryState, issuer: &str) -> Option<&'a [KeyHistory]> {
    state.issuers.get(issuer).map(|i| i.keys.as_slice())
}

/// Replays `entries` and compares the state with one a registry or mirror claims (as its view): the
/// regulator's check that what is served is what the log says.
pub fn state_matches(entries: &[Entry], claimed: &ecert_credential::RegistryView) -> Result<bool> {
    Ok(&RegistryState::replay(entries)?.view() == claimed)
}

/// How many entries of each kind a log holds (for the regulator's summary).
pub fn entry_counts(entries: &[Entry]) -> BTreeMap<&'static str, u64> {
    let mut counts = BTreeMap::new();
    for entry in entries {
        let kind = entry.kind();
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}
