//! Length limits hold for every caller: each service, called directly past the command parser
//! (as a modal, a web form or an import would), refuses what the command's `max_length`
//! refuses, with the same message; and the command files agree with the domain's limits.

use crate::common::{spawn_desk, TestDesk};
use bizdesk::approval::decisions::{self, Target};
use bizdesk::approval::domain::Decision;
use bizdesk::domain::money::{Currency, Money};
use bizdesk::domain::reference::Reference;
use bizdesk::service::{DeskError, DeskResult};

/// Asserts that `r` is the user's mistake "`field` is too long".
fn too_long<T>(r: DeskResult<T>, field: &str) {
    match r {
        Ok(_) => panic!("{field}: an over-long value was accepted"),
        Err(DeskError::User(msgs)) => assert!(
            msgs.iter()
                .any(|m| m.key == "option.too_long" && m.get("option") == Some(field)),
            "{field}: {msgs:?}"
        ),
        Err(e) => panic!("{field}: {e}"),
    }
}

fn long(n: usize) -> String {
    "长".repeat(n)
}

fn reference(s: &str) -> Reference {
    s.parse().unwrap()
}

/// A customer (#1) and an order (SO-000001) of Li Na's.
async fn with_an_order() -> TestDesk {
    let d = spawn_desk().await;
    d.ok("li.na", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"20 monitors\" amount:36000",
    )
    .await;
    d
}

#[tokio::test]
async fn a_requisition_submitted_without_the_parser_meets_the_same_limits() {
    let d = spawn_desk().await;
    let tom = d.employee("tom.baker").await;
    let input = |item: String| bizdesk::procurement::requisitions::domain::RequisitionInput {
        item: Some(item),
        quantity: Some(1),
        unit_price: Some(Money::new(10_000, Currency::CNY)),
        reason: Some("test".into()),
        ..Default::default()
    };
    let submit =
        |item| bizdesk::procurement::requisitions::service::submit(&d.chat.desk, &tom, input(item));
    too_long(submit(long(201)).await, "item");
    assert!(
        submit(long(200)).await.is_ok(),
        "200 characters are allowed"
    );
}

#[tokio::test]
async fn a_decision_comment_from_a_modal_meets_the_commands_limit() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Desk", 1, "900").await;
    let wang = d.employee("wang.fang").await;
    let decide = |comment: String| {
        let desk = d.chat.desk.clone();
        let wang = wang.clone();
        let r = reference(&r);
        async move {
            decisions::decide(
                &desk,
                &wang,
                Target::Ref(r),
                Decision::Reject,
                Some(&comment),
            )
            .await
        }
    };
    too_long(decide(long(1001)).await, "comment");
    assert!(decide(long(1000)).await.is_ok());
}

#[tokio::test]
async fn a_customers_phone_is_refused_past_its_length_without_the_parser() {
    let d = spawn_desk().await;
    let xu = d.employee("xu.jing").await;
    let padded = format!("1{}23456", "-".repeat(40));
    let fields = bizdesk::service_desk::customers::service::Fields {
        name: Some("周军"),
        company: None,
        email: None,
        phone: Some(&padded),
        locale: None,
        owner: None,
    };
    match bizdesk::service_desk::customers::service::add(&d.chat.desk, &xu, fields).await {
        Err(DeskError::User(msgs)) => assert_eq!(msgs[0].key, "customer.bad_phone"),
        other => panic!("{:?}", other.err()),
    }
}

