//! Service-desk rows with a value the code does not know are errors naming it, never a
//! default.

use crate::common::spawn_desk;
use bizdesk::domain::reference::Reference;
use bizdesk::service_desk::inquiries::service as inquiries;

#[tokio::test]
async fn an_unknown_inquiry_status_is_an_error_naming_the_table_row_and_value() {
    let d = spawn_desk().await;
    d.ok(
        "xu.jing",
        "/customer add name:\"Acme Ltd\" email:buyer@acme.example",
    )
    .await;
    d.ok(
        "xu.jing",
        "/inquiry log customer:\"Acme Ltd\" channel:email kind:inquiry subject:\"Invoice\" details:\"Where is it?\"",
    )
    .await;
    d.sql("UPDATE inquiries SET status = 'closed'").await;
    let id = d.count("SELECT MIN(id) FROM inquiries").await;
    let actor = d.employee("xu.jing").await;
    let e = inquiries::show(
        &d.chat.desk,
        &actor,
        Reference::parse("INQ-000001").unwrap(),
    )
    .await
    .unwrap_err();
    let cause = d.internal(e);
    assert!(
        cause.contains(&format!(
            "table `inquiries` row {id} column `status`: unknown value `closed`"
        )),
        "{cause}"
    );
    // The person sees an apology, not the stored value.
    let text = d.refused("xu.jing", "/inquiry show ref:INQ-000001").await;
    assert!(!text.contains("closed"), "{text}");
}
