//! Delegation: `/delegate to: until: [from:]`, `/delegate off`, `/delegate show`.

use crate::approval::delegations::domain::{self as delegation, Delegation};
use crate::approval::delegations::store as delegations;
use crate::domain::directory::Employee;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit};
use chrono::NaiveDate;

/// A delegation as the reply shows it.
#[derive(Debug, Clone)]
pub struct DelegationView {
    pub other: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Delegates the actor's approvals to `to` for a date range, replacing any earlier one.
pub async fn set(
    desk: &Desk,
    actor: &Employee,
    to: &str,
    from: Option<NaiveDate>,
    until: NaiveDate,
) -> DeskResult<DelegationView> {
    let now = desk.now();
    let mut tx = desk.begin().await?;
    let Some(delegate) = store::directory::by_handle(&mut tx, to)
        .await?
        .filter(|e| e.active)
    else {
        return Err(crate::service::directory::unknown_handle(&mut tx, to)
            .await?
            .into());
    };
    let starts_on = delegation::validate(actor.id, delegate.id, from, until, desk.today())?;
    let now_ms = store::to_ms(now);
    delegations::replace(&mut tx, actor.id, delegate.id, starts_on, until, now_ms).await?;
    let note = notify::delegation(
        delegate.id,
        &actor.name,
        &starts_on.to_string(),
        &until.to_string(),
    );
    notify::send(&mut tx, &note, now_ms).await?;
    let summary = format!("to {} from {starts_on} until {until}", delegate.handle);
    audit::append(
        &mut tx,
        &desk.keys.audit,
        audit_event(
            now,
            &actor.handle,
            None,
            "delegation.set",
            &format!("@{}", actor.handle),
            summary,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(DelegationView {
        other: delegate.name,
        starts_on,
        ends_on: until,
    })
}

/// Ends the actor's delegations; returns how many were ended.
pub async fn off(desk: &Desk, actor: &Employee) -> DeskResult<u64> {
    let now = desk.now();
    let mut tx = desk.begin().await?;
    let n = delegations::revoke_all(&mut tx, actor.id, store::to_ms(now)).await?;
    if n > 0 {
        audit::append(
            &mut tx,
            &desk.keys.audit,
            audit_event(
                now,
                &actor.handle,
                None,
                "delegation.off",
                &format!("@{}", actor.handle),
                format!("ended {n}"),
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Delegations the actor has given (current or future) and holds today.
pub async fn show(
    desk: &Desk,
    actor: &Employee,
) -> DeskResult<(Vec<DelegationView>, Vec<DelegationView>)> {
    let mut conn = desk.store.pool().acquire().await?;
    let today = desk.today();
    let dir = store::directory::load(&mut conn).await?;
    let name = |id| {
        dir.by_id(id)
            .map(|e: &Employee| e.name.clone())
            .unwrap_or_default()
    };
    let view = |d: &Delegation, other| DelegationView {
        other,
        starts_on: d.starts_on,
        ends_on: d.ends_on,
    };
    let given = delegations::given_by(&mut conn, actor.id, today).await?;
    let given = given.iter().map(|d| view(d, name(d.delegate))).collect();
    let held = delegations::delegators_of(&mut conn, actor.id, today).await?;
    let mut received = Vec::new();
    for delegator in held {
        for d in delegations::given_by(&mut conn, delegator, today).await? {
            if d.delegate == actor.id && d.active_on(today) {
                received.push(view(&d, name(delegator)));
            }
        }
    }
    Ok((given, received))
}
