//! The directory as the desk uses it: who is acting, and syncing `org.toml`.

use crate::config::org::OrgFile;
use crate::domain::directory::{Directory, Employee, Role};
use crate::domain::Msg;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::directory::SyncReport;
use crate::store::{self, audit};

/// The active employee behind a handle (the console's `--as`).
pub async fn actor_by_handle(desk: &Desk, handle: &str) -> DeskResult<Employee> {
    let mut conn = desk.store.pool().acquire().await?;
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    match store::directory::by_handle(&mut conn, &handle).await? {
        Some(e) if e.active => Ok(e),
        Some(_) => Err(Msg::new("directory.inactive").arg("handle", handle).into()),
        None => Err(unknown_handle(&mut conn, &handle).await?.into()),
    }
}

/// The refusal for a handle nobody has, suggesting the closest active one in this company's
/// directory (a typo), never a made-up example.
pub async fn unknown_handle(conn: &mut crate::store::Conn, handle: &str) -> DeskResult<Msg> {
    let dir = store::directory::load(conn).await?;
    let active = dir
        .employees
        .iter()
        .filter(|e| e.active)
        .map(|e| e.handle.as_str());
    let closest = crate::commands::suggest::closest(handle, active);
    let mut msg = Msg::new("directory.unknown_handle").arg("handle", handle);
    if let Some(c) = closest {
        msg = msg.arg("closest", c);
    }
    Ok(msg)
}

/// The language of whoever has `handle`, active or not, if they chose one.
pub async fn locale_of_handle(
    desk: &Desk,
    handle: &str,
) -> DeskResult<Option<crate::domain::Locale>> {
    let mut conn = desk.store.pool().acquire().await?;
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    Ok(store::directory::by_handle(&mut conn, &handle)
        .await?
        .and_then(|e| e.locale))
}

/// The active employee with this Discord user id, if any.
pub async fn actor_by_discord_id(desk: &Desk, discord_id: &str) -> DeskResult<Option<Employee>> {
    let mut conn = desk.store.pool().acquire().await?;
    let e = store::directory::by_discord_id(&mut conn, discord_id).await?;
    Ok(e.filter(|e| e.active))
}

/// Who can add people to the directory (admins, else management), by name.
pub async fn admins(desk: &Desk) -> DeskResult<Vec<String>> {
    let dir = snapshot(desk).await?;
    let mut names: Vec<String> = dir
        .with_role(Role::Admin)
        .iter()
        .map(|e| e.name.clone())
        .collect();
    if names.is_empty() {
        names = dir
            .with_role(Role::Management)
            .iter()
            .map(|e| e.name.clone())
            .collect();
    }
    Ok(names)
}

/// The whole directory, for naming people in replies.
pub async fn snapshot(desk: &Desk) -> DeskResult<Directory> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(store::directory::load(&mut conn).await?)
}

/// Applies a directory file in one transaction, auditing what changed.
pub async fn sync(desk: &Desk, org: &OrgFile, actor: &str) -> DeskResult<SyncReport> {
    let now = desk.now();
    let mut tx = desk.begin().await?;
    let report = store::directory::sync(&mut tx, org, store::to_ms(now)).await?;
    if !report.is_empty() {
        audit::append(
            &mut tx,
            &desk.keys.audit,
            audit_event(
                now,
                actor,
                None,
                "directory.sync",
                "directory",
                report.summary(),
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Whether the directory has anyone in it yet (a fresh database).
pub async fn is_empty(desk: &Desk) -> DeskResult<bool> {
    let mut conn = desk.store.pool().acquire().await?;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employees")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n == 0)
}
