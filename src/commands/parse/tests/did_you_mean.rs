//! "Did you mean": the nearest command, subcommand or option name for a typo, in the script the
//! user typed.

use super::*;

#[test]
fn a_mistyped_command_gets_the_nearest_name() {
    let m = one_error("/requisiton new");
    assert_eq!(
        (m.key, m.get("suggestion")),
        ("command.unknown", Some("requisition"))
    );
    let m = one_error("/采购申情 新建");
    assert_eq!(m.get("suggestion"), Some("采购申请"));
    assert_eq!(one_error("/frobnicate").get("suggestion"), Some(""));
}

#[test]
fn a_mistyped_subcommand_gets_command_and_subcommand() {
    let m = one_error("/requisition shwo ref:REQ-000001");
    assert_eq!(
        (m.key, m.get("suggestion")),
        ("command.unknown_subcommand", Some("/requisition show"))
    );
    let m = one_error("/审批 驳迴 单号:REQ-000001");
    assert_eq!(m.get("suggestion"), Some("/审批 驳回"));
}

#[test]
fn a_mistyped_option_gets_the_nearest_option() {
    let m = one_error("/requisition new item:x quantity:1 unit_price:5 resaon:y");
    assert_eq!(
        (m.key, m.get("suggestion")),
        ("command.unknown_option", Some("reason"))
    );
}
