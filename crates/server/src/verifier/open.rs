//! The requests this process created that are still waiting for their answer, kept in memory so that
//! answering one does not read it back from the database.
//!
//! The database stays the authority: a request is spent only by the answer writer's `UPDATE ... WHERE
//! used_at IS NULL`, and anything not found here (created before a restart, answered already, or left
//! out because the cache was full) is read from the database as before. An entry leaves when its
//! request is answered or expires, so a replay always goes to the database and finds the nonce used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ecert_credential::PresentationRequest;

/// At most this many requests in memory (a request is a few hundred bytes); beyond it, the database.
const CAPACITY: usize = 16_384;

/// Requests waiting for an answer, by nonce.
#[derive(Debug, Default)]
pub(super) struct OpenRequests {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_nonce: HashMap<String, (String, Arc<PresentationRequest>)>,
    /// When expired entries were last dropped (seconds since the epoch), so that a cache full of live
    /// requests is not scanned on every insertion.
    last_purge: i64,
}

impl OpenRequests {
    /// Remembers a request `verifier` just created (and committed).
    pub(super) fn insert(&self, verifier: &str, request: PresentationRequest, now: i64) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.by_nonce.len() >= CAPACITY && inner.last_purge < now {
            inner.by_nonce.retain(|_, (_, r)| r.expires_at >= now);
            inner.last_purge = now;
        }
        if inner.by_nonce.len() < CAPACITY {
            inner
                .by_nonce
                .insert(request.nonce.clone(), (verifier.to_owned(), Arc::new(request)));
        }
    }

    /// The request with this nonce if `verifier` made it, it is known here, and it is still open.
    pub(super) fn get(&self, verifier: &str, nonce: &str, now: i64) -> Option<Arc<PresentationRequest>> {
        let inner = self.inner.lock().ok()?;
        let (owner, request) = inner.by_nonce.get(nonce)?;
        (owner == verifier && request.expires_at >= now).then(|| Arc::clone(request))
    }

    /// Forgets a request once answered.
    pub(super) fn remove(&self, nonce: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.by_nonce.remove(nonce);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map_or(0, |inner| inner.by_nonce.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(nonce: &str, expires_at: i64) -> PresentationRequest {
        PresentationRequest {
            format: ecert_credential::REQUEST_FORMAT.into(),
            verifier: "v".into(),
            purpose: "p".into(),
            nonce: nonce.into(),
            expires_at,
            items: Vec::new(),
        }
    }

    #[test]
    fn a_request_is_found_only_by_its_verifier_while_open() {
        let open = OpenRequests::default();
        open.insert("v", request("n1", 100), 0);
        assert!(open.get("v", "n1", 100).is_some());
        assert!(open.get("w", "n1", 100).is_none(), "another verifier's nonce");
        assert!(open.get("v", "n1", 101).is_none(), "expired");
        assert!(open.get("v", "n2", 0).is_none(), "unknown");
        open.remove("n1");
        assert!(open.get("v", "n1", 0).is_none(), "answered");
    }

    #[test]
    fn a_full_cache_drops_expired_requests_and_otherwise_leaves_new_ones_to_the_database() {
        let open = OpenRequests::default();
        for n in 0..CAPACITY {
            open.insert("v", request(&format!("old{n}"), 10), 0);
        }
        open.insert("v", request("refused", 100), 5);
        assert_eq!(open.len(), CAPACITY);
        assert!(open.get("v", "refused", 5).is_none());
        // At 11 every entry has expired: they go, and the new request fits.
        open.insert("v", request("fresh", 100), 11);
        assert_eq!(open.len(), 1);
        assert!(open.get("v", "fresh", 11).is_some());
    }
}
