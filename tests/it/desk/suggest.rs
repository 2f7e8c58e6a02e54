//! Suggestions while typing, asked of the service as any transport asks (the Discord
//! end-to-end test covers the wire): which references an actor may see, matching, order and
//! the limit.

use crate::common::spawn_desk;
use bizdesk::service::suggest::{suggest, Field, Suggestion, LIMIT};

fn values(s: &[Suggestion]) -> Vec<&str> {
    s.iter().map(|s| s.value.as_str()).collect()
}

#[tokio::test]
async fn references_are_the_actors_own_and_their_inbox_matched_by_what_they_typed() {
    let d = spawn_desk().await;
    let desk = &d.chat.desk;
    d.submit("tom.baker", "Monitor", 1, "1500").await;
    d.submit("li.na", "Chair", 1, "500").await;
    let any_ref = Field::for_option("ref", None).unwrap();
    let reqs = Field::for_option("ref", Some("REQ")).unwrap();

    let tom = d.employee("tom.baker").await;
    let own = suggest(desk, &tom, reqs, "").await;
    assert_eq!(values(&own), ["REQ-000001"], "not Li Na's");
    assert_eq!(own[0].label, "REQ-000001 · Monitor");
    // Their head decides both: her inbox, oldest first, each once.
    let wang = d.employee("wang.fang").await;
    let inbox = suggest(desk, &wang, any_ref, "").await;
    assert_eq!(values(&inbox), ["REQ-000001", "REQ-000002"]);
    // Matching ignores case and reads the label, not only the reference.
    assert_eq!(
        values(&suggest(desk, &wang, any_ref, "cHAIR").await),
        ["REQ-000002"]
    );
    assert!(suggest(desk, &wang, any_ref, "sofa").await.is_empty());
    // An order option suggests no requisitions.
    let orders = Field::for_option("order", Some("SO")).unwrap();
    assert!(suggest(desk, &wang, orders, "").await.is_empty());
    assert_eq!(Field::for_option("quantity", None), None);
}

#[tokio::test]
async fn suggestions_stop_at_the_limit_and_show_text_safely() {
    let d = spawn_desk().await;
    for n in 0..LIMIT + 3 {
        d.submit("tom.baker", &format!("Pen {n}"), 1, "5").await;
    }
    let tom = d.employee("tom.baker").await;
    let reqs = Field::for_option("ref", Some("REQ")).unwrap();
    let s = suggest(&d.chat.desk, &tom, reqs, "pen").await;
    assert_eq!(s.len(), LIMIT);

    d.ok(
        "li.na",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn",
    )
    .await;
    let c = suggest(&d.chat.desk, &tom, Field::Customer, "华东").await;
    assert_eq!(values(&c), ["#1"]);
    assert_eq!(c[0].label, "#1 周军 · 华东电子 · zj@huadong.cn");
    let cat = suggest(&d.chat.desk, &tom, Field::Category, "OFF").await;
    assert_eq!(values(&cat), ["office"]);
}

#[tokio::test]
async fn an_order_list_defaults_to_ones_own_unless_a_customer_is_named() {
    use bizdesk::sales::orders::service::{list, ListQuery, Scope};
    let d = spawn_desk().await;
    d.ok("li.na", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    let created = d
        .run(
            "li.na",
            "/order new customer:#1 items:\"Monitors\" amount:100",
        )
        .await;
    // The reply names what it created as a value, not only in its text.
    assert_eq!(
        created.reference.map(|r| r.to_string()).as_deref(),
        Some("SO-000001")
    );
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:\"Chairs\" amount:200",
    )
    .await;
    let li = d.employee("li.na").await;
    let refs = |q: ListQuery<'static>| {
        let (desk, li) = (d.chat.desk.clone(), li.clone());
        async move {
            let mut items: Vec<String> = list(&desk, &li, q)
                .await
                .unwrap()
                .into_iter()
                .map(|(o, _)| o.items)
                .collect();
            items.sort();
            items
        }
    };
    assert_eq!(ListQuery::default().scope(), Scope::Mine);
    assert_eq!(refs(ListQuery::default()).await, ["Monitors"]);
    let of_customer = ListQuery {
        customer: Some("#1"),
        ..Default::default()
    };
    assert_eq!(of_customer.scope(), Scope::All);
    assert_eq!(refs(of_customer).await, ["Chairs", "Monitors"]);
    let mine_of_customer = ListQuery {
        scope: Some(Scope::Mine),
        customer: Some("#1"),
        ..Default::default()
    };
    assert_eq!(refs(mine_of_customer).await, ["Monitors"]);
    // Inquiries and opportunities list one's own unless asked otherwise.
    assert_eq!(
        bizdesk::service_desk::inquiries::service::Scope::default(),
        bizdesk::service_desk::inquiries::service::Scope::Mine
    );
    assert_eq!(
        bizdesk::sales::opportunities::service::Scope::default(),
        bizdesk::sales::opportunities::service::Scope::Mine
    );
}

#[tokio::test]
async fn a_po_option_suggests_the_open_purchase_orders_one_may_read() {
    use crate::procurement::orders::{approved_requisition, supplier};
    let d = spawn_desk().await;
    let desk = &d.chat.desk;
    let req = approved_requisition(&d, "Steel sheet", 40, 1000).await;
    let sup = supplier(&d, "Baosteel", "s@baosteel.test", "qualified", None).await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{req} supplier:{sup} quantity:10"),
    )
    .await;
    let po = Field::for_option("po", Some("PO")).unwrap();
    let buyer = d.employee("huang.lei").await;
    let got = suggest(desk, &buyer, po, "steel").await;
    assert_eq!(values(&got), ["PO-000001"]);
    assert!(got[0].label.contains("Baosteel"), "{}", got[0].label);
    // Someone who may not read it is offered nothing.
    let outsider = d.employee("xu.jing").await;
    assert!(suggest(desk, &outsider, po, "").await.is_empty());
}
