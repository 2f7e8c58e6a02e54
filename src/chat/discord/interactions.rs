//! One Discord interaction in, one response out: slash commands, buttons, the reason modal
//! and autocomplete. The same code serves the gateway and the HTTP endpoint.

use super::components;
use crate::chat::{Action, Chat};
use crate::commands::{bind, RawValue};
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::{directory, suggest};
use serde_json::{json, Value};
use serenity::all::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandDataResolved,
    CommandInteraction, ComponentInteraction, Interaction, ModalInteraction,
};

/// What to answer an interaction with.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A PING (HTTP mode): answer PONG.
    Pong,
    /// A message (type 4), or the edit of a deferred response; `data` is its body.
    Message(Value),
    /// A modal asking for input (type 9).
    Modal(Value),
    /// Autocomplete choices (type 8).
    Choices(Value),
    /// Already handled (a replay): say nothing more.
    Duplicate,
}

impl Outcome {
    /// The interaction-response body for this outcome.
    pub fn response(&self) -> Option<Value> {
        match self {
            Outcome::Pong => Some(json!({ "type": 1 })),
            Outcome::Message(d) => Some(json!({ "type": 4, "data": d })),
            Outcome::Modal(d) => Some(json!({ "type": 9, "data": d })),
            Outcome::Choices(d) => Some(json!({ "type": 8, "data": d })),
            Outcome::Duplicate => None,
        }
    }
}

/// Handles any interaction.
pub async fn handle(chat: &Chat, interaction: &Interaction) -> Outcome {
    match interaction {
        Interaction::Ping(_) => Outcome::Pong,
        Interaction::Autocomplete(a) => autocomplete(chat, a).await,
        // Each acts at most once: the interaction id is recorded inside the transaction of
        // whatever it changes, so a gateway replay after RESUME finds it and does nothing.
        Interaction::Command(c) => command(&for_request(chat, c.id.get()), c).await,
        Interaction::Component(c) => button(&for_request(chat, c.id.get()), c).await,
        Interaction::Modal(m) => modal(&for_request(chat, m.id.get()), m).await,
        _ => Outcome::Message(components::text(
            &chat
                .renderer
                .msg(Locale::En, &Msg::new("discord.unsupported")),
        )),
    }
}

fn for_request(chat: &Chat, interaction_id: u64) -> Chat {
    Chat {
        desk: chat.desk.for_request(&interaction_id.to_string()),
        ..chat.clone()
    }
}

/// A reply as a message outcome; a replay that was already served says nothing more.
fn message(reply: &crate::chat::Reply) -> Outcome {
    if reply.duplicate {
        Outcome::Duplicate
    } else {
        Outcome::Message(components::reply(reply))
    }
}

/// The employee behind a Discord user, reading in the interaction's language; or the message
/// telling a stranger who can add them.
async fn who(chat: &Chat, user_id: u64, locale: &str) -> Result<Employee, Outcome> {
    let locale = Locale::nearest(locale);
    let id = user_id.to_string();
    match directory::actor_by_discord_id(&chat.desk, &id).await {
        Ok(Some(mut e)) => {
            e.locale = Some(locale);
            Ok(e)
        }
        Ok(None) => {
            let admins = directory::admins(&chat.desk)
                .await
                .unwrap_or_default()
                .join(", ");
            let msg = Msg::new("discord.unknown_user")
                .arg("id", &id)
                .arg("admins", admins);
            Err(Outcome::Message(components::text(
                &chat.renderer.msg(locale, &msg),
            )))
        }
        Err(e) => Err(Outcome::Message(components::reply(&chat.failure(
            &anonymous(locale),
            "identify",
            e,
        )))),
    }
}

fn anonymous(locale: Locale) -> Employee {
    Employee {
        id: 0,
        handle: "discord".into(),
        name: String::new(),
        email: String::new(),
        department: String::new(),
        roles: vec![],
        discord_id: None,
        locale: Some(locale),
        active: false,
    }
}

async fn command(chat: &Chat, c: &CommandInteraction) -> Outcome {
    let actor = match who(chat, c.user.id.get(), &c.locale).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let (sub, options) = flatten(&c.data.options);
    let mut raw = Vec::new();
    for (name, value) in options {
        raw.push((name, raw_value(chat, value, &c.data.resolved).await));
    }
    let reply = match bind(
        &chat.catalog,
        &c.data.name,
        sub.as_deref(),
        raw,
        &chat.parse_context(),
    ) {
        Ok(inv) => chat.run(&actor, &inv).await,
        Err(problems) => chat.user_error(chat.locale_of(&actor), &problems),
    };
    message(&reply)
}

/// Splits a subcommand off and lists the remaining options.
fn flatten(
    options: &[CommandDataOption],
) -> (Option<String>, Vec<(String, &CommandDataOptionValue)>) {
    if let [only] = options {
        if let CommandDataOptionValue::SubCommand(inner) = &only.value {
            return (
                Some(only.name.clone()),
                inner.iter().map(|o| (o.name.clone(), &o.value)).collect(),
            );
        }
    }
    (
        None,
        options.iter().map(|o| (o.name.clone(), &o.value)).collect(),
    )
}

