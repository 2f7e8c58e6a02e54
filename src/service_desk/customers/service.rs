//! Customers: add, find, show, update, and import many from CSV (each bad row reported with
//! its line and reason; a row is imported whole or not at all).

use crate::access::{self, customers as may};
use crate::domain::audit::ChainKey;
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::domain::{self as customer, CustomerId, CustomerInput};
use crate::service_desk::customers::store::{self as rows, Customer};
use crate::store::{self, audit, Conn};

/// What a user typed about a customer; `None` leaves a field as it is (on update).
#[derive(Debug, Clone, Default)]
pub struct Fields<'a> {
    pub name: Option<&'a str>,
    pub company: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub locale: Option<&'a str>,
    /// An employee's handle.
    pub owner: Option<&'a str>,
}

fn subject(id: CustomerId) -> String {
    format!("customer #{id}")
}

async fn owner_id(conn: &mut Conn, handle: Option<&str>, actor: &Employee) -> DeskResult<i64> {
    match handle
        .map(|h| h.trim().trim_start_matches('@'))
        .filter(|h| !h.is_empty())
    {
        None => Ok(actor.id),
        Some(h) => match store::directory::by_handle(conn, h).await? {
            Some(e) if e.active => Ok(e.id),
            _ => Err(Msg::new("customer.unknown_owner").arg("handle", h).into()),
        },
    }
}

/// Adds a customer (owned by the actor unless `owner` says otherwise).
pub async fn add(desk: &Desk, actor: &Employee, f: Fields<'_>) -> DeskResult<Customer> {
    access::require(actor, "customer.add")?;
    let input = customer::check(f.name.unwrap_or(""), f.company, f.email, f.phone, f.locale)?;
    let mut tx = desk.begin().await?;
    let owner = owner_id(&mut tx, f.owner, actor).await?;
    let now = store::to_ms(desk.now());
    let Some(c) = rows::insert(&mut tx, &input, Some(owner), now).await? else {
        return Err(duplicate(&mut tx, &input.email).await?.into());
    };
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "customer.add",
        &subject(c.id),
        added(&desk.keys.audit, &c),
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok(c)
}

async fn duplicate(conn: &mut Conn, email: &str) -> DeskResult<Msg> {
    let other = rows::by_email(conn, email).await?;
    Ok(Msg::new("customer.duplicate_email")
        .arg("email", email)
        .arg("id", other.as_ref().map_or(0, |o| o.id.0))
        .arg("name", other.map(|o| o.name).unwrap_or_default()))
}

/// The audit summary of a new customer: which fields were given, never their values (the
/// trail is kept forever and cannot be erased); email and phone as keyed tags.
fn added(key: &ChainKey, c: &Customer) -> String {
    let mut given = vec!["name".to_string()];
    if !c.company.is_empty() {
        given.push("company".into());
    }
    for (field, value) in [("email", &c.email), ("phone", &c.phone)] {
        if !value.is_empty() {
            given.push(format!("{field} ({})", key.tag(field, value)));
        }
    }
    format!("added with {}", given.join(", "))
}

/// The customer `who` names by number (`#12`) or email, for the operator's commands on the
/// command line (which trust their operator; see the README).
pub(crate) async fn by_number_or_email(conn: &mut Conn, who: &str) -> DeskResult<Customer> {
    let w = who.trim();
    let found = match w.trim_start_matches('#').parse::<i64>() {
        Ok(id) => rows::get(conn, CustomerId(id)).await?,
        Err(_) => rows::by_email(conn, &crate::domain::email::normalize(w)).await?,
    };
    found.ok_or_else(|| Msg::new("customer.not_found").arg("who", w).into())
}

