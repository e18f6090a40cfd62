//! The `proofValue` encodings of bbs-2023 (Data Integrity BBS Cryptosuites v1.0 §3.3.1-§3.3.7):
//! a three-byte header, a CBOR array (RFC 8949, no tags), multibase base64url-no-pad (`u...`).
//!
//! | header | proof | components |
//! |---|---|---|
//! | `d9 5d 02` | base proof, baseline | bbsSignature, bbsHeader, publicKey, hmacKey, mandatoryPointers |
//! | `d9 5d 03` | derived proof, baseline | bbsProof, compressed label map, mandatoryIndexes, selectiveIndexes, presentationHeader |
//! | `d9 5d 04`..`09` | the optional features (holder binding, pseudonyms) | refused: not implemented |
//!
//! Decoding is strict: a CBOR tag anywhere, an item of the wrong type or count, an indefinite length,
//! trailing bytes, a key or signature that does not decode as BBS, or an HMAC key that is not 32 bytes
//! is an error that says which, as the specification requires ("an error MUST be raised").

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecert_bbs::{PublicKey, Signature};
use minicbor::data::Type;
use minicbor::{Decoder, Encoder};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::pointer::JsonPointer;

/// `0xd9 0x5d`: the first two header bytes of every bbs-2023 proof value (CBOR tag 23901's head,
/// which is why the header is not itself CBOR to decode).
const HEADER_PREFIX: [u8; 2] = [0xd9, 0x5d];
/// Base proof, baseline feature.
pub(crate) const BASE_BASELINE: u8 = 0x02;
/// Derived proof, baseline feature.
pub(crate) const DERIVED_BASELINE: u8 = 0x03;

/// The byte lengths of the bbs-2023 base proof's fixed-size components.
const HMAC_KEY_BYTES: usize = 32;
const BBS_HEADER_BYTES: usize = 64;

/// The optional feature a header byte announces, for the error message.
fn feature_of(byte: u8) -> Option<&'static str> {
    match byte {
        0x04 | 0x05 => Some("anonymous_holder_binding"),
        0x06 | 0x07 => Some("pseudonym"),
        0x08 | 0x09 => Some("holder_binding_pseudonym"),
        _ => None,
    }
}

/// The parts of a base proof (§3.3.1 serializeBaseProofValue): what the issuer gives the holder.
/// Holds the holder's secrets (the signature and the HMAC key), so it is neither `Clone` nor printed.
pub(crate) struct BaseProofValue {
    pub(crate) bbs_signature: Signature,
    pub(crate) bbs_header: Vec<u8>,
    pub(crate) public_key: PublicKey,
    pub(crate) hmac_key: Zeroizing<[u8; HMAC_KEY_BYTES]>,
    pub(crate) mandatory_pointers: Vec<JsonPointer>,
}

impl std::fmt::Debug for BaseProofValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseProofValue")
            .field("mandatory_pointers", &self.mandatory_pointers)
            .finish_non_exhaustive()
    }
}

/// The parts of a derived proof (§3.3.5 serializeDerivedProofValue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerivedProofValue {
    pub(crate) bbs_proof: Vec<u8>,
    /// From the verifier's canonical blank node labels (`c14nN`) to the signed ones (`bM`), compressed
    /// to their numbers (§3.3.3 compressLabelMap).
    pub(crate) label_map: BTreeMap<u64, u64>,
    pub(crate) mandatory_indexes: Vec<u64>,
    pub(crate) selective_indexes: Vec<u64>,
    pub(crate) presentation_header: Vec<u8>,
}

type EncodeResult = std::result::Result<(), minicbor::encode::Error<std::convert::Infallible>>;

fn multibase(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(1 + bytes.len().div_ceil(3) * 4);
    out.push('u');
    URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
    out
}