#[tokio::test]
async fn sales_texts_meet_their_limits_without_the_parser() {
    let d = with_an_order().await;
    let desk = &d.chat.desk;
    let li = d.employee("li.na").await;
    let so = reference("SO-000001");
    let events = d.count("SELECT COUNT(*) FROM order_events").await;
    too_long(
        bizdesk::sales::opportunities::service::new(
            desk,
            &li,
            "#1",
            "Upgrade",
            None,
            Some(&long(2001)),
        )
        .await,
        "notes",
    );
    too_long(
        bizdesk::sales::orders::service::update(desk, &li, so, "shipped", Some(&long(501)), false)
            .await,
        "note",
    );
    too_long(
        bizdesk::sales::contracts::service::submit(desk, &li, so, Some(&long(2001)), None).await,
        "terms",
    );
    // Nothing was half-done: the order is where it was, no contract exists.
    assert_eq!(d.count("SELECT COUNT(*) FROM order_events").await, events);
    assert_eq!(d.count("SELECT COUNT(*) FROM contracts").await, 0);
    assert!(bizdesk::sales::orders::service::update(
        desk,
        &li,
        so,
        "shipped",
        Some(&long(500)),
        false
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn reminder_notes_meet_their_limit_without_the_parser() {
    let d = spawn_desk().await;
    let r = d.submit("li.na", "Monitor", 1, "1500").await;
    let li = d.employee("li.na").await;
    let desk = &d.chat.desk;
    too_long(
        bizdesk::collaboration::followups::service::add(
            desk,
            &li,
            reference(&r),
            "明天9点",
            Some(&long(501)),
        )
        .await,
        "note",
    );
    let callback = |customer: String, note: String| {
        let (desk, li) = (desk.clone(), li.clone());
        async move {
            let input = bizdesk::collaboration::callbacks::service::CallbackInput {
                customer: &customer,
                when: Some("明天9点"),
                repeat: None,
                note: Some(&note),
            };
            bizdesk::collaboration::callbacks::service::schedule(&desk, &li, input).await
        }
    };
    too_long(callback("Acme".into(), long(501)).await, "note");
    too_long(callback(long(201), "call".into()).await, "customer");
    assert!(callback("Acme".into(), long(500)).await.is_ok());
}

#[tokio::test]
async fn the_command_files_allow_what_the_domain_allows() {
    use bizdesk::procurement::requisitions::domain as requisition;
    use bizdesk::service_desk::inquiries::domain as inquiry;
    let d = spawn_desk().await;
    for (action, option, limit) in [
        ("requisition.new", "item", requisition::MAX_ITEM),
        ("requisition.new", "spec", requisition::MAX_SPEC),
        ("requisition.new", "reason", requisition::MAX_REASON),
        ("requisition.new", "category", requisition::MAX_CATEGORY),
        ("requisition.resubmit", "item", requisition::MAX_ITEM),
        (
            "approval.reject",
            "comment",
            bizdesk::approval::domain::MAX_COMMENT,
        ),
        (
            "customer.add",
            "phone",
            bizdesk::service_desk::customers::domain::MAX_PHONE,
        ),
        (
            "customer.add",
            "name",
            bizdesk::service_desk::customers::domain::MAX_NAME,
        ),
        (
            "opportunity.new",
            "notes",
            bizdesk::sales::opportunities::domain::MAX_NOTES,
        ),
        (
            "contract.submit",
            "terms",
            bizdesk::sales::contracts::domain::MAX_TERMS,
        ),
        (
            "order.update",
            "note",
            bizdesk::sales::orders::domain::MAX_STAGE_NOTE,
        ),
        ("followup.add", "note", bizdesk::collaboration::MAX_NOTE),
        (
            "callback.schedule",
            "note",
            bizdesk::collaboration::MAX_NOTE,
        ),
        (
            "callback.schedule",
            "customer",
            bizdesk::collaboration::MAX_CUSTOMER,
        ),
        ("inquiry.log", "subject", inquiry::MAX_SUBJECT),
        ("inquiry.log", "details", inquiry::MAX_TEXT),
        ("inquiry.log", "category", inquiry::MAX_CATEGORY),
        ("inquiry.reply", "text", inquiry::MAX_TEXT),
        ("inquiry.resolve", "resolution", inquiry::MAX_TEXT),
    ] {
        let spec = d
            .chat
            .catalog
            .options_for(action)
            .and_then(|o| o.iter().find(|o| o.name == option))
            .unwrap_or_else(|| panic!("{action} has no option {option}"));
        assert_eq!(
            spec.max_length,
            Some(limit as u32),
            "{action} {option}: the command file and the domain disagree"
        );
    }
}

#[tokio::test]
async fn an_inquiry_logged_without_the_parser_meets_the_same_limits() {
    use bizdesk::service_desk::inquiries::service::{log, LogInput};
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    let xu = d.employee("xu.jing").await;
    let category = long(41);
    let input = LogInput {
        customer: "#1",
        channel: "phone",
        kind: "inquiry",
        subject: "Invoice",
        details: "Where is it",
        category: Some(&category),
        department: None,
        priority: None,
    };
    too_long(log(&d.chat.desk, &xu, input).await, "category");
    assert_eq!(d.count("SELECT COUNT(*) FROM inquiries").await, 0);
}
