//! Revocation epochs (specs/revocation.md §5-§8): what an issuer publishes about its accumulators, and the
//! rules by which holders follow them and verifiers accept a membership proof.
//!
//! Per accumulator and epoch the issuer publishes two documents:
//!
//! * the **epoch head** ([`RevocationEpoch`], about 650 bytes of JSON): the accumulator's value after the
//!   epoch's changes, its public key and capacity, the epoch number and times, and the SHA-256 digest of
//!   the epoch's update, signed with the issuer's BBS key under an interface of its own. A verifier needs
//!   only the heads: one a day per accumulator.
//! * the **epoch update** ([`EpochUpdate`]): the update batches that lead from the previous epoch's value
//!   to this one's, unsigned, authenticated by the digest in the head. Wallets download it to move their
//!   witnesses forward ([`EpochView::follow`]).
//!
//! A verifier keeps the newest heads it has verified per accumulator ([`KnownEpochs`]) and accepts a
//! proof against the current epoch or, within a grace after the current epoch was published, the previous
//! one; past the current epoch's announced successor plus the grace, its revocation data is stale and it
//! fails closed. Nothing here is per certificate: heads and updates name no certificate and no holder.

use ecert_bbs::accumulator::{self, Accumulator, AccumulatorPublicKey, UpdateBatch, Witness};
use ecert_bbs::{Ciphersuite, Interface, PublicKey, Scalar, Signature};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::certificate::CertificateSuite;
use crate::error::{Error, Result};
use crate::registry::{KeyRefusal, RegistryView, retirement_day};
use crate::value::{decode_b64, encode_b64, is_valid_id};

/// The format tag of epoch heads.
pub const REVOCATION_EPOCH_FORMAT: &str = "ecert-revocation-epoch/1";

/// The format tag of epoch updates.
pub const EPOCH_UPDATE_FORMAT: &str = "ecert-revocation-update/1";

/// The largest capacity of an accumulator: 2^30 certificates (ten times the largest province's
/// population). Making one is linear in its capacity.
pub const MAX_ACCUMULATOR_CAPACITY: u64 = 1 << 30;

/// The most elements one epoch update may change: a million, 80 MB of batches, about a year of
/// revocations at 10^8 certificates. An issuer that must revoke more at once starts a new accumulator.
pub const MAX_EPOCH_CHANGES: usize = 1_000_000;

/// The default grace: a proof against the previous epoch is accepted for a day after the current one was
/// published, so that a wallet offline for a day can still present.
pub const DEFAULT_EPOCH_GRACE_SECONDS: i64 = 86_400;

/// `ciphersuite_id || "H2G_ECERT_REVOCATION1_"`: the BBS interface epoch heads are signed under, so that a
/// head's signature can never pass for a certificate's or a status list's, or the reverse.
pub fn revocation_api_id() -> Vec<u8> {
    [CertificateSuite::ID, b"H2G_ECERT_REVOCATION1_".as_slice()].concat()
}

/// CoreSign and CoreVerify with [`revocation_api_id`], the header of [`RevocationEpoch::signing_header`]
/// and no messages.
pub fn revocation_interface() -> Result<Interface<CertificateSuite>> {
    Ok(Interface::new(&revocation_api_id())?)
}

/// The bytes an accumulator's base and elements are hashed from: `I2OSP(len(issuer), 2) || issuer ||
/// I2OSP(len(accumulator), 2) || accumulator`, so that two issuers' accumulators of the same name share no
/// element.
pub fn accumulator_hash_id(issuer: &str, accumulator: &str) -> Result<Vec<u8>> {
    check_ids(issuer, accumulator)?;
    let mut id = Vec::with_capacity(4 + issuer.len() + accumulator.len());
    for part in [issuer, accumulator] {
        // Ids are at most 100 bytes (checked above).
        id.extend_from_slice(&(part.len() as u16).to_be_bytes());
        id.extend_from_slice(part.as_bytes());
    }
    Ok(id)
}

/// The revocation handle of the certificate at `index` of an accumulator: the hidden message it signs
/// and proves membership of, `y_index` of the accumulator's domain.
pub fn revocation_handle(issuer: &str, accumulator: &str, index: u64) -> Result<Scalar> {
    Ok(accumulator::element::<CertificateSuite>(
        &accumulator_hash_id(issuer, accumulator)?,
        index,
    )?)
}

