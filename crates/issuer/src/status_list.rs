//! Signing an issuer's status list (specs/status-list.md): the service keeps, per list, which certificates
//! are suspended or revoked, and after each change signs the whole list again under a higher version.

use std::collections::BTreeMap;

use ecert_credential::{
    CertificateStatus, STATUS_LIST_CAPACITY, STATUS_LIST_FORMAT, StatusList, encode_b64, encode_entries,
    is_valid_id, status_list_interface,
};

use crate::error::{Error, Result};
use crate::key::IssuerKey;

/// Signs version `version` of `key`'s issuer's list `list`, of [`STATUS_LIST_CAPACITY`] entries: every
/// index absent from `statuses` is valid. `updated_at` is the signing time in seconds since the Unix epoch
/// (an input, as this crate has no clock). The caller keeps versions increasing, so that caches can tell a
/// newer copy from an older one.
pub fn sign_status_list(
    key: &IssuerKey,
    list: &str,
    statuses: &BTreeMap<u32, CertificateStatus>,
    version: u64,
    updated_at: i64,
) -> Result<StatusList> {
    if !is_valid_id(list) {
        return Err(Error::InvalidId(list.chars().take(100).collect()));
    }
    if let Some((&index, _)) = statuses.range(STATUS_LIST_CAPACITY..).next() {
        return Err(Error::StatusIndexOutOfRange {
            index,
            capacity: STATUS_LIST_CAPACITY,
        });
    }
    let mut signed = StatusList {
        format: STATUS_LIST_FORMAT.to_owned(),
        issuer: key.issuer().to_owned(),
        list: list.to_owned(),
        key_id: key.key_id().to_owned(),
        capacity: STATUS_LIST_CAPACITY,
        version,
        updated_at,
        entries: encode_entries(statuses, STATUS_LIST_CAPACITY)?,
        signature: String::new(),
    };
    // CoreSign(SK, PK, header, (), api_id): the header carries everything, there are no messages.
    let signature = status_list_interface()?.core_sign(
        key.secret(),
        &key.public_key(),
        &signed.signing_header()?,
        &[],
    )?;
    signed.signature = encode_b64(&signature.to_bytes());
    Ok(signed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

    use ecert_credential::StatusSource;

    use super::*;

    fn key() -> IssuerKey {
        let secret: Vec<u8> = (1u8..=32).collect();
        IssuerKey::from_secret_bytes("440000-traffic-police", "2026-k1", &secret).unwrap()
    }

    #[test]
    fn a_signed_list_verifies_and_reads_back() {
        let key = key();
        let statuses = BTreeMap::from([
            (3, CertificateStatus::Suspended),
            (5, CertificateStatus::Revoked),
            (STATUS_LIST_CAPACITY - 1, CertificateStatus::Revoked),
        ]);
        let list = sign_status_list(&key, "dl-2026-03", &statuses, 2, 1_772_409_600).unwrap();
        let parsed = StatusList::from_json(&list.to_json()).unwrap();
        assert_eq!(parsed, list);
        let view = parsed.verify(&key.public_key()).unwrap();
        assert_eq!(view.version(), 2);
        assert_eq!(view.status(3), Some(CertificateStatus::Suspended));
        assert_eq!(view.status(5), Some(CertificateStatus::Revoked));
        assert_eq!(view.status(4), Some(CertificateStatus::Valid));
        assert_eq!(
            view.status(STATUS_LIST_CAPACITY - 1),
            Some(CertificateStatus::Revoked)
        );
        assert_eq!(view.status(STATUS_LIST_CAPACITY), None);
        assert_eq!(
            StatusSource::status(&view, "440000-traffic-police", "dl-2026-03", 4711),
            Some(CertificateStatus::Valid)
        );
    }

    #[test]
    fn signing_is_deterministic() {
        let key = key();
        let statuses = BTreeMap::from([(7, CertificateStatus::Revoked)]);
        assert_eq!(
            sign_status_list(&key, "l", &statuses, 1, 0).unwrap(),
            sign_status_list(&key, "l", &statuses, 1, 0).unwrap()
        );
    }

    #[test]
    fn bad_list_ids_and_indices_past_the_end_are_refused() {
        let key = key();
        for bad in ["", "has space", &"x".repeat(101)] {
            assert!(matches!(
                sign_status_list(&key, bad, &BTreeMap::new(), 1, 0),
                Err(Error::InvalidId(_))
            ));
        }
        let statuses = BTreeMap::from([(STATUS_LIST_CAPACITY, CertificateStatus::Revoked)]);
        assert_eq!(
            sign_status_list(&key, "l", &statuses, 1, 0),
            Err(Error::StatusIndexOutOfRange {
                index: STATUS_LIST_CAPACITY,
                capacity: STATUS_LIST_CAPACITY
            })
        );
    }

    /// specs/status-list.md §9 says its example is what this function writes. The compressed octets depend
    /// on the compressor's version (the format allows any), so if a flate2 or miniz_oxide upgrade breaks
    /// this test, regenerate the example rather than pin the compressor.
    #[test]
    fn the_spec_example_is_what_this_writes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/status-list.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let body: String = doc
            .split("```json status-list\n")
            .nth(1)
            .and_then(|rest| rest.split("\n```").next())
            .unwrap()
            .to_owned();
        let statuses = BTreeMap::from([(3, CertificateStatus::Suspended), (5, CertificateStatus::Revoked)]);
        let signed = sign_status_list(&key(), "dl-2026-03", &statuses, 3, 1_772_438_400).unwrap();
        assert_eq!(StatusList::from_json(&body).unwrap(), signed);
        assert_eq!(signed.to_json(), body);
    }
}
