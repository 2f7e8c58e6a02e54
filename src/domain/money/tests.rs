use super::*;
use proptest::prelude::*;

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn ok(s: &str) -> Money {
    parse_money(s, Currency::CNY).unwrap_or_else(|e| panic!("{s:?} refused: {e:?}"))
}

fn refused(s: &str, default: Currency) -> Msg {
    match parse_money(s, default) {
        Ok(m) => panic!("{s:?} accepted as {m:?}"),
        Err(e) => e,
    }
}

fn key(s: &str) -> &'static str {
    refused(s, Currency::CNY).key
}

#[test]
fn currency_basics() {
    assert_eq!(Currency::new("CNY"), Some(Currency::CNY));
    assert_eq!(Currency::new("cny"), None);
    assert_eq!(Currency::new("CN"), None);
    assert_eq!(Currency::new("CNYY"), None);
    assert_eq!(Currency::new("C1Y"), None);
    assert_eq!(Currency::new("ÄBC"), None);
    assert_eq!(Currency::CNY.as_str(), "CNY");
    assert_eq!(Currency::CNY.to_string(), "CNY");
    assert_eq!(Currency::CNY.symbol(), Some("¥"));
    assert_eq!(Currency::USD.symbol(), Some("$"));
    assert_eq!(Currency::EUR.symbol(), Some("€"));
    assert_eq!(Currency::new("JPY").unwrap().symbol(), None);
}

#[test]
fn currency_serde_is_the_code() {
    assert_eq!(serde_json::to_string(&Currency::CNY).unwrap(), "\"CNY\"");
    let c: Currency = serde_json::from_str("\"USD\"").unwrap();
    assert_eq!(c, Currency::USD);
    assert!(serde_json::from_str::<Currency>("\"usd\"").is_err());
    assert!(serde_json::from_str::<Currency>("\"DOLLAR\"").is_err());
    let m = cny(8_000_000);
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"minor":8000000,"currency":"CNY"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
}

#[test]
fn display_and_plain() {
    assert_eq!(cny(8_000_000).to_string(), "80,000.00 CNY");
    assert_eq!(cny(8_000_000).format_plain(), "80000.00");
    assert_eq!(cny(0).to_string(), "0.00 CNY");
    assert_eq!(cny(5).to_string(), "0.05 CNY");
    assert_eq!(cny(99_999).to_string(), "999.99 CNY");
    assert_eq!(cny(100_000).to_string(), "1,000.00 CNY");
    assert_eq!(cny(12_345_678_901).to_string(), "123,456,789.01 CNY");
    assert_eq!(cny(MAX_MINOR).to_string(), "1,000,000,000,000.00 CNY");
    assert_eq!(cny(-123_456).to_string(), "-1,234.56 CNY");
    assert_eq!(cny(-123_456).format_plain(), "-1234.56");
    assert_eq!(Money::new(150, Currency::USD).to_string(), "1.50 USD");
    // Extremes do not panic.
    assert_eq!(cny(i64::MIN).format_plain(), "-92233720368547758.08");
    assert_eq!(cny(i64::MAX).to_string(), "92,233,720,368,547,758.07 CNY");
}

#[test]
fn checked_arithmetic() {
    assert_eq!(cny(250).checked_mul(4), Some(cny(1000)));
    assert_eq!(cny(250).checked_mul(0), Some(cny(0)));
    assert_eq!(cny(MAX_MINOR).checked_mul(1), Some(cny(MAX_MINOR)));
    assert_eq!(cny(MAX_MINOR).checked_mul(2), None);
    assert_eq!(cny(i64::MAX).checked_mul(2), None);
    assert_eq!(cny(100).checked_add(cny(50)), Some(cny(150)));
    assert_eq!(cny(MAX_MINOR).checked_add(cny(1)), None);
    assert_eq!(cny(i64::MAX).checked_add(cny(1)), None);
    assert_eq!(cny(100).checked_add(Money::new(1, Currency::USD)), None);
    assert_eq!(Money::zero(Currency::USD), Money::new(0, Currency::USD));
}

