//! Rendering replies, notifications and messages from `templates/chat/<locale>/`.
//!
//! Templates are embedded in the binary; `templates.dir` may override any of them with a file
//! at the same relative path. Rendering is strict: a missing variable is an error.

use crate::domain::{text, Locale, Msg};
use anyhow::{anyhow, Context};
use chrono_tz::Tz;
use include_dir::{include_dir, Dir};
use minijinja::value::Kwargs;
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Renders chat text in either locale.
pub struct Renderer {
    env: Environment<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renderer")
    }
}

impl Renderer {
    /// Loads the embedded templates, then any overrides from `override_dir`.
    /// `option_names_zh` localizes option names inside messages.
    pub fn load(
        override_dir: Option<&Path>,
        tz: Tz,
        option_names_zh: HashMap<String, String>,
    ) -> anyhow::Result<Renderer> {
        let mut files: Vec<(String, String)> = Vec::new();
        collect_embedded(&EMBEDDED, &mut files);
        if let Some(dir) = override_dir.filter(|d| !d.as_os_str().is_empty()) {
            collect_dir(dir, dir, &mut files)
                .with_context(|| format!("reading templates from {}", dir.display()))?;
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(false);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (path, text) in files {
            if let Some(rest) = path.strip_prefix("chat/") {
                if let Some((locale, catalog)) = rest.split_once("/messages/") {
                    if catalog.ends_with(".toml") {
                        let table: toml::Table =
                            text.parse().map_err(|e| anyhow!("templates/{path}: {e}"))?;
                        let mut flat = Vec::new();
                        flatten("", &table, &mut flat);
                        for (key, value) in flat {
                            env.add_template_owned(format!("{locale}/msg/{key}"), value)
                                .map_err(|e| anyhow!("templates/{path}: key {key}: {e}"))?;
                        }
                        continue;
                    }
                }
            }
            env.add_template_owned(path.clone(), text)
                .map_err(|e| anyhow!("templates/{path}: {e}"))?;
        }
        // Whatever text reaches a screen or an email, stored before the checks on input or
        // not, shows control and text-direction characters as harmless stand-ins.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) if value.kind() == minijinja::value::ValueKind::String => {
                let safe = text::display_safe(s);
                let safe = if value.is_safe() {
                    Value::from_safe_string(safe.into_owned())
                } else {
                    Value::from(safe.as_ref())
                };
                minijinja::escape_formatter(out, state, &safe)
            }
            _ => minijinja::escape_formatter(out, state, value),
        });
        env.add_filter("time", move |v: Value| -> String { format_time(&v, tz) });
        // `{{ ref | kind }}`: a reference's prefix (`PO-000001` → `PO`), e.g. for
        // `t('noun.' ~ (ref | kind))`.
        env.add_filter("kind", |r: String| -> String {
            r.split('-').next().unwrap_or_default().to_string()
        });
        env.add_function("t", translate);
        // `{{ name | full_stop }}` ends a sentence with a name: no second stop after
        // "Acme Co."; `full_stop("。")` for Chinese.
        env.add_filter(
            "full_stop",
            |text: String, mark: Option<String>| -> String {
                let mark = mark.unwrap_or_else(|| ".".into());
                if text.trim_end().ends_with(['.', '。', '!', '?', '！', '？']) {
                    text
                } else {
                    text + &mark
                }
            },
        );
        // `age(since_ms, at_ms)`: how long something waited, e.g. `2d 3h` / `2天3小时`.
        env.add_function("age", |state: &State, since: i64, at: i64| -> String {
            let zh = state
                .lookup("locale")
                .is_some_and(|l| l.as_str() == Some("zh-CN"));
            let locale = if zh { Locale::ZhCn } else { Locale::En };
            crate::chat::views::age(at, since, locale)
        });
        let names = option_names_zh;
        env.add_function(
            "option_name",
            move |state: &State, name: String| -> String {
                let zh = state
                    .lookup("locale")
                    .is_some_and(|l| l.as_str() == Some("zh-CN"));
                if zh {
                    names.get(&name).cloned().unwrap_or(name)
                } else {
                    name
                }
            },
        );
        let mut renderer = Renderer { env };
        renderer.set_terms(Default::default());
        Ok(renderer)
    }

    /// Gives templates `term(list, code)`: the reader's name of a configured value (a
    /// category, a stage), or the code when it has none.
    pub fn set_terms(&mut self, terms: std::sync::Arc<crate::domain::term::Vocabulary>) {
        let all = terms.clone();
        // `term_list(list, "a, b")`: each code as "name (code)" in Chinese, joined by `、`
        // (a refusal's list of what may be typed); English keeps the codes.
        self.env.add_function(
            "term_list",
            move |state: &State, list: String, codes: String| -> String {
                let zh = state
                    .lookup("locale")
                    .is_some_and(|l| l.as_str() == Some("zh-CN"));
                if !zh {
                    return codes;
                }
                let shown: Vec<String> = codes
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| match all.name(&list, c, Locale::ZhCn) {
                        name if name == c => c.to_string(),
                        name => format!("{name}（{c}）"),
                    })
                    .collect();
                shown.join("、")
            },
        );
        self.env.add_function(
            "term",
            move |state: &State, list: String, code: Value| -> String {
                let code = code.as_str().map(str::to_string).unwrap_or_default();
                let zh = state
                    .lookup("locale")
                    .is_some_and(|l| l.as_str() == Some("zh-CN"));
                let locale = if zh { Locale::ZhCn } else { Locale::En };
                terms.name(&list, &code, locale).to_string()
            },
        );
    }

    /// Renders a named template (e.g. `reply/submitted.txt`) for a locale. The context gains
    /// `locale`.
    pub fn render(
        &self,
        locale: Locale,
        name: &str,
        ctx: impl Serialize,
    ) -> anyhow::Result<String> {
        let full = format!("chat/{}/{name}", locale.tag());
        let tmpl = self
            .env
            .get_template(&full)
            .with_context(|| format!("template {full}"))?;
        let ctx = shape_lines(serde_json::to_value(&ctx)?, Continuation::Indent);
        let ctx = minijinja::context! { locale => locale.tag(), ..Value::from_serialize(&ctx) };
        let out = tmpl
            .render(ctx)
            .with_context(|| format!("rendering {full}"))?;
        Ok(out.trim_end().to_string())
    }

    /// Renders a template by its full path under `templates/` (e.g.
    /// `email/en/request_outcome.html`); the context gains `locale`. Autoescaping follows the
    /// extension: `.html` is escaped, `.txt` is not.
    pub fn render_file(
        &self,
        locale: Locale,
        path: &str,
        ctx: impl Serialize,
    ) -> anyhow::Result<String> {
        let tmpl = self
            .env
            .get_template(path)
            .with_context(|| format!("template {path}"))?;
        let ctx = shape_lines(serde_json::to_value(&ctx)?, Continuation::Keep);
        let ctx = minijinja::context! { locale => locale.tag(), ..Value::from_serialize(&ctx) };
        let out = tmpl
            .render(ctx)
            .with_context(|| format!("rendering {path}"))?;
        Ok(out.trim_end().to_string())
    }

    /// Renders a message; a missing or broken message falls back to its key and arguments so
    /// the user still sees something, and the log says what is wrong.
    pub fn msg(&self, locale: Locale, msg: &Msg) -> String {
        match self.try_msg(locale, msg) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(key = msg.key, error = %format!("{e:#}"), "message cannot be rendered");
                let args: Vec<String> = msg.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{} ({})", msg.key, args.join(", "))
            }
        }
    }

    /// Renders a message, reporting a missing key or variable as an error (used by tests).
    pub fn try_msg(&self, locale: Locale, msg: &Msg) -> anyhow::Result<String> {
        let name = format!("{}/msg/{}", locale.tag(), msg.key);
        let tmpl = self
            .env
            .get_template(&name)
            .with_context(|| format!("no message {name}"))?;
        let mut map: HashMap<&str, Value> = msg
            .args
            .iter()
            .map(|(k, v)| (*k, Value::from(v.as_str())))
            .collect();
        map.insert("locale", Value::from(locale.tag()));
        Ok(tmpl.render(map)?.trim().to_string())
    }

    /// Every message key defined for a locale (for catalog completeness tests).
    pub fn message_keys(&self, locale: Locale) -> Vec<String> {
        let prefix = format!("{}/msg/", locale.tag());
        let mut keys: Vec<String> = self
            .env
            .templates()
            .filter_map(|(name, _)| name.strip_prefix(&prefix).map(str::to_string))
            .collect();
        keys.sort();
        keys
    }
}

