//! Proving and exporting the audit trail.

use crate::domain::audit::{ChainFault, StoredEvent, Verifier};
use crate::service::{Desk, DeskResult};
use crate::store::{self, audit};
use std::io::Write;

const PAGE: i64 = 1000;

/// An intact chain: how many events, and the head hash to record outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub events: i64,
    /// Keep this somewhere else (a ticket, a printed report): a later verify whose chain no
    /// longer passes through it proves history was rewritten, even with recomputed hashes.
    pub head_hash: String,
    /// The first event whose hash is keyed (HMAC with the key file's audit key); earlier ones
    /// are plain SHA-256, sealed by it. `None`: never keyed.
    pub keyed_from: Option<i64>,
}

/// Verifies the whole chain on one consistent snapshot, so appends committed meanwhile are
/// not mistaken for tampering. `Ok(Err(fault))` names the first bad sequence number.
pub async fn verify(desk: &Desk) -> DeskResult<Result<Verified, ChainFault>> {
    let mut tx = desk.store.begin_snapshot().await?;
    let (keyed_from, check) = audit::keying(&mut tx).await?;
    let mut v = match Verifier::new(desk.keys.audit.clone(), keyed_from, check.as_deref()) {
        Ok(v) => v,
        Err(f) => return Ok(Err(f)),
    };
    let mut after = 0;
    loop {
        let page = audit::page(&mut tx, after, i64::MIN, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.event.seq;
        for e in &page {
            if let Err(f) = v.push(e) {
                return Ok(Err(f));
            }
        }
    }
    let (seq, hash) = audit::head(&mut tx).await?;
    tx.rollback().await?;
    Ok(v.finish(seq, &hash).map(|events| Verified {
        events,
        head_hash: hash,
        keyed_from,
    }))
}

/// Writes events at or after `since_ms` as CSV, times in the company's zone.
pub async fn export(desk: &Desk, since_ms: i64, out: &mut dyn Write) -> DeskResult<u64> {
    let mut conn = desk.store.pool().acquire().await?;
    let tz = desk.company.time_zone;
    writeln!(
        out,
        "seq,time,actor,on_behalf_of,action,subject,summary,hash"
    )
    .map_err(anyhow::Error::from)?;
    let mut after = 0;
    let mut n = 0;
    loop {
        let page: Vec<StoredEvent> = audit::page(&mut conn, after, since_ms, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.event.seq;
        for s in &page {
            let e = &s.event;
            let time = store::from_ms(e.at_ms).with_timezone(&tz).to_rfc3339();
            let fields = [
                e.seq.to_string(),
                time,
                e.actor.clone(),
                e.on_behalf_of.clone().unwrap_or_default(),
                e.action.clone(),
                e.subject.clone(),
                e.summary.clone(),
                s.hash.clone(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            writeln!(out, "{}", line.join(",")).map_err(anyhow::Error::from)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Quotes a CSV field when needed (RFC 4180), and defuses spreadsheet formulas.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