/// Finds the one customer `who` means, among those `actor` may read: `#12` or `12`, an email,
/// or a name or company that only one customer matches. A customer the actor may not read
/// is "not found", exactly like one that does not exist.
pub async fn resolve(conn: &mut Conn, actor: &Employee, who: &str) -> DeskResult<Customer> {
    let w = who.trim();
    let not_found = || Msg::new("customer.not_found").arg("who", w);
    let visible = |c: Option<Customer>| c.filter(|c| may::may_read(actor, c.owner_id));
    if let Ok(id) = w.trim_start_matches('#').parse::<i64>() {
        return visible(rows::get(conn, CustomerId(id)).await?).ok_or_else(|| not_found().into());
    }
    let email = crate::domain::email::normalize(w);
    if email.contains('@') {
        return visible(rows::by_email(conn, &email).await?).ok_or_else(|| not_found().into());
    }
    let found = search(conn, actor, w, 6).await?;
    let exact: Vec<&Customer> = found.iter().filter(|c| c.name == w).collect();
    match (found.len(), exact.as_slice()) {
        (0, _) => Err(not_found().into()),
        (1, _) => Ok(found.into_iter().next().expect("one")),
        (_, [one]) => Ok((*one).clone()),
        _ => {
            let options: Vec<String> = found
                .iter()
                .take(5)
                .map(|c| {
                    format!(
                        "#{} {}{}",
                        c.id,
                        c.name,
                        if c.company.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", c.company)
                        }
                    )
                })
                .collect();
            Err(Msg::new("customer.ambiguous")
                .arg("who", w)
                .arg("options", options.join("; "))
                .into())
        }
    }
}

/// One customer, as `who` names them, if `actor` may read them.
pub async fn show(desk: &Desk, actor: &Employee, who: &str) -> DeskResult<Customer> {
    let mut conn = desk.store.pool().acquire().await?;
    resolve(&mut conn, actor, who).await
}

/// Customers matching `text` (name, company, email, phone) that `actor` may read, at most 20.
pub async fn find(desk: &Desk, actor: &Employee, text: &str) -> DeskResult<Vec<Customer>> {
    let mut conn = desk.store.pool().acquire().await?;
    search(&mut conn, actor, text, 20).await
}

/// At most `limit` customers matching `text` among those `actor` may read (someone outside
/// service, sales and the central office reads only the customers they look after).
async fn search(
    conn: &mut Conn,
    actor: &Employee,
    text: &str,
    limit: usize,
) -> DeskResult<Vec<Customer>> {
    if may::may_read_all(actor) {
        return Ok(rows::find(conn, text, limit as i64).await?);
    }
    let mut own = rows::find(conn, text, 500).await?;
    own.retain(|c| c.owner_id == Some(actor.id));
    own.truncate(limit);
    Ok(own)
}

/// Changes the given fields of a customer (an empty `company`, `email` or `phone` clears it).
pub async fn update(
    desk: &Desk,
    actor: &Employee,
    who: &str,
    f: Fields<'_>,
) -> DeskResult<Customer> {
    let mut tx = desk.begin().await?;
    let c = resolve(&mut tx, actor, who).await?;
    if !may::may_edit(actor, c.owner_id) {
        return Err(Msg::new("customer.edit_denied").arg("id", c.id).into());
    }
    let locale = c.locale.map(Locale::tag);
    let merged = customer::check(
        f.name.unwrap_or(&c.name),
        Some(f.company.unwrap_or(&c.company)),
        Some(f.email.unwrap_or(&c.email)),
        Some(f.phone.unwrap_or(&c.phone)),
        f.locale.or(locale),
    )?;
    let owner = match f.owner {
        Some(_) => Some(owner_id(&mut tx, f.owner, actor).await?),
        None => c.owner_id,
    };
    let now = store::to_ms(desk.now());
    if !rows::update(&mut tx, c.id, &merged, owner, now).await? {
        return Err(duplicate(&mut tx, &merged.email).await?.into());
    }
    let changed = changes(&desk.keys.audit, &c, &merged);
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "customer.update",
        &subject(c.id),
        if changed.is_empty() {
            "no change".to_string()
        } else {
            changed.join(", ")
        },
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    let out = rows::get(&mut tx, c.id).await?.unwrap_or(c);
    tx.commit().await?;
    Ok(out)
}

