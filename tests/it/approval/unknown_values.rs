//! A stage row with a value the engine does not know is an error naming it, not an `any`
//! stage or fewer approvers.

use crate::common::{spawn_desk, TestDesk};
use bizdesk::domain::reference::Reference;
use bizdesk::procurement::requisitions::service as requisitions;

/// Submits a requisition, changes its first stage with `tamper`, and returns the desk, that
/// stage's id and the cause of the internal error showing the requisition gives.
async fn show_after(tamper: &str) -> (TestDesk, i64, String) {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Phone", 1, "4000").await;
    d.sql(tamper).await;
    let id = d
        .count("SELECT MIN(id) FROM approval_stages WHERE idx = 0")
        .await;
    let actor = d.employee("tom.baker").await;
    let e = requisitions::show(&d.chat.desk, &actor, Reference::parse(&r).unwrap())
        .await
        .unwrap_err();
    let cause = d.internal(e);
    (d, id, cause)
}

#[tokio::test]
async fn an_unknown_stage_mode_is_an_error_naming_the_table_row_and_value() {
    let (_d, id, cause) =
        show_after("UPDATE approval_stages SET mode = 'most' WHERE idx = 0").await;
    assert!(
        cause.contains(&format!(
            "table `approval_stages` row {id} column `mode`: unknown value `most"
        )),
        "{cause}"
    );
}

#[tokio::test]
async fn a_stage_approver_list_that_is_not_ids_is_an_error_not_fewer_approvers() {
    let (_d, id, cause) =
        show_after("UPDATE approval_stages SET approvers = '3,x' WHERE idx = 0").await;
    assert!(
        cause.contains(&format!(
            "table `approval_stages` row {id} column `approvers`: unknown value `3,x`"
        )),
        "{cause}"
    );
}
