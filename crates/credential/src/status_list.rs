//! [`StatusList`]: an issuer's signed, compressed list of certificate statuses (specs/status-list.md).
//!
//! Each certificate names a list and an index in it ([`crate::StatusRef`]). The issuer publishes every list
//! it keeps as one JSON document: a fixed-size bitstring, two bits per certificate, GZIP-compressed, signed
//! with the same BBS key as its certificates but under its own interface, so that a status-list signature
//! can never pass for a certificate's or the reverse. Anyone may serve a copy (a CDN, a verifier's cache, the
//! holder's wallet): a verifier checks it against the issuer's key in the registry, decodes it once into a
//! [`StatusView`] and answers [`StatusSource`] queries from that.
//!
//! The signature covers the compressed octets, not the bitstring, so that nothing unauthenticated is ever
//! decompressed; the decompression is bounded all the same, by the size the list's capacity gives.

use core::fmt;
use std::collections::BTreeMap;
use std::io::Read as _;

use ecert_bbs::{Ciphersuite, Interface, PublicKey, Signature};
use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::certificate::CertificateSuite;
use crate::error::{Error, Result};
use crate::registry::{CertificateStatus, KeyStatus, RegistryView, StatusLists, StatusSource};
use crate::value::{decode_b64, encode_b64, is_valid_id};

/// The format tag of status lists this crate writes and reads.
pub const STATUS_LIST_FORMAT: &str = "ecert-status-list/1";

/// The number of entries of every list an ecert issuer publishes: 2^17, 32 KiB of bitstring. Fixed, so that
/// issuing a certificate never changes a list's size (which would tell an observer how many certificates
/// were issued), and large, so that a verifier fetching the list learns little about which certificate it
/// checks (the W3C Bitstring Status List's herd-privacy minimum).
pub const STATUS_LIST_CAPACITY: u32 = 131_072;

/// The largest capacity a reader accepts: 2^20 entries, 256 KiB of bitstring.
pub const MAX_STATUS_LIST_CAPACITY: u32 = 1 << 20;

/// What the compressed octets of a list may add to its bitstring's size: the GZIP header and trailer and
/// DEFLATE's stored-block overhead on incompressible data come to well under this.
const COMPRESSION_SLACK: usize = 1024;

/// The 2-bit codes of the bitstring.
const VALID: u8 = 0b00;
const SUSPENDED: u8 = 0b01;
const REVOKED: u8 = 0b10;

/// `ciphersuite_id || "H2G_ECERT_STATUS1_"`: the BBS interface of status lists, version 1. Generators are
/// the draft's (`H2G_`); the signature covers no messages, only the header ([`StatusList::signing_header`]).
pub fn status_list_api_id() -> Vec<u8> {
    [CertificateSuite::ID, b"H2G_ECERT_STATUS1_".as_slice()].concat()
}

/// The BBS interface status lists are signed under: CoreSign and CoreVerify (draft-irtf-cfrg-bbs-signatures-09
/// §3.6.1, §3.6.2) with [`status_list_api_id`], the header of [`StatusList::signing_header`] and no messages.
pub fn status_list_interface() -> Result<Interface<CertificateSuite>> {
    Ok(Interface::new(&status_list_api_id())?)
}

/// An issuer's signed status list, as it is published and cached (specs/status-list.md §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusList {
    /// Always [`STATUS_LIST_FORMAT`].
    pub format: String,
    /// The issuing department's registry id.
    pub issuer: String,
    /// The list's id, unique within its issuer (certificates name it in `status.list`).
    pub list: String,
    /// The id of the issuer's key that signed the list.
    pub key_id: String,
    /// The number of entries; a multiple of 4 from 4 to [`MAX_STATUS_LIST_CAPACITY`].
    pub capacity: u32,
    /// Increases with each change, so that a cache keeps the newest copy it has seen.
    pub version: u64,
    /// When the issuer signed this version, in seconds since 1970-01-01T00:00:00Z.
    pub updated_at: i64,
    /// The bitstring, 2 bits per entry, GZIP-compressed, base64url without padding.
    pub entries: String,
    /// The BBS signature, base64url without padding.
    pub signature: String,
}

