//! The terminal console: the same desk as Discord, for trying and scripting it.
//!
//! `console --as HANDLE -c LINE` runs one line; without `-c` it is interactive: it shows the
//! employee's notifications as they arrive and numbers every button, so typing `2` does what
//! clicking the second button would (asking for a reason first where Discord shows a modal).
//! Everything printed passes [`display_safe`]: whatever a stored value holds, it cannot
//! recolour, clear or rewrite the operator's terminal.

use crate::chat::{Action, Chat, Reply};
use crate::domain::directory::Employee;
use crate::domain::text::display_safe;
use crate::domain::Msg;
use std::io::Write;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Exit code for a user error (bad option, not allowed, not found).
pub const EXIT_USER_ERROR: i32 = 2;
/// Exit code when the failure was ours (database down, a bug).
pub const EXIT_INTERNAL_ERROR: i32 = 1;

/// Runs one line and prints the reply; returns the process exit code.
pub async fn run_once(chat: &Chat, actor: &Employee, line: &str, out: &mut dyn Write) -> i32 {
    let reply = chat.run_line(actor, line).await;
    let _ = writeln!(out, "{}", display_safe(&reply.text));
    let locale = chat.locale_of(actor);
    for a in &reply.actions {
        // A decision that needs a reason is shown with its comment option, so the line works
        // when typed as shown.
        let line = if a.needs_comment {
            chat.catalog
                .localize_line(&format!("{} comment:\"…\"", a.command), locale)
        } else {
            a.command.clone()
        };
        let _ = writeln!(out, "  → {}", display_safe(&line));
    }
    match (reply.ok, reply.internal) {
        (true, _) => 0,
        (false, true) => EXIT_INTERNAL_ERROR,
        (false, false) => EXIT_USER_ERROR,
    }
}

/// The language of the terminal's user, from `LC_ALL`, `LC_MESSAGES` or `LANG` (the first
/// that is set), when it is one of ours.
pub fn terminal_locale() -> Option<crate::domain::Locale> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .and_then(|v| crate::domain::Locale::from_posix(&v))
}

/// The language to refuse `--as HANDLE` in: the person's own when the handle is known (say,
/// inactive), else the terminal's, else the company's.
pub async fn locale_for_handle(chat: &Chat, handle: &str) -> crate::domain::Locale {
    let own = crate::service::directory::locale_of_handle(&chat.desk, handle)
        .await
        .ok()
        .flatten();
    own.or_else(terminal_locale)
        .unwrap_or(chat.desk.company.locale)
}

/// An interactive session for one employee.
pub struct Session<'a> {
    chat: &'a Chat,
    actor: Employee,
    actions: Vec<Action>,
}

impl<'a> Session<'a> {
    /// A session acting as `actor`.
    pub fn new(chat: &'a Chat, actor: Employee) -> Self {
        Session {
            chat,
            actor,
            actions: Vec::new(),
        }
    }

    /// Reads lines until end of input or `quit`, showing notifications between commands and
    /// every `poll` while idle.
    pub async fn run<R: AsyncBufRead + Unpin>(
        &mut self,
        input: R,
        out: &mut dyn Write,
        poll: Duration,
    ) -> anyhow::Result<()> {
        let locale = self.chat.locale_of(&self.actor);
        let hello = self.chat.renderer.msg(
            locale,
            &Msg::new("console.hello").arg("name", &self.actor.name),
        );
        writeln!(out, "{}", display_safe(&hello))?;
        self.show_notifications(out).await?;
        let mut lines = input.lines();
        let mut tick = tokio::time::interval(poll);
        tick.reset();
        loop {
            write!(out, "{}> ", self.actor.handle)?;
            out.flush()?;
            let line = loop {
                tokio::select! {
                    line = lines.next_line() => break line?,
                    _ = tick.tick() => {
                        if self.show_notifications(out).await? > 0 {
                            write!(out, "{}> ", self.actor.handle)?;
                            out.flush()?;
                        }
                    }
                }
            };
            let Some(line) = line else { break };
            let line = line.trim();
            match line {
                "" => continue,
                "quit" | "exit" | "/quit" | "/exit" => break,
                _ => {}
            }
            let reply = match line.parse::<usize>() {
                Ok(n) => {
                    let Some(action) = self.actions.get(n.wrapping_sub(1)).cloned() else {
                        let msg = Msg::new("console.no_such_action").arg("n", n);
                        let text = self.chat.renderer.msg(locale, &msg);
                        writeln!(out, "{}", display_safe(&text))?;
                        continue;
                    };
                    let mut comment = None;
                    if action.needs_comment {
                        // Say a stale prompt is stale before asking for a reason, as
                        // Discord will before opening its modal.
                        if let Some(refused) = self.chat.precheck(&self.actor, &action).await {
                            self.print(out, &refused)?;
                            continue;
                        }
                        let ask = self
                            .chat
                            .renderer
                            .msg(locale, &Msg::new("console.ask_reason"));
                        write!(out, "{ask} ")?;
                        out.flush()?;
                        comment = Some(lines.next_line().await?.unwrap_or_default());
                    }
                    self.chat
                        .press(&self.actor, &action, comment.as_deref())
                        .await
                }
                Err(_) => self.chat.run_line(&self.actor, line).await,
            };
            self.print(out, &reply)?;
            self.show_notifications(out).await?;
        }
        Ok(())
    }

    fn print(&mut self, out: &mut dyn Write, reply: &Reply) -> std::io::Result<()> {
        if !reply.text.is_empty() {
            writeln!(out, "{}", display_safe(&reply.text))?;
        }
        if !reply.actions.is_empty() {
            let mut row = Vec::new();
            for a in &reply.actions {
                self.actions.push(a.clone());
                row.push(format!(
                    "[{}] {}",
                    self.actions.len(),
                    display_safe(&a.label)
                ));
            }
            writeln!(out, "  {}", row.join("   "))?;
        }
        Ok(())
    }

    /// Delivers the employee's pending chat notifications to this terminal; returns how many.
    pub async fn show_notifications(&mut self, out: &mut dyn Write) -> anyhow::Result<usize> {
        let claimed =
            crate::service::notify::claim_chat(&self.chat.desk, self.actor.id, "console").await?;
        let locale = self.chat.locale_of(&self.actor);
        for m in &claimed {
            let reply = self.chat.notification(locale, m);
            let text = display_safe(&reply.text).replace('\n', "\n   ");
            writeln!(out, "\n🔔 {text}")?;
            self.print(
                out,
                &Reply {
                    text: String::new(),
                    ..reply
                },
            )?;
        }
        Ok(claimed.len())
    }
}
