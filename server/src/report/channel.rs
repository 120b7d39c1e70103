//! The report's channel: `GET /ws/reviews/{review}/report` (the lifecycle is `crate::socket`'s).
//! The peer team's sockets get the draft's changes, its comments and who is editing what; the
//! council's get only the versions sent to it and its own threads. Every change is checked
//! against the sender's role, read again when their access changes.

use std::sync::Arc;

use app::error::{AppError, ErrorCode};
use app::membership::{Action, Role};
use app::report::ReportCaller;
use app::report::protocol::{ReportClientMessage, ReportServerMessage};
use app::review::ReviewId;
use axum::extract::ws::close_code;
use tokio::sync::broadcast::{
    self,
    error::{RecvError, TryRecvError},
};

use crate::AppState;
use crate::report::{Outcome, Reports, Update, reads_draft};
use crate::socket::{Bucket, Channel, Flow, Link, Next, SocketCaller};

/// Changes a person may send: 20 a second sustained, 40 at once (typing, then a paste).
const CHANGES_PER_SECOND: f64 = 20.0;
const CHANGE_BURST: f64 = 40.0;

/// One socket on a review's report.
pub struct ReportChannel {
    reports: Reports,
    review: ReviewId,
    who: ReportCaller,
    socket: u64,
    updates: broadcast::Receiver<Update>,
    /// A refresh is owed (kept across a cancelled `next`).
    refresh: bool,
    /// For a host role: the newest version this socket has been sent (each is a read, audited).
    read: Option<u32>,
    changes: Bucket,
}

impl ReportChannel {
    /// The frame an update makes for this socket, if it is for this socket's audience.
    fn frame_for(&mut self, update: Update) -> Option<Arc<str>> {
        match update {
            Update::Team(frame) if reads_draft(&self.who) => Some(frame),
            Update::Everyone(frame) if !reads_draft(&self.who) => Some(frame),
            Update::Editors if reads_draft(&self.who) => {
                let editors = self.reports.room(self.review).editors();
                let message = ReportServerMessage::Editors { editors };
                Some(Arc::from(
                    serde_json::to_string(&message).unwrap_or_default(),
                ))
            }
            Update::Refresh => {
                self.refresh = true;
                None
            }
            _ => None,
        }
    }

