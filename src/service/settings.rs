//! An employee's own notification settings (`/settings`).

use crate::domain::delivery::{wants_email, EmailPrefs, Purpose};
use crate::domain::directory::Employee;
use crate::domain::Msg;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, delivery};

/// What the employee gets by email, and whether each is their own choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    pub prompts: bool,
    pub prompts_own: bool,
    pub updates: bool,
    pub updates_own: bool,
    pub address: String,
}

/// The employee's effective email settings.
pub async fn show(desk: &Desk, actor: &Employee) -> DeskResult<EmailSettings> {
    let mut conn = desk.store.pool().acquire().await?;
    let (own, org) = delivery::get(&mut conn, actor.id).await?;
    let discord = actor.discord_id.is_some();
    Ok(EmailSettings {
        prompts: wants_email(Purpose::Prompt, discord, own, org),
        prompts_own: own.prompts.is_some(),
        updates: wants_email(Purpose::Update, discord, own, org),
        updates_own: own.updates.is_some(),
        address: actor.email.clone(),
    })
}

/// Changes the employee's own email settings (audited) and returns the result.
pub async fn set_email(
    desk: &Desk,
    actor: &Employee,
    prefs: EmailPrefs,
) -> DeskResult<EmailSettings> {
    if prefs.prompts.is_none() && prefs.updates.is_none() {
        return Err(Msg::new("settings.nothing").into());
    }
    let mut tx = desk.begin().await?;
    delivery::set_own(&mut tx, actor.id, prefs, store::to_ms(desk.now())).await?;
    let word = |v: Option<bool>| match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "unchanged",
    };
    let summary = format!(
        "email prompts {}, updates {}",
        word(prefs.prompts),
        word(prefs.updates)
    );
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "settings.email",
        &actor.handle,
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    show(desk, actor).await
}
