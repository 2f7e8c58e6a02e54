//! Options whose values come from configuration (`terms = "…"`): a listed code, English or
//! Chinese name becomes the code; other text passes for the action to judge.

use super::*;

#[test]
fn configured_names_become_codes() {
    for typed in ["it", "IT", "IT设备", "\"IT equipment\""] {
        let inv = ok(&format!(
            "/requisition new item:x quantity:1 unit_price:1 category:{typed}"
        ));
        assert_eq!(inv.str("category"), Some("it"), "{typed}");
    }
    let inv = ok("/销售订单 更新 单号:SO-000001 环节:已发货");
    assert_eq!(inv.str("stage"), Some("shipped"));
    // Not listed: unchanged, the service refuses or keeps it.
    let inv = ok("/order update ref:SO-000001 stage:teleported");
    assert_eq!(inv.str("stage"), Some("teleported"));
}

#[test]
fn every_terms_option_names_a_known_list() {
    for command in &CATALOG.commands {
        let options = command
            .options
            .iter()
            .chain(command.subcommands.iter().flat_map(|s| s.options.iter()));
        for o in options {
            if let Some(list) = &o.terms {
                assert!(
                    crate::domain::term::Vocabulary::LISTS.contains(&list.as_str()),
                    "{}: {list}",
                    o.name
                );
            }
        }
    }
}
