//! The audit trail's hash chain: each event's hash covers its fields and the previous hash.

use sha2::{Digest, Sha256};

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
    /// The chained hash (hex SHA-256). Fields are length-prefixed so no two different events
    /// can encode to the same bytes.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
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
        hex::encode(h.finalize())
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
}

impl ChainFault {
    /// The first sequence number at fault.
    pub fn seq(&self) -> i64 {
        match self {
            ChainFault::Gap { expected, .. } => *expected,
            ChainFault::Link { seq } | ChainFault::Content { seq } | ChainFault::Head { seq } => {
                *seq
            }
        }
    }
}

/// Incremental verifier, so a long chain streams through in constant memory.
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl Verifier {
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
        if e.event.hash(&self.prev_hash) != e.hash {
            return Err(ChainFault::Content { seq: e.event.seq });
        }
        self.next_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the recorded head; returns the number of events.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        let count = self.next_seq - 1;
        if head_seq != count || head_hash != self.prev_hash {
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

    fn chain(n: i64) -> Vec<StoredEvent> {
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
                let hash = event.hash(&prev);
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

    fn verify(events: &[StoredEvent], head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        let mut v = Verifier::default();
        for e in events {
            v.push(e)?;
        }
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn intact_chain_verifies_and_tampering_names_the_row() {
        let c = chain(5);
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
    fn on_behalf_of_is_part_of_the_hash() {
        let mut a = chain(1).remove(0).event;
        let h1 = a.hash(GENESIS);
        a.on_behalf_of = Some(String::new());
        assert_ne!(h1, a.hash(GENESIS));
    }
}
