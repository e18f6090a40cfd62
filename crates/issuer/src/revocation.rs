//! The issuer's side of revocation epochs (specs/revocation.md §5-§7): making an accumulator, closing an
//! epoch (its removals and reinstatements as update batches, a new signed head), and the witnesses handed
//! to holders at issuance and at reinstatement.
//!
//! This crate has no storage and no clock: the service keeps, per accumulator, the sealed secret `α`, the
//! latest head and which handles are out of the accumulator (revoked or suspended), and passes them in.
//! Every function checks the changes against that state before it computes anything, so that a wrong call
//! cannot publish a value that holders could not follow.

use std::collections::BTreeSet;

use ecert_bbs::Scalar;
use ecert_bbs::accumulator::{AccumulatorSecretKey, UpdateBatch, Witness};
use ecert_credential::{
    EpochUpdate, EpochView, MAX_ACCUMULATOR_CAPACITY, MAX_EPOCH_CHANGES, REVOCATION_EPOCH_FORMAT,
    RevocationEpoch, accumulator_hash_id, encode_b64, revocation_handle, revocation_interface,
};

use crate::error::{Error, Result};
use crate::key::IssuerKey;

/// What changes at the close of an epoch, by handle index: certificates revoked or suspended since the
/// last epoch leave the accumulator, suspended ones reinstated come back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochChanges {
    /// Handles to remove (revocations and suspensions).
    pub remove: BTreeSet<u64>,
    /// Handles to add back (reinstatements); each holder takes a new witness ([`handle_witness`]).
    pub reinstate: BTreeSet<u64>,
}

/// The times of a head: when it is signed and when the next epoch is due at the latest (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochTimes {
    /// When the head is signed.
    pub issued_at: i64,
    /// When the next epoch is due (the default period is a day).
    pub next_epoch_at: i64,
}

/// Makes accumulator `accumulator` of `key`'s issuer with `capacity` handles, all of them in it, and signs
/// its epoch 0 (whose update has no batches). Linear in the capacity: about 2 µs a handle.
pub fn create_accumulator(
    key: &IssuerKey,
    secret: &AccumulatorSecretKey,
    accumulator: &str,
    capacity: u64,
    times: EpochTimes,
) -> Result<(RevocationEpoch, EpochUpdate)> {
    if capacity == 0 || capacity > MAX_ACCUMULATOR_CAPACITY {
        return Err(Error::RevocationChange(format!(
            "an accumulator holds 1 to {MAX_ACCUMULATOR_CAPACITY} handles"
        )));
    }
    let id = accumulator_hash_id(key.issuer(), accumulator)?;
    let value = secret.initialize::<ecert_credential::CertificateSuite>(&id, capacity)?;
    let update = EpochUpdate::new(key.issuer(), accumulator, 0, &[])?;
    let head = sign_head(
        key,
        secret,
        accumulator,
        capacity,
        0,
        times,
        &value.to_bytes(),
        &update,
    )?;
    Ok((head, update))
}

