use super::*;
use crate::config::setup::DEFAULT_WORKFLOWS;

/// A company's own directory: other department codes than the sample's.
const COMPANY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/company-org.toml"
));

/// Settings whose files are written to a temporary folder: the directory, and the shipped
/// workflows, routing rules and schedules.
fn config_with(org: &str) -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Config::defaults();
    c.directory.file = dir.path().join("org.toml");
    c.workflows.file = dir.path().join("workflows.toml");
    c.inquiries.routing_file = dir.path().join("routing.toml");
    c.scheduler.file = dir.path().join("schedules.toml");
    std::fs::write(&c.directory.file, org).unwrap();
    std::fs::write(&c.workflows.file, DEFAULT_WORKFLOWS).unwrap();
    std::fs::write(&c.inquiries.routing_file, DEFAULT_ROUTING).unwrap();
    std::fs::write(&c.scheduler.file, schedules::DEFAULT).unwrap();
    (c, dir)
}

#[test]
fn the_sample_files_load_and_are_summed_up() {
    let (c, _d) = config_with(SAMPLE);
    let files = load(&c, &c.directory.file).unwrap();
    assert_eq!(files.routing.rules.len(), 5);
    let summary = files.summary();
    assert!(
        summary.contains("8 departments") && summary.contains("5 routing rules"),
        "{summary}"
    );
}

#[test]
fn every_routing_department_missing_from_the_directory_is_listed_with_line_and_fix() {
    let (c, _d) = config_with(COMPANY);
    let err = load(&c, &c.directory.file).unwrap_err();
    let routing = c.inquiries.routing_file.display().to_string();
    let keys: Vec<(&str, Option<usize>)> = err
        .0
        .iter()
        .filter(|p| p.file == routing)
        .map(|p| (p.key.as_str(), p.line))
        .collect();
    assert_eq!(keys.len(), 6, "{err}");
    assert_eq!(keys[0], ("default_department", Some(7)), "{err}");
    assert_eq!(keys[3], ("rules[2].department", Some(47)), "{err}");
    let p = &err.0[0];
    let org = c.directory.file.display().to_string();
    assert!(
        p.message
            .contains(&format!("department `SVC` is not in {org}")),
        "{err}"
    );
    assert!(p.message.contains("one of OPS, SALES"), "{err}");
}

#[test]
fn a_directory_with_problems_of_its_own_still_has_the_routing_checked_against_it() {
    let broken = COMPANY.replace("bob@example.com", "not-an-address");
    let (c, _d) = config_with(&broken);
    let err = load(&c, &c.directory.file).unwrap_err();
    assert!(err.0.iter().any(|p| p.key == "employees[1].email"), "{err}");
    assert!(
        err.0.iter().any(|p| p.key == "rules[4].department"),
        "{err}"
    );
}

#[test]
fn problems_of_the_schedules_and_the_workflows_come_in_the_same_list() {
    let (c, _d) = config_with(SAMPLE);
    std::fs::write(&c.workflows.file, "[requisition\n").unwrap();
    std::fs::write(
        &c.scheduler.file,
        "[daily_digest]\ncron = \"0 25 * * *\"\n\n[weekly_kpi]\ncron = \"0 9 * * 1\"\ncatch_up = \"twice\"\n",
    )
    .unwrap();
    let err = load(&c, &c.directory.file).unwrap_err();
    let keys: Vec<(&str, Option<usize>)> = err.0.iter().map(|p| (p.key.as_str(), p.line)).collect();
    assert_eq!(
        keys,
        [
            ("", Some(1)),
            ("daily_digest.cron", Some(2)),
            ("weekly_kpi.catch_up", Some(6))
        ],
        "{err}"
    );
}

#[test]
fn a_directory_to_sync_is_checked_against_the_policies() {
    let (c, d) = config_with(SAMPLE);
    // Nobody left with the finance role: the finance stage would quietly fall back.
    let file = d.path().join("new-org.toml");
    std::fs::write(
        &file,
        SAMPLE
            .replace("roles = [\"finance\"]", "roles = []")
            .replace(
                "roles = [\"dept_head\", \"finance\"]",
                "roles = [\"dept_head\"]",
            ),
    )
    .unwrap();
    let err = load(&c, &file).unwrap_err();
    assert!(
        err.0
            .iter()
            .all(|p| p.key == "requisition.stages[2].approvers"
                || p.key == "purchase_order.stages[1].approvers"
                || p.key == "payment.stages[0].approvers"
                || p.key == "expense.stages[0].fallback"
                || p.key == "expense.stages[1].approvers"),
        "{err}"
    );
    assert!(err.to_string().contains("role `finance`"), "{err}");
    std::fs::write(&file, SAMPLE).unwrap();
    load(&c, &file).unwrap();
}
