//! The directory file (`config/org.toml`): departments and employees, strictly validated.

use super::problems::{line_at, locate, Problems};
use crate::domain::directory::{validate_handle, Department, Directory, Employee, Role};
use crate::domain::Locale;
use anyhow::anyhow;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The sample directory shipped with bizdesk, used when the configured file is absent.
pub const SAMPLE: &str = include_str!("../../config/org.toml");

/// The directory as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgFile {
    #[serde(default)]
    pub departments: Vec<OrgDepartment>,
    #[serde(default)]
    pub employees: Vec<OrgEmployee>,
}

/// One department entry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OrgDepartment {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: String,
    pub head: Option<String>,
    /// The department above this one; its head is the superior of this one's head.
    pub parent: Option<String>,
}

/// One employee entry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OrgEmployee {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub department: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub discord_id: Option<String>,
    pub locale: Option<String>,
    /// Approval prompts also by email (default: only without a Discord id).
    pub email_prompts: Option<bool>,
    /// Updates about own requests by email (default: yes).
    pub email_updates: Option<bool>,
}

impl OrgEmployee {
    /// The parsed roles (validated by [`OrgFile::parse`]).
    pub fn parsed_roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.roles.iter().filter_map(|r| Role::parse(r)).collect();
        roles.sort();
        roles.dedup();
        roles.retain(|r| *r != Role::Employee);
        roles
    }
}

