//! The actions every area shares: `/help`, `/whoami`, `/settings` and `/report`.

use crate::approval::chat::delegation_rows;
use crate::approval::delegations::service as delegations;
use crate::chat::actions::{Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::{directory, settings, DeskError};
use serde_json::{json, Value};

/// The shared actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("help", |c, _, i, l| {
            Box::pin(async move { c.help(l, i.str("command")) })
        }),
        Handler::new("whoami", |c, a, _, l| Box::pin(c.whoami(a, l))),
        Handler::new("settings.show", |c, a, i, l| Box::pin(c.settings(a, i, l))),
        Handler::new("settings.email", |c, a, i, l| Box::pin(c.settings(a, i, l))),
        Handler::new("report.service", |c, a, i, l| Box::pin(c.report(a, i, l))),
        Handler::new("report.sales", |c, a, i, l| Box::pin(c.report(a, i, l))),
    ]
}

impl Chat {
    /// `/whoami`: who the desk thinks you are, and your delegations.
    async fn whoami(&self, actor: &Employee, locale: Locale) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let (given, held) = delegations::show(desk, actor).await?;
        let dir = directory::snapshot(desk).await?;
        let dept = dir
            .department(&actor.department)
            .map(|d| d.display_name(locale).to_string());
        let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
        self.render(
            locale,
            "reply/whoami.txt",
            json!({
                "handle": actor.handle, "name": actor.name, "email": actor.email,
                "department": dept.unwrap_or_else(|| actor.department.clone()), "roles": roles,
                "discord_id": actor.discord_id, "language": locale.tag(),
                "given": delegation_rows(&given), "held": delegation_rows(&held),
            }),
        )
    }

    /// `/settings show` and `/settings email`.
    async fn settings(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let on_off = |name: &str| inv.str(name).map(|v| v == "on");
        let s = if inv.action == "settings.email" {
            let prefs = crate::domain::delivery::EmailPrefs {
                prompts: on_off("prompts"),
                updates: on_off("updates"),
            };
            settings::set_email(desk, actor, prefs).await?
        } else {
            settings::show(desk, actor).await?
        };
        self.render(
            locale,
            "reply/settings.txt",
            json!({
                "changed": inv.action == "settings.email", "address": s.address,
                "prompts": s.prompts, "prompts_own": s.prompts_own,
                "updates": s.updates, "updates_own": s.updates_own,
            }),
        )
    }

    /// `/report service` and `/report sales`.
    async fn report(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let days = crate::service::reports::period_days(inv.str("period"))?;
        if inv.action == "report.sales" {
            let report = crate::service::reports::sales(desk, actor, days).await?;
            return self.render(locale, "reply/report_sales.txt", report);
        }
        let report = crate::service::reports::service(desk, actor, days).await?;
        self.render(locale, "reply/report_service.txt", report)
    }

    /// What an option accepts, for `/help`: each value as "name (code)" in the reader's
    /// language, and the names to type joined by `|` (catalog choices only; empty otherwise).
    fn allowed_values(
        &self,
        o: &crate::commands::OptionSpec,
        locale: Locale,
    ) -> (Vec<String>, String) {
        let shown = |name: &str, code: &str| match (name == code, locale) {
            (true, _) => code.to_string(),
            (false, Locale::ZhCn) => format!("{name}（{code}）"),
            (false, Locale::En) => format!("{name} ({code})"),
        };
        if !o.choices.is_empty() {
            let values = o
                .choices
                .iter()
                .map(|c| shown(c.localized_name(locale), &c.value))
                .collect();
            // A name with a space would need quotes: offer the code instead.
            let typed: Vec<&str> = o
                .choices
                .iter()
                .map(|c| match c.localized_name(locale) {
                    name if name.contains(' ') => c.value.as_str(),
                    name => name,
                })
                .collect();
            return (values, typed.join("|"));
        }
        let terms = o
            .terms
            .as_deref()
            .map_or(&[][..], |l| self.desk.company.terms.list(l));
        let values = terms
            .iter()
            .map(|t| shown(t.localized(locale), &t.code))
            .collect();
        (values, String::new())
    }

    fn help(&self, locale: Locale, command: Option<&str>) -> Result<Reply, DeskError> {
        let option = |o: &crate::commands::OptionSpec| {
            let (values, typed) = self.allowed_values(o, locale);
            json!({
                "name": o.localized_name(locale), "required": o.required, "description": o.localized_description(locale),
                "values": values, "choices": typed,
            })
        };
        let commands: Vec<Value> = self
            .catalog
            .commands
            .iter()
            .filter(|c| command.is_none_or(|w| c.matches(w)))
            .map(|c| {
                let subs: Vec<Value> = c
                    .subcommands
                    .iter()
                    .map(|s| json!({
                        "name": s.localized_name(locale), "description": s.localized_description(locale),
                        "options": s.options.iter().map(option).collect::<Vec<_>>(),
                    }))
                    .collect();
                json!({
                    "name": c.localized_name(locale), "description": c.localized_description(locale),
                    "subcommands": subs, "options": c.options.iter().map(option).collect::<Vec<_>>(),
                })
            })
            .collect();
        if commands.is_empty() {
            return Err(crate::commands::parse::unknown_command(
                &self.catalog,
                command.unwrap_or(""),
            )
            .into());
        }
        self.render(
            locale,
            "reply/help.txt",
            json!({ "commands": commands, "detail": command.is_some() }),
        )
    }
}
