//! Policies checked against a directory, at load and before a directory is synced: a policy
//! that parses can still be one the company cannot carry out (a named approver who does not
//! exist, a role nobody holds, a quorum larger than the people who can approve).

use super::{resolve_stage, ApproverSpec, Mode, Policies, Stage, SubjectFacts};
use crate::domain::directory::{Directory, Role};

/// Something a policy asks of the directory that the directory cannot give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The subject kind, i.e. the policy's table in `workflows.toml`.
    pub kind: String,
    /// The key: `requisition.stages[1].quorum`.
    pub key: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Every problem of every policy against this directory (active employees only).
pub fn check_against(policies: &Policies, dir: &Directory) -> Vec<PolicyProblem> {
    let mut out = Vec::new();
    for (kind, policy) in &policies.by_kind {
        for (i, stage) in policy.stages.iter().enumerate() {
            let at = format!("{kind}.stages[{i}]");
            let mut bad = |key: &str, message: String| {
                out.push(PolicyProblem {
                    kind: kind.clone(),
                    key: format!("{at}.{key}"),
                    message,
                })
            };
            let escalate: Vec<ApproverSpec> = stage.sla.escalate_to.iter().cloned().collect();
            for (key, specs) in [
                ("approvers", &stage.approvers),
                ("fallback", &stage.fallback),
                ("escalate_to", &escalate),
            ] {
                for spec in specs {
                    if let Some(m) = unknown_approver(spec, dir) {
                        bad(key, m);
                    }
                }
            }
            for code in &stage.condition.departments {
                if dir.department(code).is_none() {
                    bad(
                        "when.departments",
                        format!(
                            "`{code}` is not a department code of the directory; use one of {}",
                            codes(dir)
                        ),
                    );
                }
            }
            if let Some(m) = unreachable_quorum(stage, dir) {
                bad("quorum", m);
            }
        }
    }
    out
}

/// A named person who is not in the directory, or a role nobody holds: the stage would
/// quietly fall back to someone else.
fn unknown_approver(spec: &ApproverSpec, dir: &Directory) -> Option<String> {
    match spec {
        ApproverSpec::Handle(h) if dir.by_handle(h).is_none() => Some(format!(
            "`user:{h}` is not an active employee of the directory; correct the handle, or add {h} to the directory"
        )),
        ApproverSpec::Role(r) if *r != Role::Employee && dir.with_role(*r).is_empty() => {
            Some(format!(
                "nobody in the directory holds the role `{r}`; give it to someone (their `roles`), or name other approvers"
            ))
        }
        _ => None,
    }
}

/// For a quorum stage, whether every possible requester (each active employee the stage's
/// department condition admits) leaves at least N approvers once they are taken out (nobody
/// approves their own request). "Department head" and "superior" count as the one person they
/// resolve to for that requester; a stage that would be skipped for lack of anyone is fine.
fn unreachable_quorum(stage: &Stage, dir: &Directory) -> Option<String> {
    let Mode::Quorum(n) = stage.mode else {
        return None;
    };
    let mut best = 0usize;
    let mut short: Vec<(&str, usize)> = Vec::new();
    let admitted = dir.employees.iter().filter(|e| {
        e.active
            && (stage.condition.departments.is_empty()
                || stage.condition.departments.contains(&e.department))
    });
    for requester in admitted {
        let facts = SubjectFacts {
            requester: requester.id,
            department: requester.department.clone(),
            amount_minor: 0,
            category: None,
        };
        let approvers = resolve_stage(stage, &facts, dir);
        best = best.max(approvers.len());
        if approvers.is_empty() && stage.skip_if_no_approver {
            continue;
        }
        if approvers.len() < n as usize {
            short.push((&requester.handle, approvers.len()));
        }
    }
    if short.is_empty() {
        return None;
    }
    if best == 0 {
        return Some(format!(
            "quorum = {n} can never be reached: nobody can approve this stage; add approvers"
        ));
    }
    if best < n as usize {
        return Some(format!(
            "quorum = {n} can never be reached: {} at most can approve this stage; lower `quorum` to {best}, or add approvers",
            people(best)
        ));
    }
    let fewest = short.iter().map(|(_, k)| *k).min().unwrap_or(0);
    let mut who: Vec<&str> = short.iter().map(|(h, _)| *h).take(5).collect();
    if short.len() > 5 {
        who.push("…");
    }
    Some(format!(
        "quorum = {n} cannot be reached for requests from {}: only {} can approve those (nobody approves their own request); lower `quorum` to {fewest}, or add approvers",
        who.join(", "),
        people(fewest)
    ))
}

fn people(n: usize) -> String {
    match n {
        0 => "nobody".into(),
        1 => "1 person".into(),
        n => format!("{n} people"),
    }
}

fn codes(dir: &Directory) -> String {
    let v: Vec<&str> = dir.departments.iter().map(|d| d.code.as_str()).collect();
    v.join(", ")
}