/// Multibase base64url-no-pad decoding (`u` prefix), then the header check.
fn decode_multibase(proof_value: &str, expected_header: u8, expected: &'static str) -> Result<Vec<u8>> {
    let Some(encoded) = proof_value.strip_prefix('u') else {
        return Err(Error::ProofValueEncoding(
            "not multibase base64url-no-pad: it must start with 'u'".into(),
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| Error::ProofValueEncoding("not base64url without padding".into()))?;
    let header: [u8; 3] = match bytes.get(..3) {
        Some(&[a, b, c]) => [a, b, c],
        _ => return Err(Error::ProofValueEncoding("shorter than its 3-byte header".into())),
    };
    if header[..2] != HEADER_PREFIX {
        return Err(Error::ProofValueHeader(header));
    }
    if header[2] == expected_header {
        return Ok(bytes);
    }
    if let Some(feature) = feature_of(header[2]) {
        return Err(Error::UnsupportedFeature(feature));
    }
    if header[2] == BASE_BASELINE || header[2] == DERIVED_BASELINE {
        return Err(Error::WrongProofKind(expected));
    }
    Err(Error::ProofValueHeader(header))
}

fn cbor_error(e: minicbor::decode::Error) -> Error {
    Error::ProofValueCbor(e.to_string())
}

/// The CBOR reader of the proof value components: refuses tags and indefinite lengths before each
/// item, and says which component was wrong.
struct Reader<'b> {
    decoder: Decoder<'b>,
}

impl<'b> Reader<'b> {
    fn new(bytes: &'b [u8]) -> Reader<'b> {
        Reader {
            decoder: Decoder::new(bytes),
        }
    }

    fn check(&self, what: &str, expected: Type) -> Result<()> {
        let found = self.decoder.datatype().map_err(cbor_error)?;
        match found {
            Type::Tag => Err(Error::ProofValueCbor(format!(
                "{what}: CBOR tags are not allowed"
            ))),
            found if found == expected => Ok(()),
            Type::BytesIndef | Type::StringIndef | Type::ArrayIndef | Type::MapIndef => Err(
                Error::ProofValueCbor(format!("{what}: indefinite-length items are not allowed")),
            ),
            found => Err(Error::ProofValueCbor(format!(
                "{what}: expected {expected}, found {found}"
            ))),
        }
    }

    fn array(&mut self, what: &str) -> Result<u64> {
        self.check(what, Type::Array)?;
        self.decoder
            .array()
            .map_err(cbor_error)?
            .ok_or_else(|| Error::ProofValueCbor(format!("{what}: indefinite-length items are not allowed")))
    }

    fn bytes(&mut self, what: &str) -> Result<&'b [u8]> {
        self.check(what, Type::Bytes)?;
        self.decoder.bytes().map_err(cbor_error)
    }

    fn text(&mut self, what: &str) -> Result<&'b str> {
        self.check(what, Type::String)?;
        self.decoder.str().map_err(cbor_error)
    }

    fn unsigned(&mut self, what: &str) -> Result<u64> {
        match self.decoder.datatype().map_err(cbor_error)? {
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => self.decoder.u64().map_err(cbor_error),
            Type::Tag => Err(Error::ProofValueCbor(format!(
                "{what}: CBOR tags are not allowed"
            ))),
            found => Err(Error::ProofValueCbor(format!(
                "{what}: expected an unsigned integer, found {found}"
            ))),
        }
    }

    fn unsigned_array(&mut self, what: &str) -> Result<Vec<u64>> {
        let count = self.array(what)?;
        let remaining = self.remaining();
        // Each item takes at least one byte: a count beyond what is left is refused before allocating.
        if count > remaining as u64 {
            return Err(Error::ProofValueCbor(format!("{what}: more items than bytes")));
        }
        (0..count).map(|_| self.unsigned(what)).collect()
    }

    fn remaining(&self) -> usize {
        self.decoder.input().len() - self.decoder.position()
    }

    fn end(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(Error::ProofValueCbor("bytes after the components".into()));
        }
        Ok(())
    }
}

impl BaseProofValue {
    /// serializeBaseProofValue (§3.3.1), baseline feature.
    pub(crate) fn to_proof_value(&self) -> String {
        let mut bytes = vec![HEADER_PREFIX[0], HEADER_PREFIX[1], BASE_BASELINE];
        let signature = Zeroizing::new(self.bbs_signature.to_bytes());
        let public_key = self.public_key.to_bytes();
        let encode = |e: &mut Encoder<&mut Vec<u8>>| -> EncodeResult {
            e.array(5)?
                .bytes(&signature[..])?
                .bytes(&self.bbs_header)?
                .bytes(&public_key)?
                .bytes(&self.hmac_key[..])?
                .array(self.mandatory_pointers.len() as u64)?;
            for pointer in &self.mandatory_pointers {
                e.str(pointer.as_str())?;
            }
            Ok(())
        };
        // Writing into a Vec cannot fail.
        let _ = encode(&mut Encoder::new(&mut bytes));
        let value = multibase(&bytes);
        // The buffer held the signature and HMAC key.
        drop(Zeroizing::new(bytes));
        value
    }