/// A Discord option value as the shared parser takes it; a user becomes their handle, an
/// attachment its URL.
async fn raw_value(
    chat: &Chat,
    v: &CommandDataOptionValue,
    resolved: &CommandDataResolved,
) -> RawValue {
    match v {
        CommandDataOptionValue::String(s) => RawValue::Text(s.clone()),
        CommandDataOptionValue::Integer(i) => RawValue::Int(*i),
        CommandDataOptionValue::Number(n) => RawValue::Number(*n),
        CommandDataOptionValue::Boolean(b) => RawValue::Bool(*b),
        CommandDataOptionValue::User(u) => {
            let id = u.get().to_string();
            match directory::actor_by_discord_id(&chat.desk, &id).await {
                Ok(Some(e)) => RawValue::Text(e.handle),
                _ => RawValue::Text(format!("discord-user-{id}")),
            }
        }
        CommandDataOptionValue::Attachment(id) => match resolved.attachments.get(id) {
            Some(a) => RawValue::Text(a.url.clone()),
            None => RawValue::Text(String::new()),
        },
        CommandDataOptionValue::Autocomplete { value, .. } => RawValue::Text(value.clone()),
        other => RawValue::Text(format!("{other:?}")),
    }
}

/// A button's custom id as the chat layer's action.
fn action_from(custom_id: &str, locale: Locale, chat: &Chat) -> Option<Action> {
    chat.action_for_custom_id(custom_id, locale)
}

async fn button(chat: &Chat, c: &ComponentInteraction) -> Outcome {
    let actor = match who(chat, c.user.id.get(), &c.locale).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let locale = chat.locale_of(&actor);
    let Some(action) = action_from(&c.data.custom_id, locale, chat) else {
        return Outcome::Message(components::text(
            &chat
                .renderer
                .msg(locale, &Msg::new("approval.unknown_prompt")),
        ));
    };
    if action.needs_comment {
        if let Some(refused) = chat.precheck(&actor, &action).await {
            return Outcome::Message(components::reply(&refused));
        }
        return reason_modal(chat, locale, &action);
    }
    message(&chat.press(&actor, &action, None).await)
}

/// The modal asking why, for Reject or Request changes.
fn reason_modal(chat: &Chat, locale: Locale, action: &Action) -> Outcome {
    let title = chat.renderer.msg(
        locale,
        &Msg::new(action.modal_title.unwrap_or("discord.changes_title")),
    );
    let label = chat.renderer.msg(locale, &Msg::new("console.ask_reason"));
    let modal_id = action.custom_id.replacen("appr:", "apprm:", 1);
    Outcome::Modal(components::reason_modal(&modal_id, &title, &label))
}

/// What to answer when the work misses the deadline and a deferral is not allowed:
/// autocomplete gets no suggestions, and Reject / Request changes open their modal anyway
/// (the decision checks everything again when the reason is submitted).
pub fn slow_fallback(chat: &Chat, interaction: &Interaction) -> Option<Outcome> {
    match interaction {
        Interaction::Autocomplete(_) => Some(Outcome::Choices(json!({ "choices": [] }))),
        Interaction::Component(c) => {
            let locale = Locale::nearest(&c.locale);
            let action = action_from(&c.data.custom_id, locale, chat)?;
            action
                .needs_comment
                .then(|| reason_modal(chat, locale, &action))
        }
        _ => None,
    }
}

async fn modal(chat: &Chat, m: &ModalInteraction) -> Outcome {
    let actor = match who(chat, m.user.id.get(), &m.locale).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let locale = chat.locale_of(&actor);
    let Some(action) = action_from(&m.data.custom_id, locale, chat) else {
        return Outcome::Message(components::text(
            &chat
                .renderer
                .msg(locale, &Msg::new("approval.unknown_prompt")),
        ));
    };
    let reason = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == components::REASON => {
                t.value.clone()
            }
            _ => None,
        });
    message(&chat.press(&actor, &action, reason.as_deref()).await)
}

/// Suggestions for the option being typed, from [`crate::service::suggest`]; this only finds
/// the option and its kind of reference, and shapes Discord's list. Autocomplete is read-only,
/// so replays need no de-duplication.
async fn autocomplete(chat: &Chat, a: &CommandInteraction) -> Outcome {
    let empty = Outcome::Choices(json!({ "choices": [] }));
    let Ok(actor) = who(chat, a.user.id.get(), &a.locale).await else {
        return empty;
    };
    let (sub, options) = flatten(&a.data.options);
    let Some((name, typed)) = options.iter().find_map(|(n, v)| match v {
        CommandDataOptionValue::Autocomplete { value, .. } => Some((n.clone(), value.clone())),
        _ => None,
    }) else {
        return empty;
    };
    // What the option takes (`ref_kind`), so an order option suggests orders only.
    let kind = chat.catalog.find_command(&a.data.name).and_then(|c| {
        let opts = match sub.as_deref() {
            Some(s) => &c.subcommands.iter().find(|x| x.name == s)?.options,
            None => &c.options,
        };
        opts.iter().find(|o| o.name == name)?.ref_kind.clone()
    });
    let Some(field) = suggest::Field::for_option(&name, kind.as_deref()) else {
        return empty;
    };
    let list: Vec<Value> = suggest::suggest(&chat.desk, &actor, field, &typed)
        .await
        .into_iter()
        // Discord's limit on a choice's name.
        .map(|s| json!({ "name": s.label.chars().take(100).collect::<String>(), "value": s.value }))
        .collect();
    Outcome::Choices(json!({ "choices": list }))
}