#[test]
fn accepts_plain_numbers() {
    assert_eq!(ok("40000"), cny(4_000_000));
    assert_eq!(ok("40000.5"), cny(4_000_050));
    assert_eq!(ok("40000.50"), cny(4_000_050));
    assert_eq!(ok("40000.05"), cny(4_000_005));
    assert_eq!(ok("0"), cny(0));
    assert_eq!(ok("0.01"), cny(1));
    assert_eq!(ok("007"), cny(700));
    assert_eq!(ok("  40000 \t"), cny(4_000_000));
}

#[test]
fn accepts_thousands_separators() {
    assert_eq!(ok("40,000.50"), cny(4_000_050));
    assert_eq!(ok("40,000"), cny(4_000_000));
    assert_eq!(ok("1,234,567.89"), cny(123_456_789));
    assert_eq!(ok("999"), cny(99_900));
    assert_eq!(ok("40，000．50"), cny(4_000_050)); // full-width punctuation
    assert_eq!(ok("４００００"), cny(4_000_000)); // full-width digits
}

#[test]
fn accepts_currency_markers() {
    let m = cny(4_000_000);
    for s in [
        "¥40000",
        "￥40000",
        "¥ 40000",
        "40000 CNY",
        "CNY 40000",
        "CNY40000",
        "40000cny",
        "40000 Cny",
        "cny 40,000",
        "40000元",
        "40000 元",
        "40000 RMB",
        "RMB40000",
        "CNY ¥40000",
        "¥40000 CNY",
        "　￥４００００元　",
    ] {
        assert_eq!(ok(s), m, "{s}");
    }
    assert_eq!(
        parse_money("$12.50", Currency::USD),
        Ok(Money::new(1250, Currency::USD))
    );
    assert_eq!(
        parse_money("12.50 usd", Currency::USD),
        Ok(Money::new(1250, Currency::USD))
    );
    assert_eq!(
        parse_money("€3", Currency::EUR),
        Ok(Money::new(300, Currency::EUR))
    );
}

#[test]
fn refuses_empty() {
    for s in ["", "   ", "\t\n", "　"] {
        let e = refused(s, Currency::CNY);
        assert_eq!(e.key, "money.empty");
        assert_eq!(e.get("input"), Some(""));
        assert_eq!(e.get("currency"), Some("CNY"));
    }
}

#[test]
fn refuses_negative() {
    for s in [
        "-40000", "-0", "-0.00", "(40)", "( 40 )", "-¥40000", "¥-40000", "CNY -40", "- 40", "−40",
        "－40", "-40元", "(¥40)",
    ] {
        assert_eq!(key(s), "money.negative", "{s}");
    }
    let e = refused("  -40 ", Currency::CNY);
    assert_eq!(e.get("input"), Some("-40"));
}

#[test]
fn refuses_too_many_decimals() {
    for s in ["40000.505", "0.001", "40,000.000", "¥1.234", "1.2345 CNY"] {
        let e = refused(s, Currency::CNY);
        assert_eq!(e.key, "money.too_many_decimals", "{s}");
        assert_eq!(e.get("input"), Some(s));
    }
}

#[test]
fn refuses_too_large() {
    assert_eq!(ok("1000000000000"), cny(MAX_MINOR));
    assert_eq!(ok("1,000,000,000,000.00"), cny(MAX_MINOR));
    for s in [
        "1000000000000.01",
        "1000000000001",
        "92233720368547758",
        "92233720368547758.07",
        "9223372036854775808",
        "99999999999999999999999999999999999999999999999999",
    ] {
        let e = refused(s, Currency::CNY);
        assert_eq!(e.key, "money.too_large", "{s}");
        assert_eq!(e.get("max"), Some("1,000,000,000,000.00 CNY"));
    }
    let huge = "9".repeat(100_000);
    assert_eq!(key(&huge), "money.too_large");
    let zeros = format!("{}1", "0".repeat(100_000));
    assert_eq!(ok(&zeros), cny(100));
}