impl OrgFile {
    /// Reads and validates a directory file; every problem names the file, line and key.
    pub fn load(path: &Path) -> anyhow::Result<OrgFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read directory file {}: {e}", path.display()))?;
        Ok(OrgFile::parse_named(&text, &path.display().to_string())?)
    }

    /// Parses and validates directory text; errors name the entry and the key.
    pub fn parse(text: &str) -> anyhow::Result<OrgFile> {
        Ok(OrgFile::parse_named(text, "directory file")?)
    }

    /// Parses and validates directory text read from `file`, reporting every problem at once
    /// (a syntax error or a wrong type stops at the first, with its line).
    pub fn parse_named(text: &str, file: &str) -> Result<OrgFile, Problems> {
        let de = toml::Deserializer::new(text);
        let org: OrgFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let line = e.inner().span().map(|s| line_at(text, s.start));
            let mut p = Problems::default();
            p.push(
                file,
                line,
                &e.path().to_string(),
                e.inner().message().to_string(),
            );
            p
        })?;
        let mut problems = Problems::default();
        for (key, message) in org.validate() {
            problems.push(file, locate(text, &key), &key, message);
        }
        problems.into_result().map(|()| org)
    }

    /// The directory this file describes, everyone active (ids are positions in the file):
    /// what the approval policies are checked against before the file is used.
    pub fn to_directory(&self) -> Directory {
        let employees = self
            .employees
            .iter()
            .enumerate()
            .map(|(i, e)| Employee {
                id: i as i64 + 1,
                handle: e.handle.clone(),
                name: e.name.clone(),
                email: e.email.clone(),
                department: e.department.clone(),
                roles: e.parsed_roles(),
                discord_id: e.discord_id.clone(),
                locale: e.locale.as_deref().and_then(Locale::parse),
                active: true,
            })
            .collect();
        let departments = self
            .departments
            .iter()
            .map(|d| Department {
                code: d.code.clone(),
                name: d.name.clone(),
                name_zh: d.name_zh.clone(),
                head: d.head.clone(),
                parent: d.parent.clone(),
            })
            .collect();
        Directory {
            employees,
            departments,
        }
    }

    /// Every problem as (key, message with the fix).
    fn validate(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut bad = |key: String, message: String| out.push((key, message));
        let mut codes = BTreeSet::new();
        for (i, d) in self.departments.iter().enumerate() {
            let at = format!("departments[{i}]");
            if d.code.is_empty()
                || !d
                    .code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                bad(
                    format!("{at}.code"),
                    format!(
                        "`{}` must be capital letters or digits, e.g. \"SAL\"",
                        d.code
                    ),
                );
            }
            if !codes.insert(d.code.as_str()) {
                bad(
                    format!("{at}.code"),
                    format!(
                        "department code `{}` appears twice; give each department its own code",
                        d.code
                    ),
                );
            }
        }
        let mut handles = BTreeMap::new();
        let mut discord_ids = BTreeMap::new();
        let mut emails: BTreeMap<String, &str> = BTreeMap::new();
        for (i, e) in self.employees.iter().enumerate() {
            let at = format!("employees[{i}]");
            if validate_handle(&e.handle).is_err() {
                bad(
                    format!("{at}.handle"),
                    format!(
                        "`{}` must be lowercase letters, digits, `.`, `_` or `-`, e.g. \"li.na\"",
                        e.handle
                    ),
                );
            }
            if handles.insert(e.handle.as_str(), e).is_some() {
                bad(
                    format!("{at}.handle"),
                    format!(
                        "handle `{}` appears twice; give each employee their own handle",
                        e.handle
                    ),
                );
            }
            if e.name.trim().is_empty() {
                bad(
                    format!("{at}.name"),
                    format!("{}: the name is empty; write the person's name", e.handle),
                );
            }
            if !is_plausible_email(&e.email) {
                bad(
                    format!("{at}.email"),
                    format!(
                        "{}: \"{}\" is not an email address; write it as name@example.com",
                        e.handle, e.email
                    ),
                );
            } else if let Some(other) = emails.insert(email_key(&e.email), e.handle.as_str()) {
                bad(format!("{at}.email"), format!("{}: \"{}\" is already the email of {other} (emails are compared ignoring case and full-width letters); give each employee their own address", e.handle, e.email));
            }
            if !codes.contains(e.department.as_str()) {
                bad(format!("{at}.department"), format!("{}: \"{}\" is not a department code listed under [[departments]]; use one of {}", e.handle, e.department, join(codes.iter())));
            }
            for r in &e.roles {
                if Role::parse(r).is_none() {
                    let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                    bad(
                        format!("{at}.roles"),
                        format!(
                            "{}: role `{r}` is unknown; roles are {}",
                            e.handle,
                            all.join(", ")
                        ),
                    );
                }
            }
            if let Some(id) = &e.discord_id {
                if id.len() < 15 || id.len() > 20 || !id.chars().all(|c| c.is_ascii_digit()) {
                    bad(format!("{at}.discord_id"), format!("{}: must be a Discord user id (15-20 digits; Developer Mode > Copy User ID)", e.handle));
                } else if let Some(other) = discord_ids.insert(id.as_str(), e.handle.as_str()) {
                    bad(format!("{at}.discord_id"), format!("{}: discord_id {id} is already used by {other}; each person has their own", e.handle));
                }
            }
            if let Some(l) = &e.locale {
                if Locale::parse(l).is_none() {
                    bad(
                        format!("{at}.locale"),
                        format!(
                            "{}: \"{l}\" is not supported; use \"zh-CN\" or \"en\"",
                            e.handle
                        ),
                    );
                }
            }
        }
        for (i, d) in self.departments.iter().enumerate() {
            let at = format!("departments[{i}]");
            if let Some(h) = &d.head {
                match handles.get(h.as_str()) {
                    None => bad(format!("{at}.head"), format!("{}: \"{h}\" is not an employee handle in this file; name one of the department's employees", d.code)),
                    Some(e) if e.department != d.code => bad(format!("{at}.head"), format!("{}: \"{h}\" works in {}, not in {}; a head is a member of their department: set their `department = \"{}\"` or name someone from {}", d.code, e.department, d.code, d.code, d.code)),
                    Some(e) if !e.roles.iter().any(|r| r == Role::DeptHead.as_str()) => bad(format!("{at}.head"), format!("{}: \"{h}\" does not have the role dept_head; add \"dept_head\" to their `roles`", d.code)),
                    Some(_) => {}
                }
            }
            if let Some(p) = &d.parent {
                if !codes.contains(p.as_str()) {
                    bad(
                        format!("{at}.parent"),
                        format!(
                            "{}: \"{p}\" is not a department code; use one of {}",
                            d.code,
                            join(codes.iter())
                        ),
                    );
                    continue;
                }
            }
            // Walk up the parents; coming back to where we started is a cycle.
            let mut seen = BTreeSet::from([d.code.as_str()]);
            let mut cur = d.parent.as_deref();
            while let Some(p) = cur {
                if !seen.insert(p) {
                    bad(format!("{at}.parent"), format!("{}: the `parent` chain loops back through {p}; the top department has no parent", d.code));
                    break;
                }
                cur = self
                    .departments
                    .iter()
                    .find(|x| x.code == p)
                    .and_then(|x| x.parent.as_deref());
            }
        }
        out
    }
}

/// An email address as compared for uniqueness: NFKC (full-width letters become ASCII) and
/// lowercase, so `Li.Na@example.com` and `li.na@ｅｘａｍｐｌｅ.com` are one address.
pub fn email_key(email: &str) -> String {
    email.trim().nfkc().collect::<String>().to_lowercase()
}

fn join<'a>(items: impl Iterator<Item = &'a &'a str>) -> String {
    items.copied().collect::<Vec<_>>().join(", ")
}

