//! Suppliers: add, update, show, find, list and rate (qualification is in `review`,
//! certificates in `certs`, the CSV import in `import`).

use super::domain::{self as supplier, Marks, SupplierInput, SupplierStatus};
use super::scorecard;
use super::store::{self as rows, Cert, Supplier};
use crate::access::{self, suppliers as may};
use crate::approval::service::{self as approvals, Progress};
use crate::domain::directory::Employee;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::{Locale, Msg};
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};

/// What a user typed about a supplier; `None` leaves a field as it is (on update).
#[derive(Debug, Clone, Default)]
pub struct Fields<'a> {
    pub name: Option<&'a str>,
    pub company: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub categories: Option<&'a str>,
    pub locale: Option<&'a str>,
}

/// The reference of supplier `id`, e.g. `SUP-000001`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Supplier,
        number: id,
    }
}

/// The category codes a `categories:` value names (codes or configured names).
pub(crate) fn categories(desk: &Desk, text: &str) -> Vec<String> {
    supplier::category_items(text)
        .into_iter()
        .map(|c| {
            desk.company
                .terms
                .resolve("requisition_categories", &c)
                .map_or(c, str::to_string)
        })
        .collect()
}

/// Checks a supplier's fields against the company's categories.
pub(crate) fn check(desk: &Desk, name: &str, f: &Fields<'_>) -> Result<SupplierInput, Vec<Msg>> {
    let cats = f
        .categories
        .map(|c| categories(desk, c))
        .unwrap_or_default();
    supplier::check(
        name,
        f.company,
        f.email,
        f.phone,
        &cats,
        f.locale,
        &desk.company.categories,
    )
}

/// "Already a supplier with this email".
pub(crate) async fn duplicate(conn: &mut Conn, email: &str) -> DeskResult<Msg> {
    let other = rows::by_email(conn, email).await?;
    Ok(Msg::new("supplier.duplicate_email")
        .arg("email", email)
        .arg(
            "ref",
            other
                .as_ref()
                .map(|o| reference(o.id).to_string())
                .unwrap_or_default(),
        )
        .arg("name", other.map(|o| o.name).unwrap_or_default()))
}

/// Adds a candidate supplier owned by the actor.
pub async fn add(desk: &Desk, actor: &Employee, f: Fields<'_>) -> DeskResult<Supplier> {
    access::require(actor, "supplier.add")?;
    let input = check(desk, f.name.unwrap_or(""), &f)?;
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let Some(s) = rows::insert(&mut tx, &input, actor.id, now).await? else {
        return Err(duplicate(&mut tx, &input.email).await?.into());
    };
    let r = reference(s.id);
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.add",
        &r.to_string(),
        format!("supplier {r} added as candidate"),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(s)
}

/// Loads a supplier or says it does not exist.
pub(crate) async fn load(conn: &mut Conn, r: Reference) -> DeskResult<Supplier> {
    let not_found = || Msg::new("supplier.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::Supplier {
        return Err(not_found().into());
    }
    rows::get(conn, r.number)
        .await?
        .ok_or_else(|| not_found().into())
}

/// Changes the given fields of a supplier (an empty `company` or `phone` clears it).
pub async fn update(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    f: Fields<'_>,
) -> DeskResult<Supplier> {
    access::require(actor, "supplier.update")?;
    let mut tx = desk.begin().await?;
    let s = load(&mut tx, r).await?;
    let cats = s.categories.join(",");
    let locale = s.locale.map(Locale::tag);
    let merged = Fields {
        name: None,
        company: Some(f.company.unwrap_or(&s.company)),
        email: Some(f.email.unwrap_or(&s.email)),
        phone: Some(f.phone.unwrap_or(&s.phone)),
        categories: Some(f.categories.unwrap_or(&cats)),
        locale: f.locale.or(locale),
    };
    let input = check(desk, f.name.unwrap_or(&s.name), &merged)?;
    let now = store::to_ms(desk.now());
    if !rows::update(&mut tx, s.id, &input, now).await? {
        return Err(duplicate(&mut tx, &input.email).await?.into());
    }
    let mut changed = Vec::new();
    for (field, same) in [
        ("name", s.name == input.name),
        ("company", s.company == input.company),
        ("email", s.email == input.email),
        ("phone", s.phone == input.phone),
        ("categories", s.categories == input.categories),
        ("locale", s.locale == input.locale),
    ] {
        if !same {
            changed.push(field);
        }
    }
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.update",
        &r.to_string(),
        if changed.is_empty() {
            "no change".to_string()
        } else {
            format!("changed {}", changed.join(", "))
        },
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let out = rows::get(&mut tx, s.id).await?.unwrap_or(s);
    tx.commit().await?;
    Ok(out)
}

/// One scorecard of a supplier's history.
#[derive(Debug, Clone)]
pub struct Card {
    pub period: String,
    pub score: i64,
    pub standing: supplier::Standing,
    pub parts: scorecard::Parts,
}

/// A supplier as `/supplier show` tells it.
#[derive(Debug, Clone)]
pub struct Story {
    pub supplier: Supplier,
    pub certs: Vec<Cert>,
    pub cards: Vec<Card>,
    /// Where its qualification review stands.
    pub progress: Option<Progress>,
    /// Whether the reader may see its contacts and prices (without, the supplier's email and
    /// phone are blank and its scorecards carry no price variance).
    pub contacts: bool,
    pub owner: Option<String>,
}

/// A supplier as `actor` may see it: its email and phone blank unless they may read
/// contacts (`access::suppliers::may_read_contacts`).
pub fn as_seen_by(actor: &Employee, mut s: Supplier) -> Supplier {
    if !may::may_read_contacts(actor) {
        s.email.clear();
        s.phone.clear();
    }
    s
}

