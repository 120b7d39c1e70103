//! What every part of the report page shares.

use crate::membership::{Action as Can, Role, allows_in};
use crate::report::state::{Notice, ReportState};
use crate::report::{Anchor, BlockId, BlockKind, Practice, Round};
use crate::review::ReviewType;
use leptos::prelude::*;

/// What every part of the page needs to know about the person and the review.
#[derive(Clone, Copy)]
pub(super) struct Page {
    pub(super) state: ReportState,
    pub(super) role: Role,
    pub(super) programme: ReviewType,
    /// Words selected for a comment: the block, and their anchor.
    pub(super) selection: RwSignal<Option<(BlockId, Anchor)>>,
    /// The block being edited, and the revision the edit builds on.
    pub(super) editing: RwSignal<Option<(BlockId, u64)>>,
    pub(super) draft: RwSignal<String>,
    pub(super) draft_kind: RwSignal<BlockKind>,
    pub(super) practice: RwSignal<Practice>,
    /// Bumped after a server function changed something the side panels show.
    pub(super) refreshed: RwSignal<u32>,
}

impl Page {
    pub(super) fn may(&self, action: Can) -> bool {
        allows_in(self.programme, self.role, action)
    }

    pub(super) fn round(&self) -> Option<Round> {
        self.state
            .confirmed
            .with(|v| v.as_ref().and_then(|v| v.as_ref()).map(|v| v.round))
    }

    pub(super) fn writes(&self) -> bool {
        self.may(Can::WriteReport) && self.round().is_some_and(Round::editable)
    }

    /// Whether the person may start a thread now.
    pub(super) fn comments_now(&self) -> bool {
        let Some(round) = self.round() else {
            return false;
        };
        if self.may(Can::ReadDraft) {
            self.may(Can::WriteReport) && round.editable()
                || self.may(Can::CommentOnDraft) && round == Round::PeerComments
        } else {
            self.may(Can::CommentAsCouncil) && round.council_comments_open()
        }
    }

    pub(super) fn notice(&self, message: impl Into<String>) {
        self.state.notice.set(Some(Notice::Error(message.into())));
    }
}
