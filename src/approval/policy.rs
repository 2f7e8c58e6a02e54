//! Approval policies: ordered stages with approvers, a mode, a condition and an SLA.
//!
//! Policies are written in `config/workflows.toml`, one per subject kind. This module holds the
//! typed form and the rules that turn a policy plus a subject into planned stages.

use crate::domain::directory::{Directory, EmployeeId, Role};
use crate::domain::Msg;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

mod check;
pub use check::{check_against, PolicyProblem};

/// Who approves a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproverSpec {
    /// The head of the requester's department.
    DeptHead,
    /// The head above the requester's department (its parent's head, or further up when that
    /// is the requester): the department's superior, e.g. for escalation.
    Superior,
    /// Everyone holding a role.
    Role(Role),
    /// One named employee.
    Handle(String),
}

impl ApproverSpec {
    /// Parses `dept_head`, `superior`, `role:bcmo` or `user:li.na`.
    pub fn parse(s: &str) -> Result<ApproverSpec, String> {
        if s == "dept_head" {
            return Ok(ApproverSpec::DeptHead);
        }
        if s == "superior" {
            return Ok(ApproverSpec::Superior);
        }
        if let Some(r) = s.strip_prefix("role:") {
            return Role::parse(r)
                .map(ApproverSpec::Role)
                .ok_or_else(|| format!("unknown role `{r}` in `{s}`"));
        }
        if let Some(h) = s.strip_prefix("user:") {
            if crate::domain::directory::validate_handle(h).is_ok() {
                return Ok(ApproverSpec::Handle(h.to_string()));
            }
            return Err(format!("`{h}` is not a valid handle"));
        }
        Err(format!(
            "`{s}` is not an approver: write `dept_head`, `superior`, `role:NAME` or `user:HANDLE`"
        ))
    }
}

impl std::fmt::Display for ApproverSpec {
    /// The form written in `workflows.toml`, which [`ApproverSpec::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApproverSpec::DeptHead => f.write_str("dept_head"),
            ApproverSpec::Superior => f.write_str("superior"),
            ApproverSpec::Role(r) => write!(f, "role:{r}"),
            ApproverSpec::Handle(h) => write!(f, "user:{h}"),
        }
    }
}

/// How many of a stage's approvers must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The first decision decides the stage.
    Any,
    /// Everyone must approve; one rejection rejects.
    All,
    /// N approvals approve; rejection once N can no longer be reached.
    Quorum(u32),
}

impl Mode {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Any => "any",
            Mode::All => "all",
            Mode::Quorum(_) => "quorum",
        }
    }

    /// The mode from its stored name and the stage's `required` count (a quorum's N); `None`
    /// for a name that is not a mode or a quorum below one.
    pub fn parse(name: &str, required: i64) -> Option<Mode> {
        match name {
            "any" => Some(Mode::Any),
            "all" => Some(Mode::All),
            "quorum" => u32::try_from(required)
                .ok()
                .filter(|n| *n >= 1)
                .map(Mode::Quorum),
            _ => None,
        }
    }
}

/// When a stage applies. Every field that is set must hold; an empty condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// Applies when the amount is at least this (minor units).
    pub min_amount: Option<i64>,
    /// Applies when the amount is at most this (minor units).
    pub max_amount: Option<i64>,
    /// Applies to these categories only.
    pub categories: Vec<String>,
    /// Applies to requesters in these departments only.
    pub departments: Vec<String>,
}

/// The facts about a subject that conditions and approver resolution look at; stored with the
/// round, so an escalation later resolves its target from the same facts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SubjectFacts {
    pub requester: EmployeeId,
    pub department: String,
    pub amount_minor: i64,
    pub category: Option<String>,
}

