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

/// One thing wrong in `routing.toml`: the key (empty for a syntax error) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingProblem {
    pub key: String,
    pub message: String,
    /// The byte offset TOML reported, for a syntax or type error.
    pub offset: Option<usize>,
}

impl std::fmt::Display for RoutingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "key `{}`: {}", self.key, self.message)
        }
    }
}

/// The problems found while reading the rules, each with its key.
#[derive(Default)]
struct Found(Vec<RoutingProblem>);

impl Found {
    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(RoutingProblem {
            key: key.into(),
            message: message.into(),
            offset: None,
        });
    }
}

impl Routing {
    /// Parses `routing.toml`; `departments` are the codes that exist. Every problem is
    /// returned at once (a syntax or type error stops at the first), each naming its key.
    pub fn from_toml(text: &str, departments: &[&str]) -> Result<Routing, Vec<RoutingProblem>> {
        let raw: RawRouting = toml::from_str(text).map_err(|e| {
            vec![RoutingProblem {
                key: String::new(),
                message: e.message().trim_end().to_string(),
                offset: e.span().map(|s| s.start),
            }]
        })?;
        let mut found = Found::default();
        let known = |code: &str, key: &str, found: &mut Found| {
            if !departments.contains(&code) {
                found.add(
                    key,
                    format!(
                        "department `{code}` is not in the directory; add it to [[departments]] \
                         there or change `{key}` to one of {}",
                        departments.join(", ")
                    ),
                );
            }
            code.to_string()
        };
        let default_department = known(&raw.default_department, "default_department", &mut found);
        let mut rules = Vec::new();
        for (i, r) in raw.rules.into_iter().enumerate() {
            let at = format!("rules[{i}]");
            let department = known(&r.department, &format!("{at}.department"), &mut found);
            let pattern = Regex::new(&format!("(?i){}", r.pattern));
            if let Err(e) = &pattern {
                found.add(
                    format!("{at}.pattern"),
                    format!("not a regular expression: {e}"),
                );
            }
            let priority = Priority::parse(&r.priority);
            if priority.is_none() {
                found.add(
                    format!("{at}.priority"),
                    format!("`{}` is not low, normal, high or urgent", r.priority),
                );
            }
            if r.category.trim().is_empty() {
                found.add(
                    format!("{at}.category"),
                    "give a category, e.g. \"billing\"",
                );
            }
            if let (Ok(pattern), Some(priority)) = (pattern, priority) {
                rules.push(Rule {
                    pattern,
                    category: r.category.trim().to_lowercase(),
                    department,
                    priority,
                });
            }
        }
        let sla = parse_sla(&raw.sla, &mut found);
        if raw.satisfaction_callback_days > 365 {
            found.add("satisfaction_callback_days", "at most 365");
        }
        let mut categories: Vec<crate::domain::term::Term> =
            raw.categories.iter().map(|c| c.term()).collect();
        for (i, c) in categories.iter_mut().enumerate() {
            c.code = c.code.to_lowercase();
            if c.code.is_empty() {
                found.add(
                    format!("categories[{i}].code"),
                    "give a code, e.g. \"billing\"",
                );
            }
        }
        if !found.0.is_empty() {
            return Err(found.0);
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

/// The `[sla]` table: (kind, priority) → (first response, resolution).
fn parse_sla(
    raw: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    found: &mut Found,
) -> Vec<((Kind, Priority), (Duration, Duration))> {
    let mut sla = Vec::new();
    for (kind_name, levels) in raw {
        let Some(kind) = Kind::parse(kind_name) else {
            found.add(
                format!("sla.{kind_name}"),
                "not a kind; use inquiry, complaint or feedback",
            );
            continue;
        };
        for (priority_name, text) in levels {
            let key = format!("sla.{kind_name}.{priority_name}");
            let Some(priority) = Priority::parse(priority_name) else {
                found.add(key, "not a priority; use low, normal, high or urgent");
                continue;
            };
            let parsed = text
                .split_once('/')
                .map(|(a, b)| (parse_duration(a.trim()), parse_duration(b.trim())));
            let Some((Ok(first), Ok(resolve))) = parsed else {
                found.add(
                    key,
                    format!("`{text}` is not \"first response / resolution\", e.g. \"4h/3d\""),
                );
                continue;
            };
            if first > resolve {
                found.add(key, "the first response cannot come after the resolution");
                continue;
            }
            sla.push(((kind, priority), (first, resolve)));
        }
    }
    sla
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

/// Longest subject (characters).
pub const MAX_SUBJECT: usize = 200;
/// Longest details, note, reply or resolution.
pub const MAX_TEXT: usize = 4000;
/// Longest category an agent may type over the routing's.
pub const MAX_CATEGORY: usize = 40;

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

    /// Every problem of a routing text, one a line.
    fn problems(text: &str) -> String {
        let e = Routing::from_toml(text, &DEPTS).unwrap_err();
        e.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn bad_rules_name_the_key() {
        let e = problems("default_department = \"XX\"");
        assert!(e.contains("default_department") && e.contains("XX"), "{e}");
        let e = problems(
            "default_department = \"SVC\"\n[[rules]]\npattern = \"(\"\ncategory = \"x\"\ndepartment = \"FIN\"\n",
        );
        assert!(e.contains("rules[0].pattern"), "{e}");
        let e = problems(
            "default_department = \"SVC\"\n[[rules]]\npattern = \"x\"\ncategory = \"x\"\ndepartment = \"FIN\"\npriority = \"asap\"\n",
        );
        assert!(e.contains("rules[0].priority"), "{e}");
        let e = problems("default_department = \"SVC\"\n[sla]\ncomplaint = { high = \"3d/2h\" }\n");
        assert!(e.contains("sla.complaint.high"), "{e}");
        let e = problems("default_department = \"SVC\"\n[sla]\ncomplaint = { high = \"soon\" }\n");
        assert!(e.contains("4h/3d"), "{e}");
        let e = Routing::from_toml("default_department = ", &DEPTS).unwrap_err();
        assert_eq!((e.len(), e[0].key.as_str()), (1, ""), "{e:?}");
        assert!(e[0].offset.is_some(), "a syntax error has its place: {e:?}");
    }

    #[test]
    fn every_department_missing_from_the_directory_is_listed_at_once() {
        let shipped = include_str!("../../../config/routing.toml");
        let e = Routing::from_toml(shipped, &["OPS", "SALES"]).unwrap_err();
        let keys: Vec<&str> = e.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "default_department",
                "rules[0].department",
                "rules[1].department",
                "rules[2].department",
                "rules[3].department",
                "rules[4].department"
            ]
        );
        assert!(e[3].message.contains("`BCMO`"), "{}", e[3]);
        assert!(e[3].message.contains("one of OPS, SALES"), "{}", e[3]);
        let e = problems(
            "default_department = \"XX\"\nsatisfaction_callback_days = 400\n[[rules]]\npattern = \"(\"\ncategory = \"\"\ndepartment = \"YY\"\npriority = \"asap\"\n",
        );
        for key in [
            "default_department",
            "rules[0].department",
            "rules[0].pattern",
            "rules[0].priority",
            "rules[0].category",
            "satisfaction_callback_days",
        ] {
            assert!(e.contains(&format!("key `{key}`")), "{key}: {e}");
        }
    }
}
