//! Customer service: inquiries, complaints and feedback, from logging to resolution.
//!
//! An agent logs what came in; the routing rules pick category, department and priority; the
//! customer gets an acknowledgement in their language. Then take, assign, hand off, note
//! (internal), reply and resolve (both emailed to the customer, threaded with the
//! acknowledgement). Complaints also go to the central office. Every step is audited.

mod sla;
pub use sla::sla_check;

use crate::access::{self, inquiries as may};
use crate::domain::directory::{Directory, Employee, Role};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::service_desk::customers::service::resolve as resolve_customer;
use crate::service_desk::customers::store as customers;
use crate::service_desk::customers::store::Customer;
use crate::service_desk::inquiries::domain::{
    check_text, Channel, EventKind, Kind, Priority, SlaStep, Status, MAX_CATEGORY, MAX_SUBJECT,
    MAX_TEXT,
};
use crate::service_desk::inquiries::store::{self as rows, Event, Inquiry, NewInquiry};
use crate::store::jobs::NewJob;
use crate::store::outbox::{NewMessage, EMAIL};
use crate::store::{self, audit, Conn};
use serde_json::{json, Value};

/// What an agent types when logging.
pub struct LogInput<'a> {
    pub customer: &'a str,
    pub channel: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub details: &'a str,
    pub category: Option<&'a str>,
    pub department: Option<&'a str>,
    pub priority: Option<&'a str>,
}

/// An inquiry as a reply shows it.
#[derive(Debug, Clone)]
pub struct Story {
    pub inquiry: Inquiry,
    pub reference: Reference,
    pub customer: Customer,
    pub events: Vec<Event>,
}

/// The reference of inquiry `id`, e.g. `INQ-000042`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Inquiry,
        number: id,
    }
}

/// The facts every message about an inquiry carries.
fn facts(i: &Inquiry, c: &Customer, dir: &Directory) -> Value {
    let dept = dir.department(&i.department_code);
    json!({
        "ref": reference(i.id).to_string(), "subject": i.subject, "details": i.details,
        "customer": c.name, "customer_email": c.email, "kind": i.kind, "channel": i.channel,
        "category": i.category, "priority": i.priority, "status": i.status,
        "department": dept.map_or(i.department_code.clone(), |d| d.name.clone()),
        "department_zh": dept.map_or(i.department_code.clone(), |d| d.name_zh.clone()),
        "owner": i.owner_id.and_then(|o| dir.by_id(o)).map(|e| e.name.clone()),
        "created_ms": i.created_at, "resolution": i.resolution,
    })
}

/// An email to the customer about an inquiry, in their language, threaded by reference.
fn to_customer(c: &Customer, i: &Inquiry, kind: &'static str, extra: Value) -> Option<NewMessage> {
    if c.email.is_empty() {
        return None;
    }
    let mut payload = json!({
        "ref": reference(i.id).to_string(), "subject": i.subject, "kind": i.kind,
        "channel": i.channel, "name": c.name, "locale": c.locale,
    });
    if let (Value::Object(p), Value::Object(e)) = (&mut payload, extra) {
        p.extend(e);
    }
    Some(NewMessage {
        channel: EMAIL,
        recipient: None,
        address: Some(c.email.clone()),
        kind,
        subject_ref: Some(reference(i.id).to_string()),
        payload,
        edits: None,
    })
}

/// Active members of a department, for notifications (people who left hear nothing).
fn members<'a>(dir: &'a Directory, department: &str) -> Vec<&'a Employee> {
    dir.employees
        .iter()
        .filter(|e| e.active && e.department == department)
        .collect()
}

