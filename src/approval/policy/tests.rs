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

fn one_stage(approvers: &str, mode: &str) -> Policies {
    Policies::from_toml(&format!(
        "[requisition]\n[[requisition.stages]]\nname = \"s\"\napprovers = {approvers}\n{mode}\n"
    ))
    .unwrap()
}

#[test]
fn a_quorum_beyond_the_approvers_is_a_problem_against_the_directory() {
    let p = one_stage(r#"["role:bcmo"]"#, "mode = \"quorum\"\nquorum = 5");
    let problems = check_against(&p, &company());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "requisition.stages[0].quorum");
    assert!(
        problems[0].message.contains("2 people at most") && problems[0].message.contains("to 2"),
        "{problems:?}"
    );
    // Two of two: a BCMO member's own request leaves one approver.
    let p = one_stage(r#"["role:bcmo"]"#, "mode = \"quorum\"\nquorum = 2");
    let problems = check_against(&p, &company());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("chen.jie, liu.yang") && problems[0].message.contains("to 1"),
        "{problems:?}"
    );
    // A department head is one person, for whoever asks; with the BCMO role, two or three.
    let p = one_stage(r#"["dept_head"]"#, "mode = \"quorum\"\nquorum = 2");
    assert_eq!(check_against(&p, &company()).len(), 1);
    let p = one_stage(
        r#"["dept_head", "role:bcmo"]"#,
        "mode = \"quorum\"\nquorum = 2",
    );
    let problems = check_against(&p, &company());
    assert!(
        problems[0].message.contains("from liu.yang:"),
        "her head is the other BCMO member: {problems:?}"
    );
    let p = one_stage(
        r#"["role:bcmo", "role:finance"]"#,
        "mode = \"quorum\"\nquorum = 2",
    );
    assert!(check_against(&p, &company()).is_empty());
    let p = one_stage(r#"["role:bcmo"]"#, "mode = \"quorum\"\nquorum = 1");
    assert!(check_against(&p, &company()).is_empty());
}

#[test]
fn unknown_people_roles_nobody_holds_and_unknown_departments_are_problems() {
    let p = Policies::from_toml(
        r#"[requisition]
[[requisition.stages]]
name = "s"
approvers = ["user:ghost", "role:legal"]
fallback = ["user:zhang.wei"]
when = { departments = ["SAL", "XX"] }
escalate_after = "2d"
escalate_to = "user:nobody"
"#,
    )
    .unwrap();
    let keys: Vec<String> = check_against(&p, &company())
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(
        keys,
        [
            "requisition.stages[0].approvers",
            "requisition.stages[0].approvers",
            "requisition.stages[0].escalate_to",
            "requisition.stages[0].when.departments",
        ]
    );
    assert!(check_against(&Policies::from_toml(POLICY).unwrap(), &company()).is_empty());
}

#[test]
fn a_quorum_out_of_reach_at_submission_refuses_it_never_lowers_it() {
    let p = one_stage(r#"["role:bcmo"]"#, "mode = \"quorum\"\nquorum = 2");
    let policy = p.get("requisition").unwrap();
    let ok = plan(policy, &facts(1, "SAL", 100), &company()).unwrap();
    assert_eq!(ok[0].required, 2);
    // Liu Yang left since the check at load: one approver for a quorum of two.
    let mut dir = company();
    dir.employees.iter_mut().find(|e| e.id == 6).unwrap().active = false;
    let err = plan(policy, &facts(1, "SAL", 100), &dir).unwrap_err();
    assert_eq!(err.key, "approval.quorum_unreachable");
    assert_eq!(err.get("quorum"), Some("2"));
    assert_eq!(err.get("available"), Some("1"));
}

#[test]
fn a_stored_mode_parses_back_and_refuses_unknown_names() {
    for mode in [Mode::Any, Mode::All, Mode::Quorum(2)] {
        let required = match mode {
            Mode::Quorum(n) => i64::from(n),
            _ => 1,
        };
        assert_eq!(Mode::parse(mode.as_str(), required), Some(mode));
    }
    assert_eq!(Mode::parse("most", 1), None);
    assert_eq!(Mode::parse("quorum", 0), None);
    assert_eq!(Mode::parse("", 1), None);
}
