//! The registry's state: a deterministic fold over the log's entries, with the rules every write must
//! pass. Anyone holding the entries recomputes the same state; nothing that was appended can be changed.

use std::collections::BTreeMap;

use ecert_bbs::PublicKey;
use ecert_credential::{
    CertificateType, IssuerRecord, KeyRecord, KeyStatus, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS,
    MAX_SHORT_TEXT_CHARS, RegistryView, TypeId, VerifierRecord, check_text, decode_b64, parse_date,
};
use time::Date;

use crate::entry::Entry;
use crate::error::{Error, Result};

/// The only ciphersuite certificate format 1 uses.
pub const CERTIFICATE_SUITE: &str = "BLS12-381-SHA-256";

/// The life cycle of an issuer key, with when each change happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// In use.
    Active,
    /// Retired at this time (Unix seconds).
    Retired {
        /// When.
        at: i64,
    },
    /// Revoked at this time, for this reason.
    Revoked {
        /// When.
        at: i64,
        /// Why.
        reason: String,
    },
}

/// An issuer key with its history.
#[derive(Clone, Debug)]
pub struct KeyHistory {
    /// The key's id.
    pub key_id: String,
    /// The ciphersuite.
    pub suite: String,
    /// The public key.
    pub public_key: PublicKey,
    /// First day of issuance.
    pub not_before: Date,
    /// Last day of issuance.
    pub not_after: Date,
    /// When it was published (Unix seconds).
    pub published_at: i64,
    /// Its state now.
    pub state: KeyState,
}

/// An issuer in the registry.
#[derive(Clone, Debug)]
pub struct Issuer {
    /// Registry id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// Department.
    pub department: String,
    /// Authorised certificate types.
    pub authorised_types: Vec<TypeId>,
    /// Every key it published, in order.
    pub keys: Vec<KeyHistory>,
}

/// The registry's state after some prefix of the log.
#[derive(Clone, Debug, Default)]
pub struct RegistryState {
    /// The certificate-type catalogue.
    pub types: BTreeMap<TypeId, CertificateType>,
    /// Issuers by id.
    pub issuers: BTreeMap<String, Issuer>,
    /// Verifiers by id.
    pub verifiers: BTreeMap<String, VerifierRecord>,
    /// Entries applied.
    pub entries: u64,
    /// Time of the last entry.
    pub last_at: i64,
}

impl RegistryState {
    /// Replays entries from the start.
    pub fn replay<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<RegistryState> {
        let mut state = RegistryState::default();
        for entry in entries {
            state.apply(entry)?;
        }
        Ok(state)
    }