/// Closes the epoch after `current` (the latest head, verified): removes and re-adds the handles of
/// `changes`, given `out` (the handles out of the accumulator before this epoch), and signs the next head.
/// Refused before anything is computed: a handle past the capacity, removed while already out, reinstated
/// while in, in both sets, more than [`MAX_EPOCH_CHANGES`] changes, a secret or key of another
/// accumulator, or times that go backwards.
pub fn close_epoch(
    key: &IssuerKey,
    secret: &AccumulatorSecretKey,
    current: &EpochView,
    out: &BTreeSet<u64>,
    changes: &EpochChanges,
    times: EpochTimes,
) -> Result<(RevocationEpoch, EpochUpdate)> {
    if current.issuer() != key.issuer() || secret.public_key() != *current.accumulator_key() {
        return Err(Error::RevocationChange(
            "the key or the accumulator secret is not the one of this accumulator".into(),
        ));
    }
    if times.issued_at < current.issued_at() {
        return Err(Error::RevocationChange(
            "the new head would be signed before the current one".into(),
        ));
    }
    if changes.remove.len() + changes.reinstate.len() > MAX_EPOCH_CHANGES {
        return Err(Error::RevocationChange(format!(
            "more than {MAX_EPOCH_CHANGES} changes in one epoch: start a new accumulator"
        )));
    }
    let capacity = current.capacity();
    for (set, name) in [(&changes.remove, "removed"), (&changes.reinstate, "reinstated")] {
        if let Some(index) = set.range(capacity..).next() {
            return Err(Error::RevocationChange(format!(
                "handle {index} {name} is past the capacity {capacity}"
            )));
        }
    }
    if let Some(index) = changes.remove.intersection(&changes.reinstate).next() {
        return Err(Error::RevocationChange(format!(
            "handle {index} is both removed and reinstated"
        )));
    }
    if let Some(index) = changes.remove.intersection(out).next() {
        return Err(Error::RevocationChange(format!(
            "handle {index} is removed but is already out of the accumulator"
        )));
    }
    if let Some(index) = changes.reinstate.difference(out).next() {
        return Err(Error::RevocationChange(format!(
            "handle {index} is reinstated but is in the accumulator"
        )));
    }
    let epoch = current
        .epoch()
        .checked_add(1)
        .ok_or_else(|| Error::RevocationChange("the epoch number overflows".into()))?;
    let handles = |set: &BTreeSet<u64>| -> Result<Vec<Scalar>> {
        set.iter()
            .map(|&i| Ok(revocation_handle(key.issuer(), current.accumulator(), i)?))
            .collect()
    };
    let mut value = current.value().clone();
    let mut batches: Vec<UpdateBatch> = Vec::with_capacity(2);
    // Removals first, then additions: the order the update lists and holders apply them in.
    if !changes.remove.is_empty() {
        let (next, batch) = secret.remove(&value, &handles(&changes.remove)?)?;
        value = next;
        batches.push(batch);
    }
    if !changes.reinstate.is_empty() {
        let (next, batch) = secret.add(&value, &handles(&changes.reinstate)?)?;
        value = next;
        batches.push(batch);
    }
    let update = EpochUpdate::new(key.issuer(), current.accumulator(), epoch, &batches)?;
    let head = sign_head(
        key,
        secret,
        current.accumulator(),
        capacity,
        epoch,
        times,
        &value.to_bytes(),
        &update,
    )?;
    Ok((head, update))
}

/// The witness of handle `index` against `head`'s value: handed to the holder at issuance and, after a
/// reinstatement, for the head of the epoch that re-added it. The caller checks that the handle is in the
/// accumulator at that head (a witness for a removed handle would not verify anyway).
pub fn handle_witness(secret: &AccumulatorSecretKey, head: &EpochView, index: u64) -> Result<Witness> {
    if index >= head.capacity() {
        return Err(Error::RevocationChange(format!(
            "handle {index} is past the capacity {}",
            head.capacity()
        )));
    }
    let handle = revocation_handle(head.issuer(), head.accumulator(), index)?;
    Ok(secret.witness(head.value(), &handle)?)
}

