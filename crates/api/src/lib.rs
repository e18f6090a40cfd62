#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod audit;
#[cfg(feature = "client")]
mod client;
mod error;
mod issuer;
pub mod operation;
mod registry;
mod verifier;

pub use audit::{
    AuditCertificateEvent, AuditCertificateEvents, AuditFilter, AuditObjectionEvent, AuditObjectionEvents,
};
#[cfg(feature = "client")]
pub use client::{Client, ClientCode, ClientError, ClientResult, StatusAction, Untyped};
pub use error::{ErrorBody, ErrorCode, ErrorDetail, UnknownCode};
pub use issuer::{
    CertificateEventRecord, CertificateRecord, IDEMPOTENCY_KEY, IssueCertificate, IssuedCertificate,
    IssuerKey, IssuerKeys, NewIssuerKey, NewObjection, Objection, ObjectionEventRecord, ObjectionFiled,
    ObjectionReview, ObjectionSummary, Objections, ReviewDecision, StatusChange, StatusChanged,
};
pub use operation::{Method, Operation};
pub use registry::{
    Appended, Authorisation, CertificateTypes, ConsistencyProof, ConsistencyQuery, InclusionProof,
    InclusionQuery, Issuers, KeyPublication, KeyStatusChange, KeyStatusName, LogEntries, LogEntry, NewIssuer,
    Page, RegistryKey, Snapshot, TreeHeads, Verifiers,
};
pub use verifier::{
    NewPresentationRequest, Since, VerificationFailure, VerificationRecord, VerificationResult,
    Verifications, VerifiedItemNames,
};