/// Logs an inquiry, complaint or feedback for a customer.
pub async fn log(desk: &Desk, actor: &Employee, input: LogInput<'_>) -> DeskResult<Story> {
    access::require(actor, "inquiry.log")?;
    let mut problems = Vec::new();
    let channel = Channel::parse(input.channel);
    let kind = Kind::parse(input.kind);
    let subject = check_text("subject", input.subject, MAX_SUBJECT)
        .map_err(|m| problems.push(m))
        .ok();
    let details = check_text("details", input.details, MAX_TEXT)
        .map_err(|m| problems.push(m))
        .ok();
    if let Some(c) = input.category {
        if let Err(m) = crate::domain::text::at_most("category", c.trim(), MAX_CATEGORY) {
            problems.push(m);
        }
    }
    let priority = input.priority.map(|p| {
        Priority::parse(p).ok_or_else(|| Msg::new("inquiry.bad_priority").arg("value", p))
    });
    let priority = match priority.transpose() {
        Ok(p) => p,
        Err(m) => {
            problems.push(m);
            None
        }
    };
    let mut tx = desk.begin().await?;
    let customer = match resolve_customer(&mut tx, actor, input.customer).await {
        Ok(c) => Some(c),
        Err(crate::service::DeskError::User(m)) => {
            problems.extend(m);
            None
        }
        Err(e) => return Err(e),
    };
    let dir = store::directory::load(&mut tx).await?;
    let department = input.department.map(|d| {
        dir.find_department(d)
            .map_or_else(|| d.trim().to_uppercase(), |d| d.code.clone())
    });
    if let Some(d) = &department {
        if dir.department(d).is_none() {
            problems.push(dir.unknown_department(d));
        }
    }
    let (Some(channel), Some(kind), Some(subject), Some(details), Some(customer), true) = (
        channel,
        kind,
        subject,
        details,
        customer,
        problems.is_empty(),
    ) else {
        if channel.is_none() {
            problems.push(Msg::new("inquiry.bad_channel").arg("value", input.channel));
        }
        if kind.is_none() {
            problems.push(Msg::new("inquiry.bad_kind").arg("value", input.kind));
        }
        return Err(problems.into());
    };
    let route = desk.routing.route(&subject, &details);
    let category = input
        .category
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .or(route.category);
    let now = store::to_ms(desk.now());
    let inquiry = rows::insert(
        &mut tx,
        &NewInquiry {
            customer_id: customer.id,
            channel,
            kind,
            subject: &subject,
            details: &details,
            category: category.as_deref(),
            department: department.as_deref().unwrap_or(&route.department),
            priority: priority.unwrap_or(route.priority),
            logged_by: actor.id,
        },
        now,
    )
    .await?;
    let r = reference(inquiry.id).to_string();
    if let Some((first, resolve)) = desk.routing.sla(kind, priority.unwrap_or(route.priority)) {
        for (check, after) in [("response", first), ("resolution", resolve)] {
            let after = after.as_millis() as i64;
            let due = SlaStep::Breach.at(now, after);
            for step in SlaStep::ALL {
                let job = NewJob::new(
                    crate::service::jobs::kind::INQUIRY_SLA,
                    json!({ "id": inquiry.id, "check": check, "due_ms": due, "step": step.as_str() }),
                    step.at(now, after),
                    format!("inquiry.sla:{}:{check}:{}", inquiry.id, step.as_str()),
                );
                crate::store::jobs::insert(&mut tx, &job, now).await?;
            }
        }
    }
    if let Some(m) = to_customer(&customer, &inquiry, notify::kind::INQUIRY_ACK, json!({})) {
        crate::store::outbox::enqueue(&mut tx, &m, now).await?;
    }
    let mut f = facts(&inquiry, &customer, &dir);
    f["by"] = json!(actor.name);
    for e in members(&dir, &inquiry.department_code) {
        if e.id != actor.id {
            let m = notify::message(e.id, notify::kind::INQUIRY_HANDOFF, Some(&r), f.clone());
            notify::send(&mut tx, &m, now).await?;
        }
    }
    if kind == Kind::Complaint {
        for e in dir.with_role(Role::Bcmo) {
            let m = notify::message(e.id, notify::kind::COMPLAINT, Some(&r), f.clone());
            notify::send(&mut tx, &m, now).await?;
        }
    }
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "inquiry.log",
        &r,
        // The customer by number and no subject: names and what they wrote stay out of the
        // trail, which cannot be erased.
        format!(
            "{} from customer #{} by {} → {} ({})",
            kind.as_str(),
            customer.id,
            channel.as_str(),
            inquiry.department_code,
            inquiry.priority
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(Story {
        reference: reference(inquiry.id),
        inquiry,
        customer,
        events: vec![],
    })
}

/// What the access rules need to know about an inquiry.
fn access_facts(i: &Inquiry) -> may::Facts<'_> {
    may::Facts {
        department: &i.department_code,
        owner: i.owner_id,
        logged_by: i.logged_by,
    }
}

/// The inquiry a reference names, with its customer, if `actor` may read it; one they may
/// not read is "not found", like one that does not exist.
async fn load(conn: &mut Conn, actor: &Employee, r: Reference) -> DeskResult<(Inquiry, Customer)> {
    let not_found = || Msg::new("inquiry.not_found").arg("ref", r.to_string());
    let i = rows::get(&mut *conn, r.number)
        .await?
        .filter(|i| may::may_read(actor, access_facts(i)))
        .ok_or_else(not_found)?;
    let c = customers::get(conn, i.customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("inquiry {} has no customer", i.id))?;
    Ok((i, c))
}