/// What an update changed, for the audit trail: field names, never personal values; a new
/// email or phone as a keyed tag, so the key holder can prove what was set.
fn changes(key: &ChainKey, old: &Customer, new: &CustomerInput) -> Vec<String> {
    let mut out = Vec::new();
    for (field, a, b) in [
        ("name", old.name.as_str(), new.name.as_str()),
        ("company", &old.company, &new.company),
        ("email", &old.email, &new.email),
        ("phone", &old.phone, &new.phone),
    ] {
        match (a == b, b.is_empty(), field) {
            (true, _, _) => {}
            (false, true, _) => out.push(format!("{field} cleared")),
            (false, false, "email" | "phone") => {
                out.push(format!("{field} changed ({})", key.tag(field, b)))
            }
            (false, false, _) => out.push(format!("{field} changed")),
        }
    }
    if old.locale != new.locale {
        out.push(format!(
            "locale: {} → {}",
            old.locale.map_or("", Locale::tag),
            new.locale.map_or("", Locale::tag)
        ));
    }
    out
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// (line, customer) for each row added.
    pub added: Vec<(usize, Customer)>,
    /// (line, problems) for each row left out.
    pub refused: Vec<(usize, Vec<Msg>)>,
}

const COLUMNS: [(&str, &str); 6] = [
    ("name", "姓名"),
    ("company", "公司"),
    ("email", "邮箱"),
    ("phone", "电话"),
    ("locale", "语言"),
    ("owner", "负责人"),
];

/// Imports customers from a CSV file's bytes (UTF-8, with or without a byte-order mark; other
/// encodings are refused with advice) with a header row (`name,company,email,phone,locale,owner`,
/// in any order, English or Chinese; only `name` is required). Good rows are added in one
/// transaction; each bad row is reported with its line and reasons and nothing of it is
/// written. A header the importer cannot read refuses the whole file.
pub async fn import(
    desk: &Desk,
    actor: &Employee,
    csv: impl AsRef<[u8]>,
) -> DeskResult<ImportReport> {
    access::require(actor, "customer.add")?;
    let text = customer::csv_text(csv.as_ref())?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Msg::new("customer.csv_unreadable").arg("reason", e.to_string()))?
        .clone();
    let mut index = [None; 6];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        match COLUMNS.iter().position(|(en, zh)| h == *en || h == *zh) {
            Some(c) => index[c] = Some(i),
            None => {
                return Err(Msg::new("customer.csv_unknown_column")
                    .arg("column", h)
                    .arg(
                        "columns",
                        COLUMNS
                            .iter()
                            .map(|(en, _)| *en)
                            .collect::<Vec<_>>()
                            .join(","),
                    )
                    .into())
            }
        }
    }
    if index[0].is_none() {
        return Err(Msg::new("customer.csv_no_name").into());
    }
    let mut report = ImportReport::default();
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let mut seen: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                report.refused.push((
                    line,
                    vec![Msg::new("customer.csv_bad_row").arg("reason", e.to_string())],
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() > headers.len() {
            report.refused.push((
                line,
                vec![Msg::new("customer.csv_extra_fields")
                    .arg("n", record.len())
                    .arg("expected", headers.len())],
            ));
            continue;
        }
        let field = |c: usize| index[c].and_then(|i| record.get(i));
        let input = match customer::check(
            field(0).unwrap_or(""),
            field(1),
            field(2),
            field(3),
            field(4),
        ) {
            Ok(i) => i,
            Err(problems) => {
                report.refused.push((line, problems));
                continue;
            }
        };
        if !input.email.is_empty() && seen.contains(&input.email) {
            report.refused.push((
                line,
                vec![Msg::new("customer.csv_repeated_email").arg("email", &input.email)],
            ));
            continue;
        }
        let owner = match owner_id(&mut tx, field(5), actor).await {
            Ok(o) => o,
            Err(crate::service::DeskError::User(m)) => {
                report.refused.push((line, m));
                continue;
            }
            Err(e) => return Err(e),
        };
        match rows::insert(&mut tx, &input, Some(owner), now).await? {
            Some(c) => {
                seen.push(input.email.clone());
                report.added.push((line, c));
            }
            None => report
                .refused
                .push((line, vec![duplicate(&mut tx, &input.email).await?])),
        }
    }
    if !report.added.is_empty() {
        let event = audit_event(
            desk.now(),
            &actor.handle,
            None,
            "customer.import",
            "customers",
            format!(
                "{} added, {} rows refused",
                report.added.len(),
                report.refused.len()
            ),
        );
        audit::append(&mut tx, &desk.keys.audit, event).await?;
    }
    tx.commit().await?;
    Ok(report)
}
