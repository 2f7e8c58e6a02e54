//! Configuration problems: each names the file, the line when it can be found, the key, what
//! is wrong and how to fix it. Checks collect every problem, so an operator fixes them all in
//! one pass instead of one per start.

use std::fmt;

/// One thing wrong in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or environment variable, or "embedded defaults").
    pub file: String,
    /// The 1-based line of the key, when it could be found in the file's text.
    pub line: Option<usize>,
    /// The key, as a path: `employees[3].email`, `requisition.stages[1].quorum`.
    pub key: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: ", self.file)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "key `{}`: {}", self.key, self.message)
        }
    }
}

/// Every problem found by one check; an error when there is at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// `Ok(())` when nothing was found, else these problems as the error.
    pub fn into_result(self) -> Result<(), Problems> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Adds the problems of another check.
    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// Adds one problem.
    pub fn push(&mut self, file: &str, line: Option<usize>, key: &str, message: String) {
        self.0.push(Problem {
            file: file.to_string(),
            line,
            key: key.to_string(),
            message,
        });
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Said after problems in a built-in file (one used because the configured path is absent).
const EMBEDDED_HINT: &str =
    "\n(\"embedded\" files are bizdesk's built-in copies: copy the file from the \
     repository's config/ folder, change it, and point the settings at it: directory.file, \
     workflows.file, inquiries.routing_file, scheduler.file)";

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}")?,
            many => {
                write!(f, "{} problems in the configuration:", many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
            }
        }
        // A built-in file cannot be edited where it is: say how to get one that can.
        if self.0.iter().any(|p| p.file.starts_with("embedded ")) {
            f.write_str(EMBEDDED_HINT)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Finds the line of a key written as `array[index].key.more` (or `table.key`) in TOML text
/// laid out the usual way: `[[array]]` headers, one `key = value` per line. `None` when the
/// text is laid out otherwise (inline tables); the key path still says where.
pub fn locate(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    if !path.contains(['.', '[']) {
        // A key at the top, before any table; else a table of that name.
        let top = lines
            .iter()
            .take_while(|l| !l.trim_start().starts_with('['))
            .position(|l| is_assignment(l, path));
        if let Some(i) = top {
            return Some(i + 1);
        }
    }
    let (header, index, rest) = split_path(path)?;
    let mut seen = 0usize;
    let mut start = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        let is_header = match index {
            Some(_) => t.strip_prefix("[[").and_then(|s| s.strip_suffix("]]")),
            None => t
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .filter(|s| !s.starts_with('[')),
        };
        if is_header.map(str::trim) == Some(header) {
            if seen == index.unwrap_or(0) {
                start = Some(i);
                break;
            }
            seen += 1;
        }
    }
    let start = start?;
    let Some(key) = rest.split(['.', '[']).next().filter(|k| !k.is_empty()) else {
        return Some(start + 1);
    };
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim_start();
        if t.starts_with('[') {
            break;
        }
        if is_assignment(t, key) {
            return Some(i + 1);
        }
    }
    Some(start + 1)
}

/// Whether `line` is `key = ...`.
fn is_assignment(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix(key)
        .is_some_and(|after| after.trim_start().starts_with('='))
}

/// `employees[3].email` → (`employees`, Some(3), `email`); `company.currency` → (`company`,
/// None, `currency`); `requisition.stages[1].quorum` → (`requisition.stages`, Some(1), `quorum`).
fn split_path(path: &str) -> Option<(&str, Option<usize>, &str)> {
    if let Some(open) = path.find('[') {
        let close = open + path[open..].find(']')?;
        let index = path[open + 1..close].parse().ok()?;
        let rest = path[close + 1..].trim_start_matches('.');
        return Some((&path[..open], Some(index), rest));
    }
    let (table, key) = path.split_once('.').unwrap_or((path, ""));
    Some((table, None, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# c\n[[employees]]\nhandle = \"a\"\nemail = \"x\"\n\n[[employees]]\nhandle = \"b\"\nemail = \"y\"\n\n[[requisition.stages]]\nname = \"n\"\nquorum = 5\n";

    #[test]
    fn keys_are_found_on_their_lines() {
        assert_eq!(locate(TEXT, "employees[1].email"), Some(8));
        assert_eq!(locate(TEXT, "employees[0]"), Some(2));
        assert_eq!(
            locate(TEXT, "employees[0].roles"),
            Some(2),
            "absent: the entry"
        );
        assert_eq!(locate(TEXT, "employees[2].email"), None);
        assert_eq!(locate(TEXT, "requisition.stages[0].quorum"), Some(12));
        let top = "# c\ndefault_department = \"SVC\"\n[sla]\ncomplaint = 1\n";
        assert_eq!(locate(top, "default_department"), Some(2));
        assert_eq!(locate(top, "sla.complaint.high"), Some(4));
        assert_eq!(locate(top, "sla"), Some(3));
        assert_eq!(line_at(TEXT, 0), 1);
        assert_eq!(line_at(TEXT, 5), 2);
    }

    #[test]
    fn several_problems_are_listed_one_a_line() {
        let mut p = Problems::default();
        p.push("org.toml", Some(3), "employees[0].email", "bad".into());
        assert_eq!(p.to_string(), "org.toml:3: key `employees[0].email`: bad");
        p.push("org.toml", None, "departments[1].head", "worse".into());
        assert!(p.to_string().starts_with("2 problems"), "{p}");
        assert!(p
            .to_string()
            .contains("\n  - org.toml: key `departments[1].head`: worse"));
    }

    #[test]
    fn a_problem_in_a_built_in_file_says_how_to_get_an_editable_one() {
        let mut p = Problems::default();
        p.push("org.toml", Some(3), "employees[0].email", "bad".into());
        assert!(!p.to_string().contains("built-in"), "{p}");
        p.push(
            "embedded routing.toml",
            Some(7),
            "default_department",
            "no".into(),
        );
        assert!(p.to_string().ends_with(EMBEDDED_HINT), "{p}");
    }
}
