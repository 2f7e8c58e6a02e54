use super::*;
use crate::commands::spec::OptionSpec;
use crate::domain::money::Currency;
use crate::domain::reference::RefKind;
use proptest::prelude::*;
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("catalog"));

fn ctx() -> ParseContext {
    ParseContext {
        currency: Currency::CNY,
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

const PROBE: &str = r#"
name = "probe"
name_zh = "探针"
description = "Every option type"
description_zh = "所有选项类型"
action = "probe"

[[options]]
name = "s"
name_zh = "字"
description = "string"
description_zh = "字符串"
type = "string"
max_length = 100

[[options]]
name = "n"
name_zh = "整"
description = "integer"
description_zh = "整数"
type = "integer"

[[options]]
name = "x"
name_zh = "数"
description = "number"
description_zh = "数字"
type = "number"
min_value = -1000.5
max_value = 1000.5

[[options]]
name = "b"
name_zh = "布"
description = "boolean"
description_zh = "布尔"
type = "boolean"

[[options]]
name = "u"
name_zh = "人"
description = "user"
description_zh = "用户"
type = "user"

[[options]]
name = "d"
name_zh = "日"
description = "date"
description_zh = "日期"
type = "string"
format = "date"

[[options]]
name = "m"
name_zh = "钱"
description = "money"
description_zh = "金额"
type = "string"
format = "money"

[[options]]
name = "r"
name_zh = "单"
description = "reference"
description_zh = "单号"
type = "string"
format = "reference"
ref_kind = "REQ"

[[options]]
name = "c"
name_zh = "选"
description = "choice"
description_zh = "选择"
type = "integer"
choices = [
{ name = "low", name_zh = "低", value = "1" },
{ name = "high", name_zh = "高", value = "9" },
]

[[options]]
name = "code"
name_zh = "编码"
description = "pattern"
description_zh = "模式"
type = "string"
pattern = "[A-Z]{2}[0-9]{3}"
"#;

static PROBE_CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::from_toml_files(&[("probe.toml".to_string(), PROBE.to_string())])
        .expect("probe catalog")
});

fn probe(line: &str) -> Result<Invocation, Vec<Msg>> {
    parse_line(&PROBE_CATALOG, line, &ctx())
}

#[test]
fn every_type_in_the_probe() {
    let inv = probe("probe x:2.5 b:是 c:高 code:AB123 n:-7").unwrap();
    assert_eq!(inv.number("x"), Some(2.5));
    assert_eq!(inv.bool("b"), Some(true));
    assert_eq!(inv.int("c"), Some(9));
    assert_eq!(inv.str("code"), Some("AB123"));
    assert_eq!(inv.int("n"), Some(-7));
    let e = probe("probe x:abc b:maybe c:5 code:ab123 x:1 u:-bad m:-5 x:inf").unwrap_err();
    let got: Vec<(&str, Option<&str>)> = e.iter().map(|m| (m.key, m.get("option"))).collect();
    assert_eq!(
        got,
        [
            ("option.not_number", Some("x")),
            ("option.not_boolean", Some("b")),
            ("option.not_a_choice", Some("c")),
            ("option.bad_pattern", Some("code")),
            ("command.duplicate_option", Some("x")),
            ("option.bad_handle", Some("u")),
            ("money.negative", Some("m")),
            ("command.duplicate_option", Some("x")),
        ]
    );
    assert_eq!(e[2].get("choices"), Some("1, 9"));
    assert_eq!(e[3].get("pattern"), Some("[A-Z]{2}[0-9]{3}"));
    let m = probe("probe x:2000").unwrap_err().remove(0);
    assert_eq!((m.key, m.get("max")), ("option.too_large", Some("1000.5")));
    let m = probe("probe n:99999999999999999").unwrap_err().remove(0);
    assert_eq!(
        (m.key, m.get("max")),
        ("option.too_large", Some("9007199254740992"))
    );
}

