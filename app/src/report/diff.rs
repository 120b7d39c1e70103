//! What changed between two versions, block by block, with the words changed inside a block.

use serde::{Deserialize, Serialize};

use crate::report::{Block, BlockKind};

/// A run of words, and whether it was added, removed or kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    pub change: Change,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Kept,
    Added,
    Removed,
}

/// One block's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockDiff {
    pub kind: BlockKind,
    pub change: Change,
    /// Kept blocks with changed text carry their words; others one run.
    pub words: Vec<Words>,
    pub changed: bool,
}

/// The blocks of `new` in order, with those of `old` that are gone in their old place.
pub fn diff(old: &[Block], new: &[Block]) -> Vec<BlockDiff> {
    let mut out = Vec::new();
    let mut old_left: Vec<&Block> = old.iter().collect();
    for block in new {
        match old_left.iter().position(|b| b.id == block.id) {
            Some(at) => {
                // Blocks removed before this one, in their place.
                for gone in old_left
                    .drain(..at)
                    .filter(|b| !new.iter().any(|n| n.id == b.id))
                {
                    out.push(whole(gone, Change::Removed));
                }
                let before = old_left.remove(0);
                out.push(changed(before, block));
            }
            None => match old.iter().find(|b| b.id == block.id) {
                // Moved: compared where it now is.
                Some(before) => out.push(changed(before, block)),
                None => out.push(whole(block, Change::Added)),
            },
        }
    }
    for gone in old_left
        .into_iter()
        .filter(|b| !new.iter().any(|n| n.id == b.id))
    {
        out.push(whole(gone, Change::Removed));
    }
    out
}

fn whole(block: &Block, change: Change) -> BlockDiff {
    BlockDiff {
        kind: block.kind,
        change,
        words: vec![Words {
            change,
            text: block.text.clone(),
        }],
        changed: true,
    }
}

fn changed(old: &Block, new: &Block) -> BlockDiff {
    if old.text == new.text && old.kind == new.kind && old.practice == new.practice {
        return BlockDiff {
            kind: new.kind,
            change: Change::Kept,
            words: vec![Words {
                change: Change::Kept,
                text: new.text.clone(),
            }],
            changed: false,
        };
    }
    let diff = similar::TextDiff::from_words(old.text.as_str(), new.text.as_str());
    let mut words: Vec<Words> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            similar::ChangeTag::Equal => Change::Kept,
            similar::ChangeTag::Insert => Change::Added,
            similar::ChangeTag::Delete => Change::Removed,
        };
        match words.last_mut() {
            Some(last) if last.change == kind => last.text.push_str(change.value()),
            _ => words.push(Words {
                change: kind,
                text: change.value().to_string(),
            }),
        }
    }
    BlockDiff {
        kind: new.kind,
        change: Change::Kept,
        words,
        changed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::BlockId;

    fn block(id: u128, text: &str) -> Block {
        Block {
            id: BlockId(uuid::Uuid::from_u128(id)),
            kind: BlockKind::Paragraph,
            text: text.into(),
            order: "V".into(),
            practice: None,
            source: None,
            rev: 1,
        }
    }

    #[test]
    fn added_removed_and_reworded_blocks() {
        let old = [
            block(1, "Kept as it was."),
            block(2, "Gone now."),
            block(3, "The council is ambitious."),
        ];
        let new = [
            block(1, "Kept as it was."),
            block(3, "The council is very ambitious."),
            block(4, "New."),
        ];
        let d = diff(&old, &new);
        let summary: Vec<_> = d.iter().map(|b| (b.change, b.changed)).collect();
        assert_eq!(
            summary,
            [
                (Change::Kept, false),
                (Change::Removed, true),
                (Change::Kept, true),
                (Change::Added, true)
            ]
        );
        let words: Vec<_> = d[2]
            .words
            .iter()
            .map(|w| (w.change, w.text.as_str()))
            .collect();
        assert_eq!(
            words,
            [
                (Change::Kept, "The council is "),
                (Change::Added, "very "),
                (Change::Kept, "ambitious.")
            ]
        );
    }
}
