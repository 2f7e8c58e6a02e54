//! Sales orders: the stages an order goes through, as configured, and which of them the
//! customer hears about.

use serde::Deserialize;

/// One stage of the order process.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Lowercase code, e.g. `shipped`.
    pub code: String,
    pub name: String,
    pub name_zh: String,
    /// Whether reaching it emails the customer.
    pub customer_visible: bool,
}

/// Checks configured stages: at least two, unique lowercase codes, names present.
pub fn check_stages(stages: &[Stage]) -> Result<(), String> {
    if stages.len() < 2 {
        return Err("list at least two stages".into());
    }
    for (i, s) in stages.iter().enumerate() {
        let ok = !s.code.is_empty()
            && s.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!(
                "stages[{i}].code `{}`: use lowercase letters, digits and _",
                s.code
            ));
        }
        if s.name.trim().is_empty() || s.name_zh.trim().is_empty() {
            return Err(format!("stages[{i}] ({}): give name and name_zh", s.code));
        }
        if stages[..i].iter().any(|o| o.code == s.code) {
            return Err(format!("stages[{i}].code `{}` is listed twice", s.code));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(code: &str) -> Stage {
        Stage {
            code: code.into(),
            name: "N".into(),
            name_zh: "名".into(),
            customer_visible: false,
        }
    }

    #[test]
    fn stages_are_checked() {
        assert!(check_stages(&[stage("received"), stage("closed")]).is_ok());
        assert!(check_stages(&[stage("received")]).is_err());
        assert!(check_stages(&[stage("a"), stage("a")])
            .unwrap_err()
            .contains("twice"));
        assert!(check_stages(&[stage("A b"), stage("c")])
            .unwrap_err()
            .contains("lowercase"));
    }
}