impl StatusList {
    /// The header the signature covers (specs/status-list.md §4): every member but `signature`, in a fixed
    /// order, strings as `I2OSP(length, 2) || UTF-8 bytes`, integers big-endian of fixed width, and the
    /// compressed entries as `I2OSP(length, 4) || octets`. It starts with the format tag, so it is
    /// domain-separated from any other document's encoding.
    pub fn signing_header(&self) -> Result<Vec<u8>> {
        let entries = decode_b64(&self.entries)?;
        let entries_length = u32::try_from(entries.len())
            .map_err(|_| Error::Malformed("status list entries are longer than 2^32 - 1 bytes".into()))?;
        let strings = [&self.format, &self.issuer, &self.list, &self.key_id];
        let mut header =
            Vec::with_capacity(strings.iter().map(|s| 2 + s.len()).sum::<usize>() + 24 + entries.len());
        for field in strings {
            let length = u16::try_from(field.len())
                .map_err(|_| Error::Malformed("a status list id is longer than 65535 bytes".into()))?;
            header.extend_from_slice(&length.to_be_bytes());
            header.extend_from_slice(field.as_bytes());
        }
        header.extend_from_slice(&self.capacity.to_be_bytes());
        header.extend_from_slice(&self.version.to_be_bytes());
        header.extend_from_slice(&self.updated_at.to_be_bytes());
        header.extend_from_slice(&entries_length.to_be_bytes());
        header.extend_from_slice(&entries);
        Ok(header)
    }

    /// Checks the list against its issuer's public key (the key the registry lists under `issuer` and
    /// `key_id`) and decodes it (specs/status-list.md §5): the format, the ids, the capacity, the signature,
    /// then the entries. Nothing is decompressed before the signature has verified.
    pub fn verify(&self, issuer_public_key: &PublicKey) -> Result<StatusView> {
        // 1. The format and the plain members.
        if self.format != STATUS_LIST_FORMAT {
            return Err(Error::Malformed(format!(
                "status list format is {:?}, expected {STATUS_LIST_FORMAT}",
                self.format.chars().take(64).collect::<String>()
            )));
        }
        for (name, id) in [
            ("issuer", &self.issuer),
            ("list", &self.list),
            ("key_id", &self.key_id),
        ] {
            if !is_valid_id(id) {
                return Err(Error::Malformed(format!(
                    "status list {name} is not 1 to 100 printable ASCII characters"
                )));
            }
        }
        check_capacity(self.capacity)?;
        // Bounds the header (and so the work of hashing it) before anything is decoded.
        if self.entries.len() > base64_length(max_compressed_length(self.capacity)) {
            return Err(too_large());
        }
        // 2. The signature: CoreVerify(PK, signature, header, (), api_id).
        let signature = Signature::from_bytes(&decode_b64(&self.signature)?)?;
        status_list_interface()?.core_verify(issuer_public_key, &signature, &self.signing_header()?, &[])?;
        // 3. The entries.
        let bits = decode_entries(&self.entries, self.capacity)?;
        Ok(StatusView {
            issuer: self.issuer.clone(),
            list: self.list.clone(),
            key_id: self.key_id.clone(),
            version: self.version,
            updated_at: self.updated_at,
            capacity: self.capacity,
            bits,
        })
    }