fn check_ids(issuer: &str, accumulator: &str) -> Result<()> {
    for (name, id) in [("issuer", issuer), ("accumulator", accumulator)] {
        if !is_valid_id(id) {
            return Err(Error::Malformed(format!(
                "revocation {name} is not 1 to 100 printable ASCII characters"
            )));
        }
    }
    Ok(())
}

/// An epoch head, as published and cached (specs/revocation.md §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationEpoch {
    /// Always [`REVOCATION_EPOCH_FORMAT`].
    pub format: String,
    /// The issuing department's registry id.
    pub issuer: String,
    /// The accumulator's id, unique within its issuer.
    pub accumulator: String,
    /// The id of the issuer's key that signed the head.
    pub key_id: String,
    /// The accumulator's public key `Q~`, 96 bytes, base64url.
    pub accumulator_key: String,
    /// The number of handles in the accumulator's domain.
    pub capacity: u64,
    /// The epoch number: 0 when the accumulator is made, one more at each epoch.
    pub epoch: u64,
    /// When the issuer signed the head, in seconds since 1970-01-01T00:00:00Z.
    pub issued_at: i64,
    /// When the issuer will publish the next epoch at the latest, in the same unit.
    pub next_epoch_at: i64,
    /// The accumulator's value `V` after the epoch's changes, 48 bytes, base64url.
    pub value: String,
    /// SHA-256 of the epoch's update ([`EpochUpdate::digest`]), base64url.
    pub update: String,
    /// The BBS signature, base64url.
    pub signature: String,
}

impl RevocationEpoch {
    /// The header the signature covers (specs/revocation.md §5): every member but `signature`, in the
    /// order above, strings as `I2OSP(length, 2) || UTF-8`, integers as 8 bytes big-endian, the binary
    /// members decoded. Starting with the format tag, it is domain-separated from every other document.
    pub fn signing_header(&self) -> Result<Vec<u8>> {
        let mut header = Vec::with_capacity(512);
        for field in [&self.format, &self.issuer, &self.accumulator, &self.key_id] {
            let length = u16::try_from(field.len())
                .map_err(|_| Error::Malformed("an epoch head id is longer than 65535 bytes".into()))?;
            header.extend_from_slice(&length.to_be_bytes());
            header.extend_from_slice(field.as_bytes());
        }
        header.extend_from_slice(&decode_b64(&self.accumulator_key)?);
        header.extend_from_slice(&self.capacity.to_be_bytes());
        header.extend_from_slice(&self.epoch.to_be_bytes());
        header.extend_from_slice(&self.issued_at.to_be_bytes());
        header.extend_from_slice(&self.next_epoch_at.to_be_bytes());
        header.extend_from_slice(&decode_b64(&self.value)?);
        header.extend_from_slice(&decode_b64(&self.update)?);
        Ok(header)
    }

    /// Checks the head against the issuer's BBS public key and decodes it (specs/revocation.md §5): the
    /// format, the ids, the sizes, the times, the signature.
    pub fn verify(&self, issuer_public_key: &PublicKey) -> Result<EpochView> {
        if self.format != REVOCATION_EPOCH_FORMAT {
            return Err(Error::Malformed(format!(
                "epoch head format is {:?}, expected {REVOCATION_EPOCH_FORMAT}",
                self.format.chars().take(64).collect::<String>()
            )));
        }
        check_ids(&self.issuer, &self.accumulator)?;
        if !is_valid_id(&self.key_id) {
            return Err(Error::Malformed(
                "epoch head key_id is not 1 to 100 printable ASCII characters".into(),
            ));
        }
        if self.capacity == 0 || self.capacity > MAX_ACCUMULATOR_CAPACITY {
            return Err(Error::Malformed(format!(
                "epoch head capacity must be 1 to {MAX_ACCUMULATOR_CAPACITY}"
            )));
        }
        if self.next_epoch_at <= self.issued_at {
            return Err(Error::Malformed(
                "epoch head next_epoch_at is not after issued_at".into(),
            ));
        }
        let malformed = |what: &str| Error::Malformed(format!("epoch head {what}"));
        let accumulator_key = AccumulatorPublicKey::from_bytes(&decode_b64(&self.accumulator_key)?)
            .map_err(|_| malformed("accumulator_key is not a point of G2"))?;
        let value = Accumulator::from_bytes(&decode_b64(&self.value)?)
            .map_err(|_| malformed("value is not a point of G1"))?;
        let update: [u8; 32] = decode_b64(&self.update)?
            .try_into()
            .map_err(|_| malformed("update is not a SHA-256 digest"))?;
        let signature = Signature::from_bytes(&decode_b64(&self.signature)?)?;
        revocation_interface()?.core_verify(issuer_public_key, &signature, &self.signing_header()?, &[])?;
        Ok(EpochView {
            issuer: self.issuer.clone(),
            accumulator: self.accumulator.clone(),
            key_id: self.key_id.clone(),
            accumulator_key,
            capacity: self.capacity,
            epoch: self.epoch,
            issued_at: self.issued_at,
            next_epoch_at: self.next_epoch_at,
            value,
            update,
        })
    }