#[test]
fn refuses_wrong_currency() {
    let cases = [
        ("$40000", "USD"),
        ("40000 USD", "USD"),
        ("EUR 40000", "EUR"),
        ("€40000", "EUR"),
        ("£40000", "GBP"),
        ("40000 jpy", "JPY"),
        ("¥40000 USD", "USD"),
    ];
    for (s, given) in cases {
        let e = refused(s, Currency::CNY);
        assert_eq!(e.key, "money.wrong_currency", "{s}");
        assert_eq!(e.get("given"), Some(given), "{s}");
        assert_eq!(e.get("expected"), Some("CNY"));
        assert_eq!(e.get("input"), Some(s));
    }
    // 元 and ¥ mean yuan, so they are refused when another currency is expected.
    for s in ["40000元", "¥40000", "40000 CNY"] {
        let e = refused(s, Currency::USD);
        assert_eq!(e.key, "money.wrong_currency", "{s}");
        assert_eq!(e.get("given"), Some("CNY"));
        assert_eq!(e.get("expected"), Some("USD"));
    }
}

#[test]
fn refuses_invalid() {
    for s in [
        "abc",
        "40k",
        "4e4",
        "4,00,00",
        "40,00",
        "4000,000",
        ",400",
        "400,",
        "40,000,",
        "1.2.3",
        "40000.",
        ".5",
        "40 000",
        "40000 CNYY",
        "CNYX 40",
        "--40",
        "-(40)",
        "40-",
        "¥",
        "CNY",
        "元",
        "40元元",
        "¥¥40",
        "+40",
        "40.5e2",
        "1.-5",
        "1.٣",
        "٣",
        "(",
        ")",
        "()",
    ] {
        let e = refused(s, Currency::CNY);
        assert_eq!(e.key, "money.invalid", "{s}");
        assert_eq!(e.get("input"), Some(s));
        assert_eq!(e.get("currency"), Some("CNY"));
    }
}

#[test]
fn long_input_is_shortened_in_the_message() {
    let s = "x".repeat(500);
    let e = refused(&s, Currency::CNY);
    let echoed = e.get("input").unwrap();
    assert_eq!(echoed.chars().count(), MAX_ECHO_CHARS + 1);
    assert!(echoed.ends_with('…'));
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::CNY),
        Just(Currency::USD),
        Just(Currency::EUR),
        Just(Currency(*b"JPY")),
    ]
}

proptest! {
    #[test]
    fn display_and_plain_roundtrip(minor in 0..=MAX_MINOR, cur in any_currency()) {
        let m = Money::new(minor, cur);
        prop_assert_eq!(parse_money(&m.to_string(), cur), Ok(m));
        prop_assert_eq!(parse_money(&m.format_plain(), cur), Ok(m));
    }

    #[test]
    fn never_panics_on_any_string(s in ".*") {
        let _ = parse_money(&s, Currency::CNY);
        let _ = parse_money(&s, Currency::USD);
    }

    #[test]
    fn never_panics_on_money_like_strings(s in "[0-9,.\\-¥￥ CNYcny元()$]{0,40}") {
        let _ = parse_money(&s, Currency::CNY);
        let _ = parse_money(&s, Currency::USD);
    }

    #[test]
    fn three_or_more_decimals_are_refused(
        major in any::<u64>(),
        frac in any::<u64>(),
        extra_zeros in 0usize..5,
        grouped in any::<bool>(),
        decoration in 0usize..4,
    ) {
        let int = if grouped { group_thousands(major) } else { major.to_string() };
        let number = format!("{int}.{frac:03}{}", "0".repeat(extra_zeros));
        let s = match decoration {
            0 => number,
            1 => format!("¥{number}"),
            2 => format!("{number} CNY"),
            _ => format!("{number}元"),
        };
        let got = parse_money(&s, Currency::CNY).map_err(|e| e.key);
        prop_assert_eq!(got, Err("money.too_many_decimals"), "{}", s);
    }
}

#[test]
fn only_circulating_currencies_are_iso_codes() {
    let sorted = super::iso4217::CODES.windows(2).all(|w| w[0] < w[1]);
    assert!(sorted, "binary search needs the list sorted");
    for ok in ["CNY", "USD", "EUR", "JPY", "HKD"] {
        assert!(Currency::new(ok).unwrap().is_iso4217(), "{ok}");
    }
    for not in ["XXX", "XTS", "XAU", "ABC"] {
        assert!(!Currency::new(not).unwrap().is_iso4217(), "{not}");
    }
}