/// A supplier with its certificates, scorecards and qualification.
pub async fn show(desk: &Desk, actor: &Employee, r: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let s = load(&mut conn, r).await?;
    story(&mut conn, actor, s).await
}

/// The story of a supplier already loaded.
pub(crate) async fn story(conn: &mut Conn, actor: &Employee, s: Supplier) -> DeskResult<Story> {
    let contacts = may::may_read_contacts(actor);
    let certs = rows::current_certs(&mut *conn, s.id).await?;
    let mut cards = Vec::new();
    for (id, period, score, standing, components) in rows::scores(&mut *conn, s.id).await? {
        let parts = serde_json::from_str(&components)
            .map_err(|_| {
                crate::store::decode::unknown("supplier_scores", id, "components", &components)
            })
            .map_err(sqlx::Error::from)?;
        let mut parts: scorecard::Parts = parts;
        if !contacts {
            parts.price_variance.clear();
        }
        cards.push(Card {
            period,
            score,
            standing: scorecard::stored_standing(id, &standing)?,
            parts,
        });
    }
    let dir = store::directory::load(&mut *conn).await?;
    let progress = approvals::standing(&mut *conn, &super::subject::SUBJECT, s.id, &dir).await?;
    let owner = dir.by_id(s.owner_id).map(|e| e.name.clone());
    Ok(Story {
        certs,
        cards,
        progress,
        contacts,
        owner,
        supplier: as_seen_by(actor, s),
    })
}

/// Suppliers whose name or company (and email, for those who may read contacts) contains
/// `text`; at most 20, as the actor may see them.
pub async fn find(desk: &Desk, actor: &Employee, text: &str) -> DeskResult<Vec<Supplier>> {
    let mut conn = desk.store.pool().acquire().await?;
    let found = rows::find(&mut conn, text, may::may_read_contacts(actor), 20).await?;
    Ok(found.into_iter().map(|s| as_seen_by(actor, s)).collect())
}

/// Suppliers with `status` (or all), by name; at most 50, as the actor may see them.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    status: Option<SupplierStatus>,
) -> DeskResult<Vec<Supplier>> {
    let mut conn = desk.store.pool().acquire().await?;
    let listed = rows::list(&mut conn, status, 50).await?;
    Ok(listed.into_iter().map(|s| as_seen_by(actor, s)).collect())
}

/// Rates a supplier in the current period and refreshes that period's scorecard.
pub async fn rate(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    marks: Marks,
    comment: Option<&str>,
) -> DeskResult<Story> {
    access::require(actor, "supplier.rate")?;
    let marks = marks.check()?;
    let comment = crate::domain::text::optional("comment", comment, supplier::MAX_NOTE)?;
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let s = load(&mut tx, r).await?;
    rows::lock(&mut tx, s.id, now).await?;
    let period = scorecard::period_of(desk.today());
    rows::add_rating(&mut tx, s.id, actor.id, &period, &marks, &comment, now).await?;
    scorecard::refresh(
        &mut tx,
        &desk.company.procurement.scorecard,
        s.id,
        &period,
        now,
    )
    .await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.rate",
        &r.to_string(),
        format!(
            "rated {}/{}/{}/{} in {period}",
            marks.quality, marks.delivery, marks.price, marks.service
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let s = load(&mut tx, r).await?;
    let out = story(&mut tx, actor, s).await?;
    tx.commit().await?;
    Ok(out)
}

/// Disqualifies a candidate, qualified or suspended supplier (its open qualification review,
/// if any, is withdrawn) and tells its owner; it gets no purchase orders until it passes
/// qualification again (/supplier qualify).
pub async fn disqualify(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    reason: Option<&str>,
) -> DeskResult<Story> {
    access::require(actor, "supplier.disqualify")?;
    let reason = crate::domain::text::optional("reason", reason, supplier::MAX_NOTE)?;
    let mut tx = desk.begin().await?;
    let now = store::to_ms(desk.now());
    let s = load(&mut tx, r).await?;
    // Its review's lock before its row's, in the engine's order.
    crate::procurement::review::lock_open_round(&mut tx, super::subject::KIND, s.id).await?;
    rows::lock(&mut tx, s.id, now).await?;
    let s = load(&mut tx, r).await?;
    supplier::check_disqualify(&r.to_string(), s.status, &reason)?;
    crate::procurement::review::withdraw_round(
        &mut tx,
        super::subject::KIND,
        s.id,
        &actor.name,
        now,
    )
    .await?;
    rows::set_status(
        &mut tx,
        s.id,
        SupplierStatus::Disqualified,
        Some(&reason),
        now,
    )
    .await?;
    let dir = store::directory::load(&mut tx).await?;
    let owner_active = dir.by_id(s.owner_id).is_some_and(|o| o.active);
    if owner_active && s.owner_id != actor.id {
        let payload = serde_json::json!({
            "ref": r.to_string(), "name": s.name, "reason": reason, "by": actor.name,
        });
        let m = crate::service::notify::message(
            s.owner_id,
            crate::service::notify::kind::SUPPLIER_DISQUALIFIED,
            Some(&r.to_string()),
            payload,
        );
        crate::service::notify::send(&mut tx, &m, now).await?;
    }
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "supplier.disqualify",
        &r.to_string(),
        format!("supplier {r} disqualified (was {})", s.status.as_str()),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let s = load(&mut tx, r).await?;
    let out = story(&mut tx, actor, s).await?;
    tx.commit().await?;
    Ok(out)
}