    /// Checks `entry` against the rules and applies it; on error the state is unchanged.
    pub fn apply(&mut self, entry: &Entry) -> Result<()> {
        let rule = |what: String| Err(Error::Rule(what));
        if self.entries > 0 && entry.at() < self.last_at {
            return rule(format!(
                "entry at {} is earlier than the previous one at {}",
                entry.at(),
                self.last_at
            ));
        }
        match entry {
            Entry::TypeRegistered { schema, .. } => {
                let ty = CertificateType::from_document(schema).map_err(|e| Error::Rule(e.to_string()))?;
                if self.types.contains_key(&ty.id) {
                    return rule(format!("type {} is already registered", ty.id));
                }
                self.types.insert(ty.id.clone(), ty);
            }
            Entry::IssuerRegistered {
                id,
                name,
                region,
                department,
                ..
            } => {
                check_id(id)?;
                if self.issuers.contains_key(id) {
                    return rule(format!("issuer {id} is already registered"));
                }
                check_region(&format!("issuer {id}"), region)?;
                check_text_field(&format!("issuer {id}: name"), name, MAX_NAME_CHARS)?;
                check_text_field(
                    &format!("issuer {id}: department"),
                    department,
                    MAX_SHORT_TEXT_CHARS,
                )?;
                self.issuers.insert(
                    id.clone(),
                    Issuer {
                        id: id.clone(),
                        name: name.clone(),
                        region: region.clone(),
                        department: department.clone(),
                        authorised_types: Vec::new(),
                        keys: Vec::new(),
                    },
                );
            }
            Entry::IssuerAuthorised { issuer, type_id, .. } => {
                let type_id = TypeId::new(type_id).map_err(|e| Error::Rule(e.to_string()))?;
                if !self.types.contains_key(&type_id) {
                    return rule(format!("type {type_id} is not in the catalogue"));
                }
                let record = self
                    .issuers
                    .get_mut(issuer)
                    .ok_or_else(|| Error::Rule(format!("unknown issuer {issuer}")))?;
                if record.authorised_types.contains(&type_id) {
                    return rule(format!("issuer {issuer} is already authorised for {type_id}"));
                }
                record.authorised_types.push(type_id);
            }
            Entry::KeyPublished {
                at,
                issuer,
                key_id,
                suite,
                public_key,
                not_before,
                not_after,
            } => {
                check_id(key_id)?;
                let record = self
                    .issuers
                    .get_mut(issuer)
                    .ok_or_else(|| Error::Rule(format!("a key for unknown issuer {issuer}")))?;
                if record.keys.iter().any(|k| &k.key_id == key_id) {
                    return rule(format!(
                        "issuer {issuer} already has a key {key_id}: key ids are never reused"
                    ));
                }
                if suite != CERTIFICATE_SUITE {
                    return rule(format!("ciphersuite {suite:?} is not {CERTIFICATE_SUITE}"));
                }
                let public_key = decode_b64(public_key)
                    .ok()
                    .and_then(|bytes| PublicKey::from_bytes(&bytes).ok())
                    .ok_or_else(|| Error::Rule(format!("key {key_id}: not a valid BBS public key")))?;
                let (not_before, not_after) = match (parse_date(not_before), parse_date(not_after)) {
                    (Ok(a), Ok(b)) if a <= b => (a, b),
                    _ => {
                        return rule(format!(
                            "key {key_id}: not_before and not_after must be dates, in order"
                        ));
                    }
                };
                record.keys.push(KeyHistory {
                    key_id: key_id.clone(),
                    suite: suite.clone(),
                    public_key,
                    not_before,
                    not_after,
                    published_at: *at,
                    state: KeyState::Active,
                });
            }
            Entry::KeyStatusChanged {
                at,
                issuer,
                key_id,
                status,
                reason,
            } => {
                let record = self
                    .issuers
                    .get_mut(issuer)
                    .ok_or_else(|| Error::Rule(format!("unknown issuer {issuer}")))?;
                let key = record
                    .keys
                    .iter_mut()
                    .find(|k| &k.key_id == key_id)
                    .ok_or_else(|| Error::Rule(format!("issuer {issuer} has no key {key_id}")))?;
                if let Some(reason) = reason {
                    check_text_field(&format!("key {key_id}: reason"), reason, MAX_SHORT_TEXT_CHARS)?;
                }
                let next = match (status.as_str(), reason) {
                    ("retired", _) => KeyState::Retired { at: *at },
                    ("revoked", Some(reason)) if !reason.is_empty() => KeyState::Revoked {
                        at: *at,
                        reason: reason.clone(),
                    },
                    ("revoked", _) => return rule(format!("revoking key {key_id} needs a reason")),
                    (other, _) => return rule(format!("unknown key status {other:?}")),
                };
                match (&key.state, &next) {
                    (KeyState::Revoked { .. }, _) => {
                        return rule(format!("key {key_id} is revoked: revocation is final"));
                    }
                    (KeyState::Retired { .. }, KeyState::Retired { .. }) => {
                        return rule(format!("key {key_id} is already retired"));
                    }
                    _ => {}
                }
                key.state = next;
            }
            Entry::VerifierRegistered { verifier, .. } => {
                let record: VerifierRecord = serde_json::from_value(verifier.clone())
                    .map_err(|e| Error::Rule(format!("verifier record: {e}")))?;
                check_id(&record.id)?;
                if self.verifiers.contains_key(&record.id) {
                    return rule(format!("verifier {} is already registered", record.id));
                }
                let verifier = format!("verifier {}", record.id);
                check_text_field(&format!("{verifier}: name"), &record.name, MAX_NAME_CHARS)?;
                check_region(&verifier, &record.region)?;
                if record.purposes.len() > MAX_PURPOSES {
                    return rule(format!("{verifier} registers more than {MAX_PURPOSES} purposes"));
                }
                let mut purpose_ids = std::collections::BTreeSet::new();
                for purpose in &record.purposes {
                    check_id(&purpose.id)?;
                    if !purpose_ids.insert(purpose.id.as_str()) {
                        return rule(format!("{verifier} registers the purpose {} twice", purpose.id));
                    }
                    let at = format!("{verifier}, purpose {}", purpose.id);
                    check_text_field(
                        &format!("{at}: description"),
                        &purpose.description,
                        MAX_DESCRIPTION_CHARS,
                    )?;
                    check_text_field(
                        &format!("{at}: legal_basis"),
                        &purpose.legal_basis,
                        MAX_DESCRIPTION_CHARS,
                    )?;
                    let mut granted_types = std::collections::BTreeSet::new();
                    if let Some(grant) = purpose.allowed.iter().find(|g| !granted_types.insert(&g.type_id)) {
                        return rule(format!("{at} names the type {} twice", grant.type_id));
                    }
                }
                for purpose in &record.purposes {
                    for grant in &purpose.allowed {
                        let ty = self.types.get(&grant.type_id).ok_or_else(|| {
                            Error::Rule(format!(
                                "purpose {} names unknown type {}",
                                purpose.id, grant.type_id
                            ))
                        })?;
                        if let Some(name) = grant.attributes.iter().find(|a| ty.attribute(a).is_none()) {
                            return rule(format!(
                                "purpose {} names unknown attribute {name} of {}",
                                purpose.id, ty.id
                            ));
                        }
                        if let Some(name) = grant.claims.iter().find(|c| ty.claim(c).is_none()) {
                            return rule(format!(
                                "purpose {} names unknown claim {name} of {}",
                                purpose.id, ty.id
                            ));
                        }
                    }
                }
                self.verifiers.insert(record.id.clone(), record);
            }
        }
        self.entries += 1;
        self.last_at = entry.at();
        Ok(())
    }

