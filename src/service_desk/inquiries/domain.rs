//! Inquiries, complaints and feedback from customers: their kinds, channels, priorities and
//! states, and the routing rules that send each to a department.

use crate::approval::policy::parse_duration;
use crate::domain::Msg;
use regex::Regex;
use serde::Deserialize;
use std::time::Duration;

use crate::domain::words::words;

words!(
    /// What came in.
    Kind { Inquiry = "inquiry", Complaint = "complaint", Feedback = "feedback" }
);
words!(
    /// How it came in.
    Channel { Phone = "phone", Email = "email", Chat = "chat", Web = "web" }
);
words!(
    /// How soon it needs an answer.
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);
words!(
    /// Where it stands.
    Status { Open = "open", InProgress = "in_progress", Resolved = "resolved" }
);
words!(
    /// What one entry of its timeline records (`breach`: a service level missed, written by
    /// bizdesk itself).
    EventKind {
        Take = "take",
        Assign = "assign",
        Handoff = "handoff",
        Note = "note",
        Reply = "reply",
        Resolve = "resolve",
        Breach = "breach",
    }
);

/// One routing rule: a pattern over subject and details, and what a match sets.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: Regex,
    pub category: String,
    pub department: String,
    pub priority: Priority,
}

/// The routing rules and service levels (`config/routing.toml`).
#[derive(Debug, Clone)]
pub struct Routing {
    pub default_department: String,
    pub rules: Vec<Rule>,
    /// Days after a complaint's resolution when its owner calls back (0: no callback).
    pub satisfaction_callback_days: u32,
    /// (kind, priority) → (first response, resolution); absent: no service level.
    pub sla: Vec<((Kind, Priority), (Duration, Duration))>,
    /// The categories of the rules and of the `categories` list, with their names.
    pub categories: Vec<crate::domain::term::Term>,
}

impl Routing {
    /// The service level of a kind at a priority: (first response, resolution).
    pub fn sla(&self, kind: Kind, priority: Priority) -> Option<(Duration, Duration)> {
        self.sla
            .iter()
            .find(|(k, _)| *k == (kind, priority))
            .map(|(_, v)| *v)
    }
}

/// Where an inquiry goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub category: Option<String>,
    pub department: String,
    pub priority: Priority,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRouting {
    default_department: String,
    #[serde(default)]
    satisfaction_callback_days: u32,
    #[serde(default)]
    categories: Vec<crate::domain::term::TermEntry>,
    #[serde(default)]
    rules: Vec<RawRule>,
    #[serde(default)]
    sla: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    pattern: String,
    category: String,
    department: String,
    #[serde(default = "normal")]
    priority: String,
}

fn normal() -> String {
    "normal".into()
}

impl Routing {
    /// Parses `routing.toml`; `departments` are the codes that exist. Errors name the key.
    pub fn from_toml(text: &str, departments: &[&str]) -> Result<Routing, String> {
        let raw: RawRouting = toml::from_str(text).map_err(|e| e.to_string())?;
        let known = |code: &str, key: &str| {
            if departments.contains(&code) {
                Ok(code.to_string())
            } else {
                Err(format!(
                    "key `{key}`: `{code}` is not a department code; use one of {}",
                    departments.join(", ")
                ))
            }
        };
        let default_department = known(&raw.default_department, "default_department")?;
        let mut rules = Vec::new();
        for (i, r) in raw.rules.into_iter().enumerate() {
            let at = format!("rules[{i}]");
            let pattern = Regex::new(&format!("(?i){}", r.pattern))
                .map_err(|e| format!("key `{at}.pattern`: not a regular expression: {e}"))?;
            let priority = Priority::parse(&r.priority).ok_or_else(|| {
                format!(
                    "key `{at}.priority`: `{}` is not low, normal, high or urgent",
                    r.priority
                )
            })?;
            if r.category.trim().is_empty() {
                return Err(format!(
                    "key `{at}.category`: give a category, e.g. \"billing\""
                ));
            }
            rules.push(Rule {
                pattern,
                category: r.category.trim().to_lowercase(),
                department: known(&r.department, &format!("{at}.department"))?,
                priority,
            });
        }
        let mut sla = Vec::new();
        for (kind_name, levels) in &raw.sla {
            let kind = Kind::parse(kind_name).ok_or_else(|| {
                format!("key `sla.{kind_name}`: not a kind; use inquiry, complaint or feedback")
            })?;
            for (priority_name, text) in levels {
                let key = format!("sla.{kind_name}.{priority_name}");
                let priority = Priority::parse(priority_name).ok_or_else(|| {
                    format!("key `{key}`: not a priority; use low, normal, high or urgent")
                })?;
                let parsed = text
                    .split_once('/')
                    .map(|(a, b)| (parse_duration(a.trim()), parse_duration(b.trim())));
                let Some((Ok(first), Ok(resolve))) = parsed else {
                    return Err(format!(
                        "key `{key}`: `{text}` is not \"first response / resolution\", e.g. \"4h/3d\""
                    ));
                };
                if first > resolve {
                    return Err(format!(
                        "key `{key}`: the first response cannot come after the resolution"
                    ));
                }
                sla.push(((kind, priority), (first, resolve)));
            }
        }
        if raw.satisfaction_callback_days > 365 {
            return Err("key `satisfaction_callback_days`: at most 365".into());
        }
        let mut categories: Vec<crate::domain::term::Term> =
            raw.categories.iter().map(|c| c.term()).collect();
        for (i, c) in categories.iter_mut().enumerate() {
            c.code = c.code.to_lowercase();
            if c.code.is_empty() {
                return Err(format!(
                    "key `categories[{i}].code`: give a code, e.g. \"billing\""
                ));
            }
        }
        for r in &rules {
            if !categories.iter().any(|c| c.code == r.category) {
                categories.push(crate::domain::term::Term::code_only(&r.category));
            }
        }
        Ok(Routing {
            default_department,
            categories,
            rules,
            satisfaction_callback_days: raw.satisfaction_callback_days,
            sla,
        })
    }

