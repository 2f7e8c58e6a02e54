use super::*;

pub(super) fn person(id: i64, dept: &str, roles: &[Role]) -> Employee {
    Employee {
        id,
        handle: format!("p{id}"),
        name: format!("P{id}"),
        email: format!("p{id}@example.com"),
        department: dept.into(),
        roles: roles.to_vec(),
        discord_id: None,
        locale: None,
        active: true,
    }
}

#[test]
fn every_action_has_one_gate() {
    let mut seen = std::collections::HashSet::new();
    for (a, _) in COMMANDS {
        assert!(seen.insert(*a), "{a} twice");
    }
}

#[test]
fn an_unknown_action_is_closed() {
    let admin = person(1, "MGT", &[Role::Admin, Role::Bcmo]);
    assert_eq!(
        require(&admin, "nope.nothing").unwrap_err().key,
        "access.denied"
    );
}

#[test]
fn procurement_cannot_touch_customers_or_service_inquiries() {
    let buyer = person(8, "PUR", &[Role::Procurement]);
    assert!(require(&buyer, "customer.add").is_err());
    assert!(require(&buyer, "inquiry.log").is_err());
    assert!(!customers::may_read(&buyer, Some(2)));
    assert!(!customers::may_edit(&buyer, Some(2)));
    let i = inquiries::Facts {
        department: "SVC",
        owner: None,
        logged_by: 10,
    };
    assert!(!inquiries::may_handle(&buyer, i));
    assert!(!inquiries::may_read(&buyer, i));
    assert!(!inquiries::may_receive(&buyer, "SVC"));
}

#[test]
fn owners_keep_their_own_customers() {
    let rep = person(5, "SAL", &[]);
    assert!(customers::may_read(&rep, Some(5)));
    assert!(customers::may_edit(&rep, Some(5)));
    assert!(!customers::may_read(&rep, None));
    assert!(!customers::may_read(&rep, Some(6)));
    let sales = person(6, "SAL", &[Role::Sales]);
    assert!(customers::may_read(&sales, Some(5)));
    assert!(customers::may_edit(&sales, Some(5)));
}

#[test]
fn inspectors_receive_for_every_department_and_only_finance_overrides() {
    let inspector = person(7, "PUR", &[Role::Inspector]);
    assert!(receipts::may_receive(&inspector, "SAL"));
    let member = person(8, "SAL", &[]);
    assert!(receipts::may_receive(&member, "SAL"));
    assert!(!receipts::may_receive(&member, "HR"));
    let buyer = person(9, "PUR", &[Role::Procurement]);
    assert!(!receipts::may_receive(&buyer, "SAL"));
    assert!(receipts::may_read(&buyer, "SAL"));
    let finance = person(10, "FIN", &[Role::Finance]);
    assert!(payments::may_override(&finance, &[Role::Finance]));
    assert!(!payments::may_override(&finance, &[Role::Management]));
    let boss = person(11, "MGT", &[Role::Management]);
    assert!(!payments::may_override(&boss, &[Role::Management]));
}
