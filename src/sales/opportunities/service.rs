//! Opportunities (商机): a salesperson records one for a customer; the central office assesses
//! it through the approval engine (the `opportunity` policy), recording feasibility and a
//! priority with its decision. An approved opportunity can become sales orders.

use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store::Approval;
use crate::domain::directory::{Directory, Employee};
use crate::domain::money::Money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::opportunities::domain::Priority;
use crate::sales::opportunities::store as rows;
use crate::sales::opportunities::store::Opportunity;
use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::service::resolve as resolve_customer;
use crate::service_desk::customers::store as customers;
use crate::service_desk::customers::store::Customer;
use crate::store::{self, audit, Conn};
use serde_json::{json, Value};

/// The reference of opportunity `id`, e.g. `OPP-000042`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Opportunity,
        number: id,
    }
}

/// An opportunity as people see it.
#[derive(Debug, Clone)]
pub struct Story {
    pub opportunity: Opportunity,
    pub customer: Customer,
    /// Where its assessment stands.
    pub progress: Option<Progress>,
    /// Orders taken from it.
    pub orders: Vec<String>,
}

fn value_text(o: &Opportunity) -> Option<String> {
    o.value.map(|v| v.to_string())
}

/// Records an opportunity and opens its assessment.
pub async fn new(
    desk: &Desk,
    actor: &Employee,
    customer: &str,
    title: &str,
    value: Option<Money>,
    notes: Option<&str>,
) -> DeskResult<Story> {
    // Not blank, at most 200 characters: the same check, and message, as any text field.
    let title = crate::service_desk::inquiries::domain::check_text("title", title, 200)?;
    if value.is_some_and(|v| v.minor <= 0) {
        return Err(Msg::new("sales.value_positive").into());
    }
    let notes = crate::domain::text::optional(
        "notes",
        notes,
        crate::sales::opportunities::domain::MAX_NOTES,
    )?;
    let notes = notes.as_str();
    let mut tx = desk.begin().await?;
    let customer = resolve_customer(&mut tx, actor, customer).await?;
    let dir = store::directory::load(&mut tx).await?;
    let now = store::to_ms(desk.now());
    let currency = value.map_or(desk.company.currency, |v| v.currency);
    let opp = rows::insert_opportunity(
        &mut tx,
        customer.id,
        actor.id,
        &title,
        value.map(|v| v.minor),
        currency,
        notes,
        now,
    )
    .await?;
    let r = reference(opp.id);
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: opp.id,
        reference: r,
        round: 1,
        facts: SubjectFacts {
            requester: actor.id,
            department: actor.department.clone(),
            amount_minor: opp.value.map_or(0, |v| v.minor),
            category: None,
        },
        summary: super::subject::summary(&opp, &customer, value_text(&opp)),
    };
    let progress = approvals::open_round(&mut tx, desk, &spec, actor, &dir).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "opportunity.new",
        &r.to_string(),
        format!(
            "{title} for customer #{}{}",
            customer.id,
            value_text(&opp)
                .map(|v| format!(", {v}"))
                .unwrap_or_default()
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let opportunity = rows::opportunity(&mut tx, opp.id).await?.unwrap_or(opp);
    tx.commit().await?;
    Ok(Story {
        opportunity,
        customer,
        progress: Some(progress),
        orders: Vec::new(),
    })
}

/// Stores the assessment that comes with a decision on an opportunity (in the decision's
/// transaction): the priority when approved, the assessor's words either way.
pub(crate) async fn assessed(
    conn: &mut Conn,
    approval: &Approval,
    priority: Option<Priority>,
    comment: Option<&str>,
    actor: &Employee,
    now: i64,
) -> sqlx::Result<()> {
    rows::assess(conn, approval.subject_id, priority, comment, actor.id, now).await
}

async fn load(conn: &mut Conn, r: Reference) -> DeskResult<(Opportunity, Customer)> {
    let not_found = || Msg::new("opportunity.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::Opportunity {
        return Err(not_found().into());
    }
    let o = rows::opportunity(&mut *conn, r.number)
        .await?
        .ok_or_else(not_found)?;
    let c = customers::get(conn, o.customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("opportunity {} has no customer", o.id))?;
    Ok((o, c))
}

/// An opportunity with its assessment and orders (any employee may look).
pub async fn show(desk: &Desk, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let (opportunity, customer) = load(&mut conn, r).await?;
    let dir = store::directory::load(&mut conn).await?;
    let progress =
        approvals::standing(&mut conn, &super::subject::SUBJECT, opportunity.id, &dir).await?;
    let orders: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM orders WHERE opportunity_id = $1 ORDER BY id")
            .bind(opportunity.id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Story {
        opportunity,
        customer,
        progress,
        orders: orders
            .into_iter()
            .map(|(id,)| crate::sales::orders::service::reference(id).to_string())
            .collect(),
    })
}

/// Whose opportunities a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The actor's own: what a list shows unless everyone's is asked for.
    #[default]
    Mine,
    All,
}

impl Scope {
    /// The command's choice (`mine`, `all`).
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "mine" => Some(Scope::Mine),
            "all" => Some(Scope::All),
            _ => None,
        }
    }
}

/// Opportunities, newest first, in `scope`, with customer names.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    scope: Scope,
) -> DeskResult<Vec<(Opportunity, String)>> {
    let mut conn = desk.store.pool().acquire().await?;
    let mut out = Vec::new();
    let owner = (scope == Scope::Mine).then_some(actor.id);
    for o in rows::opportunities(&mut conn, owner).await? {
        let name = customers::get(&mut conn, o.customer_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        out.push((o, name));
    }
    Ok(out)
}

/// The opportunity an order comes from: it must be approved and the same customer's.
pub(crate) async fn for_order(
    conn: &mut Conn,
    r: Reference,
    customer: &Customer,
) -> DeskResult<i64> {
    let (o, c) = load(conn, r).await?;
    if o.status != ApprovalStatus::Approved {
        return Err(Msg::new("opportunity.not_approved")
            .arg("ref", r.to_string())
            .arg("status", o.status.as_str())
            .into());
    }
    if c.id != customer.id {
        return Err(Msg::new("opportunity.other_customer")
            .arg("ref", r.to_string())
            .arg("customer", &c.name)
            .into());
    }
    Ok(o.id)
}

/// The view of an opportunity for replies (the chat layer adds where its assessment stands).
pub fn view(s: &Story, dir: &Directory) -> Value {
    let o = &s.opportunity;
    json!({
        "ref": reference(o.id).to_string(), "title": o.title, "customer": s.customer.name,
        "value": value_text(o), "notes": o.notes, "status": o.status, "priority": o.priority,
        "feasibility": o.feasibility,
        "assessed_by": o.assessed_by.and_then(|id| dir.by_id(id)).map(|e| e.name.clone()),
        "owner": dir.by_id(o.owner_id).map(|e| e.name.clone()), "created_ms": o.created_at,
        "orders": s.orders,
    })
}