fn is_plausible_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_directory_is_valid_and_plausible() {
        let org = OrgFile::parse(SAMPLE).unwrap();
        assert!(org.employees.len() >= 12, "about 15 people");
        for code in ["SAL", "PUR", "SVC", "FIN", "HR", "BCMO", "LEG", "MGT"] {
            assert!(org.departments.iter().any(|d| d.code == code), "{code}");
        }
        assert!(org
            .employees
            .iter()
            .any(|e| e.locale.as_deref() == Some("en")));
        assert!(org
            .employees
            .iter()
            .any(|e| e.locale.as_deref() == Some("zh-CN")));
    }

    #[test]
    fn errors_name_the_entry_and_key() {
        let base = "[[departments]]\ncode = \"SAL\"\nname = \"Sales\"\n";
        let cases = [
            (format!("{base}[[employees]]\nhandle = \"Li\"\nname = \"x\"\nemail = \"a@b.c\"\ndepartment = \"SAL\"\n"), "handle"),
            (format!("{base}[[employees]]\nhandle = \"li\"\nname = \"x\"\nemail = \"nope\"\ndepartment = \"SAL\"\n"), "email"),
            (format!("{base}[[employees]]\nhandle = \"li\"\nname = \"x\"\nemail = \"a@b.c\"\ndepartment = \"XXX\"\n"), "department"),
            (format!("{base}[[employees]]\nhandle = \"li\"\nname = \"x\"\nemail = \"a@b.c\"\ndepartment = \"SAL\"\nroles = [\"king\"]\n"), "role `king`"),
            (format!("{base}[[employees]]\nhandle = \"li\"\nname = \"x\"\nemail = \"a@b.c\"\ndepartment = \"SAL\"\nshoe = 1\n"), "shoe"),
            (format!("{base}head = \"ghost\"\n"), "head"),
        ];
        for (text, expect) in cases {
            let err = OrgFile::parse(&text).unwrap_err().to_string();
            assert!(err.contains(expect), "{err} should mention {expect}");
        }
    }

    const TWO: &str = "[[departments]]\ncode = \"SAL\"\nname = \"Sales\"\nhead = \"li\"\n\n[[departments]]\ncode = \"PUR\"\nname = \"Procurement\"\nhead = \"wu\"\n\n[[employees]]\nhandle = \"li\"\nname = \"Li\"\nemail = \"Li@Example.com\"\ndepartment = \"SAL\"\nroles = [\"dept_head\"]\n\n[[employees]]\nhandle = \"wu\"\nname = \"Wu\"\nemail = \"wu@example.com\"\ndepartment = \"PUR\"\nroles = [\"dept_head\"]\n";

    #[test]
    fn a_head_must_belong_to_the_department_and_hold_the_role() {
        OrgFile::parse(TWO).unwrap();
        let elsewhere = TWO.replace("head = \"wu\"", "head = \"li\"");
        let err = OrgFile::parse_named(&elsewhere, "org.toml").unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].key, "departments[1].head");
        assert_eq!(err.0[0].line, Some(9), "{err}");
        assert!(err.0[0].message.contains("works in SAL"), "{err}");
        let no_role = TWO.replacen("roles = [\"dept_head\"]", "roles = []", 2);
        let err = OrgFile::parse_named(&no_role, "org.toml").unwrap_err();
        assert_eq!(err.0.len(), 2, "both heads: {err}");
        assert!(
            err.0
                .iter()
                .all(|p| p.message.contains("add \"dept_head\"")),
            "{err}"
        );
    }

    #[test]
    fn one_email_for_two_people_is_refused_whatever_its_case_or_width() {
        for twin in ["li@example.com", "LI@EXAMPLE.COM", "li@ｅｘａｍｐｌｅ.com"] {
            let text = TWO.replace("wu@example.com", twin);
            let err = OrgFile::parse_named(&text, "org.toml").unwrap_err();
            assert_eq!(err.0[0].key, "employees[1].email", "{twin}: {err}");
            assert_eq!(err.0[0].line, Some(21), "{err}");
            assert!(err.0[0].message.contains("email of li"), "{err}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_with_file_and_line() {
        let text = TWO
            .replace("wu@example.com", "li@example.com")
            .replace("department = \"PUR\"", "department = \"XX\"");
        let err = OrgFile::parse_named(&text, "my/org.toml").unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("3 problems"), "{shown}");
        assert!(
            shown.contains("my/org.toml:21: key `employees[1].email`"),
            "{shown}"
        );
        assert!(
            shown.contains("my/org.toml:22: key `employees[1].department`"),
            "{shown}"
        );
        assert!(
            shown.contains("my/org.toml:9: key `departments[1].head`"),
            "{shown}"
        );
    }

    #[test]
    fn a_malformed_file_names_its_line() {
        let broken = TWO.replace("name = \"Wu\"", "name = Wu");
        let err = OrgFile::parse_named(&broken, "org.toml").unwrap_err();
        assert_eq!(err.0[0].line, Some(20), "{err}");
        let wrong_type = TWO.replace(
            "roles = [\"dept_head\"]\n\n[[employees]]",
            "roles = \"dept_head\"\n\n[[employees]]",
        );
        let err = OrgFile::parse_named(&wrong_type, "org.toml").unwrap_err();
        assert_eq!(err.0[0].line, Some(16), "{err}");
        assert!(
            err.to_string()
                .contains("org.toml:16: key `employees[0].roles`"),
            "{err}"
        );
    }
}
