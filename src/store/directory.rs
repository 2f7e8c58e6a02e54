//! Departments and employees: the snapshot services resolve approvers from, and the sync that
//! applies `org.toml`.

use crate::config::org::OrgFile;
use crate::domain::directory::{Department, Directory, Employee, EmployeeId, Role};
use crate::domain::Locale;
use crate::store::{decode, Conn};
use serde::Serialize;
use sqlx::FromRow;

#[derive(FromRow)]
struct EmployeeRow {
    id: i64,
    handle: String,
    name: String,
    email: String,
    department_code: String,
    roles: String,
    discord_id: Option<String>,
    locale: Option<String>,
    active: i64,
}

impl TryFrom<EmployeeRow> for Employee {
    type Error = sqlx::Error;
    fn try_from(r: EmployeeRow) -> sqlx::Result<Employee> {
        const T: &str = "employees";
        let roles = r
            .roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Role::parse(s).ok_or_else(|| decode::unknown(T, r.id, "roles", s)))
            .collect::<Result<Vec<Role>, _>>()?;
        Ok(Employee {
            locale: decode::optional(T, r.id, "locale", r.locale.as_deref())?,
            roles,
            id: r.id,
            handle: r.handle,
            name: r.name,
            email: r.email,
            department: r.department_code,
            discord_id: r.discord_id,
            active: r.active != 0,
        })
    }
}

#[derive(FromRow)]
struct DepartmentRow {
    code: String,
    name: String,
    name_zh: String,
    head_handle: Option<String>,
    parent_code: Option<String>,
}

const EMPLOYEE_COLS: &str =
    "id, handle, name, email, department_code, roles, discord_id, locale, active";

/// The whole directory (active and inactive employees, active departments).
pub async fn load(conn: &mut Conn) -> sqlx::Result<Directory> {
    let employees: Vec<EmployeeRow> = sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLS} FROM employees ORDER BY id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let departments: Vec<DepartmentRow> = sqlx::query_as(
        "SELECT code, name, name_zh, head_handle, parent_code FROM departments WHERE active = 1 ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Directory {
        employees: employees
            .into_iter()
            .map(Employee::try_from)
            .collect::<sqlx::Result<_>>()?,
        departments: departments
            .into_iter()
            .map(|d| Department {
                code: d.code,
                name: d.name,
                name_zh: d.name_zh,
                head: d.head_handle,
                parent: d.parent_code,
            })
            .collect(),
    })
}

/// An employee by handle, active or not.
pub async fn by_handle(conn: &mut Conn, handle: &str) -> sqlx::Result<Option<Employee>> {
    let row: Option<EmployeeRow> = sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLS} FROM employees WHERE handle = $1"
    ))
    .bind(handle)
    .fetch_optional(conn)
    .await?;
    row.map(Employee::try_from).transpose()
}

/// An employee by Discord user id (unique).
pub async fn by_discord_id(conn: &mut Conn, discord_id: &str) -> sqlx::Result<Option<Employee>> {
    let row: Option<EmployeeRow> = sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLS} FROM employees WHERE discord_id = $1"
    ))
    .bind(discord_id)
    .fetch_optional(conn)
    .await?;
    row.map(Employee::try_from).transpose()
}

/// An employee by id.
pub async fn by_id(conn: &mut Conn, id: EmployeeId) -> sqlx::Result<Option<Employee>> {
    let row: Option<EmployeeRow> = sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLS} FROM employees WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Employee::try_from).transpose()
}

/// What a directory sync changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub deactivated: Vec<String>,
    pub reactivated: Vec<String>,
    pub departments_changed: Vec<String>,
}

impl SyncReport {
    /// Whether the sync changed anything.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.deactivated.is_empty()
            && self.reactivated.is_empty()
            && self.departments_changed.is_empty()
    }

    /// One line for the audit trail and the operator.
    pub fn summary(&self) -> String {
        format!(
            "added {}, changed {}, deactivated {}, reactivated {}, departments changed {}",
            self.added.len(),
            self.changed.len(),
            self.deactivated.len(),
            self.reactivated.len(),
            self.departments_changed.len()
        )
    }
}

