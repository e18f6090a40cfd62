//! Objections: a holder says a certificate's data is wrong and names the corrections; the issuer reviews
//! and either rejects (with a note) or accepts, which re-issues the certificate with the corrections under
//! a new serial and status position, same validity, and revokes the old one.
//!
//! The rules live here; the service stores each step as an event, in one transaction per decision:
//! `filed`; then `rejected`, or `accepted`, `reissued` (note: the new serial) and `old_certificate_revoked`
//! (note: the old serial), after which the objection is `resolved`.

use core::fmt;
use core::str::FromStr;

use ecert_credential::{Certificate, CertificateStatus, CertificateType, StatusRef};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::issue::{IssueRequest, issue};
use crate::key::IssuerKey;

/// Longest statement a holder may file, or note a reviewer may give, in characters.
pub const MAX_OBJECTION_TEXT_CHARS: usize = 2000;

/// Where an objection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectionState {
    /// Waiting for the issuer's review.
    Filed,
    /// Reviewed and rejected.
    Rejected,
    /// Accepted: the certificate was re-issued and the old one revoked.
    Resolved,
}

/// A step in an objection's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectionEvent {
    /// The holder filed it.
    Filed,
    /// The issuer accepted it (the note is the reviewer's).
    Accepted,
    /// The issuer rejected it (the note is the reviewer's).
    Rejected,
    /// The replacement certificate was issued (the note is its serial).
    Reissued,
    /// The old certificate was revoked (the note is its serial).
    OldCertificateRevoked,
}

/// The issuer's decision on an objection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Correct the data and re-issue.
    Accept,
    /// Keep the certificate as it is.
    Reject,
}

macro_rules! names {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The name records and the HTTP API use.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = Error;

            fn from_str(name: &str) -> Result<$ty> {
                match name {
                    $($name => Ok($ty::$variant),)+
                    other => Err(Error::UnknownName { what: $what, name: other.to_owned() }),
                }
            }
        }
    };
}

names!(ObjectionState, "objection state", {
    Filed => "filed",
    Rejected => "rejected",
    Resolved => "resolved",
});

names!(ObjectionEvent, "objection event", {
    Filed => "filed",
    Accepted => "accepted",
    Rejected => "rejected",
    Reissued => "reissued",
    OldCertificateRevoked => "old_certificate_revoked",
});

/// Checks a statement or note: 1 to [`MAX_OBJECTION_TEXT_CHARS`] characters, not only blanks.
fn check_text(what: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > MAX_OBJECTION_TEXT_CHARS {
        return Err(Error::TextLength {
            what,
            max: MAX_OBJECTION_TEXT_CHARS,
        });
    }
    Ok(())
}

/// A certificate as the issuer recorded it: what an objection is checked against.
#[derive(Clone, Copy, Debug)]
pub struct RecordedCertificate<'a> {
    /// The certificate as issued.
    pub certificate: &'a Certificate,
    /// Its status now.
    pub status: CertificateStatus,
    /// Its type.
    pub ty: &'a CertificateType,
}

/// Checks a holder's objection before it is filed with `issuer`, in this order: the statement; that the
/// certificate presented is this issuer's, that the issuer recorded it (`recorded` is the record under
/// the presented serial, if any) and that it is exactly the one recorded (holding it is what entitles the
/// holder to object); that it is not revoked; and that the corrections apply to the type, so that the
/// holder hears about a wrong one at once, not at review.
pub fn check_filing(
    issuer: &str,
    presented: &Certificate,
    recorded: Option<RecordedCertificate<'_>>,
    statement: &str,
    corrections: &Map<String, Value>,
) -> Result<()> {
    check_text("statement", statement)?;
    if presented.issuer != issuer {
        return Err(Error::CertificateMismatch("the certificate is another issuer's"));
    }
    let recorded = recorded.ok_or(Error::UnknownCertificate)?;
    if presented != recorded.certificate {
        return Err(Error::CertificateMismatch(
            "the certificate does not match the issuer's record",
        ));
    }
    if recorded.status == CertificateStatus::Revoked {
        return Err(Error::CertificateRevoked);
    }
    corrected_attributes(recorded.ty, recorded.certificate, corrections).map(drop)
}

/// The certificate's attributes with `corrections` applied, checked against the type: at least one
/// correction, each of an attribute the certificate has, and the result a valid set of values.
pub fn corrected_attributes(
    ty: &CertificateType,
    certificate: &Certificate,
    corrections: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    if corrections.is_empty() {
        return Err(Error::NoCorrections);
    }
    let mut attributes = certificate.attributes.clone();
    for (name, value) in corrections {
        if !attributes.contains_key(name) {
            return Err(Error::Credential(ecert_credential::Error::UnknownAttribute {
                type_id: certificate.type_id.to_string(),
                name: name.clone(),
            }));
        }
        attributes.insert(name.clone(), value.clone());
    }
    ty.parse_values(&attributes)?;
    Ok(attributes)
}

