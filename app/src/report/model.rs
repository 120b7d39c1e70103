//! The feedback report: a sequence of blocks drafted from the key messages, the rounds it goes
//! through (team draft → peer comments → sent to council → council comments → final → signed
//! off), the versions sent to the council, and comments anchored to text.

use serde::{Deserialize, Serialize};

use crate::accounts::PersonId;
use crate::review::ReviewType;
use crate::wall::{HeadingId, MessageId, MessageKind};

uuid_id! {
    /// Identifies a block of the report. Made by the browser that adds it, so a resend after a
    /// dropped connection adds nothing twice.
    pub struct BlockId;
}

uuid_id! {
    /// Identifies a comment thread. Made by the browser that starts it.
    pub struct CommentId;
}

named_enum! {
    /// What a block is.
    pub enum BlockKind {
        Heading = "heading" => "Heading",
        Paragraph = "paragraph" => "Paragraph",
        /// Numbered in the order they appear.
        Recommendation = "recommendation" => "Recommendation",
        /// Notable or other practice, and signposting: shown as a box and listed at the end.
        Practice = "practice" => "Practice example",
        Quote = "quote" => "Quote box",
    }
}

/// A practice example's structured part (its description is the block's text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    /// The council or body where it happens.
    pub place: String,
    /// Whom to contact, by role ("Head of Digital"), never by name.
    pub contact: String,
    /// A web page about it (http or https), or empty.
    pub link: String,
}

/// Where a block came from on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// A key message: its text and kind when the block was drafted from it (the block's own
    /// text may have been rewritten since; a message changed on the wall since is offered
    /// again as an addition).
    #[serde(rename = "message")]
    Message {
        id: MessageId,
        kind: MessageKind,
        text: String,
    },
    /// A wall heading, for the section heading drafted from it.
    #[serde(rename = "heading")]
    Heading { id: HeadingId },
}

/// One block of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub id: BlockId,
    pub kind: BlockKind,
    /// Plain text with light formatting (`report::format`).
    pub text: String,
    /// Its place in the report (see `wall::order`).
    pub order: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<Practice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Bumped by every change; an edit names the revision it started from.
    pub rev: u64,
}

impl Block {
    /// The key message it was drafted from, if any.
    pub fn message(&self) -> Option<MessageId> {
        match &self.source {
            Some(Source::Message { id, .. }) => Some(*id),
            _ => None,
        }
    }
}

named_enum! {
    /// The report's rounds, in order.
    #[derive(PartialOrd, Ord)]
    pub enum Round {
        /// The authors write; the peer team reads.
        TeamDraft = "team_draft" => "Team draft",
        /// The peers comment; the authors resolve their comments.
        PeerComments = "peer_comments" => "Peer comments",
        /// A numbered version went to the council; nothing has come back yet.
        SentToCouncil = "sent_to_council" => "Sent to council",
        /// The council is commenting on the version it was sent.
        CouncilComments = "council_comments" => "Council comments",
        /// The council's comments are in; the authors address each and send the final version.
        Final = "final" => "Final",
        /// The council signed off a final version; nothing changes after.
        SignedOff = "signed_off" => "Signed off",
    }
}

impl Round {
    /// Whether the council may comment in this round.
    pub fn council_comments_open(self) -> bool {
        matches!(self, Round::SentToCouncil | Round::CouncilComments)
    }

    /// Whether the authors may still change the draft.
    pub fn editable(self) -> bool {
        self != Round::SignedOff
    }
}

/// Limits, enforced by the server with a sentence and shown by the browser before sending.
pub const MAX_BLOCK_CHARS: usize = 10_000;
pub const MAX_COMMENT_CHARS: usize = 4_000;
pub const MAX_QUOTE_CHARS: usize = 1_000;
pub const MAX_PRACTICE_FIELD_CHARS: usize = 300;
pub const MAX_BLOCKS: usize = 600;
pub const MAX_COMMENTS: usize = 3_000;
pub const MAX_REPLIES: usize = 200;