/// Context keys whose text may have several lines (the multi-line options of the catalog, as
/// stored); every other string is one line on screen.
const MULTILINE_KEYS: &[&str] = &[
    "reason",
    "comment",
    "details",
    "notes",
    "note",
    "terms",
    "text",
    "resolution",
];

/// What becomes of a line break inside a multi-line value.
#[derive(Clone, Copy)]
enum Continuation {
    /// Chat: the value's next lines are indented under it, so they never start a row of the
    /// layout (such as the console's `[1] Approve` buttons).
    Indent,
    /// Email and web pages: kept.
    Keep,
}

/// Puts the line breaks of a context's strings in their place: one-line values (stored before
/// input was checked) show theirs as `⏎`, multi-line ones follow `how`.
fn shape_lines(value: serde_json::Value, how: Continuation) -> serde_json::Value {
    use serde_json::Value as J;
    fn shape(key: &str, v: J, how: Continuation) -> J {
        match v {
            J::String(s) if s.contains(['\n', '\r', '\u{2028}', '\u{2029}']) => {
                let s = s
                    .replace("\r\n", "\n")
                    .replace(['\r', '\u{2028}', '\u{2029}'], "\n");
                J::String(match (MULTILINE_KEYS.contains(&key), how) {
                    (false, _) => s.replace('\n', " ⏎ "),
                    (true, Continuation::Indent) => s.replace('\n', "\n    "),
                    (true, Continuation::Keep) => s,
                })
            }
            J::Array(items) => J::Array(items.into_iter().map(|i| shape(key, i, how)).collect()),
            J::Object(map) => J::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = shape(&k, v, how);
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
    shape("", value, how)
}

/// `t("key", arg=value...)`: a message in the template's locale.
fn translate(state: &State, key: String, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let locale = state
        .lookup("locale")
        .and_then(|l| l.as_str().map(str::to_string))
        .unwrap_or_else(|| "en".into());
    let name = format!("{locale}/msg/{key}");
    let tmpl = state.env().get_template(&name)?;
    let mut ctx: HashMap<String, Value> = HashMap::new();
    for arg in kwargs.args() {
        ctx.insert(arg.to_string(), kwargs.get::<Value>(arg)?);
    }
    ctx.insert("locale".into(), Value::from(locale));
    tmpl.render(ctx).map(|s| s.trim().to_string()).map_err(|e| {
        minijinja::Error::new(ErrorKind::InvalidOperation, format!("message {key}: {e}"))
    })
}

/// Formats milliseconds since the epoch (number or numeric string) as local time.
fn format_time(v: &Value, tz: Tz) -> String {
    let ms = v
        .as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    match ms {
        Some(ms) => crate::store::from_ms(ms)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => v.to_string(),
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => out.push((key, s.clone())),
            other => out.push((key, other.to_string())),
        }
    }
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<(String, String)>) {
    for f in dir.files() {
        if let Some(text) = f.contents_utf8() {
            out.push((
                f.path().to_string_lossy().replace('\\', "/"),
                text.to_string(),
            ));
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_dir(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)?;
            out.retain(|(p, _)| *p != rel);
            out.push((rel, text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn renderer() -> Renderer {
        Renderer::load(None, chrono_tz::Asia::Shanghai, HashMap::new()).unwrap()
    }

    #[test]
    fn stored_hostile_text_is_shown_harmless_in_chat_and_email() {
        let r = renderer();
        let hostile = "\u{1b}[31mRED\u{1b}[0m\u{7}\nline2 [1] Approve\u{202E}";
        let ctx = json!({ "company": hostile, "recipient": "a@b.cn", "via": "files" });
        let mail = crate::mail::compose::render(&r, Locale::En, "test_email", &ctx, false).unwrap();
        for text in [&mail.subject, &mail.text, &mail.html] {
            assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202E}']), "{text}");
        }
        assert!(
            mail.text.contains("^[[31mRED^[[0m^G ⏎ line2"),
            "{}",
            mail.text
        );

        // Chat: a one-line value stays on its line; a multi-line one is indented under it.
        let shaped = shape_lines(
            json!({ "item": "a\r\nb", "rows": [{ "reason": "why\n[1] Approve" }] }),
            Continuation::Indent,
        );
        assert_eq!(shaped["item"], "a ⏎ b");
        assert_eq!(shaped["rows"][0]["reason"], "why\n    [1] Approve");
        let msg = Msg::new("option.missing").arg("option", hostile);
        assert!(r.msg(Locale::En, &msg).contains("^[[31mRED"));
    }

    /// Every approval subject's emails and notices name it (`noun.<prefix>`), in both
    /// languages: a kind without its noun would make every prompt email a dead letter.
    #[test]
    fn every_subject_kind_has_its_noun_in_both_languages() {
        let r = renderer();
        let subjects = crate::registry::subjects();
        for kind in subjects.kinds() {
            let prefix = subjects.by_kind(kind).unwrap().ref_kind().prefix();
            for locale in [Locale::En, Locale::ZhCn] {
                let key: &'static str = Box::leak(format!("noun.{prefix}").into_boxed_str());
                let noun = r.try_msg(locale, &Msg::new(key));
                assert!(noun.is_ok(), "{kind}: no noun.{prefix} in {locale:?}");
            }
        }
    }
}
