use super::*;
use crate::domain::directory::{Department, Employee};
use proptest::prelude::*;

const POLICY: &str = r#"
[requisition]
[[requisition.stages]]
name = "dept_head"
approvers = ["dept_head"]
fallback = ["role:management"]
remind_after = "24h"
escalate_after = "48h"
escalate_to = "role:bcmo"

[[requisition.stages]]
name = "bcmo"
approvers = ["role:bcmo"]

[[requisition.stages]]
name = "finance"
approvers = ["role:finance"]
when = { min_amount = 50000 }
"#;

fn emp(id: i64, handle: &str, dept: &str, roles: &[Role]) -> Employee {
    Employee {
        id,
        handle: handle.into(),
        name: handle.into(),
        email: format!("{handle}@example.com"),
        department: dept.into(),
        roles: roles.to_vec(),
        discord_id: None,
        locale: None,
        active: true,
    }
}

fn dept(code: &str, head: &str, parent: Option<&str>) -> Department {
    Department {
        code: code.into(),
        name: code.into(),
        name_zh: String::new(),
        head: Some(head.into()),
        parent: parent.map(Into::into),
    }
}

fn company() -> Directory {
    Directory {
        employees: vec![
            emp(1, "li.na", "SAL", &[Role::Sales]),
            emp(2, "wang.fang", "SAL", &[Role::DeptHead]),
            emp(3, "chen.jie", "BCMO", &[Role::Bcmo, Role::DeptHead]),
            emp(4, "zhao.min", "FIN", &[Role::Finance, Role::DeptHead]),
            emp(5, "zhang.wei", "MGT", &[Role::Management, Role::DeptHead]),
            emp(6, "liu.yang", "BCMO", &[Role::Bcmo]),
        ],
        departments: vec![
            dept("SAL", "wang.fang", Some("MGT")),
            dept("BCMO", "chen.jie", Some("MGT")),
            dept("FIN", "zhao.min", Some("MGT")),
            dept("MGT", "zhang.wei", None),
        ],
    }
}

fn facts(requester: i64, dept: &str, major: i64) -> SubjectFacts {
    SubjectFacts {
        requester,
        department: dept.into(),
        amount_minor: major * 100,
        category: None,
    }
}

#[test]
fn default_policy_routes_by_amount() {
    let p = Policies::from_toml(POLICY).unwrap();
    let policy = p.get("requisition").unwrap();
    let big = plan(policy, &facts(1, "SAL", 80_000), &company()).unwrap();
    let active: Vec<_> = big
        .iter()
        .filter(|s| !s.skipped)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(active, ["dept_head", "bcmo", "finance"]);
    assert_eq!(big[0].approvers, vec![2]);
    assert_eq!(big[1].approvers, vec![3, 6]);
    let small = plan(policy, &facts(1, "SAL", 3_000), &company()).unwrap();
    assert!(small[2].skipped);
    assert_eq!(
        policy.stages[0].sla.remind_after,
        Some(Duration::from_secs(86_400))
    );
}

#[test]
fn a_heads_own_request_goes_to_the_superior_never_to_themselves() {
    let p = Policies::from_toml(POLICY).unwrap();
    let policy = p.get("requisition").unwrap();
    let plan = plan(policy, &facts(2, "SAL", 1_000), &company()).unwrap();
    assert_eq!(plan[0].approvers, vec![5]);
    // The BCMO head's own request: BCMO stage keeps only the other BCMO member.
    let plan = super::plan(policy, &facts(3, "BCMO", 1_000), &company()).unwrap();
    assert_eq!(plan[0].approvers, vec![5]);
    assert_eq!(plan[1].approvers, vec![6]);
    // The top of the tree: no superior, so the fallback (management) minus the requester: nobody.
    let err = super::plan(policy, &facts(5, "MGT", 1_000), &company()).unwrap_err();
    assert_eq!(err.key, "approval.no_approver");
    // Unless the stage says to skip itself then.
    let skipping = POLICY.replacen(
        "fallback = [\"role:management\"]",
        "fallback = [\"role:management\"]\nif_no_approver = \"skip\"",
        1,
    );
    let p = Policies::from_toml(&skipping).unwrap();
    let plan = super::plan(
        p.get("requisition").unwrap(),
        &facts(5, "MGT", 1_000),
        &company(),
    )
    .unwrap();
    assert!(plan[0].skipped && plan[1].approvers == vec![3, 6]);
    assert!(Policies::from_toml(&POLICY.replacen(
        "fallback = [\"role:management\"]",
        "if_no_approver = \"maybe\"",
        1
    ))
    .unwrap_err()
    .contains("if_no_approver"));
}

