use super::*;
use proptest::prelude::*;

fn req(n: i64) -> Reference {
    Reference {
        kind: RefKind::Requisition,
        number: n,
    }
}

#[test]
fn prefixes_roundtrip() {
    for k in RefKind::ALL {
        assert_eq!(RefKind::from_prefix(k.prefix()), Some(k));
        assert_eq!(RefKind::from_prefix(&k.prefix().to_lowercase()), Some(k));
    }
    assert_eq!(RefKind::from_prefix("XYZ"), None);
    assert_eq!(RefKind::from_prefix(""), None);
    assert_eq!(RefKind::SalesOrder.prefix(), "SO");
    assert_eq!(RefKind::Contract.example(), "CTR-000042");
}

#[test]
fn display_pads_to_six_digits() {
    assert_eq!(req(42).to_string(), "REQ-000042");
    assert_eq!(req(1).to_string(), "REQ-000001");
    assert_eq!(req(999_999).to_string(), "REQ-999999");
    assert_eq!(req(1_234_567).to_string(), "REQ-1234567");
    assert_eq!(
        Reference {
            kind: RefKind::PurchaseOrder,
            number: 7
        }
        .to_string(),
        "PO-000007"
    );
    assert_eq!(Reference::new(RefKind::Inquiry, 0), None);
    assert_eq!(
        Reference::new(RefKind::Inquiry, 3).unwrap().to_string(),
        "INQ-000003"
    );
}

#[test]
fn parses_forms() {
    for s in [
        "REQ-000042",
        "REQ-42",
        "req-000042",
        "REQ42",
        "req42",
        "  Req-42 ",
        "REQ - 42",
        "REQ 42",
        "ＲＥＱ－４２",
        "REQ–42",
    ] {
        assert_eq!(Reference::parse(s), Ok(req(42)), "{s}");
    }
    assert_eq!(
        Reference::parse("so-7"),
        Ok(Reference {
            kind: RefKind::SalesOrder,
            number: 7
        })
    );
    assert_eq!(
        "OPP-000001".parse::<Reference>().map(|r| r.kind),
        Ok(RefKind::Opportunity)
    );
    assert_eq!(
        Reference::parse(&format!("CTR-{}", i64::MAX)),
        Ok(Reference {
            kind: RefKind::Contract,
            number: i64::MAX
        })
    );
}

#[test]
fn refuses_invalid() {
    for s in [
        "",
        "  ",
        "42",
        "REQ",
        "REQ-",
        "REQ-0",
        "REQ-000000",
        "REQ--42",
        "REQ-42a",
        "REQ-4 2x",
        "REQ-42-1",
        "REQ-4 2",
        "-42",
        "REQ-+42",
        "REQ-9223372036854775808",
        "REQ-٤٢",
        "申请-42",
        "#REQ-42",
    ] {
        let e = Reference::parse(s).unwrap_err();
        assert_eq!(e.key, "reference.invalid", "{s}");
        assert_eq!(e.get("input"), Some(s.trim()));
    }
}

#[test]
fn refuses_unknown_kind() {
    let e = Reference::parse(" foo-12 ").unwrap_err();
    assert_eq!(e.key, "reference.unknown_kind");
    assert_eq!(e.get("input"), Some("foo-12"));
    assert_eq!(e.get("prefix"), Some("FOO"));
    assert_eq!(
        e.get("known"),
        Some("REQ, INQ, SO, PO, OPP, CTR, SUP, GR, PAY, BUD, EXP")
    );
    let e = Reference::parse("RE-1").unwrap_err();
    assert_eq!(e.key, "reference.unknown_kind");
    assert_eq!(e.get("prefix"), Some("RE"));
}

#[test]
fn parse_as_accepts_bare_numbers_and_checks_kind() {
    let k = RefKind::Requisition;
    assert_eq!(Reference::parse_as("42", k), Ok(req(42)));
    assert_eq!(Reference::parse_as(" 000042 ", k), Ok(req(42)));
    assert_eq!(Reference::parse_as("req-42", k), Ok(req(42)));
    assert_eq!(
        Reference::parse_as("0", k).unwrap_err().key,
        "reference.invalid"
    );
    assert_eq!(
        Reference::parse_as("abc", k).unwrap_err().key,
        "reference.invalid"
    );
    assert_eq!(
        Reference::parse_as("42 43", k).unwrap_err().key,
        "reference.invalid"
    );
    assert_eq!(
        Reference::parse_as("", k).unwrap_err().key,
        "reference.invalid"
    );
    assert_eq!(
        Reference::parse_as("XX-1", k).unwrap_err().key,
        "reference.unknown_kind"
    );
    let e = Reference::parse_as(" PO-000007 ", k).unwrap_err();
    assert_eq!(e.key, "reference.wrong_kind");
    assert_eq!(e.get("input"), Some("PO-000007"));
    assert_eq!(e.get("expected"), Some("REQ-000042"));
}

#[test]
fn serde_is_the_display_string() {
    let r = req(42);
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"REQ-000042\"");
    assert_eq!(
        serde_json::from_str::<Reference>("\"REQ-000042\"").unwrap(),
        r
    );
    assert_eq!(serde_json::from_str::<Reference>("\"req-42\"").unwrap(), r);
    assert!(serde_json::from_str::<Reference>("\"nope\"").is_err());
}

#[test]
fn long_input_is_shortened() {
    let s = format!("{}-1", "Q".repeat(300));
    let e = Reference::parse(&s).unwrap_err();
    assert!(e.get("input").unwrap().ends_with('…'));
    assert!(e.get("prefix").unwrap().chars().count() <= MAX_ECHO_CHARS + 1);
}

fn any_kind() -> impl Strategy<Value = RefKind> {
    proptest::sample::select(RefKind::ALL.to_vec())
}

proptest! {
    #[test]
    fn display_parse_roundtrip(kind in any_kind(), number in 1..=i64::MAX) {
        let r = Reference { kind, number };
        let shown = r.to_string();
        prop_assert_eq!(Reference::parse(&shown), Ok(r));
        prop_assert_eq!(Reference::parse(&shown.to_lowercase()), Ok(r));
        prop_assert_eq!(Reference::parse_as(&shown, kind), Ok(r));
        prop_assert_eq!(Reference::parse_as(&number.to_string(), kind), Ok(r));
    }

    #[test]
    fn never_panics(s in ".*") {
        let _ = Reference::parse(&s);
        let _ = Reference::parse_as(&s, RefKind::PurchaseOrder);
    }

    #[test]
    fn never_panics_on_reference_like(s in "[A-Za-z0-9 \\-－０-９]{0,24}") {
        let _ = Reference::parse(&s);
        let _ = Reference::parse_as(&s, RefKind::SalesOrder);
    }
}