    /// [`StatusList::verify`] under the key the registry lists for (`issuer`, `key_id`). An unknown key, and
    /// a revoked one (which may be in other hands), is [`Error::UntrustedKey`]; a retired key still signs
    /// the lists of the certificates it issued, until the issuer re-signs them with its new key.
    pub fn verify_in(&self, registry: &RegistryView) -> Result<StatusView> {
        let untrusted = |why| Error::UntrustedKey {
            issuer: self.issuer.chars().take(100).collect(),
            key_id: self.key_id.chars().take(100).collect(),
            why,
        };
        let key = registry
            .key(&self.issuer, &self.key_id)
            .ok_or_else(|| untrusted("the registry does not list it"))?;
        if matches!(key.status, KeyStatus::Revoked { .. }) {
            return Err(untrusted("the registry lists it as revoked"));
        }
        self.verify(&key.public_key)
    }

    /// Parses a status list from JSON: exactly the members of specs/status-list.md §2, each once.
    pub fn from_json(text: &str) -> Result<StatusList> {
        // `deny_unknown_fields` refuses an unknown member, the strict reader a repeated one.
        crate::strict_json::from_str(text).map_err(|e| Error::Malformed(format!("status list: {e}")))
    }

    /// The status list as JSON.
    pub fn to_json(&self) -> String {
        // Serialising strings and integers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A verified status list, decoded: what a verifier answers status queries from. Made only by
/// [`StatusList::verify`], so holding one means the issuer's key signed its entries.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusView {
    issuer: String,
    list: String,
    key_id: String,
    version: u64,
    updated_at: i64,
    capacity: u32,
    bits: Vec<u8>,
}

impl StatusView {
    /// The issuer's registry id.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The list's id.
    pub fn list(&self) -> &str {
        &self.list
    }

    /// The id of the key that signed the list.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The list's version: of two verified copies, keep the one with the larger.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the issuer signed this version, in seconds since the Unix epoch.
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// The number of entries.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The decompressed bitstring, `capacity / 4` bytes.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// The status of entry `index`; `None` past the end of the list (the caller fails closed). The code
    /// `11`, which no issuer writes, reads as revoked.
    pub fn status(&self, index: u32) -> Option<CertificateStatus> {
        if index >= self.capacity {
            return None;
        }
        let code = entry_code(&self.bits, index)?;
        Some(match code {
            VALID => CertificateStatus::Valid,
            SUSPENDED => CertificateStatus::Suspended,
            _ => CertificateStatus::Revoked,
        })
    }

    /// The entries that are not valid, in index order.
    pub fn not_valid(&self) -> impl Iterator<Item = (u32, CertificateStatus)> + '_ {
        self.bits
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte != 0)
            .flat_map(|(i, _)| {
                let first = u32::try_from(i * 4).unwrap_or(u32::MAX);
                (first..first.saturating_add(4)).filter_map(|index| {
                    self.status(index)
                        .filter(|s| *s != CertificateStatus::Valid)
                        .map(|s| (index, s))
                })
            })
    }
}

impl fmt::Debug for StatusView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bitstring is tens of kilobytes; its count of set entries says what a reader wants to know.
        f.debug_struct("StatusView")
            .field("issuer", &self.issuer)
            .field("list", &self.list)
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .field("updated_at", &self.updated_at)
            .field("capacity", &self.capacity)
            .field("not_valid", &self.not_valid().count())
            .finish()
    }
}

impl StatusSource for StatusView {
    fn status(&self, issuer: &str, list: &str, index: u32) -> Option<CertificateStatus> {
        if issuer != self.issuer || list != self.list {
            return None;
        }
        StatusView::status(self, index)
    }
}

impl StatusLists {
    /// Replaces the entries of the view's list with the view's, so that the verifier's [`StatusSource`]
    /// answers from it. Keeping the newest version is the caller's business (compare
    /// [`StatusView::version`] before inserting). An index at or past the view's capacity reads as valid
    /// here, as for any list of [`StatusLists`]; query the [`StatusView`] itself to have it read as unknown.
    pub fn insert_view(&mut self, view: &StatusView) {
        self.replace_list(&view.issuer, &view.list, view.capacity, view.not_valid());
    }
}

