//! Property tests: no input panics; typed values round-trip through a command line.

use super::catalog_probe::probe;
use super::*;
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
    // Up to 2025: within the horizon of the tests' today (2026-11-26).
    (0i64..46_000)
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
