use super::*;

/// Settings whose directory and workflows are these texts (written to a temporary folder).
fn config_with(org: &str, workflows: &str) -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Config::defaults();
    c.directory.file = dir.path().join("org.toml");
    c.workflows.file = dir.path().join("workflows.toml");
    std::fs::write(&c.directory.file, org).unwrap();
    std::fs::write(&c.workflows.file, workflows).unwrap();
    (c, dir)
}

const QUORUM_5: &str = r#"[requisition]
[[requisition.stages]]
name = "Central office"
approvers = ["role:bcmo"]
mode = "quorum"
quorum = 5
"#;

#[test]
fn the_sample_company_loads() {
    let (c, _d) = config_with(SAMPLE, DEFAULT_WORKFLOWS);
    let setup = load(&c).unwrap();
    assert_eq!(setup.policies.by_kind.len(), 8);
}

#[test]
fn a_quorum_nobody_can_reach_stops_the_load_with_file_line_key_and_fix() {
    let (c, _d) = config_with(SAMPLE, QUORUM_5);
    let err = load(&c).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let p = &err.0[0];
    assert_eq!(p.file, c.workflows.file.display().to_string());
    assert_eq!(p.line, Some(6), "{err}");
    assert_eq!(p.key, "requisition.stages[0].quorum");
    assert!(p.message.contains("lower `quorum` to 2"), "{err}");
}

#[test]
fn a_named_approver_who_does_not_exist_stops_the_load() {
    let (c, _d) = config_with(
        SAMPLE,
        &DEFAULT_WORKFLOWS.replacen(
            "approvers = [\"role:bcmo\"]",
            "approvers = [\"user:ghost\"]",
            1,
        ),
    );
    let err = load(&c).unwrap_err().to_string();
    assert!(
        err.contains("key `requisition.stages[1].approvers`") && err.contains("user:ghost"),
        "{err}"
    );
}

#[test]
fn problems_in_both_files_are_reported_together() {
    let org = SAMPLE.replace(
        "email = \"li.na@example.com\"",
        "email = \"Wang.Fang@example.com\"",
    );
    let broken_workflows = "[requisition\n";
    let (c, _d) = config_with(&org, broken_workflows);
    let err = load(&c).unwrap_err();
    assert_eq!(err.0.len(), 2, "{err}");
    assert!(err.0[0].key.ends_with(".email"), "{err}");
    assert!(err.0[1].file.ends_with("workflows.toml"), "{err}");
    assert_eq!(err.0[1].line, Some(1), "TOML's own line: {err}");
    assert!(!err.0[1].message.contains('\n'), "one line: {err}");
}

#[test]
fn a_policy_for_a_kind_nobody_registered_is_named_with_the_known_kinds() {
    // Only the table is misspelt: its stages still say `requisition`.
    let typo = "# a typo\n[requisiton]\n[[requisition.stages]]\nname = \"Head\"\napprovers = [\"dept_head\"]\n";
    let (c, _d) = config_with(SAMPLE, typo);
    let err = load(&c).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let p = &err.0[0];
    assert_eq!((p.key.as_str(), p.line), ("requisiton", Some(2)), "{err}");
    assert!(
        p.message
            .contains(
                "budget, contract, expense, opportunity, payment, purchase_order, requisition, supplier"
            ),
        "{err}"
    );
}
