//! From an invocation to a rendered reply: calls the service for the action and renders the
//! result in the actor's language. Shared by every transport.

use super::render::Renderer;
use super::views;
use crate::commands::{parse_line, Catalog, Invocation, ParseContext};
use crate::domain::approval::{ApprovalStatus, Decision};
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::requisition::RequisitionInput;
use crate::domain::{Locale, Msg};
use crate::service::notify::kind;
use crate::service::{approvals, delegations, requisitions, Desk, DeskError};
use crate::store::{self, outbox};
use serde_json::{json, Value};
use std::sync::Arc;

/// A button, as data: the console shows it as a numbered action, Discord as a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: String,
    /// The equivalent command line (the comment is appended when `needs_comment`).
    pub command: String,
    /// Reject and Request changes ask for a reason first.
    pub needs_comment: bool,
    /// Discord's button id: only the action and ids, so it works after a restart.
    pub custom_id: String,
    /// The subject the button decides, for checking it is still open before asking more.
    pub reference: Option<String>,
}

/// What the user sees after a command or in a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// False for a user error (bad input, not allowed, not found).
    pub ok: bool,
    pub actions: Vec<Action>,
}

impl Reply {
    fn ok(text: String) -> Reply {
        Reply {
            text,
            ok: true,
            actions: vec![],
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

impl Chat {
    /// The locale an employee reads in.
    pub fn locale_of(&self, e: &Employee) -> Locale {
        self.desk.locale_of(e)
    }

    /// Parses and runs one command line as `actor`.
    pub async fn run_line(&self, actor: &Employee, line: &str) -> Reply {
        let locale = self.locale_of(actor);
        let ctx = ParseContext {
            currency: self.desk.company.currency,
        };
        match parse_line(&self.catalog, line, &ctx) {
            Ok(inv) => self.run(actor, &inv).await,
            Err(problems) => self.user_error(locale, &problems),
        }
    }

    /// Runs a parsed invocation as `actor`.
    pub async fn run(&self, actor: &Employee, inv: &Invocation) -> Reply {
        let locale = self.locale_of(actor);
        match self.dispatch(actor, inv, locale).await {
            Ok(reply) => reply,
            Err(DeskError::User(msgs)) => self.user_error(locale, &msgs),
            Err(DeskError::Internal(e)) => {
                tracing::error!(action = %inv.action, actor = %actor.handle, error = %format!("{e:#}"), "action failed");
                Reply {
                    text: self.renderer.msg(locale, &Msg::new("error.internal")),
                    ok: false,
                    actions: vec![],
                }
            }
        }
    }

    fn user_error(&self, locale: Locale, msgs: &[Msg]) -> Reply {
        let lines: Vec<String> = msgs
            .iter()
            .map(|m| self.renderer.msg(locale, &self.localize(m, locale)))
            .collect();
        let text = if lines.len() == 1 {
            lines[0].clone()
        } else {
            lines
                .iter()
                .map(|l| format!("• {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        Reply {
            text,
            ok: false,
            actions: vec![],
        }
    }

    /// Puts option names into the reader's language (the parser reports English names).
    fn localize(&self, m: &Msg, locale: Locale) -> Msg {
        if locale != Locale::ZhCn {
            return m.clone();
        }
        let (Some(option), Some(action)) = (m.get("option"), m.get("action")) else {
            return m.clone();
        };
        let zh = self
            .catalog
            .options_for(action)
            .and_then(|opts| opts.iter().find(|o| o.name == option))
            .map(|o| o.localized_name(locale).to_string());
        let mut out = m.clone();
        if let Some(zh) = zh {
            for (k, v) in out.args.iter_mut() {
                if *k == "option" {
                    *v = zh.clone();
                }
            }
        }
        out
    }

    fn render(&self, locale: Locale, name: &str, ctx: Value) -> Result<Reply, DeskError> {
        Ok(Reply::ok(self.renderer.render(locale, name, ctx)?))
    }

    async fn dispatch(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let now_ms = store::to_ms(desk.now());
        match inv.action.as_str() {
            "help" => self.help(locale, inv.str("command")),
            "whoami" => {
                let (given, held) = delegations::show(desk, actor).await?;
                let mut conn = desk.store.pool().acquire().await?;
                let dir = store::directory::load(&mut conn).await?;
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
            "requisition.new" => {
                let out = requisitions::submit(desk, actor, requisition_input(inv)).await?;
                self.render(
                    locale,
                    "reply/submitted.txt",
                    json!({
                        "ref": out.reference.to_string(), "total": out.total, "round": out.round,
                        "progress": views::progress(&out.progress, locale), "resubmitted": false,
                    }),
                )
            }
            "requisition.resubmit" => {
                let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let out =
                    requisitions::resubmit(desk, actor, reference, requisition_input(inv)).await?;
                self.render(
                    locale,
                    "reply/submitted.txt",
                    json!({
                        "ref": out.reference.to_string(), "total": out.total, "round": out.round,
                        "progress": views::progress(&out.progress, locale), "resubmitted": true,
                    }),
                )
            }
            "requisition.show" => {
                let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let story = requisitions::show(desk, actor, reference).await?;
                let mut conn = desk.store.pool().acquire().await?;
                let dir = store::directory::load(&mut conn).await?;
                self.render(locale, "reply/show.txt", views::story(&story, &dir, locale))
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
                let items = approvals::inbox(desk, actor).await?;
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
                let out =
                    approvals::decide(desk, actor, reference, decision, inv.str("comment")).await?;
                self.render(locale, "reply/decided.txt", json!({
                    "ref": out.reference, "decision": format!("{:?}", out.decision).to_lowercase(),
                    "on_behalf_of": out.on_behalf_of, "progress": views::progress(&out.progress, locale),
                    "stage_ended": out.stage_ended,
                }))
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
            other => Err(DeskError::Internal(anyhow::anyhow!(
                "no handler for action {other}"
            ))),
        }
    }

    fn help(&self, locale: Locale, command: Option<&str>) -> Result<Reply, DeskError> {
        let commands: Vec<Value> = self
            .catalog
            .commands
            .iter()
            .filter(|c| command.is_none_or(|w| c.matches(w)))
            .map(|c| {
                let subs: Vec<Value> = c.subcommands.iter().map(|s| {
                    let opts: Vec<Value> = s.options.iter().map(|o| json!({
                        "name": o.localized_name(locale), "required": o.required,
                        "description": o.localized_description(locale),
                    })).collect();
                    json!({ "name": s.localized_name(locale), "description": s.localized_description(locale), "options": opts })
                }).collect();
                let opts: Vec<Value> = c.options.iter().map(|o| json!({
                    "name": o.localized_name(locale), "required": o.required, "description": o.localized_description(locale),
                })).collect();
                json!({ "name": c.localized_name(locale), "description": c.localized_description(locale), "subcommands": subs, "options": opts })
            })
            .collect();
        if commands.is_empty() {
            return Err(Msg::new("command.unknown")
                .arg("command", command.unwrap_or(""))
                .into());
        }
        self.render(
            locale,
            "reply/help.txt",
            json!({ "commands": commands, "detail": command.is_some() }),
        )
    }

    /// Approve / Reject / Request changes for a subject, as buttons and commands.
    fn decision_actions(
        &self,
        locale: Locale,
        subject_ref: &str,
        task_id: Option<i64>,
    ) -> Vec<Action> {
        let id = task_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| subject_ref.to_string());
        [("approve", false), ("reject", true), ("changes", true)]
            .into_iter()
            .map(|(verb, needs_comment)| Action {
                label: self.renderer.msg(
                    locale,
                    &Msg::new(match verb {
                        "approve" => "button.approve",
                        "reject" => "button.reject",
                        _ => "button.changes",
                    })
                    .arg("ref", subject_ref),
                ),
                command: format!("/approval {verb} ref:{subject_ref}"),
                needs_comment,
                custom_id: format!("appr:{verb}:{id}"),
                reference: Some(subject_ref.to_string()),
            })
            .collect()
    }

    /// Whether a decision button can still be used by `actor`; `Some(reply)` says why not.
    /// Lets a transport refuse a stale button before asking for a reason.
    pub async fn precheck(&self, actor: &Employee, action: &Action) -> Option<Reply> {
        let reference = action
            .reference
            .as_deref()
            .and_then(|r| Reference::parse(r).ok())?;
        let locale = self.locale_of(actor);
        match approvals::precheck(&self.desk, actor, reference).await {
            Ok(()) => None,
            Err(DeskError::User(msgs)) => Some(self.user_error(locale, &msgs)),
            Err(DeskError::Internal(e)) => {
                tracing::error!(error = %format!("{e:#}"), "precheck failed");
                None // let the action itself run and report
            }
        }
    }

    /// Renders an outbox notification for its recipient, with its buttons.
    pub fn notification(&self, locale: Locale, m: &outbox::Message) -> Reply {
        let payload: Value = serde_json::from_str(&m.payload).unwrap_or(Value::Null);
        let name = format!("notify/{}.txt", m.kind);
        let text = match self.renderer.render(locale, &name, &payload) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(id = m.id, kind = %m.kind, error = %format!("{e:#}"), "notification cannot be rendered");
                format!("[{}] {}", m.kind, m.subject_ref.clone().unwrap_or_default())
            }
        };
        let actions = if m.kind == kind::APPROVAL_PROMPT {
            let subject_ref = payload
                .get("ref")
                .and_then(Value::as_str)
                .unwrap_or_default();
            self.decision_actions(
                locale,
                subject_ref,
                payload.get("task_id").and_then(Value::as_i64),
            )
        } else {
            vec![]
        };
        Reply {
            text,
            ok: true,
            actions,
        }
    }
}

fn missing(option: &str) -> DeskError {
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
