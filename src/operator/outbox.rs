//! `bizdesk outbox list|retry`: what is waiting, sent or dead, and requeuing dead letters.

use crate::chat::console::EXIT_USER_ERROR;
use crate::chat::Chat;
use crate::operator::output;
use crate::outln;
use crate::service;

/// `bizdesk outbox list [--failed]`: the newest messages (or dead letters), one a line.
pub async fn list(chat: &Chat, failed: bool, limit: i64) -> anyhow::Result<u8> {
    let desk = &chat.desk;
    let rows = service::outbox::list(desk, failed, limit)
        .await
        .map_err(anyhow::Error::from)?;
    if rows.is_empty() {
        outln!(
            "{}",
            if failed {
                "no dead letters"
            } else {
                "the outbox is empty"
            }
        )?;
        return Ok(0);
    }
    let tz = desk.company.time_zone;
    // One write.
    let mut text = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "{:>7}  {:<6} {:<18} {:<28} {:<8} {:>3}  {:<16}  ERROR / PROVIDER",
        "ID", "CHAN", "KIND", "TO", "STATUS", "TRY", "CREATED"
    );
    for m in rows {
        let to = m
            .address
            .clone()
            .or(m.recipient_id.map(|r| format!("employee #{r}")))
            .unwrap_or_default();
        let created = crate::store::from_ms(m.created_at)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M");
        let note = match m.status {
            crate::store::outbox::OutboxStatus::Sent => m.provider_id.clone().unwrap_or_default(),
            _ => m.last_error.clone().unwrap_or_default(),
        };
        let _ = writeln!(
            text,
            "{:>7}  {:<6} {:<18} {:<28} {:<8} {:>3}  {created}  {note}",
            m.id, m.channel, m.kind, to, m.status, m.attempts
        );
    }
    output::write(&text)?;
    Ok(0)
}

/// `bizdesk outbox retry ID|--all-failed`: requeues dead letters.
pub async fn retry(chat: &Chat, id: Option<i64>) -> anyhow::Result<u8> {
    let desk = &chat.desk;
    let ids = service::outbox::retry(desk, id, "operator")
        .await
        .map_err(anyhow::Error::from)?;
    match (ids.is_empty(), id) {
        (true, Some(id)) => {
            outln!("message {id} is not a dead letter (see `bizdesk outbox list --failed`)")?;
            Ok(EXIT_USER_ERROR as u8)
        }
        (true, None) => {
            outln!("no dead letters to retry")?;
            Ok(0)
        }
        _ => {
            let shown: Vec<String> = ids.iter().map(i64::to_string).collect();
            outln!("requeued {}: {}", ids.len(), shown.join(", "))?;
            Ok(0)
        }
    }
}