impl Condition {
    /// Whether the stage applies to this subject.
    pub fn holds(&self, facts: &SubjectFacts) -> bool {
        self.min_amount.is_none_or(|m| facts.amount_minor >= m)
            && self.max_amount.is_none_or(|m| facts.amount_minor <= m)
            && (self.categories.is_empty()
                || facts
                    .category
                    .as_ref()
                    .is_some_and(|c| self.categories.contains(c)))
            && (self.departments.is_empty() || self.departments.contains(&facts.department))
    }
}

/// Reminder and escalation timing of a stage (acted on by the scheduler).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sla {
    pub remind_after: Option<Duration>,
    pub escalate_after: Option<Duration>,
    pub escalate_to: Option<ApproverSpec>,
}

/// One stage of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub name_zh: String,
    pub approvers: Vec<ApproverSpec>,
    pub mode: Mode,
    pub condition: Condition,
    /// Who decides when self-approval removes every approver and no superior exists.
    pub fallback: Vec<ApproverSpec>,
    /// When nobody at all can approve (e.g. the top of the company's own request): skip the
    /// stage instead of refusing the submission.
    pub skip_if_no_approver: bool,
    pub sla: Sla,
}

/// An ordered list of stages for one subject kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub kind: String,
    pub stages: Vec<Stage>,
}

/// All policies, by subject kind.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    pub by_kind: BTreeMap<String, Policy>,
}

impl Policies {
    /// The policy for a subject kind.
    pub fn get(&self, kind: &str) -> Option<&Policy> {
        self.by_kind.get(kind)
    }

