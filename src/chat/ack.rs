//! "Submit anyway": a command refused with a budget warning (`ledger.warn`) is held for its
//! author, and a button runs it once more with `ack:yes`. The button's custom id carries only
//! the held row's id (`ack:run:<id>`), so it works after a restart and from Discord, where a
//! button cannot hold a command line; the row is the author's, used once, and kept a day.

use crate::chat::actions::{Chat, Reply};
use crate::chat::buttons::{Action, Style};
use crate::commands::parse::Value;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::DeskResult;
use crate::store::{self, acknowledgements};

/// How long a held command may be run, in milliseconds.
const VALID_MS: i64 = 86_400_000;

/// The message key that asks for an acknowledgement.
pub const WARN: &str = "ledger.warn";

/// `inv` as a command line with `ack:yes`, every value quoted so it parses back the same.
pub fn line_of(inv: &Invocation) -> String {
    let mut line = format!("/{}", inv.command);
    if let Some(s) = &inv.subcommand {
        line.push(' ');
        line.push_str(s);
    }
    for (name, value) in inv.options.iter().filter(|(n, _)| n.as_str() != "ack") {
        let text = match value {
            Value::Str(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Value::Handle(h) => format!("@{h}"),
            Value::Money(m) => format!("{} {}", m.format_plain(), m.currency.as_str()),
            Value::Date(d) => d.to_string(),
            Value::Ref(r) => r.to_string(),
        };
        let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
        line.push_str(&format!(" {name}:\"{quoted}\""));
    }
    line.push_str(" ack:yes");
    line
}

impl Chat {
    /// Holds `inv` for `actor` and offers the button that runs it with `ack:yes`.
    pub(crate) async fn offer_ack(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> DeskResult<Action> {
        let line = line_of(inv);
        let now = store::to_ms(self.desk.now());
        let mut tx = self.desk.store.begin().await?;
        let id = acknowledgements::hold(&mut tx, actor.id, &line, now, 7 * VALID_MS).await?;
        tx.commit().await?;
        Ok(Action {
            label: self.renderer.msg(locale, &Msg::new("ledger.ack_button")),
            command: self.catalog.localize_line(&line, locale),
            needs_comment: false,
            custom_id: format!("ack:run:{id}"),
            reference: None,
            task_id: None,
            style: Style::Go,
            modal_title: None,
        })
    }

    /// Presses "Submit anyway": runs the held command once, as its author, within a day.
    pub(crate) async fn press_ack(&self, actor: &Employee, id: i64) -> Reply {
        let locale = self.locale_of(actor);
        let now = store::to_ms(self.desk.now());
        let taken: DeskResult<Option<String>> = async {
            let mut tx = self.desk.store.begin().await?;
            let line = acknowledgements::take(&mut tx, id, actor.id, now, now - VALID_MS).await?;
            tx.commit().await?;
            Ok(line)
        }
        .await;
        match taken {
            Ok(Some(line)) => self.run_line(actor, &line).await,
            Ok(None) => self.user_error(locale, &[Msg::new("ledger.ack_expired")]),
            Err(e) => self.failure(actor, "ack", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Currency, Money};
    use std::collections::BTreeMap;

    #[test]
    fn a_held_command_is_written_back_quoted_with_ack() {
        let mut options = BTreeMap::new();
        options.insert("item".to_string(), Value::Str("Desk \"XL\"".into()));
        options.insert("quantity".to_string(), Value::Int(2));
        options.insert(
            "unit_price".to_string(),
            Value::Money(Money::new(150_050, Currency::CNY)),
        );
        options.insert("ack".to_string(), Value::Bool(false));
        let inv = Invocation {
            command: "requisition".into(),
            subcommand: Some("new".into()),
            action: "requisition.new".into(),
            options,
        };
        assert_eq!(
            line_of(&inv),
            "/requisition new item:\"Desk \\\"XL\\\"\" quantity:\"2\" unit_price:\"1500.50 CNY\" ack:yes"
        );
    }
}
