//! The over-asking rule (minimal collection): a verifier may ask, under one of its registered purposes,
//! only for the certificate types, attributes and derived claims that purpose's grants name.
//!
//! Two parties apply it and must agree exactly: the holder's wallet, which refuses a request that asks
//! for more (ecert-holder), and the verifier's own service, which refuses to create such a request so that
//! its operator hears about it first. Both call [`RegistryView::check_request_scope`].

use core::fmt;

use crate::registry::{Purpose, RegistryView, VerifierRecord};
use crate::request::RequestItem;
use crate::schema::TypeId;

/// What a request item asks for beyond its purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Beyond {
    /// The purpose does not cover this certificate type at all.
    Type,
    /// The purpose does not allow disclosing this attribute of the type.
    Attribute(String),
    /// The purpose does not allow asking for this derived claim of the type.
    Claim(String),
}

/// A request item asking for more than its purpose allows: the first such thing found, in item order, then
/// per item in type order, the type itself, then its disclosures, then its claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverAsking {
    /// The purpose the request is made under.
    pub purpose: String,
    /// The request item's id.
    pub item: String,
    /// The certificate type the item accepts.
    pub type_id: TypeId,
    /// What is beyond the purpose.
    pub beyond: Beyond,
}

impl fmt::Display for OverAsking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (purpose, type_id) = (&self.purpose, &self.type_id);
        match &self.beyond {
            Beyond::Type => write!(f, "purpose {purpose:?} does not cover certificate type {type_id}"),
            Beyond::Attribute(name) => write!(
                f,
                "purpose {purpose:?} does not allow disclosing {name:?} of {type_id}"
            ),
            Beyond::Claim(name) => write!(
                f,
                "purpose {purpose:?} does not allow the claim {name:?} of {type_id}"
            ),
        }
    }
}

impl std::error::Error for OverAsking {}

/// Why a request may not be made (verifier) or answered (wallet) under the purpose it names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeError {
    /// The registry does not list the verifier.
    UnknownVerifier(String),
    /// The verifier has not registered the purpose.
    UnknownPurpose {
        /// The verifier.
        verifier: String,
        /// The purpose named.
        purpose: String,
    },
    /// The request asks for more than the purpose allows.
    OverAsking(OverAsking),
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeError::UnknownVerifier(verifier) => {
                write!(f, "verifier {verifier:?} is not in the registry")
            }
            ScopeError::UnknownPurpose { verifier, purpose } => write!(
                f,
                "verifier {verifier:?} has not registered the purpose {purpose:?}"
            ),
            ScopeError::OverAsking(over) => over.fmt(f),
        }
    }
}

impl std::error::Error for ScopeError {}

impl Purpose {
    /// Checks that every type each item accepts is covered by the purpose, for every attribute and claim
    /// the item asks for: an item accepting several types must be answerable with any of them, so each
    /// type's grant must allow the whole item.
    pub fn check_items(&self, items: &[RequestItem]) -> Result<(), OverAsking> {
        for item in items {
            for type_id in &item.types {
                let over = |beyond| OverAsking {
                    purpose: self.id.clone(),
                    item: item.id.clone(),
                    type_id: type_id.clone(),
                    beyond,
                };
                let grant = self.grant(type_id).ok_or_else(|| over(Beyond::Type))?;
                if let Some(name) = item.disclose.iter().find(|a| !grant.attributes.contains(a)) {
                    return Err(over(Beyond::Attribute(name.clone())));
                }
                if let Some(name) = item.claims.iter().find(|c| !grant.claims.contains(c)) {
                    return Err(over(Beyond::Claim(name.clone())));
                }
            }
        }
        Ok(())
    }
}