    /// parseBaseProofValue (§3.3.2), baseline feature.
    pub(crate) fn from_proof_value(proof_value: &str) -> Result<BaseProofValue> {
        let bytes = Zeroizing::new(decode_multibase(
            proof_value,
            BASE_BASELINE,
            "base proof (header d95d02)",
        )?);
        let mut r = Reader::new(&bytes[3..]);
        if r.array("base proof")? != 5 {
            return Err(Error::ProofValueCbor("a base proof has 5 components".into()));
        }
        let bbs_signature = Signature::from_bytes(r.bytes("bbsSignature")?)?;
        let bbs_header = r.bytes("bbsHeader")?;
        if bbs_header.len() != BBS_HEADER_BYTES {
            return Err(Error::ProofValueCbor(
                "bbsHeader: expected 64 bytes (proofHash and mandatoryHash)".into(),
            ));
        }
        let bbs_header = bbs_header.to_vec();
        let public_key = PublicKey::from_bytes(r.bytes("publicKey")?)?;
        let hmac_key: [u8; HMAC_KEY_BYTES] = r
            .bytes("hmacKey")?
            .try_into()
            .map_err(|_| Error::ProofValueCbor("hmacKey: expected 32 bytes".into()))?;
        let hmac_key = Zeroizing::new(hmac_key);
        let count = r.array("mandatoryPointers")?;
        if count > r.remaining() as u64 {
            return Err(Error::ProofValueCbor(
                "mandatoryPointers: more items than bytes".into(),
            ));
        }
        let mandatory_pointers = (0..count)
            .map(|_| JsonPointer::parse(r.text("mandatoryPointers")?))
            .collect::<Result<Vec<_>>>()?;
        r.end()?;
        Ok(BaseProofValue {
            bbs_signature,
            bbs_header,
            public_key,
            hmac_key,
            mandatory_pointers,
        })
    }
}

impl DerivedProofValue {
    /// serializeDerivedProofValue (§3.3.5), baseline feature; the label map is already compressed.
    pub(crate) fn to_proof_value(&self) -> String {
        let mut bytes = vec![HEADER_PREFIX[0], HEADER_PREFIX[1], DERIVED_BASELINE];
        let encode = |e: &mut Encoder<&mut Vec<u8>>| -> EncodeResult {
            e.array(5)?
                .bytes(&self.bbs_proof)?
                .map(self.label_map.len() as u64)?;
            for (k, v) in &self.label_map {
                e.u64(*k)?.u64(*v)?;
            }
            e.array(self.mandatory_indexes.len() as u64)?;
            for i in &self.mandatory_indexes {
                e.u64(*i)?;
            }
            e.array(self.selective_indexes.len() as u64)?;
            for i in &self.selective_indexes {
                e.u64(*i)?;
            }
            e.bytes(&self.presentation_header)?;
            Ok(())
        };
        // Writing into a Vec cannot fail.
        let _ = encode(&mut Encoder::new(&mut bytes));
        multibase(&bytes)
    }

    /// parseDerivedProofValue (§3.3.6), baseline feature, without decompressing the label map.
    pub(crate) fn from_proof_value(proof_value: &str) -> Result<DerivedProofValue> {
        let bytes = decode_multibase(proof_value, DERIVED_BASELINE, "derived proof (header d95d03)")?;
        let mut r = Reader::new(&bytes[3..]);
        if r.array("derived proof")? != 5 {
            return Err(Error::ProofValueCbor(
                "a baseline derived proof has 5 components".into(),
            ));
        }
        let bbs_proof = r.bytes("bbsProof")?.to_vec();
        r.check("labelMap", Type::Map)?;
        let count = r.decoder.map().map_err(cbor_error)?.ok_or_else(|| {
            Error::ProofValueCbor("labelMap: indefinite-length items are not allowed".into())
        })?;
        if count > r.remaining() as u64 {
            return Err(Error::ProofValueCbor("labelMap: more entries than bytes".into()));
        }
        let mut label_map = BTreeMap::new();
        for _ in 0..count {
            let key = r.unsigned("labelMap key")?;
            let value = r.unsigned("labelMap value")?;
            if label_map.insert(key, value).is_some() {
                return Err(Error::ProofValueCbor("labelMap: a key appears twice".into()));
            }
        }
        let mandatory_indexes = r.unsigned_array("mandatoryIndexes")?;
        let selective_indexes = r.unsigned_array("selectiveIndexes")?;
        let presentation_header = r.bytes("presentationHeader")?.to_vec();
        r.end()?;
        Ok(DerivedProofValue {
            bbs_proof,
            label_map,
            mandatory_indexes,
            selective_indexes,
            presentation_header,
        })
    }
}

