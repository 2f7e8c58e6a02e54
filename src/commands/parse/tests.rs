use super::*;
use crate::commands::spec::OptionSpec;
use crate::domain::money::Currency;
use crate::domain::reference::RefKind;
use proptest::prelude::*;
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("catalog"));

/// The configured values of the shipped `config/` files.
static TERMS: LazyLock<std::sync::Arc<crate::domain::term::Vocabulary>> = LazyLock::new(|| {
    let mut v = crate::domain::term::Vocabulary::default();
    v.set(
        "requisition_categories",
        vec![crate::domain::term::Term::new(
            "it",
            "IT equipment",
            "IT设备",
        )],
    );
    v.set(
        "order_stages",
        vec![crate::domain::term::Term::new(
            "shipped",
            "Shipped",
            "已发货",
        )],
    );
    std::sync::Arc::new(v)
});

fn ctx() -> ParseContext {
    ParseContext {
        currency: Currency::CNY,
        today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        terms: TERMS.clone(),
    }
}

fn parse(line: &str) -> Result<Invocation, Vec<Msg>> {
    parse_line(&CATALOG, line, &ctx())
}

fn ok(line: &str) -> Invocation {
    parse(line).unwrap_or_else(|e| panic!("{line}: {e:?}"))
}

fn errors(line: &str) -> Vec<Msg> {
    match parse(line) {
        Ok(inv) => panic!("{line}: parsed as {inv:?}"),
        Err(e) => e,
    }
}

fn keys(line: &str) -> Vec<&'static str> {
    errors(line).iter().map(|m| m.key).collect()
}

fn one_error(line: &str) -> Msg {
    let e = errors(line);
    assert_eq!(e.len(), 1, "{line}: {e:?}");
    e.into_iter().next().unwrap()
}

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn req(number: i64) -> Reference {
    Reference {
        kind: RefKind::Requisition,
        number,
    }
}

