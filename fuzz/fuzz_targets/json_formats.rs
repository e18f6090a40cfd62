//! Every ecert file format read from outside: certificates, presentations, requests, status lists,
//! certificate-type schemas, wallet files, registry entries (canonical bytes), signed tree heads and
//! snapshots. The first byte picks the format; the rest is the document. A reader may refuse; it must
//! never panic, and none accepts a document with a repeated member name.
#![no_main]

use ecert_credential::{Certificate, CertificateType, Presentation, PresentationRequest, StatusList};
use ecert_holder::Wallet;
use ecert_registry::{Entry, SignedTreeHead, Snapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 10 == 7 {
        drop(Entry::from_canonical_bytes(rest));
        return;
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let accepted = match which % 10 {
        0 => Certificate::from_json(text).is_ok(),
        1 => Presentation::from_json(text).is_ok(),
        2 => PresentationRequest::from_json(text).is_ok(),
        3 => StatusList::from_json(text).is_ok(),
        4 => CertificateType::from_json(text).is_ok(),
        5 => Wallet::from_json(text).is_ok(),
        6 => SignedTreeHead::from_json(text).is_ok(),
        8 => Snapshot::from_json(text).is_ok(),
        _ => ecert_credential::strict_json::from_str::<serde_json::Value>(text).is_ok(),
    };
    if accepted {
        // Whatever a reader accepted has distinct member names throughout.
        assert!(ecert_credential::strict_json::from_str::<serde_json::Value>(text).is_ok());
    }
});
