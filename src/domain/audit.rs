//! The audit trail's hash chain: each event's hash covers its fields and the previous hash.
//!
//! The chain is keyed: from the event a database records as `keyed_from`, each hash is an
//! HMAC-SHA256 under the audit key, which lives in the key file outside the database. Someone
//! who can write the database but lacks the key cannot rewrite history and recompute the
//! hashes. Events before `keyed_from` (written before keys existed) keep plain SHA-256 hashes;
//! the first keyed event covers the last of them, so it seals them too.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// The secret that keys the audit chain (HMAC-SHA256).
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey(Vec<u8>);

impl ChainKey {
    /// Wraps key bytes.
    pub fn new(bytes: Vec<u8>) -> ChainKey {
        ChainKey(bytes)
    }

    /// The key bytes, for writing the key file.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    /// The proof, stored beside `keyed_from`, that whoever set it held this key: moving the
    /// cut-over to make keyed events look like plain ones fails it.
    pub fn cutover_check(&self, keyed_from: i64) -> String {
        let mut m = self.mac();
        m.update(format!("bizdesk audit chain keyed from {keyed_from}").as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// A keyed tag of a personal value (an email, a phone) for an audit summary: the key
    /// holder can prove which value was set, the trail does not hold it, and without the key
    /// nobody can test guesses against it. `hmac:` and 12 hex digits.
    pub fn tag(&self, field: &str, value: &str) -> String {
        let mut m = self.mac();
        m.update(b"bizdesk personal value\0");
        m.update(field.as_bytes());
        m.update(b"\0");
        m.update(value.as_bytes());
        format!("hmac:{}", &hex::encode(m.finalize().into_bytes())[..12])
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey([redacted])")
    }
}

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event's content, as hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    /// Milliseconds since the Unix epoch, UTC.
    pub at_ms: i64,
    pub actor: String,
    pub on_behalf_of: Option<String>,
    pub action: String,
    pub subject: String,
    pub summary: String,
}

impl AuditEvent {
    /// Feeds the event to a hash. Fields are length-prefixed so no two different events can
    /// encode to the same bytes.
    fn encode(&self, prev_hash: &str, update: &mut dyn FnMut(&[u8])) {
        let mut field = |bytes: &[u8]| {
            update(&(bytes.len() as u64).to_be_bytes());
            update(bytes);
        };
        field(prev_hash.as_bytes());
        field(&self.seq.to_be_bytes());
        field(&self.at_ms.to_be_bytes());
        field(self.actor.as_bytes());
        field(self.on_behalf_of.as_deref().unwrap_or("").as_bytes());
        field(&[u8::from(self.on_behalf_of.is_some())]);
        field(self.action.as_bytes());
        field(self.subject.as_bytes());
        field(self.summary.as_bytes());
    }

    /// The plain chained hash (hex SHA-256), as events before the cut-over carry.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        self.encode(prev_hash, &mut |b| h.update(b));
        hex::encode(h.finalize())
    }

    /// The keyed chained hash (hex HMAC-SHA256 under `key`).
    pub fn mac(&self, key: &ChainKey, prev_hash: &str) -> String {
        let mut m = key.mac();
        self.encode(prev_hash, &mut |b| m.update(b));
        hex::encode(m.finalize().into_bytes())
    }

    /// The hash this event carries in a chain keyed from `keyed_from` (`None`: not keyed).
    pub fn seal(&self, key: &ChainKey, keyed_from: Option<i64>, prev_hash: &str) -> String {
        match keyed_from {
            Some(from) if self.seq >= from => self.mac(key, prev_hash),
            _ => self.hash(prev_hash),
        }
    }
}

/// A stored event with its chain fields, as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain failed verification, naming the first bad sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// A sequence number is missing or out of order (a row deleted or inserted).
    Gap { expected: i64, found: i64 },
    /// The row's stored previous hash is not the prior row's hash.
    Link { seq: i64 },
    /// The row's content does not match its hash (a row edited).
    Content { seq: i64 },
    /// The chain head records more or other events than the table holds (rows cut off the end).
    Head { seq: i64 },
    /// The record of where the keyed chain begins (at `seq`) was not made with this key: it
    /// was altered, or the key file belongs to another database.
    Keying { seq: i64 },
}

impl ChainFault {
    /// The first sequence number at fault.
    pub fn seq(&self) -> i64 {
        match self {
            ChainFault::Gap { expected, .. } => *expected,
            ChainFault::Link { seq }
            | ChainFault::Content { seq }
            | ChainFault::Head { seq }
            | ChainFault::Keying { seq } => *seq,
        }
    }
}

/// Incremental verifier, so a long chain streams through in constant memory.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: ChainKey,
    keyed_from: Option<i64>,
    next_seq: i64,
    prev_hash: String,
}

