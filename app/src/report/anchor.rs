//! Re-finding a comment's words after its block changed: the quote itself when it is still
//! there (its context deciding between several), else the closest stretch of text within a
//! quarter of the quote's length in edits, else nothing — the comment is then shown as being
//! "on text that has changed", never dropped.

use crate::report::Anchor;

/// How much context either side is kept with a quote.
pub const CONTEXT_CHARS: usize = 32;

/// Makes the anchor for `exact` at char offset `start` of `text`.
pub fn anchor_at(text: &str, start: usize, exact: &str) -> Anchor {
    let chars: Vec<char> = text.chars().collect();
    let end = (start + exact.chars().count()).min(chars.len());
    let from = start.saturating_sub(CONTEXT_CHARS);
    let to = (end + CONTEXT_CHARS).min(chars.len());
    Anchor {
        exact: exact.to_string(),
        prefix: chars[from..start.min(chars.len())].iter().collect(),
        suffix: chars[end..to].iter().collect(),
    }
}

/// The anchor for the first place `exact` occurs in `text`, or None when it does not.
pub fn anchor_first(text: &str, exact: &str) -> Option<Anchor> {
    let byte = text.find(exact)?;
    let start = text[..byte].chars().count();
    Some(anchor_at(text, start, exact))
}

/// Where the anchored words are in `text` now, as a char range; None when they are gone.
pub fn locate(text: &str, anchor: &Anchor) -> Option<std::ops::Range<usize>> {
    let exact: Vec<char> = anchor.exact.chars().collect();
    if exact.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let exact_hits = occurrences(&chars, &exact);
    if !exact_hits.is_empty() {
        let best = exact_hits.into_iter().max_by_key(|&start| {
            (
                context_score(&chars, start, exact.len(), anchor),
                usize::MAX - start,
            )
        })?;
        return Some(best..best + exact.len());
    }
    fuzzy(&chars, &exact)
}

/// `text` with the anchored words replaced by `replacement`; None when they cannot be found.
pub fn replace(text: &str, anchor: &Anchor, replacement: &str) -> Option<String> {
    let range = locate(text, anchor)?;
    let chars: Vec<char> = text.chars().collect();
    let mut out: String = chars[..range.start].iter().collect();
    out.push_str(replacement);
    out.extend(chars[range.end..].iter());
    Some(out)
}

fn occurrences(chars: &[char], exact: &[char]) -> Vec<usize> {
    if exact.len() > chars.len() {
        return Vec::new();
    }
    (0..=chars.len() - exact.len())
        .filter(|&i| chars[i..i + exact.len()] == *exact)
        .collect()
}

/// How many chars of the stored context still sit next to the quote at `start`.
fn context_score(chars: &[char], start: usize, len: usize, anchor: &Anchor) -> usize {
    let before = chars[..start].iter().rev();
    let prefix = anchor.prefix.chars().rev();
    let left = before.zip(prefix).take_while(|(a, b)| **a == *b).count();
    let after = chars[start + len..].iter();
    let right = after
        .zip(anchor.suffix.chars())
        .take_while(|(a, b)| **a == *b)
        .count();
    left + right
}

