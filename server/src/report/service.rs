//! The report's server functions' service: drafting, additions, rounds, due dates, the
//! non-attribution check, versions and their diffs, evidence and the scale of the work.

use app::error::{AppError, ErrorCode};
use app::membership::Action;
use app::report::diff::BlockDiff;
use app::report::generate::{self, Addition, ScaleFigures};
use app::report::rounds::{self, Step};
use app::report::{
    BlockId, CheckedFinding, DueDates, EvidenceNote, ReportCaller, ReportService, ReportStatus,
    ReportView, Round, Source, Version,
};
use app::review::ReviewId;
use app::wall::MessageId;

use crate::db::{self};

use super::{Reports, invalid, unavailable};

#[async_trait::async_trait]
impl ReportService for Reports {
    async fn caller(&self, review: ReviewId) -> Result<ReportCaller, AppError> {
        let caller = app::accounts::require_caller()?;
        self.report_caller(caller, review).await
    }

    async fn view(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportView>, AppError> {
        self.view_for(who, review).await
    }

    async fn status(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Option<ReportStatus>, AppError> {
        let Some(view) = self.view_for(who, review).await? else {
            return Ok(None);
        };
        let due = match view.round {
            Round::TeamDraft | Round::PeerComments => view.due.peer_comments,
            Round::SentToCouncil | Round::CouncilComments => view.due.council_comments,
            Round::Final => view.due.final_version.or(view.due.sign_off),
            Round::SignedOff => None,
        };
        Ok(Some(ReportStatus {
            round: view.round,
            open_comments: view.open_comments(),
            versions: view.versions.len() as u32,
            due,
        }))
    }

    async fn create(&self, who: &ReportCaller, review: ReviewId) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let board = self.wall.board(review).await?;
        // A progress review's short report gives feedback on each recommendation it follows up.
        let progress = self
            .reviews
            .summary(review)
            .await?
            .is_some_and(|summary| summary.progress_of.is_some());
        let blocks = if progress {
            generate::draft_progress(&board)
        } else {
            generate::draft(&board)
        };
        let created = db::report::create(&self.db, review, &blocks)
            .await
            .map_err(unavailable)?;
        if !created {
            return Err(invalid(
                "The report has already been drafted; new key messages are offered as additions.",
            ));
        }
        self.audit
            .review_change(
                &who.caller,
                review,
                "report_drafted",
                format!("{} blocks from the wall", blocks.len()),
            )
            .await?;
        self.follow_phase(&who.caller, review, Round::TeamDraft)
            .await?;
        self.refresh(review, &room).await;
        Ok(())
    }

    async fn additions(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<Addition>, AppError> {
        who.must(Action::WriteReport)?;
        self.state(review).await?;
        let board = self.wall.board(review).await?;
        let blocks = self.live_blocks(review).await?;
        Ok(generate::additions(&board, &blocks))
    }

    async fn take_addition(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        message: MessageId,
        accept: bool,
    ) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let state = self.state(review).await?;
        if state.round == Round::SignedOff {
            return Err(invalid("The report is signed off; nothing changes after."));
        }
        let board = self.wall.board(review).await?;
        let blocks = self.live_blocks(review).await?;
        let addition = generate::additions(&board, &blocks)
            .into_iter()
            .find(|a| a.message == message)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "That key message is already in the report, or no longer on the wall.",
                )
            })?;
        if accept {
            let block = Self::addition_block(&blocks, &addition);
            self.put_block(review, &room, &block, false, None).await?;
        }
        if let Some(changed) = addition.changed {
            // The block drafted from the older wording now knows the new one: not offered again.
            let mut stored = self.stored_block(review, changed).await?.block;
            stored.source = Some(Source::Message {
                id: addition.message,
                kind: addition.kind,
                text: addition.text.clone(),
            });
            stored.rev += 1;
            self.put_block(review, &room, &stored, false, None).await?;
        } else if !accept {
            // Set aside: an empty, deleted block remembers the message, so it is not offered again.
            let mut block = Self::addition_block(&blocks, &addition);
            block.text.clear();
            db::report::put_block(&self.db, review, &block, true, None)
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn step(&self, who: &ReportCaller, review: ReviewId, step: Step) -> Result<(), AppError> {
        match step {
            Step::SignOff { .. } => who.must(Action::SignOffReport)?,
            Step::CloseCouncilComments if who.may(Action::SignOffReport) => {}
            _ => who.must(Action::WriteReport)?,
        }
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        let state = self.state(review).await?;
        let facts = self.facts(review, &state).await?;
        let next = rounds::next(state.round, step, facts).map_err(invalid)?;
        let detail = match step {
            Step::Send => {
                let number = self.send(who, review, false).await?;
                format!("version {number} sent to the council")
            }
            Step::SendFinal => {
                let number = self.send(who, review, true).await?;
                format!("final version {number} sent to the council for sign-off")
            }
            Step::SignOff { version } => {
                db::report::sign_off(&self.db, review, version, who.caller.name.clone())
                    .await
                    .map_err(unavailable)?;
                format!("version {version} signed off")
            }
            Step::AskPeers | Step::CloseCouncilComments => {
                db::report::set_round(&self.db, review, next)
                    .await
                    .map_err(unavailable)?;
                format!("round: {}", next.label().to_lowercase())
            }
        };
        let kind = match step {
            Step::Send | Step::SendFinal => "report_sent",
            Step::SignOff { .. } => "report_signed_off",
            _ => "report_round_changed",
        };
        self.audit
            .review_change(&who.caller, review, kind, detail)
            .await?;
        self.follow_phase(&who.caller, review, next).await?;
        self.refresh(review, &room).await;
        Ok(())
    }

    async fn set_due(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        due: DueDates,
    ) -> Result<(), AppError> {
        who.must(Action::SetReportDueDates)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        self.state(review).await?;
        db::report::set_due(&self.db, review, &due)
            .await
            .map_err(unavailable)?;
        self.audit
            .review_change(
                &who.caller,
                review,
                "report_due_dates_set",
                due_dates_in_words(&due),
            )
            .await?;
        self.refresh(review, &room).await;
        Ok(())
    }

    async fn check(
        &self,
        who: &ReportCaller,
        review: ReviewId,
    ) -> Result<Vec<CheckedFinding>, AppError> {
        who.must(Action::WriteReport)?;
        let state = self.state(review).await?;
        let blocks = self.live_blocks(review).await?;
        let findings = self.findings(review, &blocks).await?;
        Ok(findings
            .into_iter()
            .map(|finding| {
                let context = blocks
                    .iter()
                    .find(|b| b.id == finding.block)
                    .map(|b| b.text.chars().take(160).collect())
                    .unwrap_or_default();
                CheckedFinding {
                    confirmed: state.confirmed.contains(&finding.key),
                    finding,
                    context,
                }
            })
            .collect())
    }

    async fn confirm(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        key: String,
    ) -> Result<(), AppError> {
        who.must(Action::WriteReport)?;
        let room = self.room(review);
        let _guard = room.lock.lock().await;
        self.state(review).await?;
        let blocks = self.live_blocks(review).await?;
        let finding = self
            .findings(review, &blocks)
            .await?
            .into_iter()
            .find(|f| f.key == key)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "That finding is no longer in the draft.",
                )
            })?;
        db::report::confirm(&self.db, review, key)
            .await
            .map_err(unavailable)?;
        self.audit
            .review_change(
                &who.caller,
                review,
                "attribution_confirmed",
                format!("{}: {}", finding.kind.label(), finding.text),
            )
            .await
    }

    async fn version(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        number: u32,
    ) -> Result<Version, AppError> {
        who.must(Action::ReadReport)?;
        let version = db::report::version(&self.db, review, number)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("There is no version {number} of this report."),
                )
            })?;
        if who.role.is_host() {
            self.audit
                .review_change(
                    &who.caller,
                    review,
                    "report_read",
                    format!("version {number}"),
                )
                .await?;
        }
        Ok(version)
    }

    async fn diff(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        from: u32,
        to: u32,
    ) -> Result<Vec<BlockDiff>, AppError> {
        who.must(Action::ReadReport)?;
        let load = |n: u32| async move {
            db::report::version(&self.db, review, n)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::NotFound,
                        format!("There is no version {n} of this report."),
                    )
                })
        };
        let old = load(from).await?;
        let new = load(to).await?;
        Ok(app::report::diff::diff(&old.blocks, &new.blocks))
    }

    async fn evidence(
        &self,
        who: &ReportCaller,
        review: ReviewId,
        block: BlockId,
    ) -> Result<Vec<EvidenceNote>, AppError> {
        who.must(Action::ViewReportEvidence)?;
        let stored = self.stored_block(review, block).await?;
        let Some(message) = stored.block.message() else {
            return Ok(Vec::new());
        };
        let board = self.wall.board(review).await?;
        let Some(message) = board.messages.get(&message) else {
            return Ok(Vec::new());
        };
        Ok(message
            .evidence
            .iter()
            .filter_map(|id| board.notes.get(id))
            .filter(|n| !n.deleted)
            .map(|n| EvidenceNote {
                text: n.text.clone(),
                kind: n.kind,
                source: n.source.clone(),
                stakeholder: n.stakeholder.clone(),
            })
            .collect())
    }

    async fn scale(&self, who: &ReportCaller, review: ReviewId) -> Result<String, AppError> {
        who.must(Action::WriteReport)?;
        let board = self.wall.board(review).await?;
        let sessions = db::visit::sessions(&self.db, review)
            .await
            .map_err(unavailable)?;
        let figures =
            ScaleFigures::from_board(&board).with_timetable(app::visit::Figures::of(&sessions));
        Ok(generate::scale_sentence(&figures))
    }
}

/// The due dates as the audit trail says them: "peer comments 2027-01-15, sign-off none".
fn due_dates_in_words(due: &DueDates) -> String {
    let date = |d: Option<chrono::NaiveDate>| d.map_or("none".to_string(), |d| d.to_string());
    format!(
        "peer comments {}, council comments {}, final version {}, sign-off {}",
        date(due.peer_comments),
        date(due.council_comments),
        date(due.final_version),
        date(due.sign_off)
    )
}
