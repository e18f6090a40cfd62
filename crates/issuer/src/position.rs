//! Status positions: where each certificate's status lives. An issuer's certificates are numbered in
//! issuance order from 0 (they are never deleted, so the number only grows); certificate `n` takes entry
//! `n mod capacity` of list `sl-<n div capacity>`. A list is published, all valid, when its first entry is
//! allocated, before any certificate pointing into it can be presented.

use ecert_credential::{MAX_STATUS_LIST_CAPACITY, STATUS_LIST_CAPACITY, StatusRef};

use crate::error::{Error, Result};

/// The numbering of an issuer's status positions: lists of one capacity, named `sl-0`, `sl-1`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusPositions {
    capacity: u32,
}

impl Default for StatusPositions {
    fn default() -> StatusPositions {
        StatusPositions {
            capacity: STATUS_LIST_CAPACITY,
        }
    }
}

impl StatusPositions {
    /// Lists of `capacity` entries: a multiple of 4 from 4 to [`MAX_STATUS_LIST_CAPACITY`], as status
    /// lists require (specs/status-list.md).
    pub fn with_capacity(capacity: u32) -> Result<StatusPositions> {
        if capacity < 4 || capacity % 4 != 0 || capacity > MAX_STATUS_LIST_CAPACITY {
            return Err(Error::StatusIndexOutOfRange { index: 0, capacity });
        }
        Ok(StatusPositions { capacity })
    }

    /// Entries per list.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The position of the issuer's certificate number `sequence` (0 for its first).
    pub fn position(&self, sequence: u64) -> StatusRef {
        let capacity = u64::from(self.capacity);
        StatusRef {
            list: list_name(sequence / capacity),
            // The remainder is below the capacity, itself a u32.
            index: u32::try_from(sequence % capacity).unwrap_or(u32::MAX),
        }
    }

    /// The certificate number a position belongs to, or `None` for a position this numbering never
    /// allocates (another list name, an index past the capacity).
    pub fn sequence(&self, position: &StatusRef) -> Option<u64> {
        let list: u64 = position.list.strip_prefix("sl-")?.parse().ok()?;
        if list_name(list) != position.list || position.index >= self.capacity {
            return None;
        }
        list.checked_mul(u64::from(self.capacity))?
            .checked_add(u64::from(position.index))
    }

    /// Whether allocating `position` opens its list, which must then be published.
    pub fn opens_list(&self, position: &StatusRef) -> bool {
        position.index == 0
    }
}

/// `sl-<n>`, in decimal without leading zeros.
fn list_name(list: u64) -> String {
    format!("sl-{list}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn at(list: &str, index: u32) -> StatusRef {
        StatusRef {
            list: list.into(),
            index,
        }
    }

    #[test]
    fn certificates_fill_one_list_after_another() {
        let positions = StatusPositions::with_capacity(8).unwrap();
        assert_eq!(positions.position(0), at("sl-0", 0));
        assert_eq!(positions.position(7), at("sl-0", 7));
        assert_eq!(positions.position(8), at("sl-1", 0));
        assert_eq!(positions.position(8 * 1000 + 3), at("sl-1000", 3));
        assert!(positions.opens_list(&positions.position(16)));
        assert!(!positions.opens_list(&positions.position(17)));
    }

    #[test]
    fn the_standard_lists_hold_131072_entries() {
        let positions = StatusPositions::default();
        assert_eq!(positions.capacity(), STATUS_LIST_CAPACITY);
        assert_eq!(positions.position(131_071), at("sl-0", 131_071));
        assert_eq!(positions.position(131_072), at("sl-1", 0));
        // The last certificate number a u64 can hold still has a position.
        let last = positions.position(u64::MAX);
        assert_eq!(positions.sequence(&last), Some(u64::MAX));
    }

    #[test]
    fn distinct_numbers_get_distinct_positions_and_a_position_gives_its_number_back() {
        let positions = StatusPositions::with_capacity(4).unwrap();
        let mut seen = std::collections::HashSet::new();
        for sequence in 0..1000 {
            let position = positions.position(sequence);
            assert_eq!(positions.sequence(&position), Some(sequence));
            assert!(seen.insert(position));
        }
        for foreign in [
            at("2026", 0),
            at("sl-01", 0),
            at("sl-0", 4),
            at("sl-", 0),
            at("sl-x", 1),
        ] {
            assert_eq!(positions.sequence(&foreign), None, "{foreign:?}");
        }
    }

    #[test]
    fn a_capacity_that_status_lists_cannot_have_is_refused() {
        for capacity in [0, 2, 6, MAX_STATUS_LIST_CAPACITY + 4] {
            assert!(StatusPositions::with_capacity(capacity).is_err(), "{capacity}");
        }
        assert!(StatusPositions::with_capacity(MAX_STATUS_LIST_CAPACITY).is_ok());
    }
}