/// An inquiry with its timeline, for those who may read it.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let (inquiry, customer) = load(&mut conn, actor, r).await?;
    let events = rows::events(&mut conn, inquiry.id).await?;
    Ok(Story {
        reference: r,
        inquiry,
        customer,
        events,
    })
}

/// What changes an inquiry.
pub enum Step<'a> {
    /// The actor takes it.
    Take,
    /// To someone (a handle).
    Assign(&'a str),
    /// To a department (its code); its members are told.
    Handoff(&'a str),
    /// An internal note.
    Note(&'a str),
    /// An answer emailed to the customer.
    Reply(&'a str),
    /// The result, emailed to the customer; closes it.
    Resolve(&'a str),
}

/// Takes one step on an inquiry, in one transaction with its notifications and audit event.
pub async fn step(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    step: Step<'_>,
) -> DeskResult<Story> {
    let mut tx = desk.begin().await?;
    let (mut inquiry, customer) = load(&mut tx, actor, r).await?;
    if !may::may_handle(actor, access_facts(&inquiry)) {
        return Err(Msg::new("inquiry.not_yours")
            .arg("ref", r.to_string())
            .arg("department", &inquiry.department_code)
            .into());
    }
    if inquiry.status == Status::Resolved {
        return Err(Msg::new("inquiry.resolved_already")
            .arg("ref", r.to_string())
            .into());
    }
    let dir = store::directory::load(&mut tx).await?;
    let now = store::to_ms(desk.now());
    let refs = r.to_string();
    let (event, text, summary) = match step {
        Step::Take => {
            rows::set_owner(
                &mut tx,
                inquiry.id,
                Some(actor.id),
                &inquiry.department_code,
                Status::InProgress,
                now,
            )
            .await?;
            (
                EventKind::Take,
                String::new(),
                format!("taken by {}", actor.name),
            )
        }
        Step::Assign(handle) => {
            let to = dir
                .by_handle(handle.trim().trim_start_matches('@'))
                .ok_or_else(|| Msg::new("inquiry.unknown_employee").arg("handle", handle))?
                .clone();
            if !may::may_receive(&to, &inquiry.department_code) {
                return Err(Msg::new("inquiry.assign_outside")
                    .arg("ref", &refs)
                    .arg("name", &to.name)
                    .arg("department", &inquiry.department_code)
                    .into());
            }
            rows::set_owner(
                &mut tx,
                inquiry.id,
                Some(to.id),
                &inquiry.department_code,
                Status::InProgress,
                now,
            )
            .await?;
            inquiry.owner_id = Some(to.id);
            let mut f = facts(&inquiry, &customer, &dir);
            f["by"] = json!(actor.name);
            if to.id != actor.id {
                let m = notify::message(to.id, notify::kind::INQUIRY_ASSIGNED, Some(&refs), f);
                notify::send(&mut tx, &m, now).await?;
            }
            (
                EventKind::Assign,
                to.name.clone(),
                format!("assigned to {}", to.name),
            )
        }
        Step::Handoff(code) => {
            let code = dir
                .find_department(code)
                .map_or_else(|| code.trim().to_uppercase(), |d| d.code.clone());
            let Some(dept) = dir.department(&code) else {
                return Err(dir.unknown_department(&code).into());
            };
            let dept_name = dept.name.clone();
            // Its members were told when it reached them and nobody has taken it since:
            // handing it to them again would change nothing but notify them twice.
            if code == inquiry.department_code && inquiry.owner_id.is_none() {
                return Err(Msg::new("inquiry.already_with")
                    .arg("ref", &refs)
                    .arg("department", &dept_name)
                    .arg("department_zh", &dept.name_zh)
                    .into());
            }
            rows::set_owner(&mut tx, inquiry.id, None, &code, Status::Open, now).await?;
            inquiry.department_code = code.clone();
            inquiry.owner_id = None;
            let mut f = facts(&inquiry, &customer, &dir);
            f["by"] = json!(actor.name);
            for e in members(&dir, &code) {
                if e.id != actor.id {
                    let m = notify::message(
                        e.id,
                        notify::kind::INQUIRY_HANDOFF,
                        Some(&refs),
                        f.clone(),
                    );
                    notify::send(&mut tx, &m, now).await?;
                }
            }
            (
                EventKind::Handoff,
                code.clone(),
                format!("handed off to {dept_name}"),
            )
        }
        Step::Note(text) => {
            let text = check_text("text", text, MAX_TEXT)?;
            (EventKind::Note, text, "internal note".to_string())
        }
        Step::Reply(text) => {
            let text = check_text("text", text, MAX_TEXT)?;
            let Some(m) = to_customer(
                &customer,
                &inquiry,
                notify::kind::INQUIRY_REPLY,
                json!({ "text": text, "by": actor.name }),
            ) else {
                return Err(Msg::new("inquiry.no_email")
                    .arg("who", &customer.name)
                    .into());
            };
            crate::store::outbox::enqueue(&mut tx, &m, now).await?;
            rows::mark_responded(&mut tx, inquiry.id, now).await?;
            (
                EventKind::Reply,
                text,
                format!("replied to customer #{}", customer.id),
            )
        }
        Step::Resolve(text) => {
            let text = check_text("resolution", text, MAX_TEXT)?;
            let email = to_customer(
                &customer,
                &inquiry,
                notify::kind::INQUIRY_RESOLVED,
                json!({ "resolution": text, "by": actor.name,
                        "survey_url": crate::service_desk::satisfaction::service::link(desk, inquiry.id) }),
            );
            match email {
                Some(m) => {
                    crate::store::outbox::enqueue(&mut tx, &m, now).await?;
                }
                // A complaint's result must reach the customer.
                None if inquiry.kind == Kind::Complaint => {
                    return Err(Msg::new("inquiry.complaint_needs_email")
                        .arg("who", &customer.name)
                        .into());
                }
                None => {}
            }
            rows::resolve(&mut tx, inquiry.id, &text, now).await?;
            let days = i64::from(desk.routing.satisfaction_callback_days);
            if inquiry.kind == Kind::Complaint && days > 0 {
                // Satisfaction follow-up: the owner (else whoever resolved it) calls back.
                let due = now + days * 86_400_000;
                let note = format!("{refs}: satisfaction follow-up / 满意度回访");
                let owner = inquiry.owner_id.unwrap_or(actor.id);
                crate::collaboration::callbacks::service::schedule_in(
                    &mut tx,
                    desk,
                    owner,
                    (customer.id, &customer.name),
                    &note,
                    due,
                )
                .await?;
            }
            (EventKind::Resolve, text, "resolved".to_string())
        }
    };
    rows::add_event(&mut tx, inquiry.id, event, Some(actor.id), &text, now).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        &format!("inquiry.{event}"),
        &refs,
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let inquiry = rows::get(&mut tx, inquiry.id).await?.unwrap_or(inquiry);
    let events = rows::events(&mut tx, inquiry.id).await?;
    tx.commit().await?;
    Ok(Story {
        reference: r,
        inquiry,
        customer,
        events,
    })
}

/// Which unresolved inquiries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The actor's own: what a list shows unless another scope is asked for.
    #[default]
    Mine,
    Department,
    Open,
}

impl Scope {
    /// The command's choice (`mine`, `department`, `open`).
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "mine" => Some(Scope::Mine),
            "department" => Some(Scope::Department),
            "open" => Some(Scope::Open),
            _ => None,
        }
    }

    /// The name [`Scope::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Mine => "mine",
            Scope::Department => "department",
            Scope::Open => "open",
        }
    }
}

