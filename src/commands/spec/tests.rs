use super::*;

fn option(name: &str, required: bool) -> String {
    format!(
        "[[options]]\nname = \"{name}\"\nname_zh = \"{name}_zh\"\ndescription = \"d\"\n\
         description_zh = \"说明\"\ntype = \"string\"\nrequired = {required}\n"
    )
}

fn plain(name: &str, options: &str) -> (String, String) {
    (
        format!("{name}.toml"),
        format!(
            "name = \"{name}\"\nname_zh = \"{name}_zh\"\ndescription = \"d\"\n\
             description_zh = \"说明\"\naction = \"{name}\"\n{options}"
        ),
    )
}

fn error_of(files: &[(String, String)]) -> String {
    format!("{:#}", Catalog::from_toml_files(files).unwrap_err())
}

#[test]
fn embedded_catalog_loads_and_validates() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    catalog.validate().expect("valid");
    let names: Vec<&str> = catalog.commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "approval",
            "budget",
            "callback",
            "contract",
            "customer",
            "delegate",
            "expense",
            "followup",
            "help",
            "inbox",
            "inquiry",
            "opportunity",
            "order",
            "payment",
            "po",
            "receipt",
            "report",
            "requisition",
            "settings",
            "supplier",
            "whoami",
        ]
    );
    for action in [
        "help",
        "whoami",
        "inbox",
        "requisition.new",
        "requisition.show",
        "requisition.list",
        "requisition.withdraw",
        "requisition.resubmit",
        "approval.approve",
        "approval.reject",
        "approval.changes",
        "delegate.set",
        "delegate.off",
        "delegate.show",
        "settings.show",
        "settings.email",
        "opportunity.new",
        "contract.submit",
        "order.issue",
        "order.resolve",
        "report.sales",
        "report.procurement",
        "supplier.disqualify",
        "budget.round",
        "budget.revise",
        "expense.claim",
        "report.budget",
    ] {
        assert!(catalog.options_for(action).is_some(), "{action}");
    }
    assert_eq!(catalog.actions().len(), 91);
    let new = catalog.options_for("requisition.new").unwrap();
    assert_eq!(new[0].name, "item");
    assert!(catalog.find_command("采购申请").is_some());
    assert!(catalog.find_command("REQUISITION").is_some());
    assert_eq!(
        catalog
            .find_subcommand("审批", "退回修改")
            .map(|s| s.action.as_str()),
        Some("approval.changes")
    );
    let cmd = catalog.find_command("delegate").unwrap();
    assert_eq!(cmd.default_subcommand().unwrap().name, "set");
    assert_eq!(cmd.localized_name(Locale::ZhCn), "代理审批");
    assert_eq!(OptionType::Number.discord_type(), 10);
}

#[test]
fn accepts_a_minimal_catalog() {
    let catalog = Catalog::from_toml_files(&[plain("ping", &option("a", true))]).expect("valid");
    assert_eq!(catalog.options_for("ping").unwrap().len(), 1);
}

#[test]
fn rejects_uppercase_names() {
    let err = error_of(&[plain("ping", &option("Item", true))]);
    assert!(err.contains("ping.toml"), "{err}");
    assert!(err.contains("`Item` must be lowercase"), "{err}");
    let err = error_of(&[plain("ping", &option("two words", true))]);
    assert!(err.contains("no spaces"), "{err}");
}

#[test]
fn rejects_optional_before_required() {
    let opts = option("a", false) + &option("b", true);
    let err = error_of(&[plain("ping", &opts)]);
    assert!(
        err.contains("required option `b` must come before optional option `a`"),
        "{err}"
    );
}

#[test]
fn rejects_26_options() {
    let opts: String = (0..26).map(|i| option(&format!("o{i}"), false)).collect();
    let err = error_of(&[plain("ping", &opts)]);
    assert!(err.contains("at most 25 options"), "{err}");
}

#[test]
fn rejects_other_mistakes_and_reports_them_all() {
    let bad = "[[options]]\nname = \"n\"\nname_zh = \"n\"\ndescription = \"d\"\n\
               description_zh = \"说\"\ntype = \"integer\"\nmin_value = 5\nmax_value = 1\n\
               [[options]]\nname = \"p\"\nname_zh = \"n\"\ndescription = \"d\"\n\
               description_zh = \"说\"\ntype = \"string\"\npattern = \"(\"\n\
               format = \"reference\"\nref_kind = \"XYZ\"\n";
    let err = error_of(&[plain("ping", bad), plain("pong", "")]);
    assert!(
        err.contains("min_value 5 is greater than max_value 1"),
        "{err}"
    );
    assert!(
        err.contains("option name `n` is used by both `n` and `p`"),
        "{err}"
    );
    assert!(err.contains("does not compile"), "{err}");
    assert!(err.contains("ref_kind `XYZ`"), "{err}");

    // Duplicate actions across files, wrong file name, unknown field, missing action.
    let mut dup = plain("pong", "");
    dup.1 = dup.1.replace("action = \"pong\"", "action = \"ping\"");
    let err = error_of(&[plain("ping", ""), dup]);
    assert!(
        err.contains("action `ping` is also used by ping.toml"),
        "{err}"
    );
    let (_, text) = plain("ping", "");
    let err = error_of(&[("other.toml".into(), text)]);
    assert!(err.contains("name the file `ping.toml`"), "{err}");
    let (file, text) = plain("ping", "");
    let err = error_of(&[(file, text + "requird = true\n")]);
    assert!(
        err.contains("ping.toml") && err.contains("requird"),
        "{err}"
    );
    let (file, text) = plain("ping", "");
    let err = error_of(&[(file, text.replace("action = \"ping\"\n", ""))]);
    assert!(err.contains("either `action` or `subcommands`"), "{err}");
}

#[test]
fn rejects_bad_default_subcommand_and_long_descriptions() {
    let text = format!(
        "name = \"x\"\nname_zh = \"叉\"\ndescription = \"{}\"\ndescription_zh = \"说明\"\n\
         default_subcommand = \"nope\"\n[[subcommands]]\nname = \"a\"\nname_zh = \"甲\"\n\
         description = \"d\"\ndescription_zh = \"说明\"\naction = \"x.a\"\n",
        "y".repeat(101)
    );
    let err = error_of(&[("x.toml".into(), text)]);
    assert!(err.contains("default_subcommand `nope`"), "{err}");
    assert!(
        err.contains("description must be 1-100 characters (it has 101)"),
        "{err}"
    );
}
