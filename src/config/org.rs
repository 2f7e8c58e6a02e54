//! The directory file (`config/org.toml`): departments and employees, strictly validated.

use crate::domain::directory::{validate_handle, Role};
use crate::domain::Locale;
use anyhow::{anyhow, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

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
    /// Reads and validates a directory file.
    pub fn load(path: &Path) -> anyhow::Result<OrgFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read directory file {}: {e}", path.display()))?;
        OrgFile::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
    }

    /// Parses and validates directory text; errors name the entry and the key.
    pub fn parse(text: &str) -> anyhow::Result<OrgFile> {
        let de = toml::Deserializer::new(text);
        let org: OrgFile = serde_path_to_error::deserialize(de)
            .map_err(|e| anyhow!("key `{}`: {}", e.path(), e.inner().message()))?;
        org.validate()?;
        Ok(org)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut codes = BTreeSet::new();
        for (i, d) in self.departments.iter().enumerate() {
            let at = format!("departments[{i}] ({})", d.code);
            if d.code.is_empty()
                || !d
                    .code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                bail!("{at}: `code` must be capital letters or digits, e.g. \"SAL\"");
            }
            if !codes.insert(d.code.as_str()) {
                bail!("{at}: department code `{}` appears twice", d.code);
            }
        }
        let mut handles = BTreeSet::new();
        let mut discord_ids = BTreeSet::new();
        for (i, e) in self.employees.iter().enumerate() {
            let at = format!("employees[{i}] ({})", e.handle);
            if validate_handle(&e.handle).is_err() {
                bail!("{at}: `handle` must be lowercase letters, digits, `.`, `_` or `-`, e.g. \"li.na\"");
            }
            if !handles.insert(e.handle.as_str()) {
                bail!("{at}: handle `{}` appears twice", e.handle);
            }
            if e.name.trim().is_empty() {
                bail!("{at}: `name` is empty");
            }
            if !is_plausible_email(&e.email) {
                bail!("{at}: `email` = \"{}\" is not an email address", e.email);
            }
            if !codes.contains(e.department.as_str()) {
                bail!("{at}: `department` = \"{}\" is not a department code listed under [[departments]]", e.department);
            }
            for r in &e.roles {
                if Role::parse(r).is_none() {
                    let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                    bail!("{at}: role `{r}` is unknown; roles are {}", all.join(", "));
                }
            }
            if let Some(id) = &e.discord_id {
                if id.len() < 15 || id.len() > 20 || !id.chars().all(|c| c.is_ascii_digit()) {
                    bail!("{at}: `discord_id` must be a Discord user id (15-20 digits)");
                }
                if !discord_ids.insert(id.as_str()) {
                    bail!("{at}: discord_id {id} is already used by another employee");
                }
            }
            if let Some(l) = &e.locale {
                if Locale::parse(l).is_none() {
                    bail!("{at}: `locale` = \"{l}\" is not supported; use \"zh-CN\" or \"en\"");
                }
            }
        }
        for (i, d) in self.departments.iter().enumerate() {
            let at = format!("departments[{i}] ({})", d.code);
            if let Some(h) = &d.head {
                if !handles.contains(h.as_str()) {
                    bail!("{at}: `head` = \"{h}\" is not an employee handle in this file");
                }
            }
            if let Some(p) = &d.parent {
                if !codes.contains(p.as_str()) {
                    bail!("{at}: `parent` = \"{p}\" is not a department code");
                }
            }
            // Walk up the parents; coming back to where we started is a cycle.
            let mut seen = BTreeSet::from([d.code.as_str()]);
            let mut cur = d.parent.as_deref();
            while let Some(p) = cur {
                if !seen.insert(p) {
                    bail!("{at}: `parent` chain loops back through {p}");
                }
                cur = self
                    .departments
                    .iter()
                    .find(|x| x.code == p)
                    .and_then(|x| x.parent.as_deref());
            }
        }
        Ok(())
    }
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
}
