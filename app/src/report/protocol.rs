//! The report socket's frames (`GET /ws/reviews/{review}/report`). The peer team's authors edit
//! blocks; everyone who may comment comments; everyone on it sees changes live. The council's
//! sockets carry only the versions sent to it and the council's threads, never the team draft.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::report::{
    Anchor, Block, BlockId, BlockKind, Comment, CommentId, Practice, ReportView, Resolution,
};

/// Identifies one change from a browser, so a resend after a dropped connection is applied once.
pub type OpId = uuid::Uuid;

/// A frame from the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReportClientMessage {
    /// Rewrite a block (its text, kind and practice fields), from revision `base`.
    Edit {
        op: OpId,
        block: BlockId,
        base: u64,
        kind: BlockKind,
        text: String,
        #[serde(default)]
        practice: Option<Practice>,
    },
    /// Add a block at `order` (made by the browser, between its neighbours' keys).
    Insert {
        op: OpId,
        block: Block,
    },
    Move {
        op: OpId,
        block: BlockId,
        order: String,
    },
    Delete {
        op: OpId,
        block: BlockId,
    },
    /// Undo a delete.
    Restore {
        op: OpId,
        block: BlockId,
    },
    /// Which block the sender is editing now (or none): shown to the others.
    Editing {
        block: Option<BlockId>,
    },
    /// Start a thread on words of a block.
    Comment {
        op: OpId,
        id: CommentId,
        block: BlockId,
        anchor: Anchor,
        text: String,
        #[serde(default)]
        suggestion: Option<String>,
        #[serde(default)]
        factual: bool,
    },
    Reply {
        op: OpId,
        comment: CommentId,
        text: String,
    },
    /// Close a thread with a resolution, or reopen it (`None`).
    Resolve {
        op: OpId,
        comment: CommentId,
        resolution: Option<Resolution>,
    },
    /// Put a suggestion's words into the block in place of the words it is on.
    AcceptSuggestion {
        op: OpId,
        comment: CommentId,
    },
}

impl ReportClientMessage {
    /// The change's id; `Editing` is not a change and has none.
    pub fn op(&self) -> Option<OpId> {
        use ReportClientMessage as M;
        match self {
            M::Edit { op, .. }
            | M::Insert { op, .. }
            | M::Move { op, .. }
            | M::Delete { op, .. }
            | M::Restore { op, .. }
            | M::Comment { op, .. }
            | M::Reply { op, .. }
            | M::Resolve { op, .. }
            | M::AcceptSuggestion { op, .. } => Some(*op),
            M::Editing { .. } => None,
        }
    }
}

/// Someone editing a block now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editor {
    pub name: String,
    pub block: BlockId,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReportServerMessage {
    /// The report as the receiver may see it (none drafted yet: `None`): on joining, and after
    /// a round changes.
    Report {
        view: Option<ReportView>,
        me: String,
    },
    /// The change is saved.
    Ack {
        op: OpId,
    },
    /// The change was refused and nothing changed; with a stale edit, the block as it is now.
    Rejected {
        op: OpId,
        error: AppError,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current: Option<Block>,
    },
    /// A block changed, was added, moved, deleted (`deleted`) or restored.
    Block {
        block: Block,
        deleted: bool,
    },
    /// A thread started or changed.
    Comment {
        comment: Comment,
    },
    Editors {
        editors: Vec<Editor>,
    },
    /// A problem with a frame rather than a change (malformed, too large, too fast).
    Error {
        error: AppError,
    },
}
