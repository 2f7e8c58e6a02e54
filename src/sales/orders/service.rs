//! Sales orders: received from a customer, moved through the configured stages by its owner,
//! sales or the central office; reaching a customer-visible stage emails the customer (their
//! language, one thread per order).

use crate::domain::directory::{Directory, Employee};
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::orders::domain::{is_backward, Stage};
use crate::sales::orders::store::{self as rows, Event, NewOrder, Order};
use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::service::resolve as resolve_customer;
use crate::service_desk::customers::store as customers;
use crate::service_desk::customers::store::Customer;
use crate::store::outbox::{NewMessage, EMAIL};
use crate::store::{self, audit, Conn};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The reference of order `id`, e.g. `SO-000042`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::SalesOrder,
        number: id,
    }
}

/// An order with its customer and history.
#[derive(Debug, Clone)]
pub struct Story {
    pub order: Order,
    pub customer: Customer,
    pub events: Vec<Event>,
    /// Whether this change emailed the customer.
    pub emailed: bool,
    /// Whether this change went back to an earlier stage.
    pub back: bool,
}

fn stage<'a>(desk: &'a Desk, code: &str) -> Option<&'a Stage> {
    desk.company.order_stages.iter().find(|s| s.code == code)
}

/// The refusal for a stage code that is not configured, listing the ones that are.
fn unknown_stage(desk: &Desk, code: &str) -> Msg {
    let codes: Vec<&str> = desk
        .company
        .order_stages
        .iter()
        .map(|s| s.code.as_str())
        .collect();
    Msg::new("order.unknown_stage")
        .arg("value", code)
        .arg("stages", codes.join(", "))
}

/// Takes a new order for a customer, at the first stage.
pub async fn new(
    desk: &Desk,
    actor: &Employee,
    customer: &str,
    items: &str,
    amount: Money,
    delivery: Option<NaiveDate>,
    opportunity: Option<Reference>,
) -> DeskResult<Story> {
    let items = crate::service_desk::inquiries::domain::check_text("items", items, 1000)?;
    if amount.minor <= 0 {
        return Err(Msg::new("order.amount_positive").into());
    }
    if delivery.is_some_and(|d| d < desk.today()) {
        return Err(Msg::new("order.delivery_past").into());
    }
    let mut tx = desk.begin().await?;
    let customer = resolve_customer(&mut tx, actor, customer).await?;
    let opportunity_id = match opportunity {
        Some(r) => {
            Some(crate::sales::opportunities::service::for_order(&mut tx, r, &customer).await?)
        }
        None => None,
    };
    let first = desk
        .company
        .order_stages
        .first()
        .ok_or_else(|| anyhow::anyhow!("no order stages configured"))?
        .clone();
    let now = store::to_ms(desk.now());
    let order = rows::insert(
        &mut tx,
        &NewOrder {
            customer_id: customer.id,
            owner: actor.id,
            items: &items,
            amount,
            delivery_date: delivery,
            stage: &first.code,
            opportunity_id,
        },
        now,
    )
    .await?;
    if first.customer_visible {
        email_stage(&mut tx, &order, &customer, &first, "", now).await?;
    }
    let emailed = first.customer_visible && !customer.email.is_empty();
    let r = reference(order.id).to_string();
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.new",
        &r,
        format!(
            "{} for customer #{}: {items}, {amount}{}",
            first.code,
            customer.id,
            opportunity
                .map(|o| format!(" (from {o})"))
                .unwrap_or_default()
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let events = rows::events(&mut tx, order.id).await?;
    tx.commit().await?;
    Ok(Story {
        order,
        customer,
        events,
        emailed,
        back: false,
    })
}

async fn email_stage(
    conn: &mut Conn,
    order: &Order,
    customer: &Customer,
    stage: &Stage,
    note: &str,
    now: i64,
) -> sqlx::Result<()> {
    if customer.email.is_empty() {
        return Ok(());
    }
    let m = NewMessage {
        channel: EMAIL,
        recipient: None,
        address: Some(customer.email.clone()),
        kind: crate::service::notify::kind::ORDER_STAGE,
        subject_ref: Some(reference(order.id).to_string()),
        payload: json!({
            "ref": reference(order.id).to_string(), "name": customer.name, "locale": customer.locale,
            "items": order.items, "amount": amount_text(order), "stage": stage.name,
            "stage_zh": stage.name_zh, "note": note, "delivery": order.delivery_date,
        }),
        edits: None,
    };
    crate::store::outbox::enqueue(conn, &m, now).await?;
    Ok(())
}

fn amount_text(o: &Order) -> String {
    o.amount.to_string()
}

async fn load(conn: &mut Conn, r: Reference) -> DeskResult<(Order, Customer)> {
    let o = rows::get(&mut *conn, r.number)
        .await?
        .ok_or_else(|| Msg::new("order.not_found").arg("ref", r.to_string()))?;
    let c = customers::get(conn, o.customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} has no customer", o.id))?;
    Ok((o, c))
}

/// Moves an order to a stage, by its owner, sales or the central office; reaching a
/// customer-visible stage emails the customer. Going back to an earlier stage (a return, a
/// correction) needs `back` (`/order update … back:yes`) and emails nobody: the customer was
/// told of that stage before, and a second "Received" would only confuse them.
pub async fn update(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    code: &str,
    note: Option<&str>,
    back: bool,
) -> DeskResult<Story> {
    let code = code.trim().to_lowercase();
    let note =
        crate::domain::text::optional("note", note, crate::sales::orders::domain::MAX_STAGE_NOTE)?;
    let note = note.as_str();
    let Some(target) = stage(desk, &code).cloned() else {
        return Err(unknown_stage(desk, &code).into());
    };
    let mut tx = desk.begin().await?;
    let (order, customer) = load(&mut tx, r).await?;
    if !desk.may_handle_order(actor, order.owner_id) {
        return Err(Msg::new("order.not_allowed")
            .arg("ref", r.to_string())
            .arg("roles", desk.order_roles_text())
            .into());
    }
    if order.stage == code {
        return Err(Msg::new("order.same_stage")
            .arg("ref", r.to_string())
            .arg("stage", &target.name)
            .into());
    }
    let backward = is_backward(&desk.company.order_stages, &order.stage, &code);
    if backward && !back {
        let current = stage(desk, &order.stage);
        return Err(Msg::new("order.backward")
            .arg("ref", r.to_string())
            .arg("current", current.map_or(&order.stage, |s| &s.name))
            .arg("current_zh", current.map_or(&order.stage, |s| &s.name_zh))
            .arg("stage", &target.name)
            .arg("stage_zh", &target.name_zh)
            .arg("code", &code)
            .into());
    }
    let now = store::to_ms(desk.now());
    if !rows::set_stage(&mut tx, order.id, &order.stage, &code, now).await? {
        return Err(Msg::new("order.changed_meanwhile")
            .arg("ref", r.to_string())
            .into());
    }
    rows::add_event(&mut tx, order.id, &code, note, actor.id, now).await?;
    let order = Order {
        stage: code.clone(),
        ..order
    };
    let emailed = target.customer_visible && !backward && !customer.email.is_empty();
    if emailed {
        email_stage(&mut tx, &order, &customer, &target, note, now).await?;
    }
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.stage",
        &r.to_string(),
        format!(
            "{} {code}{}",
            if backward { "← back to" } else { "→" },
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let events = rows::events(&mut tx, order.id).await?;
    tx.commit().await?;
    Ok(Story {
        order,
        customer,
        events,
        emailed,
        back: backward,
    })
}

/// An order's status and timeline (any employee may look).
pub async fn status(desk: &Desk, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let (order, customer) = load(&mut conn, r).await?;
    let events = rows::events(&mut conn, order.id).await?;
    Ok(Story {
        order,
        customer,
        events,
        emailed: false,
        back: false,
    })
}

/// Whose orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The actor's own.
    Mine,
    /// Everyone's.
    All,
    /// Everyone's with an overdue payment.
    Overdue,
}

impl Scope {
    /// The command's choice (`mine`, `all`, `overdue`).
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "mine" => Some(Scope::Mine),
            "all" => Some(Scope::All),
            "overdue" => Some(Scope::Overdue),
            _ => None,
        }
    }

    /// The name [`Scope::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Mine => "mine",
            Scope::All => "all",
            Scope::Overdue => "overdue",
        }
    }
}

