//! A head's delegate drafts and reads for them, and only for them.

use super::{draft_status, OPEN};
use crate::common::spawn_desk;

#[tokio::test]
async fn a_heads_delegate_drafts_for_them() {
    let d = spawn_desk().await;
    d.ok("grace.lin", OPEN).await;
    d.refused(
        "li.na",
        "/budget draft department:SAL category:it amount:100",
    )
    .await;
    d.ok("wang.fang", "/delegate set to:li.na until:2026-12-10")
        .await;
    d.ok(
        "li.na",
        "/budget draft department:SAL category:it amount:100",
    )
    .await;
    d.ok("li.na", "/budget submit department:SAL").await;
    assert_eq!(draft_status(&d, "SAL").await, 2);
    // Standing in for Sales' head is not heading another department.
    d.refused(
        "li.na",
        "/budget draft department:PUR category:it amount:100",
    )
    .await;
    // The delegate reads what the head reads: Sales' status and report, not another's.
    d.ok("li.na", "/budget status department:SAL").await;
    d.ok("li.na", "/report budget").await;
    d.refused("li.na", "/budget status department:PUR").await;
    d.refused("tom.baker", "/report budget").await;
}
