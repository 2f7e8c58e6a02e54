//! `/supplier`: add, show, find, list, update, qualify, cert, rate, disqualify.

use super::domain::{Marks, SupplierStatus};
use super::service::{self as suppliers, reference, Fields, Story};
use super::store::Supplier;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;
use serde_json::{json, Value};

/// The `/supplier` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Add,
    Show,
    Find,
    List,
    Update,
    Qualify,
    Cert,
    Rate,
    Disqualify,
}

/// The `/supplier` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("supplier.add", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Add))
        }),
        Handler::new("supplier.show", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Show))
        }),
        Handler::new("supplier.find", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Find))
        }),
        Handler::new("supplier.list", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::List))
        }),
        Handler::new("supplier.update", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Update))
        }),
        Handler::new("supplier.qualify", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Qualify))
        }),
        Handler::new("supplier.cert", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Cert))
        }),
        Handler::new("supplier.rate", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Rate))
        }),
        Handler::new("supplier.disqualify", |c, a, i, l| {
            Box::pin(c.supplier(a, i, l, Verb::Disqualify))
        }),
    ]
}

/// One supplier in a list, as the service gave it (contacts blank for those who may not
/// read them).
fn row(s: &Supplier, desk: &crate::service::Desk, locale: Locale) -> Value {
    let cats: Vec<&str> = s
        .categories
        .iter()
        .map(|c| desk.company.terms.name("requisition_categories", c, locale))
        .collect();
    json!({
        "ref": reference(s.id).to_string(), "name": s.name, "company": s.company,
        "status": s.status, "reason": s.suspended_reason, "categories": cats.join(", "),
        "score": s.score, "standing": s.standing, "locale": s.locale,
        "email": s.email, "phone": s.phone,
    })
}

impl Chat {
    /// Runs a `supplier.*` action.
    async fn supplier(
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
            categories: inv.str("categories"),
            locale: inv.str("locale"),
        };
        let r = || inv.reference("ref").ok_or_else(|| missing("ref"));
        match verb {
            Verb::Add => {
                let s = suppliers::add(desk, actor, fields()).await?;
                let story = suppliers::show(desk, actor, reference(s.id)).await?;
                self.supplier_reply(locale, "added", &story, json!({}))
            }
            Verb::Show => {
                let story = suppliers::show(desk, actor, r()?).await?;
                self.supplier_reply(locale, "show", &story, json!({}))
            }
            Verb::Update => {
                let s = suppliers::update(desk, actor, r()?, fields()).await?;
                let story = suppliers::show(desk, actor, reference(s.id)).await?;
                self.supplier_reply(locale, "updated", &story, json!({}))
            }
            Verb::Qualify => {
                let out = super::subject::qualify(
                    desk,
                    actor,
                    r()?,
                    inv.str("note"),
                    inv.str("attachment"),
                )
                .await?;
                let extra = json!({
                    "round": out.round, "progress": views::progress(&out.progress, locale),
                });
                self.supplier_reply(locale, "qualify", &out.story, extra)
            }
            Verb::Cert => {
                let expires = inv.date("expires").ok_or_else(|| missing("expires"))?;
                let kind = inv.str("kind").ok_or_else(|| missing("kind"))?;
                let f = super::certs::file(desk, actor, r()?, kind, expires, inv.str("attachment"))
                    .await?;
                let extra = json!({
                    "kind": f.kind, "expires": f.expires.to_string(), "lifted": f.lifted,
                });
                self.supplier_reply(locale, "cert", &f.story, extra)
            }
            Verb::Rate => {
                let mark = |n: &str| inv.int(n).ok_or_else(|| missing(n));
                let marks = Marks {
                    quality: mark("quality")?,
                    delivery: mark("delivery")?,
                    price: mark("price")?,
                    service: mark("service")?,
                };
                let story = suppliers::rate(desk, actor, r()?, marks, inv.str("comment")).await?;
                self.supplier_reply(locale, "rated", &story, json!({}))
            }
            Verb::Disqualify => {
                let story = suppliers::disqualify(desk, actor, r()?, inv.str("reason")).await?;
                self.supplier_reply(locale, "disqualified", &story, json!({}))
            }
            Verb::Find | Verb::List => {
                let (rows, text, status) = if verb == Verb::Find {
                    let text = inv.str("text").ok_or_else(|| missing("text"))?;
                    (suppliers::find(desk, actor, text).await?, Some(text), None)
                } else {
                    let status = inv.str("status").and_then(SupplierStatus::parse);
                    (suppliers::list(desk, actor, status).await?, None, status)
                };
                let rows: Vec<Value> = rows.iter().map(|s| row(s, desk, locale)).collect();
                self.render(
                    locale,
                    "reply/suppliers.txt",
                    json!({ "rows": rows, "text": text, "status": status }),
                )
            }
        }
    }

    /// One supplier's full view.
    fn supplier_reply(
        &self,
        locale: Locale,
        event: &str,
        story: &Story,
        extra: Value,
    ) -> Result<Reply, DeskError> {
        let s = &story.supplier;
        let certs: Vec<Value> = story
            .certs
            .iter()
            .map(|c| json!({ "kind": c.kind, "expires_on": c.expires_on, "document": c.document_url }))
            .collect();
        let cards: Vec<Value> = story
            .cards
            .iter()
            .map(|c| {
                let p = &c.parts;
                let r = |v: Option<f64>| v.map(|v| v.round() as i64);
                json!({
                    "period": c.period, "score": c.score, "standing": c.standing,
                    "quality": r(p.quality), "delivery": r(p.delivery), "price": r(p.price),
                    "service": r(p.service), "on_time": r(p.on_time),
                    "acceptance": r(p.acceptance), "ratings": p.ratings, "receipts": p.receipts,
                    "variance": p.price_variance.iter()
                        .map(|(po, item, v)| json!({ "po": po, "item": item, "pct": v }))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let progress = story
            .progress
            .as_ref()
            .map(|p| views::progress(p, locale))
            .unwrap_or(Value::Null);
        let mut ctx = json!({
            "event": event, "s": row(s, &self.desk, locale),
            "certs": certs, "cards": cards, "review": progress, "owner": story.owner,
            "contacts": story.contacts, "round": s.round,
        });
        if let (Some(c), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                c.insert(k.clone(), v.clone());
            }
        }
        let mut reply = self.render(locale, "reply/supplier.txt", ctx)?;
        reply.reference = Some(reference(s.id));
        Ok(reply)
    }
}
