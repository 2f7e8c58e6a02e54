//! From an invocation to a rendered reply: calls the service for the action and renders the
//! result in the actor's language. Shared by every transport.

use crate::approval::decisions::{self, Target};
use crate::approval::delegations::service as delegations;
use crate::approval::domain::{ApprovalStatus, Decision};
use crate::approval::inbox;
use crate::chat::buttons::Action;
use crate::chat::render::Renderer;
use crate::chat::views;
use crate::commands::{parse_line, Catalog, Invocation, ParseContext};
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::{Locale, Msg};
use crate::procurement::requisitions::domain::RequisitionInput;
use crate::procurement::requisitions::service as requisitions;
use crate::sales::domain::Priority;
use crate::service::{directory, settings, Desk, DeskError};
use serde_json::{json, Value};
use std::sync::Arc;

/// What the user sees after a command or in a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// False for a user error (bad input, not allowed, not found) or an internal failure.
    pub ok: bool,
    /// True when the failure was ours, not the user's (the console then exits 1, not 2).
    pub internal: bool,
    /// True when the request was a replay that was already served: show nothing new.
    pub duplicate: bool,
    pub actions: Vec<Action>,
    /// What the action created or acted on, for callers that go on with it (a web form's
    /// redirect, a test) without reading it back out of the text.
    pub reference: Option<Reference>,
}

impl Reply {
    pub(super) fn ok(text: String) -> Reply {
        Reply {
            text,
            ok: true,
            internal: false,
            duplicate: false,
            actions: vec![],
            reference: None,
        }
    }
}

/// The chat front of the desk: parse, run, render.
#[derive(Clone)]
pub struct Chat {
    pub desk: Desk,
    pub renderer: Arc<Renderer>,
    pub catalog: Arc<Catalog>,
}

impl std::fmt::Debug for Chat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Chat")
    }
}

impl Chat {
    /// The locale an employee reads in.
    pub fn locale_of(&self, e: &Employee) -> Locale {
        self.desk.locale_of(e)
    }

    /// What the parser needs to know: the company's currency and today's date.
    pub fn parse_context(&self) -> ParseContext {
        ParseContext {
            currency: self.desk.company.currency,
            today: self.desk.today(),
            terms: self.desk.company.terms.clone(),
        }
    }

    /// Parses and runs one command line as `actor`.
    pub async fn run_line(&self, actor: &Employee, line: &str) -> Reply {
        let locale = self.locale_of(actor);
        match parse_line(&self.catalog, line, &self.parse_context()) {
            Ok(inv) => self.run(actor, &inv).await,
            Err(problems) => self.user_error(locale, &problems),
        }
    }

    /// Runs a parsed invocation as `actor`.
    pub async fn run(&self, actor: &Employee, inv: &Invocation) -> Reply {
        match self.execute(actor, inv).await {
            Ok(reply) => reply,
            Err(e) => self.failure(actor, &inv.action, e),
        }
    }

    /// Runs a parsed invocation as `actor`, returning the failure itself (for callers that
    /// look at what was refused, such as the permission tests). Actions some roles may not
    /// run at all are refused here, before any service is asked ([`crate::access`]).
    pub async fn execute(&self, actor: &Employee, inv: &Invocation) -> Result<Reply, DeskError> {
        crate::access::require(actor, &inv.action)?;
        self.dispatch(actor, inv, self.locale_of(actor)).await
    }

    /// The reply to a failed action: the user's mistake in their words, or an apology (and
    /// the cause chain in the log) for ours.
    pub(crate) fn failure(&self, actor: &Employee, action: &str, e: DeskError) -> Reply {
        let locale = self.locale_of(actor);
        match e {
            DeskError::User(msgs) => self.user_error(locale, &msgs),
            DeskError::Duplicate => Reply {
                text: String::new(),
                ok: false,
                internal: false,
                duplicate: true,
                actions: vec![],
                reference: None,
            },
            DeskError::Internal(e) => {
                tracing::error!(action, actor = %actor.handle, error = %format!("{e:#}"), "action failed");
                let text = self.renderer.msg(locale, &Msg::new("error.internal"));
                Reply {
                    text,
                    ok: false,
                    internal: true,
                    duplicate: false,
                    actions: vec![],
                    reference: None,
                }
            }
        }
    }

