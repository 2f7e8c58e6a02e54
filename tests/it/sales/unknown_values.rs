//! Sales rows with a value the code does not know are errors naming it, never a default.

use crate::common::{spawn_desk, TestDesk};
use bizdesk::domain::reference::Reference;
use bizdesk::sales::order_issues::service as order_issues;
use bizdesk::sales::orders::service as orders;

/// A desk with one customer and their order SO-000001.
async fn desk_with_an_order() -> TestDesk {
    let d = spawn_desk().await;
    d.ok(
        "tom.baker",
        "/customer add name:\"Acme Ltd\" email:buyer@acme.example",
    )
    .await;
    d.ok(
        "tom.baker",
        "/order new customer:#1 items:\"500 chairs\" amount:30000",
    )
    .await;
    d
}

#[tokio::test]
async fn an_unknown_order_issue_kind_is_an_error_naming_the_table_row_and_value() {
    let d = desk_with_an_order().await;
    d.ok(
        "xu.jing",
        "/order issue ref:SO-000001 kind:quality text:\"broken legs\"",
    )
    .await;
    d.sql("UPDATE order_issues SET kind = 'refund'").await;
    let id = d.count("SELECT MIN(id) FROM order_issues").await;
    let order = d.count("SELECT MIN(id) FROM orders").await;
    let e = order_issues::of_order(&d.chat.desk, order)
        .await
        .unwrap_err();
    let cause = d.internal(e);
    assert!(
        cause.contains(&format!(
            "table `order_issues` row {id} column `kind`: unknown value `refund`"
        )),
        "{cause}"
    );
}

#[tokio::test]
async fn an_order_in_an_unknown_currency_is_an_error_naming_it() {
    let d = desk_with_an_order().await;
    d.sql("UPDATE orders SET currency = 'yuan'").await;
    let text = d.refused("tom.baker", "/order status ref:SO-000001").await;
    assert!(!text.contains("yuan"), "the user sees an apology: {text}");
    let id = d.count("SELECT MIN(id) FROM orders").await;
    let e = orders::status(&d.chat.desk, Reference::parse("SO-000001").unwrap())
        .await
        .unwrap_err();
    let cause = d.internal(e);
    assert!(
        cause.contains(&format!(
            "table `orders` row {id} column `currency`: unknown value `yuan`"
        )),
        "{cause}"
    );
}
