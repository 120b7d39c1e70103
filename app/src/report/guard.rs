//! The non-attribution check run before a version goes to the council: every place the draft
//! names a person on the review, names a session that identifies a person ("Leader
//! interview"), or quotes a note word for word. The authors fix each or confirm it; a version
//! cannot be sent while one is neither.

use serde::{Deserialize, Serialize};

use crate::report::{Block, BlockId};

/// A note quoted for this many words in a row counts as quoted.
pub const QUOTED_WORDS: usize = 6;

/// Words in a session's name that point at one person.
const PERSONAL_SESSIONS: &[&str] = &[
    "leader",
    "chief executive",
    "ceo",
    "mayor",
    "portfolio holder",
    "cabinet member",
    "director",
    "monitoring officer",
    "section 151",
    "s151",
    "1:1",
    "one-to-one",
    "interview",
    "chair",
];

named_enum! {
    /// What a finding is.
    pub enum FindingKind {
        Person = "person" => "Names a person on the review",
        Session = "session" => "Names a session that identifies a person",
        Note = "note" => "Quotes a note word for word",
    }
}

/// One place the draft may break non-attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable across runs while the text stays: what a confirmation names.
    pub key: String,
    pub block: BlockId,
    pub kind: FindingKind,
    /// The words found.
    pub text: String,
}

/// What the check looks for.
#[derive(Debug, Clone, Default)]
pub struct Sensitive {
    pub people: Vec<String>,
    pub sessions: Vec<String>,
    pub notes: Vec<String>,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_phrase(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The findings in `blocks` (and their practice fields).
pub fn check(blocks: &[Block], sensitive: &Sensitive) -> Vec<Finding> {
    let note_shingles: std::collections::HashSet<Vec<String>> = sensitive
        .notes
        .iter()
        .flat_map(|note| {
            let w = words(note);
            w.windows(QUOTED_WORDS)
                .map(<[String]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut findings = Vec::new();
    for block in blocks {
        let mut text = block.text.clone();
        if let Some(practice) = &block.practice {
            text = format!("{text}\n{}\n{}", practice.place, practice.contact);
        }
        let block_words = words(&text);
        let mut add = |kind: FindingKind, found: String| {
            let key = format!("{}:{}:{}", block.id, kind.as_str(), found.to_lowercase());
            if !findings.iter().any(|f: &Finding| f.key == key) {
                findings.push(Finding {
                    key,
                    block: block.id,
                    kind,
                    text: found,
                });
            }
        };
        for person in &sensitive.people {
            if contains_phrase(&block_words, &words(person)) {
                add(FindingKind::Person, person.clone());
            }
        }
        for session in &sensitive.sessions {
            let lower = session.to_lowercase();
            if PERSONAL_SESSIONS.iter().any(|p| lower.contains(p))
                && contains_phrase(&block_words, &words(session))
            {
                add(FindingKind::Session, session.trim().to_string());
            }
        }
        let mut i = 0;
        while i + QUOTED_WORDS <= block_words.len() {
            if note_shingles.contains(&block_words[i..i + QUOTED_WORDS]) {
                // Extend over the whole quoted run, reported once.
                let mut end = i + QUOTED_WORDS;
                while end < block_words.len()
                    && note_shingles.contains(&block_words[end + 1 - QUOTED_WORDS..=end])
                {
                    end += 1;
                }
                add(FindingKind::Note, block_words[i..end].join(" "));
                i = end;
            } else {
                i += 1;
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::BlockKind;

    fn block(text: &str) -> Block {
        Block {
            id: BlockId::new(),
            kind: BlockKind::Paragraph,
            text: text.into(),
            order: "V".into(),
            practice: None,
            source: None,
            rev: 1,
        }
    }

    fn sensitive() -> Sensitive {
        Sensitive {
            people: vec!["Helen Marsh".into()],
            sessions: vec!["Leader interview".into(), "Staff focus group".into()],
            notes: vec![
                "Partners describe the chief executive as visible and trusted by all".into(),
            ],
        }
    }

    #[test]
    fn names_sessions_and_quoted_notes_are_found() {
        let blocks = [
            block("As helen marsh told us, the council is ambitious."),
            block("In the Leader interview it was clear; the staff focus group agreed."),
            block("We heard that partners describe the chief executive as visible and trusted."),
        ];
        let findings = check(&blocks, &sensitive());
        let kinds: Vec<_> = findings.iter().map(|f| (f.kind, f.text.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (FindingKind::Person, "Helen Marsh"),
                (FindingKind::Session, "Leader interview"),
                (
                    FindingKind::Note,
                    "partners describe the chief executive as visible and trusted"
                ),
            ],
            "a staff focus group identifies no one"
        );
        assert!(findings[0].key.starts_with(&blocks[0].id.to_string()));
    }

    #[test]
    fn paraphrase_and_short_overlaps_pass() {
        let blocks = [block(
            "Partners see the chief executive as a visible, trusted leader of place.",
        )];
        assert!(check(&blocks, &sensitive()).is_empty());
        let blocks = [block("Helen is mentioned; Marsh too, but never together.")];
        assert!(check(&blocks, &sensitive()).is_empty());
    }
}