/// Unresolved inquiries in a scope, with their customers' names.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    scope: Scope,
) -> DeskResult<Vec<(Inquiry, String)>> {
    if scope == Scope::Open && !may::may_list_all(actor) {
        return Err(Msg::new("inquiry.open_scope_denied").into());
    }
    let mut conn = desk.store.pool().acquire().await?;
    let rows = match scope {
        Scope::Mine => rows::unresolved(&mut conn, Some(actor.id), None).await?,
        Scope::Department => rows::unresolved(&mut conn, None, Some(&actor.department)).await?,
        Scope::Open => rows::unresolved(&mut conn, None, None).await?,
    };
    let mut out = Vec::new();
    for i in rows {
        let name = customers::get(&mut conn, i.customer_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        out.push((i, name));
    }
    Ok(out)
}

/// The view of a story for replies.
pub fn view(s: &Story, dir: &Directory) -> Value {
    let events: Vec<Value> = s
        .events
        .iter()
        .map(|e| {
            json!({ "kind": e.kind, "author": e.author_id.and_then(|a| dir.by_id(a)).map_or("bizdesk".to_string(), |a| a.name.clone()),
                    "text": e.text, "at_ms": e.created_at })
        })
        .collect();
    json!({ "i": facts(&s.inquiry, &s.customer, dir), "notes": events })
}
