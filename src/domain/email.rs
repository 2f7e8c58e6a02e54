//! Email addresses as people type them: one spelling per address, so that the same address
//! typed with a Chinese input method's full-width letters is the same address.

use unicode_normalization::UnicodeNormalization;

/// An address in the one form bizdesk stores and compares: trimmed, Unicode NFKC (full-width
/// `ｑ＠ｅｘａｍｐｌｅ．ｃｏｍ` becomes `q@example.com`), the ideographic full stop that IDNA
/// reads as a dot (`。`) made `.`, then lowercased. Whether it is an address at all is for the
/// caller's check.
pub fn normalize(text: &str) -> String {
    text.trim()
        .nfkc()
        .map(|c| if c == '\u{3002}' { '.' } else { c })
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn full_width_and_case_fold_to_one_spelling() {
        for typed in [
            "q@example.com",
            " Q@Example.COM ",
            "q@ｅｘａｍｐｌｅ.com",
            "Ｑ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
            "q@example。com",
            "q@example｡com",
        ] {
            assert_eq!(normalize(typed), "q@example.com", "{typed}");
        }
        assert_eq!(normalize("张三@例子.中国"), "张三@例子.中国");
    }
}