    /// [`RevocationEpoch::verify`] under the key the registry lists for (`issuer`, `key_id`): a key the
    /// registry does not list, a revoked key, and a retired key for a head signed after its retirement day
    /// are [`Error::UntrustedKey`]. A leaked retired key so cannot sign a head that would un-revoke.
    pub fn verify_in(&self, registry: &RegistryView) -> Result<EpochView> {
        let untrusted = |why| Error::UntrustedKey {
            issuer: self.issuer.chars().take(100).collect(),
            key_id: self.key_id.chars().take(100).collect(),
            why,
        };
        let key = registry
            .key(&self.issuer, &self.key_id)
            .ok_or_else(|| untrusted("the registry does not list it"))?;
        // The day the head was signed, on the calendar the retirement rule uses (the latest zone's).
        let day = retirement_day(self.issued_at)
            .ok_or_else(|| Error::Malformed("epoch head issued_at is outside the calendar".into()))?;
        match key.vouches_for(day) {
            Ok(()) => {}
            Err(KeyRefusal::Revoked) => return Err(untrusted("the registry lists it as revoked")),
            Err(KeyRefusal::AfterRetirement) => {
                return Err(untrusted("the head was signed after the key was retired"));
            }
            Err(KeyRefusal::OutsideValidity) => {
                return Err(untrusted("the head was signed outside the key's validity"));
            }
        }
        self.verify(&key.public_key)
    }

    /// Parses a head from JSON: exactly the members above, each once.
    pub fn from_json(text: &str) -> Result<RevocationEpoch> {
        crate::strict_json::from_str(text).map_err(|e| Error::Malformed(format!("epoch head: {e}")))
    }

    /// The head as JSON.
    pub fn to_json(&self) -> String {
        // Serialising strings and integers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A verified epoch head, decoded. Made only by [`RevocationEpoch::verify`]: holding one means the
/// issuer's key signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochView {
    issuer: String,
    accumulator: String,
    key_id: String,
    accumulator_key: AccumulatorPublicKey,
    capacity: u64,
    epoch: u64,
    issued_at: i64,
    next_epoch_at: i64,
    value: Accumulator,
    update: [u8; 32],
}

impl EpochView {
    /// The issuer's registry id.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The accumulator's id.
    pub fn accumulator(&self) -> &str {
        &self.accumulator
    }

    /// The id of the issuer key that signed the head.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The accumulator's public key.
    pub fn accumulator_key(&self) -> &AccumulatorPublicKey {
        &self.accumulator_key
    }

    /// The number of handles in the domain.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The epoch number.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// When the head was signed (Unix seconds).
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// When the next epoch is due at the latest (Unix seconds).
    pub fn next_epoch_at(&self) -> i64 {
        self.next_epoch_at
    }

    /// The accumulator's value at this epoch: what membership proofs are checked against.
    pub fn value(&self) -> &Accumulator {
        &self.value
    }

    /// The digest of the update that led to this epoch.
    pub fn update_digest(&self) -> &[u8; 32] {
        &self.update
    }

    /// Whether `other` is a head of the same accumulator: same issuer, id, key and capacity.
    fn same_accumulator(&self, other: &EpochView) -> bool {
        self.issuer == other.issuer
            && self.accumulator == other.accumulator
            && self.accumulator_key == other.accumulator_key
            && self.capacity == other.capacity
    }

