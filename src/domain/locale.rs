//! The two languages bizdesk speaks.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A supported user language. Anything Chinese maps to `ZhCn`, everything else to `En`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

/// A stored tag (what [`Locale::tag`] wrote, or one of the aliases [`Locale::parse`] takes).
impl TryFrom<&str> for Locale {
    type Error = ();
    fn try_from(s: &str) -> Result<Locale, ()> {
        Locale::parse(s).ok_or(())
    }
}

impl Locale {
    /// The tag used for template folders and Discord localizations.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// Strict parse for configuration: only the two tags (case-insensitive) are accepted.
    pub fn parse(s: &str) -> Option<Locale> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" => Some(Locale::En),
            "zh-cn" | "zh" | "zh-hans" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    /// Lenient mapping of a client's locale (e.g. Discord's `zh-TW`, `de`) to the nearest one.
    pub fn nearest(s: &str) -> Locale {
        if s.to_ascii_lowercase().starts_with("zh") {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    /// The locale of a POSIX locale name (`LANG=zh_CN.UTF-8`, `en_GB`), when it is one of
    /// ours; `C`, `POSIX` and other languages tell nothing.
    pub fn from_posix(s: &str) -> Option<Locale> {
        let lang = s
            .split(['.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if lang.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if lang == "en" || lang.starts_with("en_") || lang.starts_with("en-") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Both locales, for loading catalogs.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_and_maps_client_locales() {
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::nearest("zh-TW"), Locale::ZhCn);
        assert_eq!(Locale::nearest("en-US"), Locale::En);
    }

    #[test]
    fn reads_posix_locale_names() {
        assert_eq!(Locale::from_posix("zh_CN.UTF-8"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_posix("en_GB.utf8@euro"), Some(Locale::En));
        assert_eq!(Locale::from_posix("C.UTF-8"), None);
        assert_eq!(Locale::from_posix("POSIX"), None);
        assert_eq!(Locale::from_posix("de_DE"), None);
    }
}