/// The stretch of `chars` closest to `exact` by edit distance (Sellers' approximate substring
/// match), when within a quarter of the quote's length.
fn fuzzy(chars: &[char], exact: &[char]) -> Option<std::ops::Range<usize>> {
    let allowed = exact.len() / 4;
    if allowed == 0 || chars.is_empty() {
        return None;
    }
    // Row i holds, for each end j in the text, the cost of matching exact[..i] ending at j and
    // where that match started.
    let n = chars.len();
    let mut previous: Vec<(usize, usize)> = (0..=n).map(|j| (0, j)).collect();
    let mut current = vec![(0usize, 0usize); n + 1];
    for (i, &p) in exact.iter().enumerate() {
        current[0] = (i + 1, 0);
        for j in 1..=n {
            let substitute = (
                previous[j - 1].0 + usize::from(chars[j - 1] != p),
                previous[j - 1].1,
            );
            let delete = (previous[j].0 + 1, previous[j].1);
            let insert = (current[j - 1].0 + 1, current[j - 1].1);
            current[j] = [substitute, delete, insert]
                .into_iter()
                .min_by_key(|(cost, _)| *cost)
                .unwrap_or(substitute);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let (end, (cost, start)) = previous
        .iter()
        .enumerate()
        .skip(1)
        .min_by_key(|(_, (cost, _))| *cost)?;
    (*cost <= allowed && end > *start).then_some(*start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The council has a clear vision for the place. Partners trust the leader. \
                        The council has a clear plan for its finances.";

    fn found(text: &str, anchor: &Anchor) -> Option<String> {
        locate(text, anchor).map(|r| text.chars().skip(r.start).take(r.len()).collect())
    }

    #[test]
    fn the_quote_is_found_where_it_is() {
        let anchor = anchor_first(TEXT, "Partners trust the leader").unwrap();
        let before = &TEXT[..TEXT.find("Partners").unwrap()];
        let expected: String = before
            .chars()
            .skip(before.chars().count() - CONTEXT_CHARS)
            .collect();
        assert_eq!(anchor.prefix, expected);
        assert!(anchor.suffix.starts_with(". The council has"));
        assert_eq!(
            found(TEXT, &anchor).as_deref(),
            Some("Partners trust the leader")
        );
    }

    #[test]
    fn edits_before_and_after_the_quote_do_not_move_it() {
        let anchor = anchor_first(TEXT, "Partners trust the leader").unwrap();
        let edited = format!("New opening sentence. {TEXT} And a closing one.");
        assert_eq!(
            found(&edited, &anchor).as_deref(),
            Some("Partners trust the leader")
        );
        let range = locate(&edited, &anchor).unwrap();
        assert_eq!(
            range.start,
            "New opening sentence. ".len() + TEXT.find("Partners").unwrap()
        );
    }

    #[test]
    fn context_decides_between_repeated_words() {
        let text = "The council has a clear plan for its finances.";
        let second = TEXT.rfind("The council has a clear").unwrap();
        let anchor = anchor_at(
            TEXT,
            TEXT[..second].chars().count(),
            "The council has a clear",
        );
        let range = locate(TEXT, &anchor).unwrap();
        assert_eq!(range.start, second, "the second occurrence, by its context");
        assert!(text.starts_with(&anchor.exact));
    }

    #[test]
    fn an_edit_inside_the_quote_is_found_fuzzily() {
        let anchor = anchor_first(TEXT, "Partners trust the leader").unwrap();
        let edited = TEXT.replace("Partners trust the leader", "Partners trusts the Leader");
        assert_eq!(
            found(&edited, &anchor).as_deref(),
            Some("Partners trusts the Leader")
        );
    }

    #[test]
    fn a_deleted_quote_is_not_found() {
        let anchor = anchor_first(TEXT, "Partners trust the leader").unwrap();
        let edited = TEXT.replace("Partners trust the leader. ", "");
        assert_eq!(found(&edited, &anchor), None);
        assert_eq!(found("", &anchor), None);
        // A rewrite beyond a quarter of the quote is not the same words.
        let rewritten = TEXT.replace("Partners trust the leader", "Residents doubt everyone");
        assert_eq!(found(&rewritten, &anchor), None);
    }

    #[test]
    fn replacing_the_quote_keeps_the_rest() {
        let anchor = anchor_first(TEXT, "clear vision").unwrap();
        let changed = replace(TEXT, &anchor, "shared vision").unwrap();
        assert!(changed.starts_with("The council has a shared vision for the place."));
        assert!(changed.ends_with("a clear plan for its finances."));
    }

    #[test]
    fn non_ascii_text_is_counted_in_chars() {
        let text = "Café culture — “strong” partnerships with Ōtautahi.";
        let anchor = anchor_first(text, "“strong” partnerships").unwrap();
        assert_eq!(
            found(text, &anchor).as_deref(),
            Some("“strong” partnerships")
        );
        assert_eq!(anchor.prefix, "Café culture — ");
    }
}