#[allow(clippy::too_many_arguments, reason = "the members of the head")]
fn sign_head(
    key: &IssuerKey,
    secret: &AccumulatorSecretKey,
    accumulator: &str,
    capacity: u64,
    epoch: u64,
    times: EpochTimes,
    value: &[u8],
    update: &EpochUpdate,
) -> Result<RevocationEpoch> {
    if times.next_epoch_at <= times.issued_at {
        return Err(Error::RevocationChange(
            "the next epoch must be due after the head is signed".into(),
        ));
    }
    let mut head = RevocationEpoch {
        format: REVOCATION_EPOCH_FORMAT.to_owned(),
        issuer: key.issuer().to_owned(),
        accumulator: accumulator.to_owned(),
        key_id: key.key_id().to_owned(),
        accumulator_key: encode_b64(&secret.public_key().to_bytes()),
        capacity,
        epoch,
        issued_at: times.issued_at,
        next_epoch_at: times.next_epoch_at,
        value: encode_b64(value),
        update: encode_b64(&update.digest()?),
        signature: String::new(),
    };
    // CoreSign(SK, PK, header, (), api_id), as status lists: the header carries everything.
    let signature =
        revocation_interface()?.core_sign(key.secret(), &key.public_key(), &head.signing_header()?, &[])?;
    head.signature = encode_b64(&signature.to_bytes());
    Ok(head)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

    use ecert_credential::{EpochRefusal, KnownEpochs, RevocationEpoch};

    use super::*;

    const DAY: i64 = 86_400;
    const T0: i64 = 1_772_409_600; // 2026-03-02T00:00:00Z

    fn key() -> IssuerKey {
        let secret: Vec<u8> = (1u8..=32).collect();
        IssuerKey::from_secret_bytes("440000-traffic-police", "2026-k1", &secret).unwrap()
    }

    fn alpha() -> AccumulatorSecretKey {
        let bytes: Vec<u8> = (101u8..=132).collect();
        AccumulatorSecretKey::from_bytes(&bytes).unwrap()
    }

    fn day(n: i64) -> EpochTimes {
        EpochTimes {
            issued_at: T0 + n * DAY,
            next_epoch_at: T0 + (n + 1) * DAY,
        }
    }

    fn set(indices: &[u64]) -> BTreeSet<u64> {
        indices.iter().copied().collect()
    }

    #[test]
    fn holders_follow_epochs_and_the_revoked_one_cannot() {
        let (key, alpha) = (key(), alpha());
        let (head0, _) = create_accumulator(&key, &alpha, "dl-2026", 16, day(0)).unwrap();
        let view0 = RevocationEpoch::from_json(&head0.to_json())
            .unwrap()
            .verify(&key.public_key())
            .unwrap();
        let handle = |i| revocation_handle(key.issuer(), "dl-2026", i).unwrap();
        let mut witnesses: Vec<Witness> = (0..16)
            .map(|i| handle_witness(&alpha, &view0, i).unwrap())
            .collect();

        // Epoch 1: 3 and 5 revoked, 9 suspended.
        let changes = EpochChanges {
            remove: set(&[3, 5, 9]),
            reinstate: BTreeSet::new(),
        };
        let (head1, update1) = close_epoch(&key, &alpha, &view0, &BTreeSet::new(), &changes, day(1)).unwrap();
        let view1 = head1.verify(&key.public_key()).unwrap();
        let update1 = ecert_credential::EpochUpdate::from_json(&update1.to_json()).unwrap();
        for i in [0, 4, 15] {
            witnesses[i as usize] = view0
                .follow(&update1, &view1, &handle(i), &witnesses[i as usize])
                .unwrap();
        }
        assert!(view0.follow(&update1, &view1, &handle(3), &witnesses[3]).is_err());

        // Epoch 2: 9 reinstated; its holder takes a new witness; the others follow.
        let changes = EpochChanges {
            remove: set(&[4]),
            reinstate: set(&[9]),
        };
        let (head2, update2) = close_epoch(&key, &alpha, &view1, &set(&[3, 5, 9]), &changes, day(2)).unwrap();
        let view2 = head2.verify(&key.public_key()).unwrap();
        assert_eq!(update2.batches.len(), 2);
        for i in [0, 15] {
            witnesses[i as usize] = view1
                .follow(&update2, &view2, &handle(i), &witnesses[i as usize])
                .unwrap();
        }
        assert!(view1.follow(&update2, &view2, &handle(4), &witnesses[4]).is_err());
        let reinstated = handle_witness(&alpha, &view2, 9).unwrap();
        view2
            .accumulator_key()
            .check_witness_vartime(view2.value(), &handle(9), &reinstated)
            .unwrap();

        // A quiet epoch: no batches, witnesses unchanged and still valid.
        let (head3, update3) = close_epoch(
            &key,
            &alpha,
            &view2,
            &set(&[3, 4, 5]),
            &EpochChanges::default(),
            day(3),
        )
        .unwrap();
        let view3 = head3.verify(&key.public_key()).unwrap();
        assert_eq!(view3.value(), view2.value());
        view2.follow(&update3, &view3, &handle(0), &witnesses[0]).unwrap();

        // An update for another epoch, or skipping one, is refused.
        assert!(view0.follow(&update2, &view2, &handle(0), &witnesses[0]).is_err());
        assert!(view1.follow(&update1, &view2, &handle(0), &witnesses[0]).is_err());
    }

    #[test]
    fn inconsistent_changes_are_refused_before_anything_is_signed() {
        let (key, alpha) = (key(), alpha());
        let (head0, _) = create_accumulator(&key, &alpha, "acc", 8, day(0)).unwrap();
        let view0 = head0.verify(&key.public_key()).unwrap();
        let out = set(&[2]);
        let cases = [
            (set(&[8]), BTreeSet::new(), "past the capacity"),
            (set(&[2]), BTreeSet::new(), "already out"),
            (BTreeSet::new(), set(&[1]), "is in the accumulator"),
            (set(&[2]), set(&[2]), "both removed and reinstated"),
        ];
        for (remove, reinstate, why) in cases {
            let changes = EpochChanges { remove, reinstate };
            match close_epoch(&key, &alpha, &view0, &out, &changes, day(1)) {
                Err(Error::RevocationChange(message)) => assert!(message.contains(why), "{message}"),
                other => panic!("{why}: {other:?}"),
            }
        }
        let other_alpha = AccumulatorSecretKey::from_bytes(&[7u8; 32]).unwrap();
        assert!(close_epoch(&key, &other_alpha, &view0, &out, &EpochChanges::default(), day(1)).is_err());
        let backwards = EpochTimes {
            issued_at: T0 - 1,
            next_epoch_at: T0 + DAY,
        };
        assert!(close_epoch(&key, &alpha, &view0, &out, &EpochChanges::default(), backwards).is_err());
        assert!(create_accumulator(&key, &alpha, "acc", 0, day(0)).is_err());
        assert!(
            create_accumulator(
                &key,
                &alpha,
                "acc",
                8,
                EpochTimes {
                    issued_at: T0,
                    next_epoch_at: T0
                }
            )
            .is_err()
        );
    }

    #[test]
    fn forged_heads_and_updates_are_refused() {
        let (key, alpha) = (key(), alpha());
        let (head0, _) = create_accumulator(&key, &alpha, "acc", 8, day(0)).unwrap();
        let view0 = head0.verify(&key.public_key()).unwrap();
        let changes = EpochChanges {
            remove: set(&[1]),
            reinstate: BTreeSet::new(),
        };
        let (head1, update1) = close_epoch(&key, &alpha, &view0, &BTreeSet::new(), &changes, day(1)).unwrap();
        // Any member changed: the signature fails (or the member is malformed).
        let mut forged = head1.clone();
        forged.value = head0.value.clone();
        assert!(forged.verify(&key.public_key()).is_err());
        let mut forged = head1.clone();
        forged.epoch += 1;
        assert!(forged.verify(&key.public_key()).is_err());
        let mut forged = head1.clone();
        forged.next_epoch_at += DAY;
        assert!(forged.verify(&key.public_key()).is_err());
        // Signed by another key.
        let other = IssuerKey::from_secret_bytes("440000-traffic-police", "2026-k2", &[9u8; 32]).unwrap();
        assert!(head1.verify(&other.public_key()).is_err());
        // A status-list signature over the same header does not pass: heads have their own interface.
        let cross = ecert_credential::status_list_interface()
            .unwrap()
            .core_sign(
                key.secret(),
                &key.public_key(),
                &head1.signing_header().unwrap(),
                &[],
            )
            .unwrap();
        let mut forged = head1.clone();
        forged.signature = encode_b64(&cross.to_bytes());
        assert!(forged.verify(&key.public_key()).is_err());
        let view1 = head1.verify(&key.public_key()).unwrap();
        // An update with a batch dropped or changed is not the one the head signs.
        let mut dropped = update1.clone();
        dropped.batches.clear();
        assert!(dropped.batches_for(&view1).is_err());
        let (_, other_update) = close_epoch(
            &key,
            &alpha,
            &view0,
            &BTreeSet::new(),
            &EpochChanges {
                remove: set(&[2]),
                reinstate: BTreeSet::new(),
            },
            day(1),
        )
        .unwrap();
        assert!(other_update.batches_for(&view1).is_err());
        assert_eq!(update1.batches_for(&view1).unwrap().len(), 1);
        // Repeated or unknown members are refused by the reader.
        let json = head1.to_json();
        let repeated = json.replacen("\"epoch\": 1,", "\"epoch\": 1, \"epoch\": 1,", 1);
        assert!(RevocationEpoch::from_json(&repeated).is_err());
        let unknown = json.replacen("\"epoch\": 1,", "\"epoch\": 1, \"index\": 4,", 1);
        assert!(RevocationEpoch::from_json(&unknown).is_err());
    }

    #[test]
    fn a_verifier_accepts_the_current_epoch_and_the_previous_within_the_grace() {
        let (key, alpha) = (key(), alpha());
        let grace = ecert_credential::DEFAULT_EPOCH_GRACE_SECONDS;
        let (head0, _) = create_accumulator(&key, &alpha, "acc", 8, day(0)).unwrap();
        let view0 = head0.verify(&key.public_key()).unwrap();
        let (head1, _) = close_epoch(
            &key,
            &alpha,
            &view0,
            &BTreeSet::new(),
            &EpochChanges::default(),
            day(1),
        )
        .unwrap();
        let view1 = head1.verify(&key.public_key()).unwrap();
        let (head2, _) = close_epoch(
            &key,
            &alpha,
            &view1,
            &BTreeSet::new(),
            &EpochChanges::default(),
            day(2),
        )
        .unwrap();
        let view2 = head2.verify(&key.public_key()).unwrap();

        let mut known = KnownEpochs::new(view0.clone());
        assert_eq!(known.accepted(0, T0 + 10, grace).unwrap(), &view0);
        assert_eq!(known.accepted(1, T0 + 10, grace), Err(EpochRefusal::Unknown));
        // Offline for a day past the next epoch's due time: still accepted; a second longer: fails closed.
        assert!(known.accepted(0, T0 + DAY + grace, grace).is_ok());
        assert_eq!(
            known.accepted(0, T0 + DAY + grace + 1, grace),
            Err(EpochRefusal::OutOfDate)
        );

        known.learn(view1.clone()).unwrap();
        let after = T0 + DAY + 3600;
        assert_eq!(known.accepted(1, after, grace).unwrap(), &view1);
        assert_eq!(known.accepted(0, after, grace).unwrap(), &view0);
        assert_eq!(known.oldest_accepted(after, grace), Some(0));
        // Past the grace after epoch 1 was published: epoch 0 is stale.
        let late = T0 + DAY + grace + 1;
        assert_eq!(known.accepted(0, late, grace), Err(EpochRefusal::Stale));
        assert_eq!(known.oldest_accepted(late, grace), Some(1));

        // A head carried by a presentation and an old one learned late.
        known.learn(view2.clone()).unwrap();
        assert_eq!(known.previous(), Some(&view1));
        known.learn(view0.clone()).unwrap();
        assert_eq!(known.previous(), Some(&view1));
        assert_eq!(
            known.accepted(0, T0 + 2 * DAY + 10, grace),
            Err(EpochRefusal::Stale)
        );

        // Equivocation: another head of epoch 2 (with a suspension) is refused, the known heads unchanged.
        let changes = EpochChanges {
            remove: set(&[4]),
            reinstate: BTreeSet::new(),
        };
        let (fork, _) = close_epoch(&key, &alpha, &view1, &BTreeSet::new(), &changes, day(2)).unwrap();
        let fork = fork.verify(&key.public_key()).unwrap();
        assert!(known.learn(fork).is_err());
        assert_eq!(known.current(), &view2);
        // A head of another accumulator is refused.
        let (other, _) = create_accumulator(&key, &alpha, "other", 8, day(2)).unwrap();
        assert!(known.learn(other.verify(&key.public_key()).unwrap()).is_err());
    }

    /// What a verifier downloads per accumulator and day is one head: under 1 KB of JSON even with the
    /// longest ids and the largest numbers.
    #[test]
    fn a_head_is_under_a_kilobyte() {
        let key = IssuerKey::from_secret_bytes(&"i".repeat(100), &"k".repeat(100), &[3u8; 32]).unwrap();
        let alpha = alpha();
        let (head, _) = create_accumulator(
            &key,
            &alpha,
            &"a".repeat(100),
            1,
            EpochTimes {
                issued_at: i64::MAX - 1,
                next_epoch_at: i64::MAX,
            },
        )
        .unwrap();
        let mut head = head;
        head.epoch = u64::MAX;
        head.capacity = MAX_ACCUMULATOR_CAPACITY;
        let compact = serde_json::to_string(&head).unwrap();
        assert!(compact.len() <= 1024, "{} bytes", compact.len());
    }

    /// specs/revocation.md §9 says its examples are what these functions write: the head and update of
    /// epoch 1 of an 8-handle accumulator with handles 3 and 5 removed.
    #[test]
    fn the_spec_examples_are_what_this_writes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/revocation.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let block = |tag: &str| -> String {
            doc.split(&format!("```json {tag}\n"))
                .nth(1)
                .and_then(|rest| rest.split("\n```").next())
                .unwrap_or_else(|| panic!("no {tag} example in specs/revocation.md"))
                .to_owned()
        };
        let (key, alpha) = (key(), alpha());
        let (head0, _) = create_accumulator(&key, &alpha, "dl-2026", 8, day(0)).unwrap();
        let view0 = head0.verify(&key.public_key()).unwrap();
        let changes = EpochChanges {
            remove: set(&[3, 5]),
            reinstate: BTreeSet::new(),
        };
        let (head1, update1) = close_epoch(&key, &alpha, &view0, &BTreeSet::new(), &changes, day(1)).unwrap();
        if std::env::var_os("ECERT_PRINT_EXAMPLES").is_some() {
            println!("{}\n\n{}", head1.to_json(), update1.to_json());
        }
        assert_eq!(block("revocation-epoch"), head1.to_json());
        assert_eq!(block("revocation-update"), update1.to_json());
        let view1 = RevocationEpoch::from_json(&block("revocation-epoch"))
            .unwrap()
            .verify(&key.public_key())
            .unwrap();
        assert_eq!(
            ecert_credential::EpochUpdate::from_json(&block("revocation-update"))
                .unwrap()
                .batches_for(&view1)
                .unwrap()
                .len(),
            1
        );
    }
}
