#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod canonical;
mod catalogue;
mod certificate;
mod error;
mod over_asking;
mod presentation;
mod registry;
mod request;
mod revocation;
mod schema;
mod status_list;
pub mod strict_json;
mod value;
mod withheld;

pub use canonical::{MAX_CANONICAL_INTEGER, canonical_digest, canonical_json};
pub use catalogue::Catalogue;
pub use certificate::date_text as date_format;
pub use certificate::{
    CERTIFICATE_FORMAT, Certificate, CertificateSuite, SignedContent, StatusRef, certificate_api_id,
    certificate_header, certificate_interface, position,
};
pub use error::{Error, Result};
pub use over_asking::{Beyond, OverAsking, ScopeError};
pub use presentation::{
    PRESENTATION_FORMAT, Presentation, PresentedCertificate, disclosed_positions, message_count,
};
pub use registry::{
    CertificateStatus, IssuerRecord, KeyRecord, KeyRefusal, KeyStatus, Purpose, PurposeGrant, RegistryView,
    StatusLists, StatusSource, VerifierRecord, retirement_day,
};
pub use request::{MIN_NONCE_BYTES, PresentationRequest, REQUEST_FORMAT, RequestItem};
pub use revocation::{
    DEFAULT_EPOCH_GRACE_SECONDS, EPOCH_UPDATE_FORMAT, EpochRefusal, EpochUpdate, EpochView, KnownEpochs,
    MAX_ACCUMULATOR_CAPACITY, MAX_EPOCH_CHANGES, REVOCATION_EPOCH_FORMAT, RevocationEpoch,
    accumulator_hash_id, revocation_api_id, revocation_handle, revocation_interface,
};
pub use schema::{
    AttributeKind, AttributeSpec, CertificateType, ClaimRule, DerivedClaimSpec, MAX_ATTRIBUTES, Pattern,
    Sensitivity, Subject, TypeId, age_on,
};
pub use status_list::{
    MAX_STATUS_LIST_CAPACITY, STATUS_LIST_CAPACITY, STATUS_LIST_FORMAT, StatusList, StatusView,
    decode_entries, encode_entries, status_list_api_id, status_list_interface,
};
pub use value::{
    AttributeValue, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, check_text,
    days_since_epoch, decode_b64, encode_b64, format_date, integer_scalar, is_valid_id, parse_date,
};
pub use withheld::{NamesOnly, Withheld};