/// What `/order list` asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery<'a> {
    /// Whose; when not asked, see [`ListQuery::scope`].
    pub scope: Option<Scope>,
    pub stage: Option<&'a str>,
    /// `#12`, an email or a name.
    pub customer: Option<&'a str>,
}

impl ListQuery<'_> {
    /// The scope asked for, else the default every caller gets: one's own orders, unless a
    /// customer is named (then all of that customer's).
    pub fn scope(&self) -> Scope {
        self.scope.unwrap_or(match self.customer {
            Some(_) => Scope::All,
            None => Scope::Mine,
        })
    }
}

/// Orders, newest first, as `q` asks, with their customers' names.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    q: ListQuery<'_>,
) -> DeskResult<Vec<(Order, String)>> {
    if let Some(c) = q.stage {
        if stage(desk, c).is_none() {
            return Err(unknown_stage(desk, c).into());
        }
    }
    let mut conn = desk.store.pool().acquire().await?;
    let customer_id = match q.customer {
        Some(who) => Some(resolve_customer(&mut conn, actor, who).await?.id),
        None => None,
    };
    let today = desk.today().to_string();
    let scope = q.scope();
    let filter = rows::Filter {
        owner: (scope == Scope::Mine).then_some(actor.id),
        stage: q.stage,
        customer_id,
        overdue_on: (scope == Scope::Overdue).then_some(today.as_str()),
    };
    let orders = rows::list(&mut conn, &filter).await?;
    let mut out = Vec::new();
    for o in orders {
        let name = customers::get(&mut conn, o.customer_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        out.push((o, name));
    }
    Ok(out)
}

/// The view of an order for replies.
pub fn view(desk: &Desk, s: &Story, dir: &Directory) -> Value {
    let name = |code: &str| {
        stage(desk, code)
            .map(|st| (st.name.clone(), st.name_zh.clone()))
            .unwrap_or((code.to_string(), code.to_string()))
    };
    let (stage_name, stage_zh) = name(&s.order.stage);
    let events: Vec<Value> = s
        .events
        .iter()
        .map(|e| {
            let (n, z) = name(&e.stage);
            json!({ "stage": n, "stage_zh": z, "note": e.note, "at_ms": e.created_at,
                    "by": dir.by_id(e.author_id).map(|a| a.name.clone()).unwrap_or_default() })
        })
        .collect();
    json!({
        "ref": reference(s.order.id).to_string(), "customer": s.customer.name, "items": s.order.items,
        "amount": amount_text(&s.order), "delivery": s.order.delivery_date, "stage": stage_name,
        "stage_zh": stage_zh, "owner": dir.by_id(s.order.owner_id).map(|e| e.name.clone()),
        "created_ms": s.order.created_at, "timeline": events,
        "visible": stage(desk, &s.order.stage).is_some_and(|st| st.customer_visible),
        "emailed": s.emailed, "back": s.back,
        "opportunity": s.order.opportunity_id.map(|id| crate::sales::opportunities::service::reference(id).to_string()),
    })
}