    /// Sends the updates already queued for this socket (a refresh owed too); false when the
    /// socket is gone.
    async fn send_queued(&mut self, link: &mut Link) -> bool {
        loop {
            match self.updates.try_recv() {
                Ok(update) => {
                    if let Some(frame) = self.frame_for(update)
                        && !link.send_text(&frame).await
                    {
                        return false;
                    }
                }
                Err(TryRecvError::Lagged(_)) => self.refresh = true,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        if self.refresh
            && let Ok(frame) = self.view_frame().await
        {
            self.refresh = false;
            return link.send_text(&frame).await;
        }
        true
    }

    /// The report as this socket's person may see it, as a frame; a host role's first sight of a
    /// version is audited first (no read leaves untraced).
    async fn view_frame(&mut self) -> Result<Arc<str>, AppError> {
        let view = self.reports.view_for(&self.who, self.review).await?;
        let latest = view
            .as_ref()
            .and_then(|v| v.latest.as_ref())
            .map(|v| v.number);
        if self.who.role.is_host() && latest.is_some() && latest != self.read {
            let detail = format!("version {}, on the report page", latest.unwrap_or_default());
            self.reports
                .audit
                .review_change(&self.who.caller, self.review, "report_read", detail)
                .await?;
            self.read = latest;
        }
        let message = ReportServerMessage::Report {
            view,
            me: self.who.caller.name.clone(),
        };
        Ok(Arc::from(
            serde_json::to_string(&message).unwrap_or_default(),
        ))
    }
}

impl Channel for ReportChannel {
    type In = ReportClientMessage;
    type Out = ReportServerMessage;
    const ACTION: Action = Action::ReadReport;
    const SIGN_IN: &'static str = "Sign in to open the report.";
    const REFUSED: Option<&'static str> =
        Some("The report is for the peer team and the host council.");
    const NAME: &'static str = "The report";
    /// A block's text (10,000 characters, up to 4 bytes each) and its frame.
    const MAX_FRAME_BYTES: usize = 48 * 1024;
    const HARD_FRAME_LIMIT: usize = 64 * 1024;

    fn error(error: AppError) -> ReportServerMessage {
        ReportServerMessage::Error { error }
    }

    async fn open(state: &AppState, caller: SocketCaller) -> Result<Self, AppError> {
        let reports = state.report.clone();
        let who = reports
            .report_caller(caller.session.caller.clone(), caller.review)
            .await?;
        let updates = reports.room(caller.review).subscribe();
        Ok(ReportChannel {
            socket: reports.next_socket(),
            reports,
            review: caller.review,
            who,
            updates,
            refresh: false,
            read: None,
            changes: Bucket::new(CHANGES_PER_SECOND, CHANGE_BURST),
        })
    }

    async fn join(&mut self, link: &mut Link) -> bool {
        match self.view_frame().await {
            Ok(frame) => {
                if !link.send_text(&frame).await {
                    return false;
                }
                if reads_draft(&self.who) {
                    let editors = self.reports.room(self.review).editors();
                    return link.send(&ReportServerMessage::Editors { editors }).await;
                }
                true
            }
            Err(error) => {
                link.send(&ReportServerMessage::Error { error }).await;
                link.close(close_code::AGAIN, "try again").await;
                false
            }
        }
    }

    async fn next(&mut self) -> Next {
        loop {
            if self.refresh {
                match self.view_frame().await {
                    Ok(frame) => {
                        self.refresh = false;
                        return Next::Text(frame);
                    }
                    Err(_) => {
                        return Next::Close(close_code::AGAIN, "report unavailable; reconnect");
                    }
                }
            }
            match self.updates.recv().await {
                Ok(update) => {
                    if let Some(frame) = self.frame_for(update) {
                        return Next::Text(frame);
                    }
                }
                Err(RecvError::Lagged(_)) => self.refresh = true,
                Err(RecvError::Closed) => {
                    return Next::Close(close_code::RESTART, "report restarted; reconnect");
                }
            }
        }
    }

    async fn handle(&mut self, message: ReportClientMessage, link: &mut Link) -> Flow {
        let op = message.op();
        if !self.changes.take() {
            let error = AppError::new(
                ErrorCode::RateLimited,
                "Changes are coming too fast; that one was not saved. It will be sent again.",
            );
            let answer = match op {
                Some(op) => ReportServerMessage::Rejected {
                    op,
                    error,
                    current: None,
                },
                None => return Flow::Continue,
            };
            return Flow::sent(link.send(&answer).await);
        }
        let outcome = self
            .reports
            .apply(&self.who, self.review, self.socket, message)
            .await;
        // The change's own frames go first: the browser drops its copy of a change on the
        // answer, so an answer ahead of them would blank what it shows until they came.
        if !self.send_queued(link).await {
            return Flow::Stop;
        }
        match outcome {
            Outcome::Ack => match op {
                Some(op) => Flow::sent(link.send(&ReportServerMessage::Ack { op }).await),
                None => Flow::Continue,
            },
            Outcome::Rejected(error, current) => match op {
                Some(op) => {
                    let current = current.map(|block| *block);
                    let answer = ReportServerMessage::Rejected { op, error, current };
                    Flow::sent(link.send(&answer).await)
                }
                None => Flow::sent(link.send(&ReportServerMessage::Error { error }).await),
            },
        }
    }

    fn still_allowed(&mut self, role: Role) -> Flow {
        if role == self.who.role {
            Flow::Continue
        } else {
            // Another role sees another report (the draft, or the council's view): reconnect.
            Flow::Close(close_code::AGAIN, "role changed; reconnect")
        }
    }

    async fn leave(self) {
        self.reports.left(self.review, self.socket);
    }
}