/// Every key the parser emits, with the arguments each always carries.
const KEYS: &[(&str, &[&str])] = &[
    ("command.empty", &[]),
    ("command.unknown", &["command"]),
    (
        "command.missing_subcommand",
        &["command", "command_zh", "choices", "choices_zh"],
    ),
    (
        "command.unknown_subcommand",
        &[
            "command",
            "command_zh",
            "subcommand",
            "choices",
            "choices_zh",
        ],
    ),
    ("command.unterminated_quote", &["quote", "close", "text"]),
    ("command.stray_text", &["text", "action"]),
    (
        "command.unknown_option",
        &["option", "choices", "choices_zh", "action"],
    ),
    ("command.duplicate_option", &["option", "value", "action"]),
    ("option.missing", &["option", "action"]),
    ("option.not_integer", &["option", "value", "action"]),
    ("option.not_number", &["option", "value", "action"]),
    ("option.not_boolean", &["option", "value", "action"]),
    ("option.too_small", &["option", "value", "min", "action"]),
    ("option.too_large", &["option", "value", "max", "action"]),
    (
        "option.too_short",
        &["option", "value", "min", "length", "action"],
    ),
    (
        "option.too_long",
        &["option", "value", "max", "length", "action"],
    ),
    (
        "option.not_a_choice",
        &["option", "value", "choices", "choices_zh", "action"],
    ),
    (
        "option.bad_pattern",
        &["option", "value", "pattern", "action"],
    ),
    ("option.bad_date", &["option", "value", "action"]),
    ("option.bad_handle", &["option", "value", "action"]),
];

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => panic!("{key}: not a string: {other:?}"),
        }
    }
}

#[test]
fn message_catalogs_cover_every_key_with_known_args() {
    let var = Regex::new(r"\{[{%]-?\s*(?:if\s+)?([a-z_]+)").unwrap();
    let documented: HashMap<&str, &[&str]> = KEYS.iter().copied().collect();
    for text in [
        include_str!("../../../templates/chat/en/messages/command.toml"),
        include_str!("../../../templates/chat/zh-CN/messages/command.toml"),
    ] {
        let mut flat = HashMap::new();
        flatten("", &text.parse::<toml::Table>().unwrap(), &mut flat);
        let got: BTreeSet<&str> = flat.keys().map(String::as_str).collect();
        let want: BTreeSet<&str> = documented.keys().copied().collect();
        assert_eq!(got, want);
        for (key, template) in &flat {
            assert!(template.chars().count() < 200, "{key} is long");
            for cap in var.captures_iter(template) {
                let name = &cap[1];
                if matches!(name, "else" | "endif") {
                    continue;
                }
                assert!(
                    documented[key.as_str()].contains(&name),
                    "{key} uses `{name}`, which it is not given"
                );
            }
        }
    }
}

#[test]
fn emitted_messages_carry_their_documented_args() {
    let documented: HashMap<&str, &[&str]> = KEYS.iter().copied().collect();
    let lines = [
        "",
        "/nope",
        "/requisition",
        "/requisition nope",
        "/requisition new item:\"x",
        "/approval approve",
        "/requisition new x item:a item:b quantity:abc unit_price:1 zzz:1",
        "/requisition new item:a quantity:0 unit_price:1",
        "/requisition new item:a quantity:2000000 unit_price:1",
        &format!(
            "/requisition new item:{} quantity:1 unit_price:1",
            "a".repeat(300)
        ),
        "/requisition list status:x",
        "/requisition new item:a quantity:1 unit_price:1 needed_by:x",
        "/delegate to:@@ until:2026-01-01",
    ];
    let probe_lines = ["probe x:y b:z code:x", "probe"];
    let mut seen = BTreeSet::new();
    let all = lines
        .iter()
        .filter_map(|l| parse(l).err())
        .chain(probe_lines.iter().filter_map(|l| probe(l).err()));
    for m in all.flatten() {
        let Some(args) = documented.get(m.key) else {
            continue;
        };
        for a in *args {
            assert!(m.get(a).is_some(), "{} lacks `{a}`: {m:?}", m.key);
        }
        seen.insert(m.key);
    }
    let too_short = empty_value(&OptionSpec {
        min_length: Some(3),
        ..PROBE_CATALOG.commands[0].options[0].clone()
    })
    .unwrap_err()
    .arg("action", "probe");
    for a in documented["option.too_short"] {
        assert!(too_short.get(a).is_some(), "too_short lacks {a}");
    }
    seen.insert(too_short.key);
    let missing: Vec<&str> = documented
        .keys()
        .filter(|k| !seen.contains(*k))
        .copied()
        .collect();
    assert_eq!(missing, Vec::<&str>::new());
}

