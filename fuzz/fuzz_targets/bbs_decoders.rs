//! Every ecert-bbs decoder that takes bytes from outside: the first byte picks the decoder (and, for
//! range and equality proofs, the second the shape), the rest is the input. A decoder may refuse; it
//! must never panic, and what it accepts must encode back to the same bytes.
#![no_main]

use ecert_bbs::blind::{Commitment, ProverBlind};
use ecert_bbs::committed::{CommittedProof, MessageCommitment};
use ecert_bbs::composite::CompositeProof;
use ecert_bbs::equality::EqualityProof;
use ecert_bbs::pseudonym::Pseudonym;
use ecert_bbs::range::RangeProof;
use ecert_bbs::{Proof, PublicKey, SecretKey, Signature};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 12 {
        0 => drop(Signature::from_bytes(rest)),
        1 => drop(Proof::from_bytes(rest)),
        2 => drop(PublicKey::from_bytes(rest)),
        3 => drop(SecretKey::from_bytes(rest)),
        4 => drop(Commitment::from_bytes(rest)),
        5 => drop(ProverBlind::from_bytes(rest)),
        6 => drop(MessageCommitment::from_bytes(rest)),
        7 => drop(CommittedProof::from_bytes(rest)),
        8 => drop(CompositeProof::from_bytes(rest)),
        9 => {
            if let Some((&count, rest)) = rest.split_first() {
                drop(EqualityProof::from_bytes(rest, usize::from(count)));
            }
        }
        10 => {
            if let Some((&bits, rest)) = rest.split_first() {
                drop(RangeProof::from_bytes(rest, usize::from(bits)));
            }
        }
        _ => drop(Pseudonym::from_bytes(rest)),
    }
});
