//! The company directory: departments, employees and their roles.

use crate::domain::{Locale, Msg};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an employee may do beyond being an employee (which everyone is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Employee,
    DeptHead,
    Bcmo,
    Finance,
    Legal,
    Hr,
    Procurement,
    Sales,
    Service,
    Management,
    Admin,
    Auditor,
    /// Inspects deliveries (goods receipts) besides the requester's department.
    Inspector,
}

impl Role {
    /// Every role, for messages that list them.
    pub const ALL: [Role; 13] = [
        Role::Employee,
        Role::DeptHead,
        Role::Bcmo,
        Role::Finance,
        Role::Legal,
        Role::Hr,
        Role::Procurement,
        Role::Sales,
        Role::Service,
        Role::Management,
        Role::Admin,
        Role::Auditor,
        Role::Inspector,
    ];

    /// The snake_case name used in config files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::DeptHead => "dept_head",
            Role::Bcmo => "bcmo",
            Role::Finance => "finance",
            Role::Legal => "legal",
            Role::Hr => "hr",
            Role::Procurement => "procurement",
            Role::Sales => "sales",
            Role::Service => "service",
            Role::Management => "management",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::Inspector => "inspector",
        }
    }

    /// Parses a role name as written in config.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A directory id of an employee (database row id).
pub type EmployeeId = i64;

/// One person in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Employee {
    pub id: EmployeeId,
    pub handle: String,
    pub name: String,
    pub email: String,
    pub department: String,
    pub roles: Vec<Role>,
    pub discord_id: Option<String>,
    pub locale: Option<Locale>,
    pub active: bool,
}

impl Employee {
    /// Whether the employee holds a role (everyone holds `employee`).
    pub fn has_role(&self, role: Role) -> bool {
        role == Role::Employee || self.roles.contains(&role)
    }
}

/// One department, with its head and the department above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub name_zh: String,
    pub head: Option<String>,
    pub parent: Option<String>,
}

impl Department {
    /// The department's name in a locale.
    pub fn display_name(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn if !self.name_zh.is_empty() => &self.name_zh,
            _ => &self.name,
        }
    }
}

/// A snapshot of the directory, used to resolve approvers without I/O.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub employees: Vec<Employee>,
    pub departments: Vec<Department>,
}

impl Directory {
    /// An active employee by handle.
    pub fn by_handle(&self, handle: &str) -> Option<&Employee> {
        self.employees
            .iter()
            .find(|e| e.active && e.handle == handle)
    }

    /// An employee (active or not) by id.
    pub fn by_id(&self, id: EmployeeId) -> Option<&Employee> {
        self.employees.iter().find(|e| e.id == id)
    }

    /// A department by code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// The department a person typed: its code (any case), English name (any case) or
    /// Chinese name.
    pub fn find_department(&self, word: &str) -> Option<&Department> {
        let word = word.trim();
        self.departments.iter().find(|d| {
            d.code.eq_ignore_ascii_case(word)
                || d.name.eq_ignore_ascii_case(word)
                || d.name_zh == word
        })
    }

    /// The refusal for a department nobody has: the codes, and in Chinese the names with them.
    pub fn unknown_department(&self, value: &str) -> crate::domain::Msg {
        let codes: Vec<&str> = self.departments.iter().map(|d| d.code.as_str()).collect();
        let names_zh: Vec<String> = self
            .departments
            .iter()
            .map(|d| format!("{}（{}）", d.name_zh, d.code))
            .collect();
        crate::domain::Msg::new("inquiry.unknown_department")
            .arg("value", value)
            .arg("codes", codes.join(", "))
            .arg("names_zh", names_zh.join("、"))
    }

    /// The active head of a department, if it has one.
    pub fn head_of(&self, code: &str) -> Option<&Employee> {
        let head = self.department(code)?.head.as_deref()?;
        self.by_handle(head)
    }

    /// Active holders of a role, in handle order.
    pub fn with_role(&self, role: Role) -> Vec<&Employee> {
        let mut v: Vec<&Employee> = self
            .employees
            .iter()
            .filter(|e| e.active && e.has_role(role))
            .collect();
        v.sort_by(|a, b| a.handle.cmp(&b.handle));
        v
    }

    /// The heads above a department, nearest first (parent's head, grandparent's head, ...).
    pub fn superiors_of(&self, code: &str) -> Vec<&Employee> {
        let mut out = Vec::new();
        let mut seen = vec![code.to_string()];
        let mut current = self.department(code).and_then(|d| d.parent.clone());
        while let Some(parent) = current {
            if seen.contains(&parent) {
                break; // a cycle in config; validation reports it, resolution must not loop
            }
            seen.push(parent.clone());
            if let Some(head) = self.head_of(&parent) {
                out.push(head);
            }
            current = self.department(&parent).and_then(|d| d.parent.clone());
        }
        out
    }
}

/// Validates a handle: lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit.
pub fn validate_handle(handle: &str) -> Result<(), Msg> {
    let ok = !handle.is_empty()
        && handle.len() <= 32
        && handle
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && handle
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Msg::new("directory.bad_handle").arg("handle", handle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emp(id: i64, handle: &str, dept: &str) -> Employee {
        Employee {
            id,
            handle: handle.into(),
            name: handle.into(),
            email: format!("{handle}@example.com"),
            department: dept.into(),
            roles: vec![],
            discord_id: None,
            locale: None,
            active: true,
        }
    }

    #[test]
    fn superiors_walk_up_and_survive_cycles() {
        let dir = Directory {
            employees: vec![emp(1, "a", "SAL"), emp(2, "b", "MGT")],
            departments: vec![
                Department {
                    code: "SAL".into(),
                    name: "Sales".into(),
                    name_zh: "销售部".into(),
                    head: Some("a".into()),
                    parent: Some("MGT".into()),
                },
                Department {
                    code: "MGT".into(),
                    name: "Management".into(),
                    name_zh: String::new(),
                    head: Some("b".into()),
                    parent: Some("SAL".into()),
                },
            ],
        };
        let sup: Vec<_> = dir.superiors_of("SAL").iter().map(|e| e.id).collect();
        assert_eq!(sup, vec![2]);
    }

    #[test]
    fn handles_are_validated() {
        assert!(validate_handle("li.na").is_ok());
        assert!(validate_handle("Li.Na").is_err());
        assert!(validate_handle("").is_err());
        assert!(validate_handle(".x").is_err());
    }
}
