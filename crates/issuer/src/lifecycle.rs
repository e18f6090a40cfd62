//! A certificate's life after issuance: the status changes an issuer may make and the events its record
//! keeps. Valid and suspended go back and forth; either may be revoked; revocation is final (a revoked
//! certificate is replaced by a new one, never brought back, so that a verifier that saw it revoked
//! can rely on that).

use core::fmt;
use core::str::FromStr;

use ecert_credential::CertificateStatus;

use crate::error::{Error, Result};

/// Longest reason an issuer may record with a status change, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Something that happened to a certificate, as its history names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateEvent {
    /// Signed and recorded (a first issuance or a re-issue after an objection).
    Issued,
    /// Suspended: presentations fail until reinstated.
    Suspended,
    /// A suspension lifted.
    Reinstated,
    /// Revoked for good.
    Revoked,
}

impl CertificateEvent {
    /// The event's name in records and audit reads.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateEvent::Issued => "issued",
            CertificateEvent::Suspended => "suspended",
            CertificateEvent::Reinstated => "reinstated",
            CertificateEvent::Revoked => "revoked",
        }
    }

    /// The status a certificate has right after the event.
    pub fn status_after(self) -> CertificateStatus {
        match self {
            CertificateEvent::Issued | CertificateEvent::Reinstated => CertificateStatus::Valid,
            CertificateEvent::Suspended => CertificateStatus::Suspended,
            CertificateEvent::Revoked => CertificateStatus::Revoked,
        }
    }
}

impl fmt::Display for CertificateEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CertificateEvent {
    type Err = Error;

    fn from_str(name: &str) -> Result<CertificateEvent> {
        [
            CertificateEvent::Issued,
            CertificateEvent::Suspended,
            CertificateEvent::Reinstated,
            CertificateEvent::Revoked,
        ]
        .into_iter()
        .find(|event| event.as_str() == name)
        .ok_or_else(|| Error::UnknownName {
            what: "certificate event",
            name: name.to_owned(),
        })
    }
}

/// The event that moves a certificate from `from` to `to`, or [`Error::InvalidTransition`] when the move
/// is not allowed: valid → suspended, suspended → valid, valid or suspended → revoked. Staying put is not
/// a change and is refused too, so that the history never records a change that changed nothing.
pub fn transition(from: CertificateStatus, to: CertificateStatus) -> Result<CertificateEvent> {
    use CertificateStatus::{Revoked, Suspended, Valid};
    match (from, to) {
        (Valid, Suspended) => Ok(CertificateEvent::Suspended),
        (Suspended, Valid) => Ok(CertificateEvent::Reinstated),
        (Valid | Suspended, Revoked) => Ok(CertificateEvent::Revoked),
        _ => Err(Error::InvalidTransition { from, to }),
    }
}

/// Checks the optional reason of a status change: at most [`MAX_REASON_CHARS`] characters.
pub fn check_reason(reason: Option<&str>) -> Result<()> {
    match reason {
        Some(reason) if reason.chars().count() > MAX_REASON_CHARS => Err(Error::TextLength {
            what: "reason",
            max: MAX_REASON_CHARS,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertificateStatus::{Revoked, Suspended, Valid};

    #[test]
    fn the_allowed_moves_name_their_event_and_land_where_asked() {
        for (from, to, event) in [
            (Valid, Suspended, CertificateEvent::Suspended),
            (Suspended, Valid, CertificateEvent::Reinstated),
            (Valid, Revoked, CertificateEvent::Revoked),
            (Suspended, Revoked, CertificateEvent::Revoked),
        ] {
            assert_eq!(transition(from, to), Ok(event), "{from} -> {to}");
            assert_eq!(event.status_after(), to);
        }
    }

    #[test]
    fn revocation_is_final_and_a_move_to_the_same_status_is_refused() {
        for from in [Valid, Suspended, Revoked] {
            assert_eq!(
                transition(from, from),
                Err(Error::InvalidTransition { from, to: from })
            );
        }
        for to in [Valid, Suspended] {
            assert_eq!(
                transition(Revoked, to),
                Err(Error::InvalidTransition { from: Revoked, to })
            );
        }
        let refused = transition(Revoked, Valid).err().map(|e| e.to_string());
        assert_eq!(
            refused.as_deref(),
            Some("the certificate is revoked and cannot become valid")
        );
    }

    #[test]
    fn event_names_round_trip() {
        for event in [
            CertificateEvent::Issued,
            CertificateEvent::Suspended,
            CertificateEvent::Reinstated,
            CertificateEvent::Revoked,
        ] {
            assert_eq!(event.as_str().parse::<CertificateEvent>(), Ok(event));
        }
        assert!("deleted".parse::<CertificateEvent>().is_err());
        assert_eq!(CertificateEvent::Issued.status_after(), Valid);
    }

    #[test]
    fn a_reason_is_at_most_500_characters_of_any_script() {
        assert_eq!(check_reason(None), Ok(()));
        assert_eq!(check_reason(Some(&"x".repeat(500))), Ok(()));
        // 500 Chinese characters are 1500 bytes and still allowed.
        assert_eq!(check_reason(Some(&"吊".repeat(500))), Ok(()));
        assert_eq!(
            check_reason(Some(&"x".repeat(501))),
            Err(Error::TextLength {
                what: "reason",
                max: 500
            })
        );
    }
}