    pub(crate) fn user_error(&self, locale: Locale, msgs: &[Msg]) -> Reply {
        let lines: Vec<String> = msgs
            .iter()
            .map(|m| self.renderer.msg(locale, &self.localize(m, locale)))
            .collect();
        let text = match lines.as_slice() {
            [one] => one.clone(),
            many => many
                .iter()
                .map(|l| format!("• {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        Reply {
            text,
            ok: false,
            internal: false,
            duplicate: false,
            actions: vec![],
            reference: None,
        }
    }

    /// Puts option names and command lines (`/requisition new`) into the reader's language
    /// (the parser and the services report English names).
    fn localize(&self, m: &Msg, locale: Locale) -> Msg {
        let mut out = m.clone();
        if locale != Locale::ZhCn {
            return out;
        }
        // What the user typed is shown as typed.
        let typed = |k: &str| matches!(k, "value" | "text" | "input" | "command" | "subcommand");
        for (_, v) in out.args.iter_mut().filter(|(k, _)| !typed(k)) {
            let first = v
                .strip_prefix('/')
                .and_then(|l| l.split_whitespace().next());
            if first.is_some_and(|w| self.catalog.find_command(w).is_some()) {
                *v = self.catalog.localize_line(v, locale);
            }
        }
        let (Some(option), Some(action)) = (m.get("option"), m.get("action")) else {
            return out;
        };
        let zh = self
            .catalog
            .options_for(action)
            .and_then(|opts| opts.iter().find(|o| o.name == option))
            .map(|o| o.localized_name(locale).to_string());
        if let Some(zh) = zh {
            for (k, v) in out.args.iter_mut() {
                if *k == "option" {
                    *v = zh.clone();
                }
            }
        }
        out
    }

    pub(crate) fn render(
        &self,
        locale: Locale,
        name: &str,
        ctx: Value,
    ) -> Result<Reply, DeskError> {
        Ok(Reply::ok(self.renderer.render(locale, name, ctx)?))
    }

    pub(super) fn decided_reply(
        &self,
        locale: Locale,
        out: &decisions::Decided,
    ) -> Result<Reply, DeskError> {
        let decision = match out.decision {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Changes => "changes",
        };
        self.render(
            locale,
            "reply/decided.txt",
            json!({
                "ref": out.reference, "decision": decision, "on_behalf_of": out.on_behalf_of,
                "progress": views::progress(&out.progress, locale), "stage_ended": out.stage_ended,
            }),
        )
    }

    async fn dispatch(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        match inv.action.as_str() {
            "help" => self.help(locale, inv.str("command")),
            "whoami" => {
                let (given, held) = delegations::show(desk, actor).await?;
                let dir = directory::snapshot(desk).await?;
                let dept = dir
                    .department(&actor.department)
                    .map(|d| d.display_name(locale).to_string());
                let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
                self.render(locale, "reply/whoami.txt", json!({
                    "handle": actor.handle, "name": actor.name, "email": actor.email,
                    "department": dept.unwrap_or_else(|| actor.department.clone()), "roles": roles,
                    "discord_id": actor.discord_id, "language": locale.tag(),
                    "given": delegation_rows(&given), "held": delegation_rows(&held),
                }))
            }
            "requisition.new" | "requisition.resubmit" => {
                let resubmitted = inv.action == "requisition.resubmit";
                let out = if resubmitted {
                    let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                    requisitions::resubmit(desk, actor, reference, requisition_input(inv)).await?
                } else {
                    requisitions::submit(desk, actor, requisition_input(inv)).await?
                };
                let mut reply = self.render(locale, "reply/submitted.txt", json!({
                    "ref": out.reference.to_string(), "total": out.total, "round": out.round,
                    "progress": views::progress(&out.progress, locale), "resubmitted": resubmitted,
                }))?;
                reply.reference = Some(out.reference);
                Ok(reply)
            }
            "requisition.show" => {
                let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let story = requisitions::show(desk, actor, reference).await?;
                self.render(locale, "reply/show.txt", views::story(&story, locale))
            }
            "requisition.list" => {
                let status = inv.str("status").and_then(ApprovalStatus::parse);
                let rows = requisitions::list(desk, actor, status).await?;
                let rows: Vec<views::ListRow> = rows
                    .iter()
                    .map(|(r, s)| views::ListRow::new(r, s.as_ref(), locale))
                    .collect();
                self.render(
                    locale,
                    "reply/list.txt",
                    json!({ "rows": rows, "status": status.map(|s| s.as_str()) }),
                )
            }
            "requisition.withdraw" => {
                let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let r = requisitions::withdraw(desk, actor, reference).await?;
                self.render(
                    locale,
                    "reply/withdrawn.txt",
                    json!({ "ref": r.to_string() }),
                )
            }
            "inbox" => {
                let items = inbox::open_tasks(desk, actor).await?;
                let now_ms = desk.now().timestamp_millis();
                let rows: Vec<Value> = items
                    .iter()
                    .map(|i| views::inbox_row(i, now_ms, locale))
                    .collect();
                let mut reply = self.render(locale, "reply/inbox.txt", json!({ "rows": rows }))?;
                for i in &items {
                    reply
                        .actions
                        .extend(self.decision_actions(locale, &i.reference, None));
                }
                Ok(reply)
            }
            "approval.approve" | "approval.reject" | "approval.changes" => {
                let decision = match inv.action.as_str() {
                    "approval.approve" => Decision::Approve,
                    "approval.reject" => Decision::Reject,
                    _ => Decision::Changes,
                };
                let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let priority = inv.str("priority").and_then(Priority::parse);
                let out = decisions::decide_with(
                    desk,
                    actor,
                    Target::Ref(reference),
                    decision,
                    inv.str("comment"),
                    priority,
                )
                .await?;
                self.decided_reply(locale, &out)
            }
            "delegate.set" => {
                let to = inv.handle("to").ok_or_else(|| missing("to"))?;
                let until = inv.date("until").ok_or_else(|| missing("until"))?;
                let d = delegations::set(desk, actor, to, inv.date("from"), until).await?;
                self.render(locale, "reply/delegated.txt", json!({
                    "to": d.other, "from": d.starts_on.to_string(), "until": d.ends_on.to_string(),
                }))
            }
            "delegate.off" => {
                let n = delegations::off(desk, actor).await?;
                self.render(locale, "reply/delegation_off.txt", json!({ "count": n }))
            }
            "delegate.show" => {
                let (given, held) = delegations::show(desk, actor).await?;
                self.render(
                    locale,
                    "reply/delegations.txt",
                    json!({
                        "given": delegation_rows(&given), "held": delegation_rows(&held),
                    }),
                )
            }
            "settings.show" | "settings.email" => {
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
            a if a.starts_with("followup.") || a.starts_with("callback.") => {
                self.reminders(actor, inv, locale).await
            }
            a if a.starts_with("customer.") => self.customers(actor, inv, locale).await,
            a if a.starts_with("inquiry.") => self.inquiries(actor, inv, locale).await,
            a if a.starts_with("order.") => self.orders(actor, inv, locale).await,
            "report.service" | "report.sales" => {
                let days = crate::service::reports::period_days(inv.str("period"))?;
                if inv.action == "report.sales" {
                    let report = crate::service::reports::sales(desk, actor, days).await?;
                    return self.render(locale, "reply/report_sales.txt", report);
                }
                let report = crate::service::reports::service(desk, actor, days).await?;
                self.render(locale, "reply/report_service.txt", report)
            }
            a if a.starts_with("opportunity.") || a.starts_with("contract.") => {
                self.sales(actor, inv, locale).await
            }
            other => Err(DeskError::Internal(anyhow::anyhow!(
                "no handler for action {other}"
            ))),
        }
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

/// The refusal for a required option that is not there.
pub(crate) fn missing(option: &str) -> DeskError {
    Msg::new("option.missing").arg("option", option).into()
}

fn requisition_input(inv: &Invocation) -> RequisitionInput {
    RequisitionInput {
        item: inv.str("item").map(str::to_string),
        spec: inv.str("spec").map(str::to_string),
        quantity: inv.int("quantity"),
        unit_price: inv.money("unit_price"),
        needed_by: inv.date("needed_by"),
        reason: inv.str("reason").map(str::to_string),
        category: inv.str("category").map(str::to_string),
    }
}

fn delegation_rows(v: &[delegations::DelegationView]) -> Vec<Value> {
    v.iter()
        .map(|d| json!({ "name": d.other, "from": d.starts_on.to_string(), "until": d.ends_on.to_string() }))
        .collect()
}