    /// The holder's step from this epoch to `next` (specs/revocation.md §7): `update` must be the one
    /// whose digest `next` signs, `next` the epoch after this one of the same accumulator; the witness of
    /// `handle` is moved through every batch and checked against `next`'s value. A handle that the
    /// update removed has no witness any more ([`Error::Bbs`] with `AccumulatorUpdate`); one it added back
    /// takes a new witness from the issuer.
    pub fn follow(
        &self,
        update: &EpochUpdate,
        next: &EpochView,
        handle: &Scalar,
        witness: &Witness,
    ) -> Result<Witness> {
        if !self.same_accumulator(next) || self.epoch.checked_add(1) != Some(next.epoch) {
            return Err(Error::Malformed(
                "the next epoch head is not the following epoch of the same accumulator".into(),
            ));
        }
        let batches = update.batches_for(next)?;
        let mut moved: Option<Witness> = None;
        for batch in &batches {
            let step = moved.as_ref().unwrap_or(witness).update(handle, batch)?;
            moved = Some(step);
        }
        // An epoch without changes leaves the witness as it is (Witness has no Clone: it is a secret).
        let current = match moved {
            Some(w) => w,
            None => Witness::from_bytes(Zeroizing::new(witness.to_bytes()).as_slice())?,
        };
        next.accumulator_key
            .check_witness_vartime(&next.value, handle, &current)?;
        Ok(current)
    }
}

/// The batches of one epoch, as published (specs/revocation.md §6): authenticated by the digest its epoch
/// head signs, so that anyone may serve a copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochUpdate {
    /// Always [`EPOCH_UPDATE_FORMAT`].
    pub format: String,
    /// The issuer's registry id.
    pub issuer: String,
    /// The accumulator's id.
    pub accumulator: String,
    /// The epoch this update leads to.
    pub epoch: u64,
    /// The update batches in the order they apply, each base64url of its encoding (removals, then
    /// additions, when an epoch has both).
    pub batches: Vec<String>,
}

impl EpochUpdate {
    /// The update of `batches` leading to `epoch`.
    pub fn new(issuer: &str, accumulator: &str, epoch: u64, batches: &[UpdateBatch]) -> Result<EpochUpdate> {
        check_ids(issuer, accumulator)?;
        Ok(EpochUpdate {
            format: EPOCH_UPDATE_FORMAT.to_owned(),
            issuer: issuer.to_owned(),
            accumulator: accumulator.to_owned(),
            epoch,
            batches: batches.iter().map(|b| encode_b64(&b.to_bytes())).collect(),
        })
    }

    /// `SHA-256(format || issuer || accumulator || I2OSP(epoch, 8) || I2OSP(n, 4) || (I2OSP(len(b_i), 4) ||
    /// b_i)...)`, strings length-prefixed as in the head: what the head's `update` member signs.
    pub fn digest(&self) -> Result<[u8; 32]> {
        let mut hash = Sha256::new();
        for field in [&self.format, &self.issuer, &self.accumulator] {
            let length = u16::try_from(field.len())
                .map_err(|_| Error::Malformed("an epoch update id is longer than 65535 bytes".into()))?;
            hash.update(length.to_be_bytes());
            hash.update(field.as_bytes());
        }
        hash.update(self.epoch.to_be_bytes());
        let count = u32::try_from(self.batches.len())
            .map_err(|_| Error::Malformed("an epoch update has more than 2^32 - 1 batches".into()))?;
        hash.update(count.to_be_bytes());
        for batch in &self.batches {
            let bytes = decode_b64(batch)?;
            let length = u32::try_from(bytes.len())
                .map_err(|_| Error::Malformed("an update batch is longer than 2^32 - 1 bytes".into()))?;
            hash.update(length.to_be_bytes());
            hash.update(&bytes);
        }
        Ok(hash.finalize().into())
    }