/// compressLabelMap (§3.3.3): `c14nN -> bM` as `N -> M`.
pub(crate) fn compress_label_map(label_map: &BTreeMap<String, String>) -> Result<BTreeMap<u64, u64>> {
    let number = |label: &str, prefix: &str| -> Result<u64> {
        label
            .strip_prefix(prefix)
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .ok_or_else(|| Error::LabelMap(format!("{label:?} is not a {prefix}N label")))
    };
    label_map
        .iter()
        .map(|(k, v)| Ok((number(k, "c14n")?, number(v, "b")?)))
        .collect()
}

/// decompressLabelMap (§3.3.4): `N -> M` as `c14nN -> bM`.
pub(crate) fn decompress_label_map(compressed: &BTreeMap<u64, u64>) -> BTreeMap<String, String> {
    compressed
        .iter()
        .map(|(k, v)| (format!("c14n{k}"), format!("b{v}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived() -> DerivedProofValue {
        DerivedProofValue {
            bbs_proof: vec![7; 272],
            label_map: BTreeMap::from([(0, 2), (1, 0), (2, 1)]),
            mandatory_indexes: vec![0, 1, 5],
            selective_indexes: vec![2, 3],
            presentation_header: vec![0x11, 0x33],
        }
    }

    #[test]
    fn derived_round_trip() {
        let value = derived();
        assert_eq!(
            DerivedProofValue::from_proof_value(&value.to_proof_value()).unwrap(),
            value
        );
    }

    #[test]
    fn headers_are_checked() {
        let good = derived().to_proof_value();
        let mut bytes = URL_SAFE_NO_PAD.decode(&good[1..]).unwrap();
        assert!(matches!(
            DerivedProofValue::from_proof_value(&good[1..]),
            Err(Error::ProofValueEncoding(_))
        ));
        for (byte, expected) in [
            (0x02, Error::WrongProofKind("derived proof (header d95d03)")),
            (0x05, Error::UnsupportedFeature("anonymous_holder_binding")),
            (0x07, Error::UnsupportedFeature("pseudonym")),
            (0x09, Error::UnsupportedFeature("holder_binding_pseudonym")),
            (0x0a, Error::ProofValueHeader([0xd9, 0x5d, 0x0a])),
        ] {
            bytes[2] = byte;
            assert_eq!(
                DerivedProofValue::from_proof_value(&multibase(&bytes)),
                Err(expected)
            );
        }
        bytes[0] = 0;
        bytes[1] = 0;
        bytes[2] = 3;
        assert_eq!(
            DerivedProofValue::from_proof_value(&multibase(&bytes)),
            Err(Error::ProofValueHeader([0, 0, 3]))
        );
    }

    #[test]
    fn tags_trailing_bytes_and_wrong_types_are_refused() {
        let good = URL_SAFE_NO_PAD.decode(&derived().to_proof_value()[1..]).unwrap();
        // The bbsProof byte string (0x59 0x01 0x10, 272 bytes) wrapped in tag 64.
        let mut tagged = good[..4].to_vec();
        tagged.push(0xd8);
        tagged.push(0x40);
        tagged.extend_from_slice(&good[4..]);
        assert!(matches!(
            DerivedProofValue::from_proof_value(&multibase(&tagged)),
            Err(Error::ProofValueCbor(m)) if m.contains("tags")
        ));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(matches!(
            DerivedProofValue::from_proof_value(&multibase(&trailing)),
            Err(Error::ProofValueCbor(m)) if m.contains("after")
        ));
        let mut six = good.clone();
        six[3] = 0x86;
        assert!(matches!(
            DerivedProofValue::from_proof_value(&multibase(&six)),
            Err(Error::ProofValueCbor(_))
        ));
    }

    #[test]
    fn label_maps_compress_and_decompress() {
        let map = BTreeMap::from([
            ("c14n0".to_owned(), "b2".to_owned()),
            ("c14n10".to_owned(), "b0".to_owned()),
        ]);
        let compressed = compress_label_map(&map).unwrap();
        assert_eq!(compressed, BTreeMap::from([(0, 2), (10, 0)]));
        assert_eq!(decompress_label_map(&compressed), map);
        let bad = BTreeMap::from([("x0".to_owned(), "b2".to_owned())]);
        assert!(compress_label_map(&bad).is_err());
    }
}