    /// The view holders and verifiers consume (ecert-credential's `RegistryView`).
    pub fn view(&self) -> RegistryView {
        RegistryView {
            issuers: self
                .issuers
                .values()
                .map(|issuer| {
                    let keys = issuer
                        .keys
                        .iter()
                        .map(|k| KeyRecord {
                            key_id: k.key_id.clone(),
                            public_key: k.public_key.clone(),
                            not_before: k.not_before,
                            not_after: k.not_after,
                            status: match &k.state {
                                KeyState::Active => KeyStatus::Active,
                                KeyState::Retired { at } => KeyStatus::Retired { at: *at },
                                KeyState::Revoked { reason, .. } => KeyStatus::Revoked {
                                    reason: reason.clone(),
                                },
                            },
                        })
                        .collect();
                    let record = IssuerRecord {
                        id: issuer.id.clone(),
                        name: issuer.name.clone(),
                        region: issuer.region.clone(),
                        department: issuer.department.clone(),
                        authorised_types: issuer.authorised_types.clone(),
                        keys,
                    };
                    (issuer.id.clone(), record)
                })
                .collect(),
            verifiers: self.verifiers.clone(),
        }
    }
}

/// Most purposes one verifier registers.
pub const MAX_PURPOSES: usize = 100;

/// A name or text stored in the log (ecert-credential's `check_text`): the error names the field and the
/// rule, never the text.
fn check_text_field(field: &str, text: &str, max_chars: usize) -> Result<()> {
    check_text(text, max_chars).map_err(|problem| Error::Rule(format!("{field} {problem}")))
}

fn check_region(whose: &str, region: &str) -> Result<()> {
    if ecert_credential::AttributeValue::region(region).is_some() {
        Ok(())
    } else {
        Err(Error::Rule(format!(
            "{whose}: the region must be a six-digit GB/T 2260 code"
        )))
    }
}

fn check_id(id: &str) -> Result<()> {
    if ecert_credential::is_valid_id(id) {
        Ok(())
    } else {
        Err(Error::Rule(format!(
            "id {:?} must be 1 to 100 printable ASCII characters",
            id.chars().take(100).collect::<String>()
        )))
    }
}