/// Writes a value for a line: bare when safe, else double-quoted with escapes.
fn quote(value: &str) -> String {
    let needs = value.is_empty()
        || value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'));
    if needs {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_string()
    }
}

fn text_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 \"'“”‘’\\\\:：@#/中文笔记本\u{3000}\t-]{1,40}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn date_value() -> impl Strategy<Value = NaiveDate> {
    (0i64..200_000)
        .prop_map(|d| NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(d))
}

proptest! {
    #[test]
    fn parse_line_never_panics(s in ".*") {
        let _ = parse(&s);
        let _ = probe(&s);
    }

    #[test]
    fn parse_line_never_panics_on_command_like_text(
        s in "[/／ a-z_:：\"'“”‘’\\\\0-9.@采购申请新建物品数量单价-]{0,60}",
        prefix in prop::sample::select(vec!["", "/requisition new ", "/delegate ", "probe ", "/采购申请 新建 "]),
    ) {
        let line = format!("{prefix}{s}");
        let _ = parse(&line);
        let _ = probe(&line);
    }

    #[test]
    fn requisition_values_round_trip(
        item in text_value(),
        reason in text_value(),
        quantity in 1i64..=1_000_000,
        minor in 0i64..=100_000_000_000,
        chinese in any::<bool>(),
    ) {
        let [i, q, p, r] = if chinese {
            ["物品：", "数量：", "单价：", "申请理由："]
        } else {
            ["item:", "quantity:", "unit_price:", "reason:"]
        };
        let line = format!(
            "/requisition new {i}{} {q}{quantity} {p}{}.{:02} {r}{}",
            quote(&item), minor / 100, minor % 100, quote(&reason)
        );
        let inv = parse(&line).map_err(|e| TestCaseError::fail(format!("{line}: {e:?}")))?;
        prop_assert_eq!(inv.str("item"), Some(item.as_str()));
        prop_assert_eq!(inv.str("reason"), Some(reason.as_str()));
        prop_assert_eq!(inv.int("quantity"), Some(quantity));
        prop_assert_eq!(inv.money("unit_price"), Some(cny(minor)));
    }

    #[test]
    fn every_type_round_trips(
        s in text_value(),
        n in -(1i64 << 53)..=(1i64 << 53),
        x in -1000.5f64..=1000.5,
        b in any::<bool>(),
        b_form in 0usize..4,
        u in "[a-z0-9][a-z0-9._-]{0,31}",
        at in any::<bool>(),
        d in date_value(),
        minor in 0i64..=1_000_000_000,
        r in 1i64..=9_999_999,
        c in prop::sample::select(vec![("1", 1i64), ("9", 9), ("low", 1), ("高", 9)]),
        order in Just((0..9).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let bool_text = match (b, b_form) {
            (true, 0) => "true", (true, 1) => "YES", (true, 2) => "是", (true, _) => "1",
            (false, 0) => "False", (false, 1) => "no", (false, 2) => "否", (false, _) => "0",
        };
        let user = if at { format!("@{}", u.to_uppercase()) } else { u.clone() };
        let parts = [
            format!("s:{}", quote(&s)),
            format!("n:{n}"),
            format!("x:{x}"),
            format!("b:{bool_text}"),
            format!("u:{user}"),
            format!("d:{d}"),
            format!("钱：{}.{:02}", minor / 100, minor % 100),
            format!("r:REQ-{r:06}"),
            format!("c:{}", c.0),
        ];
        let line = format!("probe {}", order.iter().map(|&i| parts[i].as_str()).collect::<Vec<_>>().join(" "));
        let inv = probe(&line).map_err(|e| TestCaseError::fail(format!("{line}: {e:?}")))?;
        prop_assert_eq!(inv.str("s"), Some(s.as_str()));
        prop_assert_eq!(inv.int("n"), Some(n));
        prop_assert_eq!(inv.number("x"), Some(x));
        prop_assert_eq!(inv.bool("b"), Some(b));
        prop_assert_eq!(inv.handle("u"), Some(u.as_str()));
        prop_assert_eq!(inv.date("d"), Some(d));
        prop_assert_eq!(inv.money("m"), Some(cny(minor)));
        prop_assert_eq!(inv.reference("r"), Some(req(r)));
        prop_assert_eq!(inv.int("c"), Some(c.1));
        prop_assert_eq!(inv.options.len(), 9);
    }
}