impl RegistryView {
    /// The verifier and the purpose a request names, once the items are checked against it
    /// ([`Purpose::check_items`]).
    pub fn check_request_scope(
        &self,
        verifier: &str,
        purpose: &str,
        items: &[RequestItem],
    ) -> Result<(&VerifierRecord, &Purpose), ScopeError> {
        let record = self
            .verifiers
            .get(verifier)
            .ok_or_else(|| ScopeError::UnknownVerifier(verifier.to_owned()))?;
        let registered =
            record
                .purposes
                .iter()
                .find(|p| p.id == purpose)
                .ok_or_else(|| ScopeError::UnknownPurpose {
                    verifier: verifier.to_owned(),
                    purpose: purpose.to_owned(),
                })?;
        registered.check_items(items).map_err(ScopeError::OverAsking)?;
        Ok((record, registered))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::registry::PurposeGrant;

    fn type_id(id: &str) -> TypeId {
        TypeId::new(id).unwrap()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    /// A car-rental desk: licence class and two age claims of a driving licence, nothing of an ID card.
    fn registry() -> RegistryView {
        let purpose = Purpose {
            id: "rent-a-car".into(),
            description: "rent a car".into(),
            legal_basis: "test".into(),
            allowed: vec![
                PurposeGrant {
                    type_id: type_id("cn.driving-licence/1"),
                    attributes: strings(&["licence_class"]),
                    claims: strings(&["age_over_18", "age_over_21"]),
                },
                PurposeGrant {
                    type_id: type_id("cn.resident-id-card/1"),
                    attributes: Vec::new(),
                    claims: strings(&["age_over_18"]),
                },
            ],
        };
        let mut view = RegistryView::default();
        view.verifiers.insert(
            "desk".into(),
            VerifierRecord {
                id: "desk".into(),
                name: "Desk".into(),
                region: "110105".into(),
                purposes: vec![purpose],
            },
        );
        view
    }

    fn item(id: &str, types: &[&str], disclose: &[&str], claims: &[&str]) -> RequestItem {
        RequestItem {
            id: id.into(),
            types: types.iter().map(|t| type_id(t)).collect(),
            issuers: None,
            disclose: strings(disclose),
            claims: strings(claims),
        }
    }

    fn check(items: &[RequestItem]) -> Result<(), ScopeError> {
        registry()
            .check_request_scope("desk", "rent-a-car", items)
            .map(drop)
    }

    fn over(item: &str, ty: &str, beyond: Beyond) -> Result<(), ScopeError> {
        Err(ScopeError::OverAsking(OverAsking {
            purpose: "rent-a-car".into(),
            item: item.into(),
            type_id: type_id(ty),
            beyond,
        }))
    }

    const LICENCE: &str = "cn.driving-licence/1";
    const ID_CARD: &str = "cn.resident-id-card/1";

    #[test]
    fn what_the_purpose_grants_may_be_asked_and_less_too() {
        assert_eq!(
            check(&[item("l", &[LICENCE], &["licence_class"], &["age_over_21"])]),
            Ok(())
        );
        assert_eq!(check(&[item("l", &[LICENCE], &[], &[])]), Ok(()));
        assert_eq!(
            check(&[item("either", &[LICENCE, ID_CARD], &[], &["age_over_18"])]),
            Ok(())
        );
    }

    #[test]
    fn an_attribute_a_claim_or_a_type_beyond_the_purpose_is_over_asking() {
        assert_eq!(
            check(&[item("l", &[LICENCE], &["licence_class", "birth_date"], &[])]),
            over("l", LICENCE, Beyond::Attribute("birth_date".into()))
        );
        assert_eq!(
            check(&[item("l", &[LICENCE], &[], &["age_over_60"])]),
            over("l", LICENCE, Beyond::Claim("age_over_60".into()))
        );
        assert_eq!(
            check(&[item("d", &["cn.academic-degree/1"], &[], &[])]),
            over("d", "cn.academic-degree/1", Beyond::Type)
        );
    }

    #[test]
    fn every_type_an_item_accepts_must_allow_the_whole_item() {
        // The licence grant allows age_over_21, the ID card grant does not: an item taking either could be
        // answered with an ID card, so it asks too much.
        assert_eq!(
            check(&[item("either", &[LICENCE, ID_CARD], &[], &["age_over_21"])]),
            over("either", ID_CARD, Beyond::Claim("age_over_21".into()))
        );
        // The first offence is reported: items in order, then the type, its disclosures, its claims.
        assert_eq!(
            check(&[
                item("ok", &[LICENCE], &["licence_class"], &[]),
                item("bad", &[LICENCE], &["name"], &["age_over_99"]),
                item("worse", &["cn.academic-degree/1"], &[], &[]),
            ]),
            over("bad", LICENCE, Beyond::Attribute("name".into()))
        );
    }

    #[test]
    fn an_unknown_verifier_or_purpose_is_refused_before_the_items_are_read() {
        let view = registry();
        assert_eq!(
            view.check_request_scope("nobody", "rent-a-car", &[]).map(drop),
            Err(ScopeError::UnknownVerifier("nobody".into()))
        );
        assert_eq!(
            view.check_request_scope("desk", "hiring", &[]).map(drop),
            Err(ScopeError::UnknownPurpose {
                verifier: "desk".into(),
                purpose: "hiring".into()
            })
        );
        let (record, purpose) = view.check_request_scope("desk", "rent-a-car", &[]).unwrap();
        assert_eq!((record.id.as_str(), purpose.id.as_str()), ("desk", "rent-a-car"));
    }

    #[test]
    fn the_messages_name_the_purpose_the_type_and_what_was_asked() {
        let message = |beyond| {
            OverAsking {
                purpose: "rent-a-car".into(),
                item: "l".into(),
                type_id: type_id(LICENCE),
                beyond,
            }
            .to_string()
        };
        assert_eq!(
            message(Beyond::Type),
            "purpose \"rent-a-car\" does not cover certificate type cn.driving-licence/1"
        );
        assert!(message(Beyond::Attribute("birth_date".into())).contains("disclosing \"birth_date\""));
        assert!(message(Beyond::Claim("age_over_60".into())).contains("the claim \"age_over_60\""));
    }
}
