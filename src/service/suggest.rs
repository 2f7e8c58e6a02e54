//! Suggestions while an option is being typed (autocomplete), the same for every transport:
//! which values this actor may pick, matched against what they typed, best first, at most
//! [`LIMIT`]. A transport only turns them into its own list.

use crate::domain::directory::Employee;
use crate::domain::text::one_line;
use crate::service::Desk;
use std::collections::HashSet;

/// At most this many suggestions (Discord shows 25).
pub const LIMIT: usize = 25;

/// One suggestion: the label shown (one line, controls made visible) and the value that
/// choosing it fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub value: String,
}

/// What the option being typed takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// A requisition category, by its name in the actor's language or its code.
    Category,
    /// A customer, by any part of name, company, email or phone; the value is `#id`.
    Customer,
    /// A reference; `kind` (`REQ`, `SO`, `OPP`, …) narrows it to references of that kind.
    Reference { kind: Option<&'a str> },
}

impl<'a> Field<'a> {
    /// The field behind an option's name (`ref_kind` as the command catalog gives it), if
    /// that option suggests anything.
    pub fn for_option(name: &str, ref_kind: Option<&'a str>) -> Option<Field<'a>> {
        match name {
            "category" => Some(Field::Category),
            "customer" => Some(Field::Customer),
            "ref" | "order" | "opportunity" | "supplier" | "po" => {
                Some(Field::Reference { kind: ref_kind })
            }
            _ => None,
        }
    }
}

/// What `actor` may pick for `field` having typed `typed` (matched ignoring case). Never
/// fails: a source that cannot be read suggests nothing, as suggesting is only a convenience.
pub async fn suggest(
    desk: &Desk,
    actor: &Employee,
    field: Field<'_>,
    typed: &str,
) -> Vec<Suggestion> {
    let typed = typed.to_lowercase();
    let candidates = match field {
        Field::Category => categories(desk, actor),
        // The store matches customers itself (name, company, email, phone): no filter here.
        Field::Customer => return customers(desk, actor, &typed).await,
        Field::Reference { kind } => references(desk, actor, kind).await,
    };
    candidates
        .into_iter()
        .filter(|s| s.label.to_lowercase().contains(&typed))
        .take(LIMIT)
        .map(|s| Suggestion {
            label: one_line(&s.label),
            value: s.value,
        })
        .collect()
}

fn suggestion(label: String, value: String) -> Suggestion {
    Suggestion { label, value }
}

/// Every category, by the reader's name with the code (typing either finds it).
fn categories(desk: &Desk, actor: &Employee) -> Vec<Suggestion> {
    let locale = desk.locale_of(actor);
    desk.company
        .terms
        .list("requisition_categories")
        .iter()
        .map(|t| {
            let name = t.localized(locale);
            let label = if name == t.code {
                name.to_string()
            } else {
                format!("{name} ({})", t.code)
            };
            suggestion(label, t.code.clone())
        })
        .collect()
}

/// Customers the actor may read that match, as `#id name · company · email · phone`.
async fn customers(desk: &Desk, actor: &Employee, typed: &str) -> Vec<Suggestion> {
    crate::service_desk::customers::service::find(desk, actor, typed)
        .await
        .unwrap_or_default()
        .into_iter()
        .take(LIMIT)
        .map(|c| {
            let label = [c.name.as_str(), &c.company, &c.email, &c.phone]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            suggestion(
                one_line(&format!("#{} {label}", c.id)),
                format!("#{}", c.id),
            )
        })
        .collect()
}

/// References the actor deals with: their inbox first, then their own requisitions, orders
/// and opportunities; only those of `kind` when given, each once.
async fn references(desk: &Desk, actor: &Employee, kind: Option<&str>) -> Vec<Suggestion> {
    let wants = |prefix: &str| kind.is_none_or(|k| k == prefix);
    let mut out = Vec::new();
    for i in crate::approval::inbox::open_tasks(desk, actor)
        .await
        .unwrap_or_default()
    {
        out.push(suggestion(
            format!("{} · {}", i.reference, i.headline),
            i.reference,
        ));
    }
    if wants("REQ") {
        let own = crate::procurement::requisitions::service::list(desk, actor, None).await;
        for (r, _) in own.unwrap_or_default() {
            let label = format!("{} · {}", r.reference, r.draft.item);
            out.push(suggestion(label, r.reference.to_string()));
        }
    }
    if wants("SO") {
        use crate::sales::orders::service as orders;
        let q = orders::ListQuery {
            scope: Some(orders::Scope::Mine),
            ..Default::default()
        };
        for (o, customer) in orders::list(desk, actor, q).await.unwrap_or_default() {
            let r = orders::reference(o.id).to_string();
            out.push(suggestion(format!("{r} · {customer} · {}", o.items), r));
        }
    }
    if wants("OPP") {
        use crate::sales::opportunities::service as opportunities;
        for (o, customer) in opportunities::list(desk, actor, opportunities::Scope::Mine)
            .await
            .unwrap_or_default()
        {
            let r = opportunities::reference(o.id).to_string();
            out.push(suggestion(format!("{r} · {} · {customer}", o.title), r));
        }
    }
    // Open purchase orders only where a PO is asked for (receipts, payments, contracts).
    if kind == Some("PO") {
        use crate::procurement::orders::service as pos;
        for (po, supplier) in pos::list(desk, actor, pos::Scope::Open, None)
            .await
            .unwrap_or_default()
        {
            let r = pos::reference(po.id).to_string();
            let label = format!("{r} · {} × {} · {supplier}", po.item, po.quantity);
            out.push(suggestion(label, r));
        }
    }
    // Suppliers only where a supplier is asked for (everyone may read the list).
    if kind == Some("SUP") {
        use crate::procurement::suppliers::service as suppliers;
        for s in suppliers::list(desk, actor, None).await.unwrap_or_default() {
            let r = suppliers::reference(s.id).to_string();
            out.push(suggestion(format!("{r} · {} · {}", s.name, s.status), r));
        }
    }
    out.retain(|s| kind.is_none_or(|k| s.value.starts_with(&format!("{k}-"))));
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert(s.value.clone()));
    out
}
