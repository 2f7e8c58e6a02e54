use super::*;
use crate::domain::money::Currency;

fn cny(major: i64) -> Money {
    Money::new(major * 100, Currency::CNY)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn input() -> PoInput<'static> {
    PoInput {
        requisition: "REQ-000001",
        requisition_status: ApprovalStatus::Approved,
        requisition_quantity: 10,
        requisition_unit_price: cny(1_000),
        ordered: 4,
        supplier: "SUP-000001",
        supplier_status: SupplierStatus::Qualified,
        standing: None,
        unit_price: None,
        quantity: None,
        delivery: None,
        today: today(),
        important: false,
        contract_threshold_minor: cny(100_000).minor,
    }
}

fn keys(r: Result<PoDraft, Vec<Msg>>) -> Vec<&'static str> {
    r.unwrap_err().iter().map(|m| m.key).collect()
}

#[test]
fn defaults_come_from_the_requisition_and_what_remains() {
    let d = check_new(&input()).unwrap();
    assert_eq!(d.quantity, 6);
    assert_eq!(d.unit_price, cny(1_000));
    assert_eq!(d.total, cny(6_000));
    assert!(!d.needs_contract);
    assert_eq!(d.warning, None);
}

#[test]
fn a_requisition_is_never_over_ordered() {
    let mut i = input();
    i.quantity = Some(7);
    let err = check_new(&i).unwrap_err();
    assert_eq!(err[0].key, "po.over_quantity");
    assert_eq!(err[0].get("remaining"), Some("6"));
    i.quantity = Some(6);
    assert!(check_new(&i).is_ok());
    i.ordered = 10;
    i.quantity = None;
    assert_eq!(keys(check_new(&i)), ["po.over_quantity"]);
    i.quantity = Some(0);
    assert_eq!(keys(check_new(&i)), ["po.quantity_positive"]);
}

#[test]
fn only_approved_requisitions_and_orderable_suppliers() {
    let mut i = input();
    i.requisition_status = ApprovalStatus::Pending;
    i.supplier_status = SupplierStatus::Candidate;
    assert_eq!(
        keys(check_new(&i)),
        ["po.requisition_not_approved", "po.supplier_not_qualified"]
    );
    let mut i = input();
    i.standing = Some(Standing::VeryPoor);
    assert_eq!(keys(check_new(&i)), ["po.supplier_very_poor"]);
    i.standing = Some(Standing::Poor);
    assert_eq!(check_new(&i).unwrap().warning.as_deref(), Some("poor"));
}

#[test]
fn large_or_important_orders_need_a_contract() {
    let mut i = input();
    i.unit_price = Some(cny(25_000));
    i.quantity = Some(4);
    assert!(check_new(&i).unwrap().needs_contract);
    i.quantity = Some(3);
    assert!(!check_new(&i).unwrap().needs_contract);
    i.important = true;
    assert!(check_new(&i).unwrap().needs_contract);
    assert!(!sendable(true, false));
    assert!(sendable(true, true));
    assert!(sendable(false, false));
}

#[test]
fn past_dates_and_bad_prices_are_refused() {
    let mut i = input();
    i.delivery = NaiveDate::from_ymd_opt(2026, 1, 1);
    i.unit_price = Some(cny(0));
    assert_eq!(
        keys(check_new(&i)),
        ["po.price_positive", "po.delivery_past"]
    );
}

#[test]
fn a_warning_needs_a_comment_to_approve() {
    let k = |r: Result<(), Msg>| r.err().map(|m| m.key);
    assert_eq!(
        k(check_acknowledged("PO-000001", Some("poor"), true, None)),
        Some("po.acknowledge_warning")
    );
    assert_eq!(
        k(check_acknowledged(
            "PO-000001",
            Some("poor"),
            true,
            Some("  ")
        )),
        Some("po.acknowledge_warning")
    );
    assert!(check_acknowledged("PO-000001", Some("poor"), true, Some("seen")).is_ok());
    assert!(check_acknowledged("PO-000001", Some("poor"), false, None).is_ok());
    assert!(check_acknowledged("PO-000001", None, true, None).is_ok());
}

#[test]
fn confirm_cancel_and_inspection_follow_the_status() {
    assert!(check_confirm("PO-1", PoStatus::Sent).is_ok());
    assert!(check_confirm("PO-1", PoStatus::Approved).is_err());
    assert!(check_cancel("PO-1", PoStatus::Sent, false).is_ok());
    assert!(check_cancel("PO-1", PoStatus::Confirmed, true).is_err());
    assert!(check_cancel("PO-1", PoStatus::Cancelled, false).is_err());
    let d = NaiveDate::from_ymd_opt(2026, 11, 28);
    assert!(inspection_due(PoStatus::Sent, d, today(), 2));
    assert!(!inspection_due(PoStatus::Sent, d, today(), 1));
    assert!(!inspection_due(PoStatus::Pending, d, today(), 2));
    assert!(!inspection_due(PoStatus::Confirmed, None, today(), 2));
}

#[test]
fn a_po_is_priced_in_its_requisitions_currency() {
    let mut i = input();
    i.unit_price = Some(Money::new(90_000, Currency::USD));
    let err = check_new(&i).unwrap_err();
    assert_eq!(err[0].key, "po.currency_mismatch");
    assert_eq!(err[0].get("currency"), Some("CNY"));
    assert_eq!(err[0].get("given"), Some("USD"));
    i.unit_price = Some(cny(900));
    assert!(check_new(&i).is_ok());
}
