//! Forgetting a customer (a data-protection request to erase their personal data).
//!
//! Erased: the customer's name, company, email and phone; what was written on their inquiries
//! (subject, details, notes, replies, resolution, satisfaction comment); the name and note of
//! callbacks linked to them; emails to them not sent yet (dropped); their name, company, email
//! and phone inside other queued or delivered messages about them (email and chat).
//! Kept: the customer row (as `(forgotten)`, so numbers and links hold), orders, opportunities,
//! contracts and payments (business records the company must keep; they refer to the
//! customer by number), inquiry kinds, categories, departments, times and scores (reports),
//! and the audit trail, untouched: it holds no personal data. Satisfaction links sent to them
//! stop working. The erasure is recorded in the trail without the data.

use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::domain::CustomerId;
use crate::service_desk::forget::store as forget;
use crate::store::{self, audit};
use serde_json::Value;

/// What forgetting a customer erased (or would erase, when not applied).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub customer_id: CustomerId,
    /// Inquiries whose texts were erased.
    pub inquiries: usize,
    /// Callbacks whose name and note were erased.
    pub callbacks: u64,
    /// Emails to them not sent yet, dropped.
    pub unsent_emails: u64,
    /// Other messages (sent emails, chat notifications) scrubbed of their data.
    pub messages_scrubbed: usize,
    /// They had been forgotten before; nothing was left to erase.
    pub already: bool,
}

/// Erases the personal data of the customer `who` names (`#12`) as `actor` (an operator).
/// With `apply` false nothing is written: the report says what would be erased.
pub async fn forget(desk: &Desk, actor: &str, who: &str, apply: bool) -> DeskResult<Forgotten> {
    let mut tx = desk.begin().await?;
    let c = crate::service_desk::customers::service::by_number_or_email(&mut tx, who).await?;
    let mut report = Forgotten {
        customer_id: c.id,
        ..Forgotten::default()
    };
    if forget::is_forgotten(&mut tx, c.id).await? {
        report.already = true;
        tx.rollback().await?;
        return Ok(report);
    }
    let now = store::to_ms(desk.now());
    let personal: Vec<&str> = [c.name.as_str(), &c.company, &c.email, &c.phone]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    let inquiry_ids = forget::inquiries(&mut tx, c.id, now).await?;
    report.inquiries = inquiry_ids.len();
    report.callbacks = forget::callbacks(&mut tx, c.id).await?;
    if !c.email.is_empty() {
        report.unsent_emails = forget::drop_unsent_email(&mut tx, &c.email).await?;
    }
    let (orders, opportunities) = forget::sales_ids(&mut tx, c.id).await?;
    let refs: Vec<String> = inquiry_ids
        .iter()
        .map(|id| crate::service_desk::inquiries::service::reference(*id).to_string())
        .chain(
            orders
                .iter()
                .map(|id| crate::sales::orders::service::reference(*id).to_string()),
        )
        .chain(
            opportunities
                .iter()
                .map(|id| crate::sales::opportunities::service::reference(*id).to_string()),
        )
        .collect();
    for (id, payload) in forget::outbox_rows(&mut tx, &c.email, &refs).await? {
        let Ok(mut value) = serde_json::from_str::<Value>(&payload) else {
            continue;
        };
        if scrub(&mut value, &personal) {
            forget::scrub_outbox_row(&mut tx, id, &value.to_string(), &c.email).await?;
            report.messages_scrubbed += 1;
        }
    }
    forget::customer(&mut tx, c.id, now).await?;
    let event = audit_event(
        desk.now(),
        actor,
        None,
        "customer.forget",
        &format!("customer #{}", c.id),
        format!(
            "personal data erased: name, company, email, phone; texts of {} inquiries; {} callbacks; \
             {} unsent emails dropped; {} messages scrubbed",
            report.inquiries, report.callbacks, report.unsent_emails, report.messages_scrubbed
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    if apply {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(report)
}

/// Replaces, anywhere in a message's payload, a string that is one of `personal` (a name or
/// company) or contains one (an email or phone inside a text). Returns whether anything changed.
fn scrub(value: &mut Value, personal: &[&str]) -> bool {
    match value {
        Value::String(s) => {
            let hit = personal
                .iter()
                .any(|p| s == p || (p.len() >= 6 && s.contains(p)));
            if hit {
                let mut out = s.clone();
                for p in personal.iter().filter(|p| p.len() >= 6) {
                    out = out.replace(p, forget::ERASED);
                }
                if personal.contains(&s.as_str()) {
                    out = forget::ERASED.to_string();
                }
                *s = out;
            }
            hit
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| scrub(v, personal) | changed),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |changed, v| scrub(v, personal) | changed),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::scrub;
    use serde_json::json;

    #[test]
    fn personal_values_are_replaced_wherever_they_sit() {
        let mut v = json!({ "customer": "周军", "customer_email": "zj@huadong.cn",
            "owner": "Li Na", "text": "mail zj@huadong.cn or call", "n": 3, "list": ["周军"] });
        assert!(scrub(&mut v, &["周军", "zj@huadong.cn"]));
        assert_eq!(
            v,
            json!({ "customer": "[erased]", "customer_email": "[erased]", "owner": "Li Na",
                "text": "mail [erased] or call", "n": 3, "list": ["[erased]"] })
        );
        assert!(!scrub(&mut json!({ "owner": "Li Na" }), &["Li"]));
    }
}
