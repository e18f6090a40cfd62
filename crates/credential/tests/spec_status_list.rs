//! The status-list document, specs/status-list.md, against the code: its example list parses and verifies
//! under the example issuer key, reads back the statuses it states, has the signing header the document
//! lists and re-signs to the same signature; changing any member, or using another key, breaks it; and
//! hostile entries (a GZIP bomb, truncated or garbage input) are refused with an error, cheaply, never with
//! a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test states its expectations by failing loudly"
)]
// The bomb test measures this thread's allocations with a counting allocator around the system one; that
// takes an `unsafe impl GlobalAlloc`, confined to this test binary.
#![allow(unsafe_code, reason = "a counting global allocator for the GZIP-bomb test")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use ecert_bbs::{PublicKey, SecretKey};
use ecert_credential::{
    CertificateStatus, Error, IssuerRecord, KeyRecord, KeyStatus, RegistryView, STATUS_LIST_CAPACITY,
    STATUS_LIST_FORMAT, StatusList, StatusLists, StatusSource, decode_b64, decode_entries, encode_b64,
    encode_entries, parse_date, status_list_interface,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------------
// A counting allocator: the peak of live bytes allocated by the current thread.

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed to the system allocator unchanged; only a thread-local count is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System.alloc`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (through `alloc` above).
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most bytes it had allocated at once on this thread.
fn peak_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get) - start;
    (out, usize::try_from(peak).unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------------------
// The document.

fn spec() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/status-list.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body of the one fenced block of `doc` whose opening line is "```" followed by `info`.
fn block(doc: &str, info: &str) -> String {
    let opening = format!("```{info}");
    let openings = doc.lines().filter(|l| l.trim_end() == opening).count();
    assert_eq!(
        openings, 1,
        "specs/status-list.md should have exactly one {opening} block"
    );
    let mut lines = doc.lines().skip_while(|l| l.trim_end() != opening).skip(1);
    let mut body = Vec::new();
    for line in lines.by_ref() {
        if line.trim_end() == "```" {
            return body.join("\n");
        }
        body.push(line);
    }
    panic!("the {opening} block of specs/status-list.md is not closed");
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.is_ascii() && text.len() % 2 == 0, "not hex: {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|_| panic!("not hex: {text:?}")))
        .collect()
}

struct Example {
    key: Value,
    secret: SecretKey,
    public: PublicKey,
    list: StatusList,
}

fn example() -> Example {
    let doc = spec();
    let key: Value = serde_json::from_str(&block(&doc, "json issuer-key")).unwrap();
    let secret = SecretKey::from_bytes(&hex(key["secret_key"].as_str().unwrap())).unwrap();
    let public = PublicKey::from_bytes(&decode_b64(key["public_key"].as_str().unwrap()).unwrap()).unwrap();
    let list = StatusList::from_json(&block(&doc, "json status-list")).unwrap();
    Example {
        key,
        secret,
        public,
        list,
    }
}

fn example_statuses() -> BTreeMap<u32, CertificateStatus> {
    BTreeMap::from([(3, CertificateStatus::Suspended), (5, CertificateStatus::Revoked)])
}

fn verification_failed() -> Error {
    Error::Bbs(ecert_bbs::Error::VerificationFailed)
}

/// `list` with its signature replaced by one of `secret` over its current header.
fn resigned(mut list: StatusList, secret: &SecretKey) -> StatusList {
    let signature = status_list_interface()
        .unwrap()
        .core_sign(secret, &secret.public_key(), &list.signing_header().unwrap(), &[])
        .unwrap();
    list.signature = encode_b64(&signature.to_bytes());
    list
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

// ---------------------------------------------------------------------------------------------------------
// The example.

#[test]
fn the_example_key_is_the_certificate_specs_and_its_secrets() {
    let ex = example();
    assert_eq!(ex.secret.public_key(), ex.public);
    assert_eq!(ex.secret.to_bytes().to_vec(), (1u8..=32).collect::<Vec<u8>>());
    assert_eq!(ex.key["issuer"], ex.list.issuer.as_str());
    assert_eq!(ex.key["key_id"], ex.list.key_id.as_str());
    let certificate_spec =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/certificate.md"))
            .unwrap();
    let certificate_key: Value = serde_json::from_str(&block(&certificate_spec, "json issuer-key")).unwrap();
    assert_eq!(
        ex.key, certificate_key,
        "the two documents share their example key"
    );
}

#[test]
fn the_example_verifies_and_reads_back_what_the_document_says() {
    let ex = example();
    assert_eq!(ex.list.format, STATUS_LIST_FORMAT);
    assert_eq!(ex.list.capacity, STATUS_LIST_CAPACITY);
    assert_eq!((ex.list.version, ex.list.updated_at), (3, 1_772_438_400));
    let view = ex.list.verify(&ex.public).unwrap();
    assert_eq!(view.issuer(), "440000-traffic-police");
    assert_eq!(view.list(), "dl-2026-03");
    assert_eq!(view.key_id(), "2026-k1");
    assert_eq!(view.version(), 3);
    assert_eq!(view.updated_at(), 1_772_438_400);
    assert_eq!(view.capacity(), STATUS_LIST_CAPACITY);
    assert_eq!(view.not_valid().collect::<BTreeMap<_, _>>(), example_statuses());
    assert_eq!(view.status(3), Some(CertificateStatus::Suspended));
    assert_eq!(view.status(5), Some(CertificateStatus::Revoked));
    assert_eq!(view.status(4711), Some(CertificateStatus::Valid));
    assert_eq!(view.status(STATUS_LIST_CAPACITY), None);

    // The bitstring: `01 20`, then zeros.
    let mut bits = vec![0u8; 32768];
    bits[0] = 0x01;
    bits[1] = 0x20;
    assert_eq!(view.bits(), bits.as_slice());

    // The GZIP framing the document describes.
    let octets = decode_b64(&ex.list.entries).unwrap();
    assert_eq!(octets.len(), 68);
    assert_eq!(octets[..10], hex("1f8b08000000000002ff"));
    assert_eq!(octets[octets.len() - 4..], hex("00800000"));

    // Through the verifier's StatusSource, directly and loaded into StatusLists.
    let mut lists = StatusLists::default();
    lists.insert_view(&view);
    for source in [&view as &dyn StatusSource, &lists] {
        let status = |index| source.status("440000-traffic-police", "dl-2026-03", index);
        assert_eq!(status(3), Some(CertificateStatus::Suspended));
        assert_eq!(status(5), Some(CertificateStatus::Revoked));
        assert_eq!(status(4711), Some(CertificateStatus::Valid));
        assert_eq!(source.status("440000-traffic-police", "dl-2026-04", 3), None);
    }
}

#[test]
fn the_listed_header_is_the_codes_and_signing_again_gives_the_signature() {
    let ex = example();
    assert_eq!(
        ex.list.signing_header().unwrap(),
        hex(&block(&spec(), "text signing-header"))
    );
    assert_eq!(ex.list.signing_header().unwrap().len(), 157);
    assert_eq!(
        status_list_interface().unwrap().api_id(),
        b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_ECERT_STATUS1_".as_slice()
    );
    assert_eq!(
        resigned(ex.list.clone(), &ex.secret),
        ex.list,
        "signing is deterministic"
    );
}

#[test]
fn encoding_the_example_statuses_gives_the_same_bitstring() {
    // Compressed octets are not canonical (specs/status-list.md §3), so compare what they inflate to.
    let ex = example();
    let text = encode_entries(&example_statuses(), STATUS_LIST_CAPACITY).unwrap();
    assert_eq!(
        decode_entries(&text, STATUS_LIST_CAPACITY).unwrap(),
        decode_entries(&ex.list.entries, STATUS_LIST_CAPACITY).unwrap()
    );
}

#[test]
fn the_example_verifies_in_a_registry_that_lists_its_key_and_not_otherwise() {
    let ex = example();
    let record = |status| KeyRecord {
        key_id: "2026-k1".into(),
        public_key: ex.public.clone(),
        not_before: parse_date("2026-01-01").unwrap(),
        not_after: parse_date("2026-12-31").unwrap(),
        status,
    };
    let registry = |status| {
        let mut view = RegistryView::default();
        view.issuers.insert(
            "440000-traffic-police".into(),
            IssuerRecord {
                id: "440000-traffic-police".into(),
                name: "Guangdong traffic police".into(),
                region: "440000".into(),
                department: "traffic police".into(),
                authorised_types: Vec::new(),
                keys: vec![record(status)],
            },
        );
        view
    };
    ex.list.verify_in(&registry(KeyStatus::Active)).unwrap();
    ex.list
        .verify_in(&registry(KeyStatus::Retired { at: 1_767_225_600 }))
        .unwrap();
    let revoked = registry(KeyStatus::Revoked {
        reason: "compromised".into(),
    });
    assert!(matches!(
        ex.list.verify_in(&revoked),
        Err(Error::UntrustedKey { .. })
    ));
    assert!(matches!(
        ex.list.verify_in(&RegistryView::default()),
        Err(Error::UntrustedKey { .. })
    ));
    let mut other_key = ex.list.clone();
    other_key.key_id = "2026-k2".into();
    assert!(matches!(
        other_key.verify_in(&registry(KeyStatus::Active)),
        Err(Error::UntrustedKey { .. })
    ));
}

// ---------------------------------------------------------------------------------------------------------
// Tampering.

/// What is changed, and how.
type Change = (&'static str, fn(&mut StatusList));

#[test]
fn changing_any_member_breaks_the_signature() {
    let ex = example();
    let other_entries = encode_entries(
        &BTreeMap::from([(3, CertificateStatus::Suspended)]),
        STATUS_LIST_CAPACITY,
    )
    .unwrap();
    let changes: [Change; 8] = [
        ("issuer", |l| l.issuer = "110000-traffic-police".into()),
        ("list", |l| l.list = "dl-2026-04".into()),
        ("key_id", |l| l.key_id = "2026-k2".into()),
        ("capacity", |l| l.capacity = 65_536),
        ("version", |l| l.version += 1),
        ("updated_at", |l| l.updated_at += 1),
        ("entries: all valid", |l| {
            l.entries = encode_entries(&BTreeMap::new(), STATUS_LIST_CAPACITY).unwrap()
        }),
        ("entries: recompressed at another level", |l| {
            let bits = decode_entries(&l.entries, l.capacity).unwrap();
            let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
            encoder.write_all(&bits).unwrap();
            l.entries = encode_b64(&encoder.finish().unwrap());
        }),
    ];
    for (what, change) in changes {
        let mut changed = ex.list.clone();
        change(&mut changed);
        assert_ne!(changed, ex.list, "{what}");
        assert_eq!(
            changed.verify(&ex.public),
            Err(verification_failed()),
            "changing {what} should break the signature"
        );
    }

    // The other list's entries, with the example's signature.
    let mut changed = ex.list.clone();
    changed.entries = other_entries;
    assert_eq!(changed.verify(&ex.public), Err(verification_failed()));

    // Another valid signature: the example's key over another version.
    let mut other = ex.list.clone();
    other.version = 4;
    let other = resigned(other, &ex.secret);
    other.verify(&ex.public).unwrap();
    let mut changed = ex.list.clone();
    changed.signature = other.signature;
    assert_eq!(changed.verify(&ex.public), Err(verification_failed()));

    // A signature that is not one.
    let mut changed = ex.list.clone();
    let mut octets = decode_b64(&changed.signature).unwrap();
    octets[79] ^= 0xff;
    changed.signature = encode_b64(&octets);
    assert!(changed.verify(&ex.public).is_err());
    changed.signature = "not base64!".into();
    assert_eq!(changed.verify(&ex.public), Err(Error::InvalidBase64));
    changed.signature = encode_b64(&[1u8; 79]);
    assert_eq!(
        changed.verify(&ex.public),
        Err(Error::Bbs(ecert_bbs::Error::MalformedSignature))
    );

    // Another format is refused before the signature is looked at.
    let mut changed = ex.list.clone();
    changed.format = "ecert-status-list/2".into();
    assert!(matches!(changed.verify(&ex.public), Err(Error::Malformed(_))));
}

#[test]
fn another_key_does_not_verify_it() {
    let ex = example();
    let other = SecretKey::from_bytes(&[7u8; 32]).unwrap();
    assert_eq!(ex.list.verify(&other.public_key()), Err(verification_failed()));
    // Nor does the same key over the same header as a certificate would sign it (another api_id).
    let certificate_interface = ecert_credential::certificate_interface().unwrap();
    let signature = certificate_interface
        .core_sign(&ex.secret, &ex.public, &ex.list.signing_header().unwrap(), &[])
        .unwrap();
    let mut changed = ex.list.clone();
    changed.signature = encode_b64(&signature.to_bytes());
    assert_eq!(changed.verify(&ex.public), Err(verification_failed()));
}

#[test]
fn bad_ids_and_capacities_are_refused_before_the_signature() {
    let ex = example();
    let changes: [Change; 6] = [
        ("empty issuer", |l| l.issuer = String::new()),
        ("list with a space", |l| l.list = "dl 2026".into()),
        ("long key id", |l| l.key_id = "k".repeat(101)),
        ("capacity 0", |l| l.capacity = 0),
        ("capacity not a multiple of 4", |l| l.capacity = 131_070),
        ("capacity over 2^20", |l| l.capacity = (1 << 20) + 4),
    ];
    for (what, change) in changes {
        let mut changed = resigned(ex.list.clone(), &ex.secret);
        change(&mut changed);
        // Re-signed, so that only the check in question can refuse it.
        let changed = resigned(changed, &ex.secret);
        assert!(
            matches!(changed.verify(&ex.public), Err(Error::Malformed(_))),
            "{what}"
        );
    }
}

#[test]
fn json_with_unknown_missing_or_repeated_members_is_refused() {
    let ex = example();
    let json = ex.list.to_json();
    assert_eq!(StatusList::from_json(&json).unwrap(), ex.list);

    let mut object: serde_json::Map<String, Value> = serde_json::from_str(&json).unwrap();
    object.insert("extra".into(), Value::from(1));
    let outcome = StatusList::from_json(&Value::Object(object).to_string());
    assert!(matches!(outcome, Err(Error::Malformed(_))), "{outcome:?}");

    let mut object: serde_json::Map<String, Value> = serde_json::from_str(&json).unwrap();
    object.remove("version");
    let outcome = StatusList::from_json(&Value::Object(object).to_string());
    assert!(matches!(outcome, Err(Error::Malformed(_))), "{outcome:?}");

    // A second "version" member: a reader keeping the last would see version 99.
    let repeated = json.replacen("\"version\": 3,", "\"version\": 3, \"version\": 99,", 1);
    assert_ne!(repeated, json);
    let outcome = StatusList::from_json(&repeated);
    assert!(
        matches!(&outcome, Err(Error::Malformed(m)) if m.contains("\"version\" appears twice")),
        "{outcome:?}"
    );

    for bad in ["", "null", "[]", "{", "{\"format\": 1}"] {
        assert!(StatusList::from_json(bad).is_err(), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Hostile entries.

#[test]
fn a_gzip_bomb_is_refused_without_inflating_it() {
    // 10 MB of zeros compresses to about 10 KB, under the size bound of a 131072-entry list's entries, so
    // it reaches the decompressor.
    let bomb = encode_b64(&gzip(&vec![0u8; 10_000_000]));
    // The count sees a large allocation (so a small peak below means something).
    let (inflated, peak) = peak_allocation(|| vec![1u8; 2_000_000]);
    assert!(peak >= inflated.len(), "{peak}");

    assert!(bomb.len() < 32_768, "{}", bomb.len());

    let (outcome, peak) = peak_allocation(|| decode_entries(&bomb, STATUS_LIST_CAPACITY));
    assert!(
        matches!(&outcome, Err(Error::Malformed(m)) if m.contains("more than")),
        "{outcome:?}"
    );
    assert!(
        peak < 1_000_000,
        "decoding the bomb allocated {peak} bytes at once"
    );

    // Signed by the issuer (so it gets past the signature), it is still refused.
    let ex = example();
    let mut list = ex.list.clone();
    list.entries = bomb;
    let list = resigned(list, &ex.secret);
    let (outcome, peak) = peak_allocation(|| list.verify(&ex.public));
    assert!(matches!(outcome, Err(Error::Malformed(_))), "{outcome:?}");
    assert!(
        peak < 1_000_000,
        "verifying the bomb allocated {peak} bytes at once"
    );
}

#[test]
fn oversized_entries_are_refused_before_decoding() {
    let huge = "A".repeat(1_000_000);
    let outcome = decode_entries(&huge, STATUS_LIST_CAPACITY);
    assert!(
        matches!(&outcome, Err(Error::Malformed(m)) if m.contains("larger")),
        "{outcome:?}"
    );
    let ex = example();
    let mut list = ex.list.clone();
    list.entries = huge;
    assert!(matches!(list.verify(&ex.public), Err(Error::Malformed(_))));
}

#[test]
fn truncated_and_corrupt_gzip_are_errors() {
    let ex = example();
    let octets = decode_b64(&ex.list.entries).unwrap();
    for length in 0..octets.len() {
        let outcome = decode_entries(&encode_b64(&octets[..length]), STATUS_LIST_CAPACITY);
        assert!(
            matches!(outcome, Err(Error::Malformed(_))),
            "truncated to {length}: {outcome:?}"
        );
    }
    for i in 0..octets.len() {
        let mut corrupt = octets.clone();
        corrupt[i] ^= 0x55;
        // Header bytes without meaning (MTIME, XFL, OS) may change freely; everything else must not.
        let meaningless = (4..10).contains(&i);
        let outcome = decode_entries(&encode_b64(&corrupt), STATUS_LIST_CAPACITY);
        if meaningless {
            assert!(outcome.is_ok(), "byte {i}: {outcome:?}");
        } else {
            assert!(outcome.is_err(), "byte {i} changed, yet decoded");
        }
    }
}

#[test]
fn garbage_base64_is_an_error() {
    let ex = example();
    for bad in [
        "!!!!",
        "H4sI=",
        "H4sIAAAAAAAC_-3AAQEAAAgCoHri_5UOET4H====",
        "H4s",
        "H4sIAAAAAAAC+/3A",
        " H4sI",
    ] {
        let outcome = decode_entries(bad, STATUS_LIST_CAPACITY);
        assert!(
            matches!(outcome, Err(Error::InvalidBase64 | Error::Malformed(_))),
            "{bad:?}: {outcome:?}"
        );
    }
    // Base64 that decodes, but to no GZIP stream.
    let outcome = decode_entries(&encode_b64(b"not a gzip stream"), STATUS_LIST_CAPACITY);
    assert!(
        matches!(&outcome, Err(Error::Malformed(m)) if m.contains("GZIP")),
        "{outcome:?}"
    );
    let mut list = ex.list.clone();
    list.entries = "!!!!".into();
    assert_eq!(list.verify(&ex.public), Err(Error::InvalidBase64));
}

// ---------------------------------------------------------------------------------------------------------
// Properties.

fn status() -> impl Strategy<Value = CertificateStatus> {
    prop_oneof![
        Just(CertificateStatus::Valid),
        Just(CertificateStatus::Suspended),
        Just(CertificateStatus::Revoked),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the statuses, they read back from a signed, serialised, parsed and verified list.
    #[test]
    fn statuses_round_trip(
        statuses in proptest::collection::btree_map(0u32..4096, status(), 0..64),
        version in any::<u64>(),
        updated_at in any::<i64>(),
    ) {
        let secret = SecretKey::from_bytes(&[5u8; 32]).unwrap();
        let list = resigned(StatusList {
            format: STATUS_LIST_FORMAT.into(),
            issuer: "i".into(),
            list: "l".into(),
            key_id: "k".into(),
            capacity: 4096,
            version,
            updated_at,
            entries: encode_entries(&statuses, 4096).unwrap(),
            signature: String::new(),
        }, &secret);
        let view = StatusList::from_json(&list.to_json()).unwrap().verify(&secret.public_key()).unwrap();
        for index in 0..4096 {
            let expected = statuses.get(&index).copied().unwrap_or(CertificateStatus::Valid);
            prop_assert_eq!(view.status(index), Some(expected));
        }
        let not_valid: BTreeMap<u32, CertificateStatus> =
            statuses.into_iter().filter(|(_, s)| *s != CertificateStatus::Valid).collect();
        prop_assert_eq!(view.not_valid().collect::<BTreeMap<_, _>>(), not_valid);
    }

    /// Flipping any bit of the compressed entries of a signed list makes it fail to verify.
    #[test]
    fn flipping_a_bit_of_the_entries_fails(bit in 0usize..(68 * 8)) {
        let ex = example();
        let mut octets = decode_b64(&ex.list.entries).unwrap();
        octets[bit / 8] ^= 1 << (bit % 8);
        let mut changed = ex.list.clone();
        changed.entries = encode_b64(&octets);
        prop_assert!(changed.verify(&ex.public).is_err());
    }

    /// Decoding arbitrary text or octets never panics.
    #[test]
    fn decoding_anything_is_an_error_or_a_bitstring(
        text in ".{0,200}",
        octets in proptest::collection::vec(any::<u8>(), 0..200),
        capacity in 0u32..256,
    ) {
        for input in [text, encode_b64(&octets)] {
            if let Ok(bits) = decode_entries(&input, capacity) {
                prop_assert_eq!(bits.len() * 4, capacity as usize);
            }
        }
    }
}
