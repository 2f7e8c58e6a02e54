//! Every example a description gives ("e.g. REQ-000042", "例如 IT设备") is a value that works:
//! an option's example converts, and a subcommand's example options parse.

use super::*;
use crate::commands::spec::SubcommandSpec;
use crate::domain::Locale;

/// The examples of a description: the text after `e.g.` / `例如` up to `;`, `)` or the end,
/// split on " or " / "或", without quotes.
fn examples(description: &str) -> Vec<String> {
    let Some((_, rest)) = description
        .split_once("e.g. ")
        .or_else(|| description.split_once("例如"))
    else {
        return vec![];
    };
    let rest = rest
        .split([';', ')', '）', '；'])
        .next()
        .unwrap_or_default();
    rest.split(" or ")
        .flat_map(|s| s.split(" 或 "))
        .map(|s| {
            s.trim()
                .trim_matches(|c| c == '"' || c == '“' || c == '”')
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn subcommands() -> Vec<(&'static CommandSpec, Option<&'static SubcommandSpec>)> {
    let mut out = Vec::new();
    for c in &CATALOG.commands {
        if c.subcommands.is_empty() {
            out.push((c, None));
        }
        out.extend(c.subcommands.iter().map(|s| (c, Some(s))));
    }
    out
}

#[test]
fn examples_are_split_from_descriptions() {
    assert_eq!(
        examples("Price per unit, e.g. 40000 or ¥399.50"),
        ["40000", "¥399.50"]
    );
    assert_eq!(examples("客户，例如“华东电子 周经理”"), ["华东电子 周经理"]);
    assert!(examples("Whose").is_empty());
}

#[test]
fn every_example_in_a_description_works() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (command, sub) in subcommands() {
        let options = sub.map_or(&command.options, |s| &s.options);
        // A subcommand's example is a set of options: the whole line must parse.
        if let Some(sub) = sub {
            for (locale, description) in [
                (Locale::En, &sub.description),
                (Locale::ZhCn, &sub.description_zh),
            ] {
                let Some((_, example)) = description
                    .split_once("e.g. ")
                    .or_else(|| description.split_once("例如"))
                else {
                    continue;
                };
                let example = example.trim();
                if example.contains(':') {
                    let line = format!(
                        "/{} {} {example}",
                        command.localized_name(locale),
                        sub.localized_name(locale)
                    );
                    checked += 1;
                    if let Err(e) = parse(&line) {
                        problems.push(format!("{line}: {e:?}"));
                    }
                }
            }
        }
        for o in options {
            for description in [&o.description, &o.description_zh] {
                for example in examples(description) {
                    checked += 1;
                    if let Err(e) = convert(o, &RawValue::Text(example.clone()), &ctx()) {
                        problems.push(format!("{} `{example}`: {e:?}", o.name));
                    }
                    if command.name == "help" && CATALOG.find_command(&example).is_none() {
                        problems.push(format!("/help command:{example}: no such command"));
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} examples found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