    /// Routes by the first rule matching the subject or the details.
    pub fn route(&self, subject: &str, details: &str) -> Route {
        self.rules
            .iter()
            .find(|r| r.pattern.is_match(subject) || r.pattern.is_match(details))
            .map(|r| Route {
                category: Some(r.category.clone()),
                department: r.department.clone(),
                priority: r.priority,
            })
            .unwrap_or(Route {
                category: None,
                department: self.default_department.clone(),
                priority: Priority::Normal,
            })
    }
}

/// The steps of a service level (first answer or resolution), each a scheduler job written
/// when the inquiry is logged; each acts only while the answer or resolution is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaStep {
    /// Three quarters of the time gone: whoever has it is reminded.
    Remind,
    /// The deadline: the miss is recorded, and the department head hears of it.
    Breach,
    /// As long again past the deadline: the central office hears of it.
    Escalate,
}

impl SlaStep {
    pub const ALL: [SlaStep; 3] = [SlaStep::Remind, SlaStep::Breach, SlaStep::Escalate];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaStep::Remind => "remind",
            SlaStep::Breach => "breach",
            SlaStep::Escalate => "escalate",
        }
    }

    pub fn parse(s: &str) -> Option<SlaStep> {
        SlaStep::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// When the step fires (ms) for an inquiry logged at `logged` with `after` ms to meet it.
    pub fn at(self, logged: i64, after: i64) -> i64 {
        match self {
            SlaStep::Remind => logged + after * 3 / 4,
            SlaStep::Breach => logged + after,
            SlaStep::Escalate => logged + after * 2,
        }
    }
}

/// Checks a subject or details text: not blank, at most `max` characters. Returns it trimmed.
pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<String, Msg> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Msg::new("inquiry.text_required").arg("field", field));
    }
    if t.chars().count() > max {
        return Err(Msg::new("inquiry.text_too_long")
            .arg("field", field)
            .arg("max", max));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod sla_tests {
    use super::SlaStep;

    #[test]
    fn steps_come_in_order_and_round_trip() {
        let at: Vec<i64> = SlaStep::ALL.iter().map(|s| s.at(1_000, 400)).collect();
        assert_eq!(at, [1_300, 1_400, 1_800]);
        for s in SlaStep::ALL {
            assert_eq!(SlaStep::parse(s.as_str()), Some(s));
        }
        assert_eq!(SlaStep::parse("warning"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTS: [&str; 8] = ["MGT", "BCMO", "SAL", "PUR", "SVC", "FIN", "HR", "LEG"];

    #[test]
    fn the_shipped_rules_route_english_and_chinese() {
        let r = Routing::from_toml(include_str!("../../../config/routing.toml"), &DEPTS).unwrap();
        let route = r.route("申请退款", "上月订单多扣了款");
        assert_eq!(route.department, "FIN");
        assert_eq!(route.category.as_deref(), Some("billing"));
        assert_eq!(route.priority, Priority::High);
        assert_eq!(
            r.route("Question", "Please send a REFUND").department,
            "FIN"
        );
        assert_eq!(r.route("发货太慢", "").department, "SAL");
        assert_eq!(
            r.sla(Kind::Complaint, Priority::High),
            Some((Duration::from_secs(7200), Duration::from_secs(86_400)))
        );
        let none = r.route("你好", "想了解一下公司");
        assert_eq!(
            (none.department.as_str(), none.category, none.priority),
            ("SVC", None, Priority::Normal)
        );
    }

    #[test]
    fn bad_rules_name_the_key() {
        let e = Routing::from_toml("default_department = \"XX\"", &DEPTS).unwrap_err();
        assert!(e.contains("default_department") && e.contains("XX"), "{e}");
        let e = Routing::from_toml(
            "default_department = \"SVC\"\n[[rules]]\npattern = \"(\"\ncategory = \"x\"\ndepartment = \"FIN\"\n",
            &DEPTS,
        )
        .unwrap_err();
        assert!(e.contains("rules[0].pattern"), "{e}");
        let e = Routing::from_toml(
            "default_department = \"SVC\"\n[[rules]]\npattern = \"x\"\ncategory = \"x\"\ndepartment = \"FIN\"\npriority = \"asap\"\n",
            &DEPTS,
        )
        .unwrap_err();
        assert!(e.contains("rules[0].priority"), "{e}");
        let e = Routing::from_toml(
            "default_department = \"SVC\"\n[sla]\ncomplaint = { high = \"3d/2h\" }\n",
            &DEPTS,
        )
        .unwrap_err();
        assert!(e.contains("sla.complaint.high"), "{e}");
        let e = Routing::from_toml(
            "default_department = \"SVC\"\n[sla]\ncomplaint = { high = \"soon\" }\n",
            &DEPTS,
        )
        .unwrap_err();
        assert!(e.contains("4h/3d"), "{e}");
    }
}