impl Verifier {
    /// A verifier for a chain keyed with `key` from `keyed_from` with the stored proof
    /// `check`; a record not made with this key is refused at once.
    pub fn new(
        key: ChainKey,
        keyed_from: Option<i64>,
        check: Option<&str>,
    ) -> Result<Self, ChainFault> {
        if let Some(from) = keyed_from {
            if check != Some(key.cutover_check(from).as_str()) {
                return Err(ChainFault::Keying { seq: from });
            }
        }
        Ok(Verifier {
            key,
            keyed_from,
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
        })
    }

    /// Checks the next stored event.
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), ChainFault> {
        if e.event.seq != self.next_seq {
            return Err(ChainFault::Gap {
                expected: self.next_seq,
                found: e.event.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainFault::Link { seq: e.event.seq });
        }
        if e.event.seal(&self.key, self.keyed_from, &self.prev_hash) != e.hash {
            return Err(ChainFault::Content { seq: e.event.seq });
        }
        self.next_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the recorded head; returns the number of events.
    /// A chain must reach the keyed part: cutting it back to before the cut-over is caught.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        let count = self.next_seq - 1;
        let keyed_reached = self.keyed_from.is_none_or(|from| count >= from - 1);
        if head_seq != count || head_hash != self.prev_hash || !keyed_reached {
            return Err(ChainFault::Head {
                seq: count.min(head_seq) + 1,
            });
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ChainKey {
        ChainKey::new(b"audit key".to_vec())
    }

    /// A chain of `n` events, keyed from `keyed_from`.
    fn chain(n: i64, keyed_from: Option<i64>) -> Vec<StoredEvent> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: "li.na".into(),
                    on_behalf_of: None,
                    action: "requisition.submit".into(),
                    subject: format!("REQ-{seq:06}"),
                    summary: "ThinkPad".into(),
                };
                let hash = event.seal(&key(), keyed_from, &prev);
                let stored = StoredEvent {
                    event,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                stored
            })
            .collect()
    }

    fn verify_from(
        events: &[StoredEvent],
        keyed_from: Option<i64>,
        head_seq: i64,
        head_hash: &str,
    ) -> Result<i64, ChainFault> {
        let check = keyed_from.map(|f| key().cutover_check(f));
        let mut v = Verifier::new(key(), keyed_from, check.as_deref())?;
        for e in events {
            v.push(e)?;
        }
        v.finish(head_seq, head_hash)
    }

    fn verify(events: &[StoredEvent], head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        verify_from(events, Some(1), head_seq, head_hash)
    }

    #[test]
    fn intact_chain_verifies_and_tampering_names_the_row() {
        let c = chain(5, Some(1));
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, 5, &head), Ok(5));

        let mut edited = c.clone();
        edited[2].event.summary = "MacBook".into();
        assert_eq!(
            verify(&edited, 5, &head),
            Err(ChainFault::Content { seq: 3 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, 5, &head).unwrap_err().seq(), 2);

        let truncated = &c[..4];
        assert_eq!(verify(truncated, 5, &head).unwrap_err().seq(), 5);
    }

    #[test]
    fn a_rewrite_with_recomputed_plain_hashes_fails_a_keyed_chain() {
        let mut forged = chain(5, None);
        forged[2].event.summary = "MacBook".into();
        let mut prev = GENESIS.to_string();
        for e in &mut forged {
            e.prev_hash = prev.clone();
            e.hash = e.event.hash(&prev);
            prev = e.hash.clone();
        }
        assert_eq!(
            verify(&forged, 5, &prev),
            Err(ChainFault::Content { seq: 1 })
        );
        // Nor can the cut-over be moved past the end to pass them off as old events.
        assert_eq!(
            Verifier::new(key(), Some(6), Some(&key().cutover_check(1))).unwrap_err(),
            ChainFault::Keying { seq: 6 }
        );
    }

    #[test]
    fn plain_events_before_the_cut_over_are_sealed_by_the_first_keyed_one() {
        let c = chain(5, Some(4));
        let head = c[4].hash.clone();
        assert_eq!(verify_from(&c, Some(4), 5, &head), Ok(5));
        // Rewriting an old event and recomputing the old hashes breaks the keyed link after.
        let mut edited = c.clone();
        edited[1].event.summary = "MacBook".into();
        edited[1].hash = edited[1].event.hash(&edited[1].prev_hash);
        edited[2].prev_hash = edited[1].hash.clone();
        edited[2].hash = edited[2].event.hash(&edited[2].prev_hash);
        edited[3].prev_hash = edited[2].hash.clone();
        assert_eq!(
            verify_from(&edited, Some(4), 5, &head),
            Err(ChainFault::Content { seq: 4 })
        );
        // Cutting the chain back to before the cut-over is caught.
        let short = &c[..2];
        assert_eq!(
            verify_from(short, Some(4), 2, &c[1].hash)
                .unwrap_err()
                .seq(),
            3
        );
    }

    #[test]
    fn on_behalf_of_is_part_of_the_hash() {
        let mut a = chain(1, None).remove(0).event;
        let h1 = a.hash(GENESIS);
        a.on_behalf_of = Some(String::new());
        assert_ne!(h1, a.hash(GENESIS));
    }
}
