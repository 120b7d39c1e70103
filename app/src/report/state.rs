//! The browser's side of the report: the report as the server confirmed it, the changes not yet
//! confirmed (kept in browser storage, so nothing is lost on a reload or a dropped connection,
//! and sent again on reconnection), who is editing what, and the conflicts to choose between.

use leptos::prelude::*;

use crate::browser::Reconnecting;
use crate::report::protocol::{Editor, OpId, ReportClientMessage, ReportServerMessage};
use crate::report::{Block, BlockId, Comment, ReportView, in_order};
use crate::review::ReviewId;

/// A change the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub op: OpId,
    pub message: ReportClientMessage,
}

/// Two people rewrote one block: this person's words were refused; both are kept to choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub block: BlockId,
    pub mine: String,
    pub theirs: Block,
}

/// Something to say: an error, or a delete that can be undone.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Error(String),
    Deleted(BlockId),
    /// A block moved from this place (its old order key).
    Moved(BlockId, String),
}

/// Everything the report page's components share.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct ReportState {
    pub review: ReviewId,
    /// The report as the server last said (outer None: not heard yet; inner: none drafted).
    pub confirmed: RwSignal<Option<Option<ReportView>>>,
    pub me: RwSignal<String>,
    pub pending: RwSignal<Vec<Pending>>,
    pub editors: RwSignal<Vec<Editor>>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub notice: RwSignal<Option<Notice>>,
    pub live: RwSignal<bool>,
    /// The draft's blocks as shown: the confirmed ones with unconfirmed changes on top.
    pub blocks: Memo<Vec<Block>>,
    socket: Reconnecting,
}

fn storage_key(review: ReviewId) -> String {
    format!("peerwall.report.{review}.pending")
}

/// `blocks` with the unconfirmed changes applied.
pub fn with_pending(mut blocks: Vec<Block>, pending: &[Pending]) -> Vec<Block> {
    use ReportClientMessage as M;
    for change in pending {
        match &change.message {
            M::Edit {
                block,
                kind,
                text,
                practice,
                ..
            } => {
                if let Some(b) = blocks.iter_mut().find(|b| b.id == *block) {
                    b.kind = *kind;
                    b.text = text.clone();
                    b.practice = practice.clone();
                }
            }
            M::Insert { block, .. } if !blocks.iter().any(|b| b.id == block.id) => {
                blocks.push(block.clone());
            }
            M::Move { block, order, .. } => {
                if let Some(b) = blocks.iter_mut().find(|b| b.id == *block) {
                    b.order = order.clone();
                }
            }
            M::Delete { block, .. } => blocks.retain(|b| b.id != *block),
            _ => {}
        }
    }
    in_order(blocks)
}