/// The bitstring of `statuses` in a list of `capacity` entries, GZIP-compressed, as base64url without
/// padding: the `entries` member of a [`StatusList`]. An index at or past `capacity` is refused.
pub fn encode_entries(statuses: &BTreeMap<u32, CertificateStatus>, capacity: u32) -> Result<String> {
    check_capacity(capacity)?;
    let mut bits = vec![0u8; bitstring_length(capacity)];
    for (&index, &status) in statuses {
        if index >= capacity {
            return Err(Error::Malformed(format!(
                "status index {index} is past the end of a list of {capacity} entries"
            )));
        }
        let code = match status {
            CertificateStatus::Valid => VALID,
            CertificateStatus::Suspended => SUSPENDED,
            CertificateStatus::Revoked => REVOKED,
        };
        let (byte, shift) = position(index);
        if let Some(b) = bits.get_mut(byte) {
            *b = (*b & !(0b11 << shift)) | (code << shift);
        }
    }
    // Level 9: lists are written once per change and read many times; mtime 0 and OS 255 (unknown) keep
    // the output a function of the bitstring alone.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    std::io::Write::write_all(&mut encoder, &bits)
        .and_then(|()| encoder.finish())
        .map(|octets| encode_b64(&octets))
        .map_err(|e| Error::Malformed(format!("compressing status list entries: {e}")))
}

/// Decodes the `entries` member of a list of `capacity` entries into its bitstring of `capacity / 4`
/// bytes: base64url without padding, then exactly one GZIP member (RFC 1952) with nothing after it, whose
/// CRC and length check. Decompression stops one byte past the expected size, so a small input that
/// inflates to gigabytes costs no more than a well-formed list.
pub fn decode_entries(text: &str, capacity: u32) -> Result<Vec<u8>> {
    check_capacity(capacity)?;
    let expected = bitstring_length(capacity);
    if text.len() > base64_length(max_compressed_length(capacity)) {
        return Err(too_large());
    }
    let octets = decode_b64(text)?;
    let not_gzip =
        |e: std::io::Error| Error::Malformed(format!("status list entries are not a valid GZIP stream: {e}"));
    let mut decoder = GzDecoder::new(octets.as_slice()).take(expected as u64 + 1);
    let mut bits = Vec::with_capacity(expected + 1);
    decoder.read_to_end(&mut bits).map_err(not_gzip)?;
    if bits.len() > expected {
        return Err(Error::Malformed(format!(
            "status list entries inflate to more than the {expected} bytes of {capacity} entries"
        )));
    }
    if bits.len() < expected {
        return Err(Error::Malformed(format!(
            "status list entries inflate to {} bytes, not the {expected} bytes of {capacity} entries",
            bits.len()
        )));
    }
    // Reading stopped at the end of the GZIP member (its trailer checked), since the limit was not reached;
    // what is left of the input must be nothing, not a second member or trailing bytes.
    if !decoder.into_inner().into_inner().is_empty() {
        return Err(Error::Malformed(
            "status list entries have bytes after the GZIP stream".into(),
        ));
    }
    Ok(bits)
}

/// A capacity is a multiple of 4 (whole bytes) from 4 to [`MAX_STATUS_LIST_CAPACITY`].
fn check_capacity(capacity: u32) -> Result<()> {
    if capacity == 0 || capacity > MAX_STATUS_LIST_CAPACITY || capacity % 4 != 0 {
        return Err(Error::Malformed(format!(
            "status list capacity {capacity} is not a multiple of 4 from 4 to {MAX_STATUS_LIST_CAPACITY}"
        )));
    }
    Ok(())
}

fn bitstring_length(capacity: u32) -> usize {
    capacity as usize / 4
}

fn max_compressed_length(capacity: u32) -> usize {
    bitstring_length(capacity) + COMPRESSION_SLACK
}

/// The length of `octets` bytes in base64url without padding.
fn base64_length(octets: usize) -> usize {
    octets.div_ceil(3) * 4
}

