//! From an invocation to a rendered reply: looks up the action's handler (registered by its
//! business area, see [`crate::registry`]), checks the gate, runs it, and renders failures in
//! the actor's language. Shared by every transport.

use crate::approval::decisions;
use crate::approval::domain::Decision;
use crate::chat::buttons::Action;
use crate::chat::render::Renderer;
use crate::chat::views;
use crate::commands::{parse_line, Catalog, Invocation, ParseContext};
use crate::domain::directory::Employee;
use crate::domain::reference::Reference;
use crate::domain::{Locale, Msg};
use crate::service::{Desk, DeskError};
use futures::future::BoxFuture;
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

/// What runs one action: the chat front, the actor, the parsed invocation and the reader's
/// locale in, the reply out.
pub type Run = for<'a> fn(
    &'a Chat,
    &'a Employee,
    &'a Invocation,
    Locale,
) -> BoxFuture<'a, Result<Reply, DeskError>>;

/// An action of the command catalog and what runs it. Each business area lists its own
/// (`actions()` in its chat part); [`crate::registry::actions`] gathers them.
#[derive(Clone, Copy)]
pub struct Handler {
    pub action: &'static str,
    pub run: Run,
}

impl Handler {
    /// `action`, run by `run`.
    pub fn new(action: &'static str, run: Run) -> Handler {
        Handler { action, run }
    }
}

/// Every action's handler by name, built once at start-up ([`crate::registry::handlers`]).
pub type Handlers = crate::registry::ByName<Run>;

/// The chat front of the desk: parse, run, render.
#[derive(Clone)]
pub struct Chat {
    pub desk: Desk,
    pub renderer: Arc<Renderer>,
    pub catalog: Arc<Catalog>,
    /// What runs each action of the catalog.
    pub handlers: Arc<Handlers>,
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
            Err(DeskError::User(msgs)) if msgs.iter().any(|m| m.key == super::ack::WARN) => {
                // A budget warning: the same command with ack:yes is one button away.
                let locale = self.locale_of(actor);
                let mut reply = self.user_error(locale, &msgs);
                match self.offer_ack(actor, inv, locale).await {
                    Ok(action) => reply.actions.push(action),
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot hold the command"),
                }
                reply
            }
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

    /// The reply to a decision, from a command or a button.
    pub(crate) fn decided_reply(
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

    /// Looks up the action's handler and runs it. Every action of the catalog has one: the
    /// registry test (`crate::registry`) fails otherwise, so the error below cannot happen
    /// for a parsed invocation.
    async fn dispatch(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let run = self.handlers.get(&inv.action).ok_or_else(|| {
            DeskError::Internal(anyhow::anyhow!(
                "action `{}` has no registered handler",
                inv.action
            ))
        })?;
        run(self, actor, inv, locale).await
    }
}

/// The refusal for a required option that is not there.
pub(crate) fn missing(option: &str) -> DeskError {
    Msg::new("option.missing").arg("option", option).into()
}