/// A version sent to the council: frozen blocks and who sent it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub number: u32,
    pub blocks: Vec<Block>,
    pub sent_by: String,
    /// RFC 3339.
    pub sent_at: String,
    /// The authors' final version, for sign-off.
    pub final_version: bool,
}

/// A version as listed, without its blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub number: u32,
    pub sent_by: String,
    pub sent_at: String,
    pub final_version: bool,
}

impl From<&Version> for VersionSummary {
    fn from(version: &Version) -> Self {
        VersionSummary {
            number: version.number,
            sent_by: version.sent_by.clone(),
            sent_at: version.sent_at.clone(),
            final_version: version.final_version,
        }
    }
}

/// Where a comment sits: the words quoted and a little text either side (W3C Web Annotation's
/// text-quote selector), re-found after the block changes (`report::anchor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub exact: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
}

named_enum! {
    /// How a comment was closed. The council's comments are each addressed with one of the
    /// first three before the final version goes.
    pub enum Resolution {
        Accepted = "accepted" => "Accepted",
        Changed = "changed" => "Changed",
        Answered = "answered" => "Answered",
        /// A peer comment dealt with.
        Resolved = "resolved" => "Resolved",
        /// A suggestion the author turned down.
        Rejected = "rejected" => "Rejected",
    }
}

/// A reply in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub author: String,
    pub text: String,
    pub at: String,
}

/// A comment thread on words of a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: CommentId,
    pub block: BlockId,
    pub anchor: Anchor,
    pub text: String,
    /// A proposed replacement for the quoted words, accepted or rejected in one click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The council says the quoted words are not factually accurate.
    #[serde(default)]
    pub factual: bool,
    /// Made by the council (on a sent version) rather than the peer team.
    pub council: bool,
    /// The version it was made on (council comments), or none (the team draft).
    #[serde(default)]
    pub version: Option<u32>,
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<PersonId>,
    pub at: String,
    #[serde(default)]
    pub replies: Vec<Reply>,
    #[serde(default)]
    pub resolution: Option<Resolution>,
    #[serde(default)]
    pub resolved_by: Option<String>,
    pub rev: u64,
}

impl Comment {
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// Due dates the facilitator sets for the rounds (ISO dates, empty when not set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDates {
    #[serde(default)]
    pub peer_comments: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub council_comments: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub final_version: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub sign_off: Option<chrono::NaiveDate>,
}

/// The report as one person sees it: the team sees the draft, its comments and the versions;
/// the council sees only the versions sent to it and the council's threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub programme: ReviewType,
    pub round: Round,
    /// The live draft (the peer team and, in a PCI, the host lead); empty for the council.
    pub blocks: Vec<Block>,
    pub draft: bool,
    pub versions: Vec<VersionSummary>,
    /// For the council: the newest version sent to it, whole.
    #[serde(default)]
    pub latest: Option<Version>,
    pub comments: Vec<Comment>,
    pub due: DueDates,
    /// Signed off: which version, by whom, when.
    #[serde(default)]
    pub signed_off: Option<SignOff>,
    /// Non-attribution findings the authors confirmed for the next version.
    #[serde(default)]
    pub confirmed: Vec<String>,
}

/// The council's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub version: u32,
    pub by: String,
    pub at: String,
}

impl ReportView {
    /// Comments still open.
    pub fn open_comments(&self) -> usize {
        self.comments.iter().filter(|c| c.is_open()).count()
    }
}

/// What the review page shows of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportStatus {
    pub round: Round,
    pub open_comments: usize,
    pub versions: u32,
    /// When the current round is due, if set.
    pub due: Option<chrono::NaiveDate>,
}

/// Numbers each recommendation block in the order they appear (1, 2, …).
pub fn recommendation_numbers(blocks: &[Block]) -> std::collections::HashMap<BlockId, usize> {
    blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Recommendation)
        .enumerate()
        .map(|(i, b)| (b.id, i + 1))
        .collect()
}

/// Blocks in report order.
pub fn in_order(mut blocks: Vec<Block>) -> Vec<Block> {
    blocks.sort_by(|a, b| a.order.cmp(&b.order).then(a.id.cmp(&b.id)));
    blocks
}
