//! One email from templates: subject, plain text and HTML from
//! `templates/email/<locale>/<kind>.{subject.txt,txt,html}` (the HTML escaped, the text not,
//! both in the branded layouts), with a Message-ID derived from its outbox row and the
//! thread it belongs to.

use crate::chat::render::Renderer;
use crate::domain::Locale;
use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde_json::Value;

/// The three rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders a kind of email in a locale. `ctx` is the outbox payload plus `company`,
/// `recipient` and the like; a missing variable is an error, never a blank. `discord` says
/// whether the company uses Discord (templates mention it only then).
pub fn render(
    r: &Renderer,
    locale: Locale,
    kind: &str,
    ctx: &Value,
    discord: bool,
) -> anyhow::Result<Rendered> {
    // Whether the company uses Discord: without it, no email sends anyone there.
    let mut ctx = ctx.clone();
    if let Value::Object(map) = &mut ctx {
        map.insert("discord".into(), Value::Bool(discord));
    }
    let ctx = &ctx;
    let base = format!("email/{}/{kind}", locale.tag());
    let subject = r.render_file(locale, &format!("{base}.subject.txt"), ctx)?;
    // A subject is one line, whatever the template did.
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = r.render_file(locale, &format!("{base}.txt"), ctx)?;
    let html = r.render_file(locale, &format!("{base}.html"), ctx)?;
    Ok(Rendered {
        subject,
        text: format!("{text}\n"),
        html: format!("{html}\n"),
    })
}

/// The Message-ID of an outbox row: the same on every retry of the row, different for every
/// row (and, through `created_ms`, across databases that reuse ids).
pub fn message_id(id: i64, created_ms: i64, domain: &str) -> String {
    format!("<bizdesk.{id}.{created_ms}@{domain}>")
}

/// Everything the headers need besides the content.
pub struct Envelope<'a> {
    pub from: &'a Mailbox,
    pub reply_to: Option<&'a Mailbox>,
    pub to: &'a str,
    pub to_name: Option<&'a str>,
    pub message_id: String,
    /// Message-IDs of the earlier emails of the thread, oldest first.
    pub thread: &'a [String],
}

/// Builds the message; an error means the recipient's address is unusable.
pub fn build(env: &Envelope<'_>, content: Rendered) -> anyhow::Result<Message> {
    let to: lettre::Address = env
        .to
        .trim()
        .parse()
        .with_context(|| format!("`{}` is not a valid email address", env.to))?;
    let mut b = Message::builder()
        .from(env.from.clone())
        .to(Mailbox::new(env.to_name.map(str::to_string), to))
        .subject(content.subject)
        .message_id(Some(env.message_id.clone()));
    if let Some(r) = env.reply_to {
        b = b.reply_to(r.clone());
    }
    if let Some(last) = env.thread.last() {
        b = b.in_reply_to(last.clone());
        // The first and the latest few are enough for every client to place it.
        let refs: Vec<&str> = match env.thread.len() {
            n if n > 10 => std::iter::once(&env.thread[0])
                .chain(&env.thread[n - 9..])
                .map(String::as_str)
                .collect(),
            _ => env.thread.iter().map(String::as_str).collect(),
        };
        b = b.references(refs.join(" "));
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(content.text),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(content.html),
        );
    b.multipart(body).context("building the message")
}
