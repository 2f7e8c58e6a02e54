//! Links read out of the emails the test desk dropped as `.eml` files.

use crate::web::WebDesk;

/// The links (path and query, whatever host the email names) in the emails dropped for `to`,
/// newest email first, whose path starts with `prefix`. Reads both parts of each email
/// (quoted-printable and all: mail-parser decodes them).
pub fn links_in_emails(w: &WebDesk, to: &str, prefix: &str) -> Vec<String> {
    let dir = &w.d.config.smtp.drop_dir;
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| (p.metadata().unwrap().modified().unwrap(), p))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.reverse();
    let url = regex::Regex::new(r#"https?://[^/\s"'<>]+(/[^\s"'<>]*)"#).unwrap();
    let mut links = Vec::new();
    for (_, file) in files {
        let raw = std::fs::read(&file).unwrap();
        let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let for_them = m
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address())
            .is_some_and(|a| a.eq_ignore_ascii_case(to));
        if !for_them {
            continue;
        }
        let mut text = m.body_text(0).map(|t| t.to_string()).unwrap_or_default();
        if let Some(html) = m.body_html(0) {
            text.push('\n');
            text.push_str(&html.replace("&amp;", "&"));
        }
        for cap in url.captures_iter(&text) {
            let link = cap[1].trim_end_matches(['.', ',', ')', '>']).to_string();
            if link.starts_with(prefix) && !links.contains(&link) {
                links.push(link);
            }
        }
    }
    links
}