fn too_large() -> Error {
    Error::Malformed("status list entries are larger than any list of its capacity compresses to".into())
}

/// Entry `index` is bits `2 index` and `2 index + 1` of the bitstring, counting from the most significant
/// bit of byte 0 (as in the W3C Bitstring Status List): byte `index / 4`, shifted right by
/// `6 - 2 (index mod 4)`.
fn position(index: u32) -> (usize, u32) {
    (index as usize / 4, 6 - 2 * (index % 4))
}

fn entry_code(bits: &[u8], index: u32) -> Option<u8> {
    let (byte, shift) = position(index);
    bits.get(byte).map(|b| (b >> shift) & 0b11)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

    use std::io::Write as _;

    use ecert_bbs::SecretKey;

    use super::*;

    fn statuses(entries: &[(u32, CertificateStatus)]) -> BTreeMap<u32, CertificateStatus> {
        entries.iter().copied().collect()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn signed(sk: &SecretKey, entries: &BTreeMap<u32, CertificateStatus>) -> StatusList {
        let mut list = StatusList {
            format: STATUS_LIST_FORMAT.into(),
            issuer: "440000-traffic-police".into(),
            list: "dl-2026-03".into(),
            key_id: "2026-k1".into(),
            capacity: 64,
            version: 1,
            updated_at: 1_772_409_600,
            entries: encode_entries(entries, 64).unwrap(),
            signature: String::new(),
        };
        let signature = status_list_interface()
            .unwrap()
            .core_sign(sk, &sk.public_key(), &list.signing_header().unwrap(), &[])
            .unwrap();
        list.signature = encode_b64(&signature.to_bytes());
        list
    }

    #[test]
    fn the_bit_layout_is_the_w3c_one_two_bits_per_entry_most_significant_first() {
        use CertificateStatus::*;
        let text = encode_entries(
            &statuses(&[(0, Suspended), (1, Revoked), (5, Suspended), (7, Revoked)]),
            8,
        )
        .unwrap();
        // Entry 0 = bits 0..1 = the top two bits of byte 0.
        assert_eq!(
            decode_entries(&text, 8).unwrap(),
            vec![0b01_10_00_00, 0b00_01_00_10]
        );
    }

    #[test]
    fn every_status_round_trips() {
        use CertificateStatus::*;
        let sk = SecretKey::from_bytes(&[9u8; 32]).unwrap();
        let entries = statuses(&[(0, Valid), (1, Suspended), (2, Revoked), (63, Revoked)]);
        let view = signed(&sk, &entries).verify(&sk.public_key()).unwrap();
        for index in 0..64 {
            let expected = entries.get(&index).copied().unwrap_or(Valid);
            assert_eq!(view.status(index), Some(expected), "{index}");
        }
        assert_eq!(view.status(64), None);
        assert_eq!(
            view.not_valid().collect::<Vec<_>>(),
            vec![(1, Suspended), (2, Revoked), (63, Revoked)]
        );
    }

    #[test]
    fn code_11_reads_as_revoked() {
        let mut bits = vec![0u8; 16];
        bits[0] = 0b11_00_00_00;
        let view = StatusView {
            issuer: "i".into(),
            list: "l".into(),
            key_id: "k".into(),
            version: 0,
            updated_at: 0,
            capacity: 64,
            bits,
        };
        assert_eq!(view.status(0), Some(CertificateStatus::Revoked));
        assert_eq!(view.status(1), Some(CertificateStatus::Valid));
    }

    #[test]
    fn capacities_are_checked() {
        for bad in [0, 2, 6, MAX_STATUS_LIST_CAPACITY + 4, u32::MAX] {
            assert!(encode_entries(&BTreeMap::new(), bad).is_err(), "{bad}");
            assert!(decode_entries("", bad).is_err(), "{bad}");
        }
        assert!(encode_entries(&BTreeMap::new(), 4).is_ok());
        assert!(encode_entries(&BTreeMap::new(), MAX_STATUS_LIST_CAPACITY).is_ok());
        assert!(encode_entries(&statuses(&[(64, CertificateStatus::Revoked)]), 64).is_err());
    }

    #[test]
    fn decoding_refuses_the_wrong_length_trailing_bytes_and_a_second_member() {
        assert!(decode_entries(&encode_b64(&gzip(&[0u8; 15])), 64).is_err());
        assert!(decode_entries(&encode_b64(&gzip(&[0u8; 17])), 64).is_err());
        assert!(decode_entries(&encode_b64(&gzip(&[0u8; 16])), 64).is_ok());
        let mut trailing = gzip(&[0u8; 16]);
        trailing.push(0);
        assert!(decode_entries(&encode_b64(&trailing), 64).is_err());
        let mut two = gzip(&[0u8; 8]);
        two.extend(gzip(&[0u8; 8]));
        assert!(decode_entries(&encode_b64(&two), 64).is_err());
    }

    #[test]
    fn decoding_refuses_a_bad_crc() {
        let mut octets = gzip(&[0u8; 16]);
        let crc = octets.len() - 8;
        octets[crc] ^= 1;
        let outcome = decode_entries(&encode_b64(&octets), 64);
        assert!(matches!(outcome, Err(Error::Malformed(_))), "{outcome:?}");
    }

    #[test]
    fn the_header_is_length_prefixed_and_ends_with_the_compressed_entries() {
        let sk = SecretKey::from_bytes(&[9u8; 32]).unwrap();
        let list = signed(&sk, &BTreeMap::new());
        let header = list.signing_header().unwrap();
        let octets = decode_b64(&list.entries).unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(b"\x00\x13ecert-status-list/1");
        expected.extend_from_slice(b"\x00\x15440000-traffic-police");
        expected.extend_from_slice(b"\x00\x0adl-2026-03");
        expected.extend_from_slice(b"\x00\x072026-k1");
        expected.extend_from_slice(&64u32.to_be_bytes());
        expected.extend_from_slice(&1u64.to_be_bytes());
        expected.extend_from_slice(&1_772_409_600i64.to_be_bytes());
        expected.extend_from_slice(&u32::try_from(octets.len()).unwrap().to_be_bytes());
        expected.extend_from_slice(&octets);
        assert_eq!(header, expected);
        assert_eq!(
            status_list_api_id(),
            b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_STATUS1_".to_vec()
        );
    }

    #[test]
    fn insert_view_replaces_the_list_in_status_lists() {
        use CertificateStatus::*;
        let sk = SecretKey::from_bytes(&[9u8; 32]).unwrap();
        let view = signed(&sk, &statuses(&[(3, Suspended), (5, Revoked)]))
            .verify(&sk.public_key())
            .unwrap();
        let mut lists = StatusLists::default();
        lists.set("440000-traffic-police", "dl-2026-03", 4, Revoked);
        lists.insert_view(&view);
        let source: &dyn StatusSource = &lists;
        assert_eq!(
            source.status("440000-traffic-police", "dl-2026-03", 3),
            Some(Suspended)
        );
        assert_eq!(
            source.status("440000-traffic-police", "dl-2026-03", 4),
            Some(Valid)
        );
        assert_eq!(
            source.status("440000-traffic-police", "dl-2026-03", 5),
            Some(Revoked)
        );
        assert_eq!(source.status("440000-traffic-police", "other", 5), None);

        let source: &dyn StatusSource = &view;
        assert_eq!(
            source.status("440000-traffic-police", "dl-2026-03", 5),
            Some(Revoked)
        );
        assert_eq!(source.status("440000-traffic-police", "dl-2026-03", 64), None);
        assert_eq!(source.status("110000-traffic-police", "dl-2026-03", 5), None);
    }
}