#[test]
fn bad_policies_name_the_key() {
    let cases = [
        (
            r#"[r]
stages = [{ name = "a", approvers = ["boss"] }]"#,
            "r.stages[0].approvers",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["role:king"] }]"#,
            "unknown role",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["dept_head"], mode = "quorum" }]"#,
            "r.stages[0].quorum",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["dept_head"], mode = "most" }]"#,
            "r.stages[0].mode",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["dept_head"], remind_after = "soon" }]"#,
            "remind_after",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["dept_head"], escalate_after = "2d" }]"#,
            "together",
        ),
        (
            r#"[r]
stages = [{ name = "a", approvers = ["dept_head"], colour = "red" }]"#,
            "colour",
        ),
        (
            r#"[r]
stages = []"#,
            "at least one stage",
        ),
    ];
    for (text, expect) in cases {
        let err = Policies::from_toml(text).unwrap_err();
        assert!(err.contains(expect), "{err} should mention {expect}");
    }
}

#[test]
fn approver_specs_print_as_written() {
    for s in ["dept_head", "superior", "role:bcmo", "user:li.na"] {
        assert_eq!(ApproverSpec::parse(s).unwrap().to_string(), s);
    }
}

#[test]
fn the_superior_is_the_head_above_the_department() {
    let dir = company();
    let sup = [ApproverSpec::Superior];
    // A salesperson's department's superior: the head of MGT above Sales.
    assert_eq!(
        resolve_specs(&sup, &facts(1, "SAL", 0), &dir, true),
        vec![5]
    );
    // Never the requester: the top of the tree has nobody above.
    assert!(resolve_specs(&sup, &facts(5, "MGT", 0), &dir, true).is_empty());
    assert!(resolve_specs(&sup, &facts(5, "SAL", 0), &dir, true).is_empty());
    // An escalation walks on past whoever already has the task.
    let mut deep = company();
    deep.departments.push(dept("KA", "li.na", Some("SAL")));
    assert_eq!(superior(&deep, "KA", &[]), Some(2));
    assert_eq!(superior(&deep, "KA", &[2]), Some(5));
    assert_eq!(superior(&deep, "KA", &[2, 5]), None);
}

#[test]
fn durations_parse() {
    assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("1d12h"), Ok(Duration::from_secs(129_600)));
    assert!(parse_duration("12").is_err());
    assert!(parse_duration("0h").is_err());
    assert!(parse_duration("99999999999999999999d").is_err());
}

proptest! {
    /// Whoever requests, at whatever amount, planning never assigns the requester.
    #[test]
    fn requester_is_never_an_approver(requester in 1i64..7, major in 0i64..200_000) {
        let p = Policies::from_toml(POLICY).unwrap();
        let dir = company();
        let dept = dir.by_id(requester).unwrap().department.clone();
        if let Ok(stages) = plan(p.get("requisition").unwrap(), &facts(requester, &dept, major), &dir) {
            for s in stages {
                prop_assert!(!s.approvers.contains(&requester));
                prop_assert_eq!(s.skipped, s.approvers.is_empty());
                prop_assert!(s.skipped || (1..=s.approvers.len() as u32).contains(&s.required));
            }
        }
    }
}