/// Applies a directory file: upserts departments and employees, deactivates those no longer
/// listed. Idempotent: a second run with the same file reports nothing.
pub async fn sync(conn: &mut Conn, org: &OrgFile, now_ms: i64) -> sqlx::Result<SyncReport> {
    let mut report = SyncReport::default();
    let current = load(&mut *conn).await?;
    let all_depts: Vec<DepartmentRow> =
        sqlx::query_as("SELECT code, name, name_zh, head_handle, parent_code FROM departments")
            .fetch_all(&mut *conn)
            .await?;
    for d in &org.departments {
        let same = current.departments.iter().any(|c| {
            c.code == d.code
                && c.name == d.name
                && c.name_zh == d.name_zh
                && c.head == d.head
                && c.parent == d.parent
        });
        if same {
            continue;
        }
        report.departments_changed.push(d.code.clone());
        let exists = all_depts.iter().any(|c| c.code == d.code);
        let sql = if exists {
            "UPDATE departments SET name = $2, name_zh = $3, head_handle = $4, parent_code = $5, active = 1 WHERE code = $1"
        } else {
            "INSERT INTO departments (code, name, name_zh, head_handle, parent_code, active) VALUES ($1, $2, $3, $4, $5, 1)"
        };
        sqlx::query(sql)
            .bind(&d.code)
            .bind(&d.name)
            .bind(&d.name_zh)
            .bind(&d.head)
            .bind(&d.parent)
            .execute(&mut *conn)
            .await?;
    }
    for c in &current.departments {
        if !org.departments.iter().any(|d| d.code == c.code) {
            sqlx::query("UPDATE departments SET active = 0 WHERE code = $1")
                .bind(&c.code)
                .execute(&mut *conn)
                .await?;
            report.departments_changed.push(c.code.clone());
        }
    }

    // Free discord ids held by people who are leaving or moving ids first, so the unique index
    // never sees two holders in the middle of a sync.
    for e in &current.employees {
        let wanted = org.employees.iter().find(|o| o.handle == e.handle);
        let keep = wanted.is_some_and(|o| o.discord_id == e.discord_id);
        if e.discord_id.is_some() && !keep {
            sqlx::query("UPDATE employees SET discord_id = NULL WHERE id = $1")
                .bind(e.id)
                .execute(&mut *conn)
                .await?;
        }
    }
    for o in &org.employees {
        let roles: Vec<&str> = o.parsed_roles().iter().map(|r| r.as_str()).collect();
        let roles = roles.join(",");
        let locale = o.locale.as_deref().and_then(Locale::parse).map(|l| l.tag());
        match current.employees.iter().find(|e| e.handle == o.handle) {
            None => {
                sqlx::query(
                    "INSERT INTO employees (handle, name, email, department_code, roles, discord_id, locale, active, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
                )
                .bind(&o.handle)
                .bind(&o.name)
                .bind(&o.email)
                .bind(&o.department)
                .bind(&roles)
                .bind(&o.discord_id)
                .bind(locale)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
                report.added.push(o.handle.clone());
            }
            Some(e) => {
                let e_roles: Vec<&str> = e.roles.iter().map(|r| r.as_str()).collect();
                let same = e.name == o.name
                    && e.email == o.email
                    && e.department == o.department
                    && e_roles.join(",") == roles
                    && e.discord_id == o.discord_id
                    && e.locale.map(|l| l.tag()) == locale;
                if same && e.active {
                    continue;
                }
                sqlx::query(
                    "UPDATE employees SET name = $2, email = $3, department_code = $4, roles = $5, \
                     discord_id = $6, locale = $7, active = 1, updated_at = $8 WHERE handle = $1",
                )
                .bind(&o.handle)
                .bind(&o.name)
                .bind(&o.email)
                .bind(&o.department)
                .bind(&roles)
                .bind(&o.discord_id)
                .bind(locale)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
                if !e.active {
                    report.reactivated.push(o.handle.clone());
                }
                if !same {
                    report.changed.push(o.handle.clone());
                }
            }
        }
    }
    for e in current.employees.iter().filter(|e| e.active) {
        if !org.employees.iter().any(|o| o.handle == e.handle) {
            sqlx::query("UPDATE employees SET active = 0, updated_at = $2 WHERE id = $1")
                .bind(e.id)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
            report.deactivated.push(e.handle.clone());
        }
    }
    // The company's email settings (the employee's own, from /settings, are kept).
    for o in &org.employees {
        let prefs = crate::domain::delivery::EmailPrefs {
            prompts: o.email_prompts,
            updates: o.email_updates,
        };
        crate::store::delivery::set_org(&mut *conn, &o.handle, prefs, now_ms).await?;
    }
    Ok(report)
}
