//! Hints the desk prints (`→ /approval reject ref:…`, "track it with /requisition show …")
//! name real commands, subcommands and options, in the language of the file they are in, and
//! the ones in rendered replies parse with the real parser.

use crate::common;

use bizdesk::commands::{parse_line, Catalog, CommandSpec, OptionSpec};
use common::spawn_desk;
use regex::Regex;
use std::path::Path;

/// Every file under `dir` with its text.
fn files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((path.display().to_string(), text));
        }
    }
}

/// Whether `word` is the name a reader of `zh` (or English) should see for `en`/`zh`.
fn right_form(word: &str, en: &str, zh: &str, chinese: bool) -> bool {
    if chinese {
        word == zh
    } else {
        word == en
    }
}

/// The problems of one hint starting at `/command`: names unknown or in the wrong language.
fn check_hint(command: &CommandSpec, words: &[&str], chinese: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut options: Vec<&OptionSpec> = command.options.iter().collect();
    let mut rest = words;
    if !command.subcommands.is_empty() {
        if let Some(first) = rest.first().filter(|w| !w.contains(':')) {
            let subs: Vec<_> = first
                .split('|')
                .map(|s| command.find_subcommand(s).map(|sub| (s, sub)))
                .collect();
            if subs.iter().all(Option::is_some) {
                options.clear();
                for (typed, sub) in subs.into_iter().flatten() {
                    if !right_form(typed, &sub.name, &sub.name_zh, chinese) {
                        problems.push(format!("subcommand `{typed}`: not the reader's name"));
                    }
                    options.extend(sub.options.iter());
                }
                rest = &rest[1..];
            } else if command.default_subcommand.is_none() {
                problems.push(format!("`{first}` is not a subcommand"));
                return problems;
            } else {
                return problems;
            }
        } else if command.default_subcommand.is_none() {
            return problems;
        }
    }
    for word in rest {
        let Some((name, _)) = word.trim_start_matches('[').split_once(':') else {
            break;
        };
        match options.iter().find(|o| o.matches(name)) {
            Some(o) if !right_form(name, &o.name, &o.name_zh, chinese) => {
                problems.push(format!("option `{name}`: not the reader's name"))
            }
            Some(_) => {}
            None => problems.push(format!("`{name}` is not an option")),
        }
    }
    problems
}

#[test]
fn every_printed_hint_names_real_commands_in_the_files_language() {
    let catalog = Catalog::embedded().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut all = Vec::new();
    files(&root, &mut all);
    let expr = Regex::new(r"\{\{[^}]*\}\}").unwrap();
    let quoted = Regex::new(r#"\\?"[^"]*?\\?"|“[^”]*”"#).unwrap();
    let slash = Regex::new(r"(?:^|[\s>（(“：:`])/([\p{L}_]+)").unwrap();
    let mut problems = Vec::new();
    let mut seen = 0;
    for (path, text) in &all {
        let chinese = path.contains("zh-CN");
        for line in text.lines() {
            let line = expr.replace_all(line, "X");
            let line = quoted.replace_all(&line, "Q");
            for cap in slash.captures_iter(&line) {
                let name = cap.get(1).unwrap();
                let Some(command) = catalog.find_command(name.as_str()) else {
                    continue;
                };
                seen += 1;
                if !right_form(name.as_str(), &command.name, &command.name_zh, chinese) {
                    problems.push(format!(
                        "{path}: `/{}`: not the reader's name",
                        name.as_str()
                    ));
                }
                let tail = &line[name.end()..];
                let end = tail
                    .find(['。', '，', '；', '）', '<', '`', '\n', '、'])
                    .unwrap_or(tail.len());
                let words: Vec<&str> = tail[..end].split_whitespace().collect();
                for p in check_hint(command, &words, chinese) {
                    problems.push(format!("{path}: `/{}{}`: {p}", name.as_str(), &tail[..end]));
                }
            }
        }
    }
    assert!(seen > 40, "only {seen} hints found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The command lines inside a reply: from a `/` that starts a known command to the end of the
/// clause; only complete ones (no `…` placeholders or `a|b` alternatives).
fn typed_hints(catalog: &Catalog, text: &str) -> Vec<String> {
    let slash = Regex::new(r"(?:^|[\s（(“：:])(/[\p{L}_]+[^。，；）\n]*)").unwrap();
    slash
        .captures_iter(text)
        .map(|c| c[1].trim().to_string())
        .filter(|h| !h.contains('…') && !h.contains('|'))
        .filter(|h| {
            let word = h[1..].split_whitespace().next().unwrap_or_default();
            catalog.find_command(word).is_some()
        })
        .collect()
}

#[tokio::test]
async fn hints_in_chinese_replies_are_chinese_and_work_as_typed() {
    let d = spawn_desk().await;
    let catalog = d.chat.catalog.clone();
    let ctx = d.chat.parse_context();
    let submitted = d.ok("li.na", "/采购申请 新建 物品:笔 数量:1 单价:10").await;
    let inbox = d.run("wang.fang", "/待办").await;
    assert!(inbox.ok, "{}", inbox.text);
    let mut lines = typed_hints(&catalog, &submitted);
    lines.extend(typed_hints(&catalog, &inbox.text));
    assert!(
        lines.contains(&"/采购申请 查看 单号:REQ-000001".to_string()),
        "{lines:?}\n{submitted}"
    );
    for action in &inbox.actions {
        let line = if action.needs_comment {
            format!("{} 意见:\"理由\"", action.command)
        } else {
            action.command.clone()
        };
        assert!(line.starts_with("/审批 "), "{line}");
        lines.push(line);
    }
    assert!(lines.contains(&"/审批 驳回 单号:REQ-000001 意见:\"理由\"".to_string()));
    for line in &lines {
        if let Err(e) = parse_line(&catalog, line, &ctx) {
            panic!("{line}: {e:?}");
        }
    }
    // English readers get English names.
    let inbox = d.run("tom.baker", "/inbox").await;
    for action in &inbox.actions {
        assert!(
            action.command.starts_with("/approval "),
            "{}",
            action.command
        );
    }
}

/// Chinese text names options and choices by their Chinese names: no English option name or
/// choice code of the catalog appears in zh-CN replies, notifications or messages (outside
/// template code).
#[test]
fn chinese_text_uses_chinese_option_and_choice_names() {
    let catalog = Catalog::embedded().unwrap();
    let mut english = std::collections::BTreeSet::new();
    for c in &catalog.commands {
        let options = c
            .options
            .iter()
            .chain(c.subcommands.iter().flat_map(|s| s.options.iter()));
        for o in options {
            if o.name != o.name_zh {
                english.insert(o.name.clone());
            }
            for ch in &o.choices {
                if ch.value != ch.name_zh {
                    english.insert(ch.value.clone());
                }
            }
        }
    }
    // Words that are also data or file formats, not option names: a CSV column header.
    for allowed in ["name", "email", "csv", "id"] {
        english.remove(allowed);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/chat/zh-CN");
    let mut all = Vec::new();
    files(&root, &mut all);
    let code = Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}").unwrap();
    let word = Regex::new(r"[A-Za-z_]{2,}").unwrap();
    let mut problems = Vec::new();
    for (path, text) in &all {
        let toml = path.ends_with(".toml");
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            // In a message catalog only the messages are prose, not keys or [tables].
            let line = match line.split_once("= ") {
                Some((_, message)) if toml => message,
                _ if toml => continue,
                _ => line,
            };
            let prose = code.replace_all(line, " ");
            for w in word.find_iter(&prose) {
                if english.contains(w.as_str()) {
                    problems.push(format!("{path}: `{}` in: {line}", w.as_str()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
