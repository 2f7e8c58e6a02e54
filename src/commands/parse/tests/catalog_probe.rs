//! The parser against a probe catalog with every option type, and the message catalogs
//! against every key the parser emits.

use super::*;
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

pub(super) fn probe(line: &str) -> Result<Invocation, Vec<Msg>> {
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
    ("command.unknown", &["command", "suggestion"]),
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
            "suggestion",
            "choices",
            "choices_zh",
        ],
    ),
    ("command.unterminated_quote", &["quote", "close", "text"]),
    ("command.stray_text", &["text", "action"]),
    (
        "command.unknown_option",
        &["option", "suggestion", "choices", "choices_zh", "action"],
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
    (
        "option.too_far",
        &["option", "value", "max_years", "action"],
    ),
    ("option.bad_handle", &["option", "value", "action"]),
    ("option.line_break", &["option", "value", "char", "action"]),
    (
        "option.control_char",
        &["option", "value", "char", "action"],
    ),
    ("option.bidi_char", &["option", "value", "char", "action"]),
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
        include_str!("../../../../templates/chat/en/messages/command.toml"),
        include_str!("../../../../templates/chat/zh-CN/messages/command.toml"),
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
        "/requisition new item:a quantity:1 unit_price:1 needed_by:2040-01-01",
        "/requisition new item:\"a\nb\" quantity:1 unit_price:1",
        "/requisition new item:\"\u{1b}[31mRED\" quantity:1 unit_price:1",
        "/requisition new item:\"a\u{202E}b\" quantity:1 unit_price:1",
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
