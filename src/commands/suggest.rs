//! "Did you mean …?": the closest known name to a mistyped command, subcommand or option.
//!
//! Plain edit distance over characters (so Chinese names work too), with a small budget that
//! grows with the length of the word; ties go to the first candidate in catalog order, so the
//! answer is always the same.

/// Edit distance between two strings, counted in characters: insertions, deletions,
/// substitutions and swaps of two neighbours (`shwo` → `show`) each cost one.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// How many edits a word of `chars` characters may be away from a suggestion: one for short
/// words (and any Chinese word of two or more characters), up to three for long ones.
fn budget(chars: usize) -> usize {
    match chars {
        0..=1 => 0,
        2..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// The candidate closest to `word` (case-insensitive) within the edit budget, if any.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.trim().to_lowercase();
    let allowed = budget(word.chars().count());
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = edit_distance(&word, &candidate.to_lowercase());
        if d == 0 || d > allowed {
            continue;
        }
        if best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("requisiton", "requisition"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("采购申情", "采购申请"), 1);
        assert_eq!(edit_distance("shwo", "show"), 1);
    }

    #[test]
    fn suggests_the_nearest_within_budget() {
        let names = ["requisition", "approval", "inbox", "采购申请"];
        assert_eq!(closest("requisiton", names), Some("requisition"));
        assert_eq!(closest("Inbx", names), Some("inbox"));
        assert_eq!(closest("采购申情", names), Some("采购申请"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(closest("x", names), None);
    }
}
