//! `/customer`: add, find, show, update.

use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;
use crate::service_desk::customers::service::{self as customers, Fields};
use crate::service_desk::customers::store::Customer;
use serde_json::{json, Value};

fn row(c: &Customer, owner: Option<String>) -> Value {
    json!({ "id": c.id, "name": c.name, "company": c.company, "email": c.email, "phone": c.phone,
            "locale": c.locale, "owner": owner, "created_ms": c.created_at })
}

/// The `/customer` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Add,
    Show,
    Update,
    Find,
}

/// The `/customer` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("customer.add", |c, a, i, l| {
            Box::pin(c.customers(a, i, l, Verb::Add))
        }),
        Handler::new("customer.show", |c, a, i, l| {
            Box::pin(c.customers(a, i, l, Verb::Show))
        }),
        Handler::new("customer.update", |c, a, i, l| {
            Box::pin(c.customers(a, i, l, Verb::Update))
        }),
        Handler::new("customer.find", |c, a, i, l| {
            Box::pin(c.customers(a, i, l, Verb::Find))
        }),
    ]
}

impl Chat {
    /// Runs a `customer.*` action.
    async fn customers(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let fields = || Fields {
            name: inv.str("name"),
            company: inv.str("company"),
            email: inv.str("email"),
            phone: inv.str("phone"),
            locale: inv.str("locale"),
            owner: inv.handle("owner"),
        };
        match verb {
            Verb::Add => {
                let c = customers::add(desk, actor, fields()).await?;
                self.customer_reply(locale, "added", &c).await
            }
            Verb::Show => {
                let who = inv.str("customer").ok_or_else(|| missing("customer"))?;
                let c = customers::show(desk, actor, who).await?;
                self.customer_reply(locale, "show", &c).await
            }
            Verb::Update => {
                let who = inv.str("customer").ok_or_else(|| missing("customer"))?;
                let c = customers::update(desk, actor, who, fields()).await?;
                self.customer_reply(locale, "updated", &c).await
            }
            Verb::Find => {
                let text = inv.str("text").ok_or_else(|| missing("text"))?;
                let rows: Vec<Value> = customers::find(desk, actor, text)
                    .await?
                    .iter()
                    .map(|c| row(c, None))
                    .collect();
                self.render(
                    locale,
                    "reply/customers.txt",
                    json!({ "rows": rows, "text": text }),
                )
            }
        }
    }

    /// One customer, with who looks after them.
    async fn customer_reply(
        &self,
        locale: Locale,
        event: &str,
        c: &Customer,
    ) -> Result<Reply, DeskError> {
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let owner = c
            .owner_id
            .and_then(|o| dir.by_id(o))
            .map(|e| e.name.clone());
        self.render(
            locale,
            "reply/customer.txt",
            json!({ "event": event, "c": row(c, owner) }),
        )
    }
}
