//! Values whose list comes from configuration rather than the command catalog (requisition
//! categories, inquiry categories, order stages): each a code with an English and a Chinese
//! name. The parser accepts any of the three ([`Vocabulary::resolve`]); replies show the
//! reader's name ([`Vocabulary::name`]).

use crate::domain::Locale;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One configured value: the code that is stored, and its names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Lowercase code, e.g. `it` or `shipped`.
    pub code: String,
    /// English name (default: the code).
    #[serde(default)]
    pub name: String,
    /// Chinese name (default: the English name).
    #[serde(default)]
    pub name_zh: String,
}

impl Term {
    /// A term with only a code: both names are the code.
    pub fn code_only(code: &str) -> Term {
        Term::new(code, "", "")
    }

    /// A term; empty names fall back (Chinese to English, English to the code).
    pub fn new(code: &str, name: &str, name_zh: &str) -> Term {
        let name = if name.trim().is_empty() {
            code
        } else {
            name.trim()
        };
        let name_zh = if name_zh.trim().is_empty() {
            name
        } else {
            name_zh.trim()
        };
        Term {
            code: code.trim().to_string(),
            name: name.to_string(),
            name_zh: name_zh.to_string(),
        }
    }

    /// The name in `locale`.
    pub fn localized(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.name,
            Locale::ZhCn => &self.name_zh,
        }
    }
}

/// A configuration entry that is either a bare code (`"it"`) or a table with names.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TermEntry {
    Code(String),
    Named(Term),
}

impl TermEntry {
    /// The entry as a term, names filled in.
    pub fn term(&self) -> Term {
        match self {
            TermEntry::Code(c) => Term::code_only(c),
            TermEntry::Named(t) => Term::new(&t.code, &t.name, &t.name_zh),
        }
    }
}

/// The lists of configured values, by name (`requisition_categories`, `inquiry_categories`,
/// `order_stages`). An option of the catalog names its list with `terms = "…"`.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    lists: BTreeMap<String, Vec<Term>>,
}

/// Case- and separator-insensitive form of a word (spaces, `-` and `_` alike).
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect::<String>()
        .to_lowercase()
}

impl Vocabulary {
    /// The names of the lists an option may draw on.
    pub const LISTS: &'static [&'static str] = &[
        "requisition_categories",
        "inquiry_categories",
        "order_stages",
    ];

    /// Sets the list `name`.
    pub fn set(&mut self, name: &str, terms: Vec<Term>) {
        self.lists.insert(name.to_string(), terms);
    }

    /// The list `name` (empty when not configured).
    pub fn list(&self, name: &str) -> &[Term] {
        self.lists.get(name).map_or(&[], Vec::as_slice)
    }

    /// The code of the term of list `name` whose code, English or Chinese name is `word`.
    pub fn resolve(&self, name: &str, word: &str) -> Option<&str> {
        let word = fold(word);
        self.list(name)
            .iter()
            .find(|t| fold(&t.code) == word || fold(&t.name) == word || fold(&t.name_zh) == word)
            .map(|t| t.code.as_str())
    }

    /// The name of `code` in list `name` for `locale`; the code itself when it is not listed.
    pub fn name<'a>(&'a self, name: &str, code: &'a str, locale: Locale) -> &'a str {
        self.list(name)
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| t.localized(locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let mut v = Vocabulary::default();
        v.set(
            "requisition_categories",
            vec![
                Term::new("it", "IT equipment", "IT设备"),
                Term::code_only("other"),
            ],
        );
        v
    }

    #[test]
    fn resolves_codes_and_both_names() {
        let v = vocab();
        for word in [
            "it",
            "IT",
            "IT equipment",
            "it-equipment",
            "IT设备",
            " it设备 ",
        ] {
            assert_eq!(
                v.resolve("requisition_categories", word),
                Some("it"),
                "{word}"
            );
        }
        assert_eq!(v.resolve("requisition_categories", "其他"), None);
        assert_eq!(v.resolve("order_stages", "it"), None);
    }

    #[test]
    fn names_fall_back_to_the_code() {
        let v = vocab();
        assert_eq!(
            v.name("requisition_categories", "it", Locale::ZhCn),
            "IT设备"
        );
        assert_eq!(
            v.name("requisition_categories", "other", Locale::ZhCn),
            "other"
        );
        assert_eq!(v.name("requisition_categories", "gone", Locale::En), "gone");
    }
}