/// The state an objection in `state` moves to on `decision`, after checking the reviewer's note: only a
/// filed objection can be decided, and only once.
pub fn review(state: ObjectionState, decision: Decision, note: &str) -> Result<ObjectionState> {
    check_text("note", note)?;
    if state != ObjectionState::Filed {
        return Err(Error::ObjectionClosed);
    }
    Ok(match decision {
        Decision::Accept => ObjectionState::Resolved,
        Decision::Reject => ObjectionState::Rejected,
    })
}

/// An accepted objection's replacement certificate, and the reasons the two certificates' histories
/// record.
#[derive(Clone, Debug)]
pub struct Reissue {
    /// The corrected certificate: new serial and status position, the old one's validity.
    pub replacement: Certificate,
    /// Recorded with the replacement's issuance.
    pub issued_reason: String,
    /// Recorded with the old certificate's revocation.
    pub revoked_reason: String,
}

/// Re-issues `old` with `corrections` (checked as [`corrected_attributes`] does) for objection
/// `objection`, at `position` under `serial`, signed with `key`.
pub fn reissue(
    ty: &CertificateType,
    key: &IssuerKey,
    old: &Certificate,
    corrections: &Map<String, Value>,
    objection: &str,
    position: StatusRef,
    serial: String,
) -> Result<Reissue> {
    let request = IssueRequest {
        attributes: corrected_attributes(ty, old, corrections)?,
        valid_from: old.valid_from,
        valid_until: old.valid_until,
        status: position,
        serial,
    };
    let replacement = issue(ty, key, &request)?;
    Ok(Reissue {
        issued_reason: format!("re-issued after objection {objection}"),
        revoked_reason: format!("superseded by {} after objection {objection}", replacement.serial),
        replacement,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use ecert_credential::{Catalogue, parse_date};
    use rand::SeedableRng;
    use serde_json::json;

    use super::*;

    const DEGREE: &str = "cn.academic-degree/1";

    fn ty() -> &'static CertificateType {
        Catalogue::built_in().unwrap().get(DEGREE).unwrap()
    }

    fn key() -> IssuerKey {
        IssuerKey::generate(
            &mut rand::rngs::StdRng::seed_from_u64(7),
            "110000-university",
            "k1",
        )
        .unwrap()
    }

    fn attributes() -> Map<String, Value> {
        json!({
            "name": "Li Hua", "sex": "female", "birth_date": "1990-03-07",
            "id_number": "110105199003078882", "degree_level": "bachelor", "degree_field": "engineering",
            "major": "Computer Science", "institution": "Beijing University of Technology",
            "institution_code": "10005", "conferral_date": "2012-07-01",
            "certificate_number": "1000542012000123",
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn certificate(key: &IssuerKey) -> Certificate {
        let request = IssueRequest {
            attributes: attributes(),
            valid_from: parse_date("2026-01-01").unwrap(),
            valid_until: parse_date("2035-12-31").unwrap(),
            status: StatusRef {
                list: "sl-0".into(),
                index: 5,
            },
            serial: "old".into(),
        };
        issue(ty(), key, &request).unwrap()
    }

    fn corrections(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_filing_needs_the_recorded_certificate_not_revoked_and_valid_corrections() {
        let key = key();
        let recorded = certificate(&key);
        let major = corrections(json!({"major": "Software Engineering"}));
        let file = |presented: &Certificate, status, statement: &str, corrections: &Map<String, Value>| {
            let recorded = RecordedCertificate {
                certificate: &recorded,
                status,
                ty: ty(),
            };
            check_filing(
                "110000-university",
                presented,
                Some(recorded),
                statement,
                corrections,
            )
        };
        let valid = CertificateStatus::Valid;
        assert_eq!(file(&recorded, valid, "my major is wrong", &major), Ok(()));
        assert_eq!(
            file(&recorded, CertificateStatus::Suspended, "wrong", &major),
            Ok(()),
            "a suspended certificate can still be corrected"
        );
        assert_eq!(
            file(&recorded, CertificateStatus::Revoked, "wrong", &major),
            Err(Error::CertificateRevoked)
        );
        let mut forged = recorded.clone();
        forged.attributes.insert("major".into(), json!("Law"));
        assert!(matches!(
            file(&forged, valid, "wrong", &major),
            Err(Error::CertificateMismatch(_))
        ));
        let mut elsewhere = recorded.clone();
        elsewhere.issuer = "440000-university".into();
        assert_eq!(
            file(&elsewhere, valid, "wrong", &major),
            Err(Error::CertificateMismatch("the certificate is another issuer's"))
        );
        for statement in ["", "   ", &"x".repeat(2001)] {
            assert_eq!(
                file(&recorded, valid, statement, &major),
                Err(Error::TextLength {
                    what: "statement",
                    max: 2000
                })
            );
        }
        assert_eq!(file(&recorded, valid, &"字".repeat(2000), &major), Ok(()));
        assert_eq!(
            check_filing("110000-university", &recorded, None, "wrong", &major),
            Err(Error::UnknownCertificate),
            "a serial the issuer never recorded"
        );
        assert!(
            matches!(
                check_filing("110000-university", &elsewhere, None, "wrong", &major),
                Err(Error::CertificateMismatch(_))
            ),
            "another issuer's certificate is refused as such, recorded here or not"
        );
    }

    #[test]
    fn corrections_must_name_attributes_of_the_certificate_with_values_of_their_type() {
        let recorded = certificate(&key());
        assert_eq!(
            corrected_attributes(ty(), &recorded, &Map::new()),
            Err(Error::NoCorrections)
        );
        assert!(matches!(
            corrected_attributes(ty(), &recorded, &corrections(json!({"nickname": "Xiao Li"}))),
            Err(Error::Credential(
                ecert_credential::Error::UnknownAttribute { .. }
            ))
        ));
        assert!(matches!(
            corrected_attributes(ty(), &recorded, &corrections(json!({"birth_date": "1990-02-30"}))),
            Err(Error::Credential(_))
        ));
        let corrected = corrected_attributes(ty(), &recorded, &corrections(json!({"major": "Law"}))).unwrap();
        assert_eq!(corrected["major"], "Law");
        assert_eq!(corrected["name"], "Li Hua", "everything else stays");
    }

    #[test]
    fn only_a_filed_objection_is_decided_and_the_decision_sets_its_state() {
        assert_eq!(
            review(ObjectionState::Filed, Decision::Accept, "checked the register"),
            Ok(ObjectionState::Resolved)
        );
        assert_eq!(
            review(ObjectionState::Filed, Decision::Reject, "the register agrees"),
            Ok(ObjectionState::Rejected)
        );
        for closed in [ObjectionState::Rejected, ObjectionState::Resolved] {
            assert_eq!(
                review(closed, Decision::Accept, "again"),
                Err(Error::ObjectionClosed)
            );
        }
        assert!(matches!(
            review(ObjectionState::Filed, Decision::Reject, " "),
            Err(Error::TextLength { what: "note", .. })
        ));
    }

    #[test]
    fn a_reissue_keeps_the_validity_applies_the_corrections_and_names_both_serials() {
        let key = key();
        let old = certificate(&key);
        let position = StatusRef {
            list: "sl-0".into(),
            index: 9,
        };
        let done = reissue(
            ty(),
            &key,
            &old,
            &corrections(json!({"major": "Software Engineering"})),
            "obj-1",
            position.clone(),
            "new".into(),
        )
        .unwrap();
        let new = &done.replacement;
        assert_eq!((new.serial.as_str(), &new.status), ("new", &position));
        assert_eq!(
            (new.valid_from, new.valid_until),
            (old.valid_from, old.valid_until)
        );
        assert_eq!(new.attributes["major"], "Software Engineering");
        new.verify_signature(ty(), &key.public_key()).unwrap();
        assert_eq!(done.issued_reason, "re-issued after objection obj-1");
        assert_eq!(done.revoked_reason, "superseded by new after objection obj-1");
        assert!(
            reissue(ty(), &key, &old, &Map::new(), "obj-1", position, "new".into()).is_err(),
            "no corrections, no reissue"
        );
    }

    #[test]
    fn names_round_trip() {
        for state in [
            ObjectionState::Filed,
            ObjectionState::Rejected,
            ObjectionState::Resolved,
        ] {
            assert_eq!(state.as_str().parse::<ObjectionState>(), Ok(state));
        }
        for event in [
            ObjectionEvent::Filed,
            ObjectionEvent::Accepted,
            ObjectionEvent::Rejected,
            ObjectionEvent::Reissued,
            ObjectionEvent::OldCertificateRevoked,
        ] {
            assert_eq!(event.as_str().parse::<ObjectionEvent>(), Ok(event));
        }
        assert_eq!(
            ObjectionEvent::OldCertificateRevoked.as_str(),
            "old_certificate_revoked"
        );
        assert!("withdrawn".parse::<ObjectionState>().is_err());
    }
}
