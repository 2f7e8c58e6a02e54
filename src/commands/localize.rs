//! A command line in the reader's language: the hints and button equivalents the desk prints
//! (`/approval reject ref:REQ-000001` → `/审批 驳回 单号:REQ-000001`) are built in English
//! and shown with the names of the catalog, so what is printed is what can be typed.

use super::spec::{Catalog, OptionSpec, OptionType};
use crate::domain::Locale;

impl Catalog {
    /// `line` (English names, values without spaces) with its command, subcommand, option
    /// names and choice values in `locale`. Words the catalog does not know stay as they are.
    pub fn localize_line(&self, line: &str, locale: Locale) -> String {
        let body = line.trim().trim_start_matches('/');
        let mut words = body.split_whitespace();
        let Some(first) = words.next() else {
            return line.to_string();
        };
        let Some(command) = self.find_command(first) else {
            return line.to_string();
        };
        let mut out = vec![format!("/{}", command.localized_name(locale))];
        let mut options: &[OptionSpec] = &command.options;
        let mut rest: Vec<&str> = words.collect();
        if !command.subcommands.is_empty() && rest.first().is_some_and(|w| !w.contains(':')) {
            let word = rest.remove(0);
            match command.find_subcommand(word) {
                Some(sub) => {
                    out.push(sub.localized_name(locale).to_string());
                    options = &sub.options;
                }
                None => out.push(word.to_string()),
            }
        }
        for word in rest {
            let Some((name, value)) = word.split_once(':') else {
                out.push(word.to_string());
                continue;
            };
            match options.iter().find(|o| o.matches(name)) {
                Some(spec) => out.push(format!(
                    "{}:{}",
                    spec.localized_name(locale),
                    localized_value(spec, value, locale)
                )),
                None => out.push(word.to_string()),
            }
        }
        out.join(" ")
    }
}

/// A choice (or yes/no) value in `locale`; anything else unchanged.
fn localized_value(spec: &OptionSpec, value: &str, locale: Locale) -> String {
    if let Some(choice) = spec.find_choice(value) {
        return choice.localized_name(locale).to_string();
    }
    match (spec.kind, locale, value) {
        (OptionType::Boolean, Locale::ZhCn, "yes") => "是".into(),
        (OptionType::Boolean, Locale::ZhCn, "no") => "否".into(),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_use_the_readers_names() {
        let catalog = Catalog::embedded().unwrap();
        let zh = |l: &str| catalog.localize_line(l, Locale::ZhCn);
        assert_eq!(
            zh("/approval reject ref:REQ-000001"),
            "/审批 驳回 单号:REQ-000001"
        );
        assert_eq!(
            zh("/approval approve ref:OPP-000001 priority:high"),
            "/审批 同意 单号:OPP-000001 优先级:高"
        );
        assert_eq!(
            zh("/followup snooze id:3 for:1h"),
            "/跟进 稍后提醒 编号:3 推迟:1小时"
        );
        assert_eq!(
            catalog.localize_line("/approval reject ref:REQ-000001", Locale::En),
            "/approval reject ref:REQ-000001"
        );
    }
}