    /// The decoded batches, once the update is shown to be the one `head` signs: the format, the ids and
    /// epoch, the digest, then each batch (at most [`MAX_EPOCH_CHANGES`] elements in all).
    pub fn batches_for(&self, head: &EpochView) -> Result<Vec<UpdateBatch>> {
        if self.format != EPOCH_UPDATE_FORMAT {
            return Err(Error::Malformed(format!(
                "epoch update format is {:?}, expected {EPOCH_UPDATE_FORMAT}",
                self.format.chars().take(64).collect::<String>()
            )));
        }
        if self.issuer != head.issuer || self.accumulator != head.accumulator || self.epoch != head.epoch {
            return Err(Error::Malformed(
                "the epoch update is for another accumulator or epoch than its head".into(),
            ));
        }
        // Bounds the hashing before the digest is compared: a batch encodes in 5 + 80 m bytes.
        let encoded: usize = self.batches.iter().map(String::len).sum();
        if encoded > (MAX_EPOCH_CHANGES * 80 + 5 * self.batches.len()).div_ceil(3) * 4 {
            return Err(Error::Malformed(format!(
                "an epoch update changes more than {MAX_EPOCH_CHANGES} elements"
            )));
        }
        // Compared in variable time: both digests are public.
        if self.digest()? != head.update {
            return Err(Error::Malformed(
                "the epoch update is not the one its head signs (digest mismatch)".into(),
            ));
        }
        self.batches
            .iter()
            .map(|b| {
                UpdateBatch::from_bytes(&decode_b64(b)?)
                    .map_err(|_| Error::Malformed("an epoch update batch is malformed".into()))
            })
            .collect()
    }

    /// Parses an update from JSON: exactly the members above, each once.
    pub fn from_json(text: &str) -> Result<EpochUpdate> {
        crate::strict_json::from_str(text).map_err(|e| Error::Malformed(format!("epoch update: {e}")))
    }

    /// The update as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Why a verifier does not accept a proof against an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochRefusal {
    /// The epoch is older than the ones accepted: the previous epoch past the grace, or earlier.
    Stale,
    /// The verifier holds no verified head of this epoch (newer than its newest, or a gap).
    Unknown,
    /// The verifier's newest head is past its successor's due time plus the grace: its revocation data
    /// is out of date and it fails closed until it catches up.
    OutOfDate,
}

impl core::fmt::Display for EpochRefusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            EpochRefusal::Stale => "the proof is against an epoch older than the verifier accepts",
            EpochRefusal::Unknown => "the verifier holds no verified head of that epoch",
            EpochRefusal::OutOfDate => "the verifier's revocation data is out of date",
        })
    }
}

/// A verifier's newest verified heads of one accumulator: the current epoch and, if known, the one
/// before (specs/revocation.md §8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownEpochs {
    current: EpochView,
    previous: Option<EpochView>,
}

impl KnownEpochs {
    /// Starts from one verified head.
    pub fn new(head: EpochView) -> KnownEpochs {
        KnownEpochs {
            current: head,
            previous: None,
        }
    }

    /// The current epoch's head.
    pub fn current(&self) -> &EpochView {
        &self.current
    }

    /// The previous epoch's head, if known.
    pub fn previous(&self) -> Option<&EpochView> {
        self.previous.as_ref()
    }

    /// Takes in another verified head of the same accumulator, from a download or carried by a
    /// presentation. A newer head becomes the current one; an older one is kept only if it is the
    /// current one's predecessor. Two different heads of one epoch are an issuer's equivocation: refused
    /// (and worth reporting), the known heads unchanged.
    pub fn learn(&mut self, head: EpochView) -> Result<()> {
        if !self.current.same_accumulator(&head) {
            return Err(Error::Malformed(
                "the epoch head is of another accumulator".into(),
            ));
        }
        let known = [Some(&self.current), self.previous.as_ref()];
        if let Some(same_epoch) = known.into_iter().flatten().find(|k| k.epoch == head.epoch) {
            return if *same_epoch == head {
                Ok(())
            } else {
                Err(Error::Malformed(format!(
                    "two different signed heads of epoch {} of accumulator {}: the issuer equivocated",
                    head.epoch, head.accumulator
                )))
            };
        }
        if head.epoch > self.current.epoch {
            let old = core::mem::replace(&mut self.current, head);
            self.previous = (old.epoch + 1 == self.current.epoch).then_some(old);
        } else if head.epoch + 1 == self.current.epoch {
            self.previous = Some(head);
        }
        Ok(())
    }

