//! Replies as Discord message bodies: content (within 2,000 characters), ephemeral flags, and
//! buttons in action rows (at most 5 rows of 5).

use crate::chat::buttons::Style;
use crate::chat::{Action, Reply};
use serde_json::{json, Value};

/// The text input's id in the reason modal.
pub const REASON: &str = "reason";
/// Discord's limit on message content.
const MAX_CONTENT: usize = 2000;
/// Ephemeral: only the user who acted sees it.
const EPHEMERAL: u64 = 64;

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CONTENT {
        return text.to_string();
    }
    let mut s: String = text.chars().take(MAX_CONTENT - 1).collect();
    s.push('…');
    s
}

/// A private text reply.
pub fn text(content: &str) -> Value {
    json!({ "content": clip(content), "flags": EPHEMERAL, "allowed_mentions": { "parse": [] } })
}

/// A private reply with its buttons.
pub fn reply(reply: &Reply) -> Value {
    let mut body = text(&reply.text);
    body["components"] = json!(rows(&reply.actions));
    body
}

/// A DM (not ephemeral: DMs are private already) with its buttons.
pub fn dm(content: &str, actions: &[Action]) -> Value {
    json!({ "content": clip(content), "components": rows(actions), "allowed_mentions": { "parse": [] } })
}

/// Buttons grouped per subject (a prompt's Approve / Reject / Request changes share a row).
fn rows(actions: &[Action]) -> Vec<Value> {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut last_ref: Option<&str> = None;
    for a in actions {
        let same = last_ref.is_some() && last_ref == a.reference.as_deref();
        if !same || rows.last().is_some_and(|r| r.len() == 5) {
            rows.push(Vec::new());
        }
        last_ref = a.reference.as_deref();
        let style = match a.style {
            Style::Go => 3,      // green
            Style::Stop => 4,    // red
            Style::Neutral => 2, // grey
        };
        if let Some(row) = rows.last_mut() {
            row.push(
                json!({ "type": 2, "style": style, "label": a.label, "custom_id": a.custom_id }),
            );
        }
    }
    rows.into_iter()
        .take(5)
        .map(|components| json!({ "type": 1, "components": components }))
        .collect()
}

/// The modal asking why (Reject, Request changes).
pub fn reason_modal(custom_id: &str, title: &str, label: &str) -> Value {
    json!({
        "custom_id": custom_id,
        "title": title.chars().take(45).collect::<String>(),
        "components": [{ "type": 1, "components": [{
            "type": 4, "custom_id": REASON, "style": 2, "label": label.chars().take(45).collect::<String>(),
            "required": true, "min_length": 1, "max_length": 1000,
        }]}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(verb: &str, r: &str) -> Action {
        Action {
            label: verb.into(),
            command: String::new(),
            needs_comment: verb != "approve",
            custom_id: format!("appr:{verb}:{r}"),
            reference: Some(r.into()),
            task_id: None,
            style: match verb {
                "approve" => Style::Go,
                "reject" => Style::Stop,
                _ => Style::Neutral,
            },
            modal_title: None,
        }
    }

    #[test]
    fn buttons_group_by_subject_within_discords_limits() {
        let mut actions = Vec::new();
        for i in 0..8 {
            for verb in ["approve", "reject", "changes"] {
                actions.push(action(verb, &format!("REQ-{i:06}")));
            }
        }
        let r = rows(&actions);
        assert_eq!(r.len(), 5);
        assert_eq!(r[0]["components"].as_array().unwrap().len(), 3);
        assert_eq!(r[0]["components"][0]["style"], 3);
        let long = "x".repeat(3000);
        assert_eq!(
            text(&long)["content"].as_str().unwrap().chars().count(),
            2000
        );
    }
}
