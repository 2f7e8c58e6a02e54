//! Every message the code can show exists in both languages, and both catalogs hold the same
//! keys; every command option has a Chinese name.

use bizdesk::chat::render::Renderer;
use bizdesk::commands::Catalog;
use bizdesk::domain::Locale;
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

fn renderer() -> Renderer {
    Renderer::load(None, chrono_tz::Asia::Shanghai, HashMap::new()).unwrap()
}

fn keys_used_in(dir: &Path, re: &Regex, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            keys_used_in(&path, re, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for c in re.captures_iter(&text) {
                out.insert(c[1].to_string());
            }
        }
    }
}

#[test]
fn both_locales_hold_the_same_message_keys() {
    let r = renderer();
    let en = r.message_keys(Locale::En);
    let zh = r.message_keys(Locale::ZhCn);
    assert!(!en.is_empty());
    assert_eq!(en, zh);
}

#[test]
fn every_message_the_code_uses_exists_in_both_locales() {
    let r = renderer();
    let re = Regex::new(r#"Msg::new\(\s*"([a-z_]+\.[a-z_.]+)"\s*\)"#).unwrap();
    let mut used = BTreeSet::new();
    keys_used_in(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &re,
        &mut used,
    );
    assert!(used.len() > 30, "found {used:?}");
    for locale in Locale::ALL {
        let have: BTreeSet<String> = r.message_keys(locale).into_iter().collect();
        let missing: Vec<_> = used.difference(&have).collect();
        assert!(missing.is_empty(), "{locale}: missing messages {missing:?}");
    }
}

#[test]
fn every_command_and_option_speaks_chinese() {
    let catalog = Catalog::embedded().unwrap();
    for c in &catalog.commands {
        assert!(
            !c.name_zh.is_empty() && !c.description_zh.is_empty(),
            "{}",
            c.name
        );
        for s in &c.subcommands {
            assert!(!s.name_zh.is_empty(), "{} {}", c.name, s.name);
            for o in &s.options {
                assert!(
                    !o.name_zh.is_empty() && !o.description_zh.is_empty(),
                    "{} {} {}",
                    c.name,
                    s.name,
                    o.name
                );
            }
        }
    }
}