    /// Parses `workflows.toml` text. `minor_per_major` converts `min_amount` (major units).
    /// Errors name the key and say what is expected.
    pub fn from_toml(text: &str) -> Result<Policies, String> {
        let raw: BTreeMap<String, RawPolicy> = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut by_kind = BTreeMap::new();
        for (kind, rp) in raw {
            if rp.stages.is_empty() {
                return Err(format!(
                    "`{kind}.stages`: a policy needs at least one stage"
                ));
            }
            let mut stages = Vec::new();
            for (i, rs) in rp.stages.into_iter().enumerate() {
                let at = format!("{kind}.stages[{i}]");
                stages.push(rs.into_stage(&at)?);
            }
            by_kind.insert(kind.clone(), Policy { kind, stages });
        }
        Ok(Policies { by_kind })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: String,
    #[serde(default)]
    name_zh: String,
    approvers: Vec<String>,
    #[serde(default = "default_mode")]
    mode: String,
    quorum: Option<u32>,
    #[serde(default)]
    when: RawCondition,
    #[serde(default)]
    fallback: Vec<String>,
    remind_after: Option<String>,
    escalate_after: Option<String>,
    escalate_to: Option<String>,
    if_no_approver: Option<String>,
}

fn default_mode() -> String {
    "any".into()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    min_amount: Option<u64>,
    max_amount: Option<u64>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    departments: Vec<String>,
}

fn major_to_minor(at: &str, v: Option<u64>) -> Result<Option<i64>, String> {
    v.map(|m| {
        i64::try_from(m)
            .ok()
            .and_then(|m| m.checked_mul(100))
            .ok_or_else(|| format!("`{at}`: amount too large"))
    })
    .transpose()
}

impl RawStage {
    fn into_stage(self, at: &str) -> Result<Stage, String> {
        if self.name.trim().is_empty() {
            return Err(format!("`{at}.name`: a stage needs a name"));
        }
        let parse_list = |key: &str, list: &[String]| -> Result<Vec<ApproverSpec>, String> {
            list.iter()
                .map(|s| ApproverSpec::parse(s).map_err(|e| format!("`{at}.{key}`: {e}")))
                .collect()
        };
        let approvers = parse_list("approvers", &self.approvers)?;
        if approvers.is_empty() {
            return Err(format!("`{at}.approvers`: list at least one approver"));
        }
        let fallback = parse_list("fallback", &self.fallback)?;
        let mode = match (self.mode.as_str(), self.quorum) {
            ("any", None) => Mode::Any,
            ("all", None) => Mode::All,
            ("quorum", Some(n)) if n >= 1 => Mode::Quorum(n),
            ("quorum", _) => {
                return Err(format!(
                    "`{at}.quorum`: mode \"quorum\" needs `quorum = N` with N at least 1"
                ))
            }
            ("any" | "all", Some(_)) => {
                return Err(format!("`{at}.quorum`: only valid with mode = \"quorum\""))
            }
            (m, _) => {
                return Err(format!(
                    "`{at}.mode`: `{m}` is not a mode; use \"any\", \"all\" or \"quorum\""
                ))
            }
        };
        let condition = Condition {
            min_amount: major_to_minor(&format!("{at}.when.min_amount"), self.when.min_amount)?,
            max_amount: major_to_minor(&format!("{at}.when.max_amount"), self.when.max_amount)?,
            categories: self.when.categories,
            departments: self.when.departments,
        };
        if let (Some(a), Some(b)) = (condition.min_amount, condition.max_amount) {
            if a > b {
                return Err(format!("`{at}.when`: min_amount is above max_amount"));
            }
        }
        let dur = |key: &str, v: &Option<String>| -> Result<Option<Duration>, String> {
            v.as_deref()
                .map(|s| parse_duration(s).map_err(|e| format!("`{at}.{key}`: {e}")))
                .transpose()
        };
        let sla = Sla {
            remind_after: dur("remind_after", &self.remind_after)?,
            escalate_after: dur("escalate_after", &self.escalate_after)?,
            escalate_to: self
                .escalate_to
                .as_deref()
                .map(|s| ApproverSpec::parse(s).map_err(|e| format!("`{at}.escalate_to`: {e}")))
                .transpose()?,
        };
        if sla.escalate_after.is_some() != sla.escalate_to.is_some() {
            return Err(format!(
                "`{at}`: set escalate_after and escalate_to together, or neither"
            ));
        }
        if let (Some(r), Some(e)) = (sla.remind_after, sla.escalate_after) {
            if r >= e {
                return Err(format!(
                    "`{at}.remind_after`: must be shorter than escalate_after"
                ));
            }
        }
        let skip_if_no_approver = match self.if_no_approver.as_deref() {
            None | Some("refuse") => false,
            Some("skip") => true,
            Some(other) => {
                return Err(format!(
                    "`{at}.if_no_approver`: `{other}` is not allowed; use \"refuse\" or \"skip\""
                ))
            }
        };
        Ok(Stage {
            skip_if_no_approver,
            name: self.name,
            name_zh: self.name_zh,
            approvers,
            mode,
            condition,
            fallback,
            sla,
        })
    }
}

/// Parses a duration such as `90m`, `24h`, `2d`, `1d12h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(format!(
                    "`{s}` is not a duration; write e.g. 30m, 24h or 2d"
                ))
            }
        };
        let n: u64 = match num.parse() {
            Ok(n) => n,
            // Digits that do not fit: far too long.
            Err(_) if !num.is_empty() => return Err(format!("`{s}` is too long")),
            Err(_) => {
                return Err(format!(
                    "`{s}` is not a duration; write e.g. 30m, 24h or 2d"
                ))
            }
        };
        num.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("`{s}` is too long"))?;
        any = true;
    }
    if !num.is_empty() || !any || total == 0 {
        return Err(format!(
            "`{s}` is not a duration; write e.g. 30m, 24h or 2d"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// A stage as planned for one subject: who approves it, or that it is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStage {
    pub index: usize,
    pub name: String,
    pub name_zh: String,
    pub mode: Mode,
    /// Approvals needed: 1 for `any`, all approvers for `all`, N for quorum.
    pub required: u32,
    pub approvers: Vec<EmployeeId>,
    pub skipped: bool,
}

impl PlannedStage {
    /// A stage that does not apply to this subject.
    fn skipped(index: usize, stage: &Stage) -> PlannedStage {
        PlannedStage {
            index,
            name: stage.name.clone(),
            name_zh: stage.name_zh.clone(),
            mode: stage.mode,
            required: 0,
            approvers: vec![],
            skipped: true,
        }
    }
}

/// Plans every stage of a policy for a subject: evaluates conditions and resolves approvers,
/// never assigning the requester (self-approval is routed to a superior or the fallback).
pub fn plan(
    policy: &Policy,
    facts: &SubjectFacts,
    dir: &Directory,
) -> Result<Vec<PlannedStage>, Msg> {
    let mut out = Vec::new();
    for (index, stage) in policy.stages.iter().enumerate() {
        if !stage.condition.holds(facts) {
            out.push(PlannedStage::skipped(index, stage));
            continue;
        }
        let approvers = resolve_stage(stage, facts, dir);
        if approvers.is_empty() && stage.skip_if_no_approver {
            out.push(PlannedStage::skipped(index, stage));
            continue;
        }
        if approvers.is_empty() {
            return Err(Msg::new("approval.no_approver").arg("stage", &stage.name));
        }
        let n = approvers.len() as u32;
        let required = match stage.mode {
            Mode::Any => 1,
            Mode::All => n,
            // Checked at load; people deactivated since can still put it out of reach, and a
            // quorum is never quietly lowered: the submission is refused.
            Mode::Quorum(q) if q > n => {
                return Err(Msg::new("approval.quorum_unreachable")
                    .arg("stage", &stage.name)
                    .arg("stage_zh", &stage.name_zh)
                    .arg("quorum", q)
                    .arg("available", n))
            }
            Mode::Quorum(q) => q,
        };
        out.push(PlannedStage {
            index,
            name: stage.name.clone(),
            name_zh: stage.name_zh.clone(),
            mode: stage.mode,
            required,
            approvers,
            skipped: false,
        });
    }
    Ok(out)
}

/// Resolves one stage's approvers, excluding the requester. A department head's own request
/// goes to the nearest superior head; if nobody is left, to the stage's fallback.
pub fn resolve_stage(stage: &Stage, facts: &SubjectFacts, dir: &Directory) -> Vec<EmployeeId> {
    let mut ids = resolve_specs(&stage.approvers, facts, dir, true);
    if ids.is_empty() {
        ids = resolve_specs(&stage.fallback, facts, dir, false);
    }
    ids
}

/// Resolves approver specs to active employees other than the requester, without duplicates.
/// The nearest head above `department` who is none of `excluded` (the requester; for an
/// escalation, also whoever has the task now, so it always reaches someone new).
pub fn superior(dir: &Directory, department: &str, excluded: &[EmployeeId]) -> Option<EmployeeId> {
    dir.superiors_of(department)
        .into_iter()
        .map(|e| e.id)
        .find(|id| !excluded.contains(id))
}

pub fn resolve_specs(
    specs: &[ApproverSpec],
    facts: &SubjectFacts,
    dir: &Directory,
    climb_for_head: bool,
) -> Vec<EmployeeId> {
    let mut ids: Vec<EmployeeId> = Vec::new();
    let mut push = |id: EmployeeId| {
        if id != facts.requester && !ids.contains(&id) {
            ids.push(id);
        }
    };
    for spec in specs {
        match spec {
            ApproverSpec::DeptHead => match dir.head_of(&facts.department) {
                Some(head) if head.id != facts.requester => push(head.id),
                _ if climb_for_head => {
                    if let Some(sup) = dir
                        .superiors_of(&facts.department)
                        .into_iter()
                        .find(|e| e.id != facts.requester)
                    {
                        push(sup.id);
                    }
                }
                _ => {}
            },
            ApproverSpec::Superior => {
                if let Some(sup) = superior(dir, &facts.department, &[facts.requester]) {
                    push(sup);
                }
            }
            ApproverSpec::Role(role) => dir.with_role(*role).into_iter().for_each(|e| push(e.id)),
            ApproverSpec::Handle(h) => {
                if let Some(e) = dir.by_handle(h) {
                    push(e.id)
                }
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests;