    /// The head a proof against `epoch` is checked against at `now` (Unix seconds), with `grace`
    /// seconds ([`DEFAULT_EPOCH_GRACE_SECONDS`] by default): the current epoch while the verifier is not
    /// out of date, the previous one until `grace` after the current was published.
    pub fn accepted(
        &self,
        epoch: u64,
        now: i64,
        grace: i64,
    ) -> core::result::Result<&EpochView, EpochRefusal> {
        if now > self.current.next_epoch_at.saturating_add(grace) {
            return Err(EpochRefusal::OutOfDate);
        }
        if epoch == self.current.epoch {
            return Ok(&self.current);
        }
        if epoch > self.current.epoch {
            return Err(EpochRefusal::Unknown);
        }
        match &self.previous {
            Some(previous) if previous.epoch == epoch => {
                if now <= self.current.issued_at.saturating_add(grace) {
                    Ok(previous)
                } else {
                    Err(EpochRefusal::Stale)
                }
            }
            _ if epoch + 1 == self.current.epoch && now <= self.current.issued_at.saturating_add(grace) => {
                Err(EpochRefusal::Unknown)
            }
            _ => Err(EpochRefusal::Stale),
        }
    }

    /// The oldest epoch a request made at `now` accepts: the previous one within the grace, else the
    /// current one. `None` when the verifier is out of date.
    pub fn oldest_accepted(&self, now: i64, grace: i64) -> Option<u64> {
        if now > self.current.next_epoch_at.saturating_add(grace) {
            return None;
        }
        match &self.previous {
            Some(previous) if now <= self.current.issued_at.saturating_add(grace) => Some(previous.epoch),
            _ => Some(self.current.epoch),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

    use ecert_bbs::SecretKey;
    use proptest::prelude::*;

    use super::*;

    fn public_key() -> PublicKey {
        SecretKey::key_gen::<CertificateSuite>(&[7u8; 32], b"k", None)
            .unwrap()
            .public_key()
    }

    fn head(
        value: &str,
        accumulator_key: &str,
        update: &str,
        signature: &str,
        capacity: u64,
    ) -> RevocationEpoch {
        RevocationEpoch {
            format: REVOCATION_EPOCH_FORMAT.to_owned(),
            issuer: "i".into(),
            accumulator: "a".into(),
            key_id: "k".into(),
            accumulator_key: accumulator_key.to_owned(),
            capacity,
            epoch: 0,
            issued_at: 0,
            next_epoch_at: 1,
            value: value.to_owned(),
            update: update.to_owned(),
            signature: signature.to_owned(),
        }
    }

    proptest! {
        /// The JSON readers and the checks never panic, whatever the text or the members hold.
        #[test]
        fn readers_never_panic(text in ".{0,400}") {
            let _ = RevocationEpoch::from_json(&text);
            let _ = EpochUpdate::from_json(&text);
        }

        #[test]
        fn verification_never_panics_on_arbitrary_members(
            value in proptest::collection::vec(any::<u8>(), 0..60),
            key in proptest::collection::vec(any::<u8>(), 0..110),
            update in proptest::collection::vec(any::<u8>(), 0..40),
            signature in proptest::collection::vec(any::<u8>(), 0..90),
            capacity in any::<u64>(),
        ) {
            let forged = head(&encode_b64(&value), &encode_b64(&key), &encode_b64(&update), &encode_b64(&signature), capacity);
            prop_assert!(forged.verify(&public_key()).is_err());
        }

        #[test]
        fn updates_never_panic_and_round_trip(batches in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..4)) {
            let update = EpochUpdate {
                format: EPOCH_UPDATE_FORMAT.to_owned(),
                issuer: "i".into(),
                accumulator: "a".into(),
                epoch: 3,
                batches: batches.iter().map(|b| encode_b64(b)).collect(),
            };
            prop_assert_eq!(EpochUpdate::from_json(&update.to_json()).unwrap(), update.clone());
            prop_assert!(update.digest().is_ok());
        }
    }

    #[test]
    fn handles_depend_on_issuer_accumulator_and_index() {
        let a = revocation_handle("i", "a", 0).unwrap();
        assert_ne!(a, revocation_handle("i", "a", 1).unwrap());
        assert_ne!(a, revocation_handle("i", "b", 0).unwrap());
        // Length prefixes: ("ab", "c") and ("a", "bc") are different accumulators.
        assert_ne!(
            accumulator_hash_id("ab", "c").unwrap(),
            accumulator_hash_id("a", "bc").unwrap()
        );
        assert!(revocation_handle("", "a", 0).is_err());
        assert!(revocation_handle("i", "has space", 0).is_err());
    }
}