impl ReportState {
    /// Opens the report's socket for as long as the calling component lives.
    pub fn new(review: ReviewId) -> Self {
        let confirmed = RwSignal::new(None::<Option<ReportView>>);
        let pending = RwSignal::new(load_pending(review));
        let blocks = Memo::new(move |_| {
            let base = confirmed.with(|v| {
                v.as_ref()
                    .and_then(|v| v.as_ref())
                    .map(|v| v.blocks.clone())
                    .unwrap_or_default()
            });
            pending.with(|p| with_pending(base, p))
        });
        let state = Self {
            review,
            confirmed,
            me: RwSignal::new(String::new()),
            pending,
            editors: RwSignal::new(Vec::new()),
            conflicts: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            live: RwSignal::new(false),
            blocks,
            socket: Reconnecting::new(),
        };
        Effect::new(move |_| state.connect());
        // The report as it stands, over plain HTTP too: a page whose socket cannot get through
        // (a proxy, no signal) still shows it, with its unsaved changes on top.
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(view) = crate::report::get_report(review).await
                && state.confirmed.try_get_untracked().flatten().is_none()
            {
                state.confirmed.try_set(Some(view));
            }
        });
        state
    }

    /// The report as confirmed (None until it is known and drafted).
    pub fn view(&self) -> Option<ReportView> {
        self.confirmed.get().flatten()
    }

    /// Sends a change: kept until the server confirms it.
    pub fn change(&self, message: ReportClientMessage) {
        if let Some(op) = message.op() {
            self.pending.update(|p| {
                p.push(Pending {
                    op,
                    message: message.clone(),
                });
            });
            self.pending
                .with_untracked(|p| save_pending(self.review, p));
        }
        self.send(&message);
    }

    /// Says which block this person is editing (not kept: it matters only now).
    pub fn editing(&self, block: Option<BlockId>) {
        self.send(&ReportClientMessage::Editing { block });
    }

    fn send(&self, message: &ReportClientMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            self.socket.send(&text);
        }
    }

    fn confirm(&self, op: OpId) {
        self.pending.update(|p| p.retain(|change| change.op != op));
        self.pending
            .with_untracked(|p| save_pending(self.review, p));
    }

    /// Takes in one frame from the server.
    pub fn receive(&self, message: ReportServerMessage) {
        match message {
            ReportServerMessage::Report { view, me } => {
                self.socket.answered();
                self.me.set(me);
                self.confirmed.set(Some(view));
            }
            ReportServerMessage::Ack { op } => self.confirm(op),
            ReportServerMessage::Rejected { op, error, current } => {
                let refused = self
                    .pending
                    .with_untracked(|p| p.iter().find(|c| c.op == op).cloned());
                if error.code == crate::error::ErrorCode::RateLimited {
                    // Sent again shortly, in order.
                    #[cfg(feature = "hydrate")]
                    {
                        let state = *self;
                        set_timeout(
                            move || state.resend(),
                            std::time::Duration::from_millis(1_000),
                        );
                    }
                    return;
                }
                self.confirm(op);
                match (refused.map(|c| c.message), current) {
                    (Some(ReportClientMessage::Edit { block, text, .. }), Some(theirs)) => {
                        self.set_block(theirs.clone(), false);
                        self.conflicts.update(|c| {
                            c.retain(|c| c.block != block);
                            c.push(Conflict {
                                block,
                                mine: text,
                                theirs,
                            });
                        });
                    }
                    _ => self.notice.set(Some(Notice::Error(error.message))),
                }
            }
            ReportServerMessage::Block { block, deleted } => self.set_block(block, deleted),
            ReportServerMessage::Comment { comment } => self.set_comment(comment),
            ReportServerMessage::Editors { editors } => self.editors.set(editors),
            ReportServerMessage::Error { error } => {
                self.notice.set(Some(Notice::Error(error.message)));
            }
        }
    }

    fn set_block(&self, block: Block, deleted: bool) {
        self.confirmed.update(|view| {
            if let Some(Some(view)) = view {
                view.blocks.retain(|b| b.id != block.id);
                if !deleted {
                    view.blocks.push(block);
                }
                view.blocks = in_order(std::mem::take(&mut view.blocks));
            }
        });
    }

    fn set_comment(&self, comment: Comment) {
        self.confirmed.update(|view| {
            if let Some(Some(view)) = view {
                match view.comments.iter_mut().find(|c| c.id == comment.id) {
                    Some(existing) => *existing = comment,
                    None => view.comments.push(comment),
                }
            }
        });
    }

    /// Sends every unconfirmed change again, in order (the server applies each once).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn resend(&self) {
        let pending = self.pending.get_untracked();
        for change in pending {
            self.send(&change.message);
        }
    }

    fn connect(&self) {
        #[cfg(feature = "hydrate")]
        {
            let state = *self;
            self.socket.open(
                format!("/ws/reviews/{}/report", self.review),
                move || {
                    state.live.set(true);
                    state.resend();
                },
                move |text| match serde_json::from_str::<ReportServerMessage>(&text) {
                    Ok(message) => state.receive(message),
                    Err(_) => state
                        .notice
                        .set(Some(Notice::Error(crate::browser::NOT_UNDERSTOOD.into()))),
                },
                move |code| {
                    state.live.set(false);
                    // 1008: access ended (its error frame said why); trying again cannot help.
                    if code == 1008 {
                        state.notice.set(Some(Notice::Error(
                            "You no longer have access to this report.".into(),
                        )));
                    }
                    code != 1008
                },
            );
        }
    }
}

fn load_pending(review: ReviewId) -> Vec<Pending> {
    crate::browser::load_list(&storage_key(review))
}

fn save_pending(review: ReviewId, pending: &[Pending]) {
    crate::browser::save_list(&storage_key(review), pending);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::BlockKind;

    fn block(id: u128, order: &str, text: &str) -> Block {
        Block {
            id: BlockId(uuid::Uuid::from_u128(id)),
            kind: BlockKind::Paragraph,
            text: text.into(),
            order: order.into(),
            practice: None,
            source: None,
            rev: 1,
        }
    }

    #[test]
    fn unconfirmed_changes_show_on_top_of_the_confirmed_draft() {
        let blocks = vec![block(1, "B", "one"), block(2, "D", "two")];
        let op = uuid::Uuid::from_u128(9);
        let pending = vec![
            Pending {
                op,
                message: ReportClientMessage::Edit {
                    op,
                    block: BlockId(uuid::Uuid::from_u128(1)),
                    base: 1,
                    kind: BlockKind::Quote,
                    text: "ONE".into(),
                    practice: None,
                },
            },
            Pending {
                op,
                message: ReportClientMessage::Insert {
                    op,
                    block: block(3, "C", "three"),
                },
            },
            Pending {
                op,
                message: ReportClientMessage::Delete {
                    op,
                    block: BlockId(uuid::Uuid::from_u128(2)),
                },
            },
        ];
        let shown = with_pending(blocks, &pending);
        let texts: Vec<_> = shown.iter().map(|b| (b.text.as_str(), b.kind)).collect();
        assert_eq!(
            texts,
            [("ONE", BlockKind::Quote), ("three", BlockKind::Paragraph)]
        );
    }
}