#[test]
fn parses_the_example() {
    let inv =
        ok(r#"/requisition new item:"ThinkPad X1" quantity:2 unit_price:40000 reason:"new hires""#);
    assert_eq!(inv.command, "requisition");
    assert_eq!(inv.subcommand.as_deref(), Some("new"));
    assert_eq!(inv.action, "requisition.new");
    assert_eq!(inv.str("item"), Some("ThinkPad X1"));
    assert_eq!(inv.int("quantity"), Some(2));
    assert_eq!(inv.money("unit_price"), Some(cny(4_000_000)));
    assert_eq!(inv.str("reason"), Some("new hires"));
    assert_eq!(inv.options.len(), 4);
    assert_eq!(inv.str("spec"), None);

    // Single quotes, no slash, extra spaces, any option order: the same invocation.
    let same = ok(
        "  requisition   new reason:'new hires' unit_price:40000  quantity:2 item:'ThinkPad X1' ",
    );
    assert_eq!(same, inv);
}

#[test]
fn parses_chinese_names_and_quotes() {
    let inv = ok("/采购申请 新建 物品：笔记本 数量：2 单价：¥40000");
    assert_eq!(inv.action, "requisition.new");
    assert_eq!(inv.command, "requisition");
    assert_eq!(inv.subcommand.as_deref(), Some("new"));
    assert_eq!(inv.str("item"), Some("笔记本"));
    assert_eq!(inv.int("quantity"), Some(2));
    assert_eq!(inv.money("unit_price"), Some(cny(4_000_000)));

    let inv = ok("采购申请 新建 物品：“联想 笔记本” 数量：２ 单价：40000 申请理由：‘新员工 入职’");
    assert_eq!(inv.str("item"), Some("联想 笔记本"));
    assert_eq!(inv.int("quantity"), Some(2));
    assert_eq!(inv.str("reason"), Some("新员工 入职"));

    let inv = ok("／审批 退回修改 单号：REQ-42 意见：“请补充报价单”");
    assert_eq!(inv.action, "approval.changes");
    assert_eq!(inv.reference("ref"), Some(req(42)));
    assert_eq!(inv.str("comment"), Some("请补充报价单"));
}

#[test]
fn bad_values_get_the_right_key() {
    let base = "/requisition new item:x unit_price:1";
    let m = one_error(&format!("{base} quantity:-3"));
    assert_eq!(m.key, "option.too_small");
    assert_eq!(m.get("option"), Some("quantity"));
    assert_eq!(m.get("min"), Some("1"));
    assert_eq!(m.get("value"), Some("-3"));
    assert_eq!(m.get("action"), Some("requisition.new"));

    let m = one_error(&format!("{base} quantity:abc"));
    assert_eq!(m.key, "option.not_integer");
    assert_eq!(m.get("value"), Some("abc"));
    assert_eq!(
        one_error(&format!("{base} quantity:2.5")).key,
        "option.not_integer"
    );
    let m = one_error(&format!("{base} quantity:1000001"));
    assert_eq!((m.key, m.get("max")), ("option.too_large", Some("1000000")));
    let m = one_error(&format!("{base} quantity:99999999999999999999999"));
    assert_eq!(m.key, "option.too_large");

    let m = one_error("/requisition new item:x quantity:1 unit_price:1.234");
    assert_eq!(m.key, "money.too_many_decimals");
    assert_eq!(m.get("option"), Some("unit_price"));
    assert_eq!(m.get("value"), Some("1.234"));
    assert_eq!(m.get("action"), Some("requisition.new"));

    let m = one_error(&format!("{base} quantity:1 needed_by:2026-02-30"));
    assert_eq!(
        (m.key, m.get("value")),
        ("option.bad_date", Some("2026-02-30"))
    );
    assert_eq!(
        one_error(&format!("{base} quantity:1 needed_by:2026-2-3")).key,
        "option.bad_date"
    );
    let m = one_error(&format!("{base} quantity:1 item:{}", "x".repeat(201)));
    assert_eq!(m.key, "command.duplicate_option");
    let m = one_error(&format!(
        "/requisition new unit_price:1 quantity:1 item:{}",
        "好".repeat(201)
    ));
    assert_eq!(m.key, "option.too_long");
    assert_eq!((m.get("max"), m.get("length")), (Some("200"), Some("201")));
    assert!(m.get("value").unwrap().ends_with('…'));
    let ok200 = ok(&format!(
        "/requisition new unit_price:1 quantity:1 item:{}",
        "好".repeat(200)
    ));
    assert_eq!(ok200.str("item").map(|s| s.chars().count()), Some(200));
}

#[test]
fn reports_every_problem_at_once() {
    let e = errors("/requisition new quantity:abc unit_price:1.234 colour:red stray 数量:3");
    let keys: Vec<&str> = e.iter().map(|m| m.key).collect();
    assert_eq!(
        keys,
        [
            "option.not_integer",
            "money.too_many_decimals",
            "command.unknown_option",
            "command.stray_text",
            "command.duplicate_option",
            "option.missing",
        ]
    );
    assert_eq!(e[2].get("option"), Some("colour"));
    assert!(e[2]
        .get("choices")
        .unwrap()
        .starts_with("item, quantity, unit_price"));
    assert!(e[2]
        .get("choices_zh")
        .unwrap()
        .starts_with("物品、数量、单价"));
    assert_eq!(e[3].get("text"), Some("stray"));
    assert_eq!(e[4].get("option"), Some("quantity"));
    assert_eq!(e[5].get("option"), Some("item"));
}

#[test]
fn unknown_and_missing_commands() {
    assert_eq!(keys(""), ["command.empty"]);
    assert_eq!(keys("  / "), ["command.empty"]);
    let m = one_error("/frobnicate now");
    assert_eq!(
        (m.key, m.get("command")),
        ("command.unknown", Some("frobnicate"))
    );

    let m = one_error("/requisition frobnicate item:x");
    assert_eq!(m.key, "command.unknown_subcommand");
    assert_eq!(m.get("command"), Some("requisition"));
    assert_eq!(m.get("subcommand"), Some("frobnicate"));
    assert_eq!(
        m.get("choices"),
        Some("new, show, list, withdraw, resubmit")
    );
    assert_eq!(
        m.get("choices_zh"),
        Some("新建、查看、列表、撤回、重新提交")
    );

    let m = one_error("/requisition item:x");
    assert_eq!(m.key, "command.missing_subcommand");
    assert_eq!(m.get("command_zh"), Some("采购申请"));
    assert_eq!(keys("/approval"), ["command.missing_subcommand"]);

    let m = one_error("/inbox extra:1");
    assert_eq!(m.key, "command.unknown_option");
    assert_eq!(m.get("choices"), Some(""));
    assert_eq!(keys("/inbox now"), ["command.stray_text"]);
    assert_eq!(keys("/whoami :x"), ["command.stray_text"]);
}

#[test]
fn plain_commands_and_case() {
    let inv = ok("/INBOX");
    assert_eq!((inv.action.as_str(), inv.subcommand), ("inbox", None));
    assert_eq!(ok("whoami").action, "whoami");
    assert_eq!(ok("/help").options.len(), 0);
    assert_eq!(ok("/帮助 命令:采购申请").str("command"), Some("采购申请"));
    assert_eq!(
        ok("/Requisition LIST Status:Pending").str("status"),
        Some("pending")
    );
}

#[test]
fn default_subcommand() {
    let inv = ok("/delegate to:wang.fang until:2026-12-10");
    assert_eq!(inv.action, "delegate.set");
    assert_eq!(inv.subcommand.as_deref(), Some("set"));
    assert_eq!(inv.handle("to"), Some("wang.fang"));
    assert_eq!(inv.date("until"), NaiveDate::from_ymd_opt(2026, 12, 10));
    assert_eq!(inv.date("from"), None);

    let inv = ok("/代理审批 代理人：@Wang.Fang 结束日期：２０２６－１２－１０ 开始日期:2026-12-01");
    assert_eq!(inv.handle("to"), Some("wang.fang"));
    assert_eq!(inv.date("from"), NaiveDate::from_ymd_opt(2026, 12, 1));
    assert_eq!(ok("/delegate off").action, "delegate.off");
    assert_eq!(ok("/delegate 查看").action, "delegate.show");

    let e = errors("/delegate");
    assert_eq!(
        e.iter()
            .map(|m| (m.key, m.get("option")))
            .collect::<Vec<_>>(),
        [
            ("option.missing", Some("to")),
            ("option.missing", Some("until"))
        ]
    );
    let m = one_error("/delegate to:\"wang fang\" until:2026-12-10");
    assert_eq!(
        (m.key, m.get("value")),
        ("option.bad_handle", Some("wang fang"))
    );
    assert_eq!(
        one_error("/delegate nope to:a until:2026-12-10").key,
        "command.unknown_subcommand"
    );
}

#[test]
fn quoting_and_empty_values() {
    let inv = ok(r#"/approval approve ref:REQ-1 comment:"say \"hi\" \\ \n ok""#);
    assert_eq!(inv.str("comment"), Some(r#"say "hi" \ \n ok"#));
    let inv = ok("/approval approve ref:REQ-1 comment:it's:fine");
    assert_eq!(inv.str("comment"), Some("it's:fine"));
    let inv = ok("/approval approve ref:REQ-1 \"comment\":'a \"b\" c'");
    assert_eq!(inv.str("comment"), Some("a \"b\" c"));

    let m = one_error("/requisition new item:\"ThinkPad X1 quantity:2");
    assert_eq!(
        (m.key, m.get("quote")),
        ("command.unterminated_quote", Some("\""))
    );
    assert_eq!(
        keys("/requisition new item:“ThinkPad"),
        ["command.unterminated_quote"]
    );

    // An empty value must be quoted; for a required option it counts as missing.
    let base = "/requisition new item:x quantity:1 unit_price:1";
    assert_eq!(ok(&format!("{base} reason:\"\"")).str("reason"), Some(""));
    assert_eq!(ok(&format!("{base} needed_by:''")).date("needed_by"), None);
    let m = one_error(&format!("{base} reason:"));
    assert_eq!((m.key, m.get("option")), ("option.missing", Some("reason")));
    let m = one_error("/requisition new item:\"  \" quantity:1 unit_price:1");
    assert_eq!((m.key, m.get("option")), ("option.missing", Some("item")));
    let m = one_error("/approval reject ref:REQ-1 comment:\"\"");
    assert_eq!(
        (m.key, m.get("option")),
        ("option.missing", Some("comment"))
    );
}

#[test]
fn choices_and_references() {
    assert_eq!(
        ok("/requisition list status:审批中").str("status"),
        Some("pending")
    );
    assert_eq!(
        ok("/requisition list status:\"changes requested\"").str("status"),
        Some("changes_requested")
    );
    assert_eq!(ok("/requisition list").str("status"), None);
    let m = one_error("/requisition list status:lost");
    assert_eq!(m.key, "option.not_a_choice");
    assert_eq!(
        m.get("choices"),
        Some("pending, approved, rejected, changes_requested, withdrawn")
    );
    assert_eq!(
        m.get("choices_zh"),
        Some("审批中、已批准、已驳回、待修改、已撤回")
    );

    assert_eq!(
        ok("/requisition show ref:42").reference("ref"),
        Some(req(42))
    );
    assert_eq!(
        ok("/requisition withdraw 单号:req-000042").reference("ref"),
        Some(req(42))
    );
    let inv = ok("/approval approve ref:PO-7");
    assert_eq!(
        inv.reference("ref"),
        Some(Reference {
            kind: RefKind::PurchaseOrder,
            number: 7
        })
    );
    let m = one_error("/requisition show ref:PO-7");
    assert_eq!(m.key, "reference.wrong_kind");
    assert_eq!(
        (m.get("option"), m.get("value")),
        (Some("ref"), Some("PO-7"))
    );
    assert_eq!(
        one_error("/approval approve ref:42").key,
        "reference.invalid"
    );
}

#[test]
fn resubmit_takes_optional_changes() {
    let inv = ok("/requisition resubmit ref:REQ-3 quantity:5 spec:\"\"");
    assert_eq!(inv.action, "requisition.resubmit");
    assert_eq!(inv.int("quantity"), Some(5));
    assert_eq!(inv.str("spec"), Some(""));
    assert_eq!(inv.options.len(), 3);
    assert_eq!(
        keys("/requisition resubmit quantity:0"),
        ["option.too_small", "option.missing"]
    );
}

#[test]
fn bind_takes_typed_values() {
    let raw = |v: Vec<(&str, RawValue)>| -> Vec<(String, RawValue)> {
        v.into_iter().map(|(n, v)| (n.to_string(), v)).collect()
    };
    let inv = bind(
        &CATALOG,
        "requisition",
        Some("new"),
        raw(vec![
            ("item", RawValue::Text("ThinkPad X1".into())),
            ("quantity", RawValue::Int(2)),
            ("unit_price", RawValue::Text("40000".into())),
        ]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        inv,
        ok("/requisition new item:'ThinkPad X1' quantity:2 unit_price:40000")
    );

    let e = bind(
        &CATALOG,
        "requisition",
        Some("new"),
        raw(vec![
            ("item", RawValue::Text("x".into())),
            ("quantity", RawValue::Int(-3)),
            ("unit_price", RawValue::Int(5)),
        ]),
        &ctx(),
    )
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].key, e[0].get("value")),
        ("option.too_small", Some("-3"))
    );

    let inv = bind(
        &CATALOG,
        "delegate",
        None,
        raw(vec![
            ("to", RawValue::Text("Li.Lei".into())),
            ("until", RawValue::Text("2026-12-10".into())),
        ]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        (inv.action.as_str(), inv.handle("to")),
        ("delegate.set", Some("li.lei"))
    );

    let e = bind(&CATALOG, "approval", None, vec![], &ctx()).unwrap_err();
    assert_eq!(e[0].key, "command.missing_subcommand");
    let e = bind(&CATALOG, "nope", None, vec![], &ctx()).unwrap_err();
    assert_eq!(e[0].key, "command.unknown");
}

mod catalog_probe;
mod did_you_mean;
mod examples;
mod properties;
mod terms;

#[test]
fn dates_beyond_the_horizon_are_refused_as_follow_ups_are() {
    // The tests' today is 2026-11-26: five years ahead is the last day allowed.
    let base = "/requisition new item:a quantity:1 unit_price:1";
    let inv = ok(&format!("{base} needed_by:2031-11-26"));
    assert_eq!(inv.date("needed_by"), NaiveDate::from_ymd_opt(2031, 11, 26));
    let m = one_error(&format!("{base} needed_by:2031-11-27"));
    assert_eq!(m.key, "option.too_far");
    assert_eq!(m.get("max_years"), Some("5"));
    for line in [
        "/order new customer:#1 items:x amount:1 delivery:9999-12-31",
        "/order terms ref:SO-000001 due:2040-01-01 amount:1",
        "/delegate to:wang.fang until:2099-01-01",
    ] {
        assert_eq!(keys(line), ["option.too_far"], "{line}");
    }
}

#[test]
fn control_line_break_and_direction_characters_are_refused_in_text() {
    let line = |item: &str| format!("/requisition new item:\"{item}\" quantity:1 unit_price:1");
    let m = one_error(&line("\u{1b}[31mRED\u{1b}[0m\u{7}"));
    assert_eq!(m.key, "option.control_char");
    assert_eq!(
        (m.get("option"), m.get("char")),
        (Some("item"), Some("U+001B"))
    );
    assert_eq!(m.get("value"), Some("^[[31mRED^[[0m^G"));
    let m = one_error(&line("line1\nline2 [1] Approve"));
    assert_eq!(m.key, "option.line_break");
    assert_eq!(one_error(&line("\u{202E}gpj.exe")).key, "option.bidi_char");
    // Through a transport's typed options (Discord) just the same.
    let raw = vec![
        ("item".to_string(), RawValue::Text("a\u{2066}b".into())),
        ("quantity".to_string(), RawValue::Int(1)),
        ("unit_price".to_string(), RawValue::Text("1".into())),
    ];
    let e = bind(&CATALOG, "requisition", Some("new"), raw, &ctx()).unwrap_err();
    assert_eq!(e[0].key, "option.bidi_char");

    // A multi-line option keeps its lines (CR LF stored as LF), but not a lone CR or ESC.
    let base = "/requisition new item:a quantity:1 unit_price:1";
    let inv = ok(&format!("{base} reason:\"new hires\r\nand\tinterns\""));
    assert_eq!(inv.str("reason"), Some("new hires\nand\tinterns"));
    assert_eq!(
        keys(&format!("{base} reason:\"over\rwrite\"")),
        ["option.control_char"]
    );
    assert_eq!(
        keys(&format!("{base} reason:\"a\u{1b}[2J\"")),
        ["option.control_char"]
    );
}

#[test]
fn multi_line_options_are_the_prose_ones() {
    let mut multi = Vec::new();
    for c in &CATALOG.commands {
        let subs = c.subcommands.iter().map(|s| (Some(s), &s.options));
        for (sub, options) in std::iter::once((None, &c.options)).chain(subs) {
            for o in options.iter().filter(|o| o.multiline) {
                multi.push(format!(
                    "{} {} {}",
                    c.name,
                    sub.map_or("", |s| &s.name),
                    o.name
                ));
            }
        }
    }
    for expected in [
        "approval reject comment",
        "inquiry reply text",
        "requisition new reason",
    ] {
        assert!(multi.iter().any(|m| m == expected), "{expected}: {multi:?}");
    }
    for single in [
        "requisition new item",
        "inquiry log subject",
        "customer add name",
    ] {
        assert!(!multi.iter().any(|m| m == single), "{single}");
    }
}
