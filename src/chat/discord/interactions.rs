//! One Discord interaction in, one response out: slash commands, buttons, the reason modal
//! and autocomplete. The same code serves the gateway and the HTTP endpoint.

use super::components;
use crate::chat::{Action, Chat};
use crate::commands::{bind, RawValue};
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::directory;
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

/// Suggestions for the option being typed: references (one's own requisitions and inbox) and
/// categories. Autocomplete is read-only, so replays need no de-duplication.
async fn autocomplete(chat: &Chat, a: &CommandInteraction) -> Outcome {
    let empty = Outcome::Choices(json!({ "choices": [] }));
    let Ok(actor) = who(chat, a.user.id.get(), &a.locale).await else {
        return empty;
    };
    let (_, options) = flatten(&a.data.options);
    let Some((name, typed)) = options.iter().find_map(|(n, v)| match v {
        CommandDataOptionValue::Autocomplete { value, .. } => {
            Some((n.clone(), value.to_lowercase()))
        }
        _ => None,
    }) else {
        return empty;
    };
    let mut choices: Vec<(String, String)> = Vec::new();
    match name.as_str() {
        "category" => {
            // By the reader's name, with the code (typing either finds it).
            let locale = chat.locale_of(&actor);
            for t in chat.desk.company.terms.list("requisition_categories") {
                let name = t.localized(locale);
                let label = if name == t.code {
                    name.to_string()
                } else {
                    format!("{name} ({})", t.code)
                };
                choices.push((label, t.code.clone()));
            }
        }
        "customer" => {
            // The store searches name, company, email and phone; its matches are the choices.
            let found = crate::service_desk::customers::service::find(&chat.desk, &actor, &typed)
                .await
                .unwrap_or_default();
            let list: Vec<Value> = found
                .into_iter()
                .take(25)
                .map(|c| {
                    let label = [c.name.as_str(), &c.company, &c.email, &c.phone]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let label = crate::domain::text::one_line(&format!("#{} {label}", c.id));
                    let label: String = label.chars().take(100).collect();
                    json!({ "name": label, "value": format!("#{}", c.id) })
                })
                .collect();
            return Outcome::Choices(json!({ "choices": list }));
        }
        "ref" | "order" | "opportunity" => {
            // What the option takes (`ref_kind`), so an order option suggests orders only.
            let (command, sub) = (a.data.name.as_str(), flatten(&a.data.options).0);
            let kind = chat.catalog.find_command(command).and_then(|c| {
                let opts = match sub.as_deref() {
                    Some(s) => &c.subcommands.iter().find(|x| x.name == s)?.options,
                    None => &c.options,
                };
                opts.iter().find(|o| o.name == name)?.ref_kind.clone()
            });
            let wants = |prefix: &str| kind.as_deref().is_none_or(|k| k == prefix);
            if let Ok(items) = crate::approval::inbox::open_tasks(&chat.desk, &actor).await {
                for i in items {
                    choices.push((format!("{} · {}", i.reference, i.headline), i.reference));
                }
            }
            if wants("REQ") {
                if let Ok(own) =
                    crate::procurement::requisitions::service::list(&chat.desk, &actor, None).await
                {
                    for (r, _) in own {
                        let label = format!("{} · {}", r.reference, r.draft.item);
                        choices.push((label, r.reference.to_string()));
                    }
                }
            }
            if wants("SO") {
                let q = crate::sales::orders::service::ListQuery {
                    mine: true,
                    ..Default::default()
                };
                if let Ok(own) = crate::sales::orders::service::list(&chat.desk, &actor, q).await {
                    for (o, customer) in own {
                        let r = crate::sales::orders::service::reference(o.id).to_string();
                        choices.push((format!("{r} · {customer} · {}", o.items), r));
                    }
                }
            }
            if wants("OPP") {
                if let Ok(own) =
                    crate::sales::opportunities::service::list(&chat.desk, &actor, true).await
                {
                    for (o, customer) in own {
                        let r = crate::sales::opportunities::service::reference(o.id).to_string();
                        choices.push((format!("{r} · {} · {customer}", o.title), r));
                    }
                }
            }
            choices.retain(|(_, value)| {
                kind.as_deref()
                    .is_none_or(|k| value.starts_with(&format!("{k}-")))
            });
            let mut seen = std::collections::HashSet::new();
            choices.retain(|(_, value)| seen.insert(value.clone()));
        }
        _ => {}
    }
    let list: Vec<Value> = choices
        .into_iter()
        .filter(|(label, _)| label.to_lowercase().contains(&typed))
        .take(25)
        .map(|(label, value)| {
            // Stored text shown in Discord's list: one line, controls made visible.
            let label = crate::domain::text::one_line(&label);
            json!({ "name": label.chars().take(100).collect::<String>(), "value": value })
        })
        .collect();
    Outcome::Choices(json!({ "choices": list }))
}
