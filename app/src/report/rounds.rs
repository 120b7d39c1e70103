//! The report's round state machine: which step may be taken from which round, and what must be
//! true first. Who may take a step is the role table's business (`membership::authz`).

use serde::{Deserialize, Serialize};

use crate::report::Round;
use crate::review::Phase;

/// A step between rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The team draft goes to the peers for comment.
    AskPeers,
    /// A frozen, numbered version goes to the council (the first, or a revision).
    Send,
    /// The council's comments are in; the authors now address each.
    CloseCouncilComments,
    /// The authors' final version goes to the council for sign-off.
    SendFinal,
    /// The council signs off this version.
    SignOff { version: u32 },
}

impl Step {
    /// The step named `name` (`sign_off` with its version).
    pub fn parse(name: &str, version: Option<u32>) -> Option<Step> {
        Some(match name {
            "ask_peers" => Step::AskPeers,
            "send" => Step::Send,
            "close_council_comments" => Step::CloseCouncilComments,
            "send_final" => Step::SendFinal,
            "sign_off" => Step::SignOff { version: version? },
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Step::AskPeers => "ask_peers",
            Step::Send => "send",
            Step::CloseCouncilComments => "close_council_comments",
            Step::SendFinal => "send_final",
            Step::SignOff { .. } => "sign_off",
        }
    }
}

/// What the checks need to know of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Peer team comments not yet resolved.
    pub open_team_comments: usize,
    /// Council comments not yet accepted, changed or answered.
    pub unaddressed_council_comments: usize,
    /// The newest version sent, and whether it is the final one.
    pub latest: Option<(u32, bool)>,
    /// Non-attribution findings not yet fixed or confirmed.
    pub unconfirmed_findings: usize,
}

/// The round after `step` from `round`, or why it cannot be taken.
pub fn next(round: Round, step: Step, facts: Facts) -> Result<Round, String> {
    use Round::*;
    match (step, round) {
        (_, SignedOff) => Err("The report is signed off; nothing changes after.".into()),
        (Step::AskPeers, TeamDraft) => Ok(PeerComments),
        (Step::AskPeers, _) => Err("The peers have already been asked for their comments.".into()),
        (Step::Send, PeerComments | SentToCouncil | CouncilComments) => {
            if facts.open_team_comments > 0 {
                Err(format!(
                    "Resolve the peer team's {} open comment{} before sending.",
                    facts.open_team_comments,
                    if facts.open_team_comments == 1 {
                        ""
                    } else {
                        "s"
                    }
                ))
            } else if facts.unconfirmed_findings > 0 {
                Err(unconfirmed(facts.unconfirmed_findings))
            } else {
                Ok(SentToCouncil)
            }
        }
        (Step::Send, TeamDraft) => {
            Err("Ask the peers for their comments before sending the draft to the council.".into())
        }
        (Step::Send, Final) => {
            Err("The council's comments are closed: send the final version.".into())
        }
        (Step::CloseCouncilComments, SentToCouncil | CouncilComments) => Ok(Final),
        (Step::CloseCouncilComments, _) => {
            Err("The council's comments can be closed only while it is commenting.".into())
        }
        (Step::SendFinal, Final) => {
            if facts.unaddressed_council_comments > 0 {
                Err(format!(
                    "Address each of the council's comments first ({} still open): accept, change or answer it.",
                    facts.unaddressed_council_comments
                ))
            } else if facts.unconfirmed_findings > 0 {
                Err(unconfirmed(facts.unconfirmed_findings))
            } else {
                Ok(Final)
            }
        }
        (Step::SendFinal, _) => {
            Err("Close the council's comments before sending the final version.".into())
        }
        (Step::SignOff { version }, Final) => match facts.latest {
            Some((latest, true)) if latest == version => Ok(SignedOff),
            Some((latest, true)) => Err(format!(
                "Version {version} is not the final version; the final version is {latest}."
            )),
            _ => Err("There is no final version to sign off yet.".into()),
        },
        (Step::SignOff { .. }, _) => Err("Only a final version can be signed off.".into()),
    }
}

fn unconfirmed(n: usize) -> String {
    format!(
        "Check the draft for attribution first: {n} place{} may identify a person or quote a note.",
        if n == 1 { "" } else { "s" }
    )
}

/// A council comment on a version moves "sent to council" on to "council comments".
pub fn after_council_comment(round: Round) -> Round {
    if round == Round::SentToCouncil {
        Round::CouncilComments
    } else {
        round
    }
}

/// The review's phase once the report is in `round` (the phase only moves forward with it).
pub fn phase_for(round: Round) -> Phase {
    match round {
        Round::TeamDraft | Round::PeerComments => Phase::DraftReport,
        Round::SentToCouncil | Round::CouncilComments | Round::Final => Phase::SentToCouncil,
        Round::SignedOff => Phase::SignedOff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clear() -> Facts {
        Facts::default()
    }

    #[test]
    fn the_whole_flow_runs_in_order() {
        let mut round = Round::TeamDraft;
        round = next(round, Step::AskPeers, clear()).unwrap();
        assert_eq!(round, Round::PeerComments);
        round = next(round, Step::Send, clear()).unwrap();
        assert_eq!(round, Round::SentToCouncil);
        round = after_council_comment(round);
        assert_eq!(round, Round::CouncilComments);
        round = next(round, Step::Send, clear()).unwrap();
        assert_eq!(round, Round::SentToCouncil, "a revision can be sent");
        round = next(round, Step::CloseCouncilComments, clear()).unwrap();
        assert_eq!(round, Round::Final);
        round = next(round, Step::SendFinal, clear()).unwrap();
        assert_eq!(round, Round::Final);
        let facts = Facts {
            latest: Some((3, true)),
            ..clear()
        };
        round = next(round, Step::SignOff { version: 3 }, facts).unwrap();
        assert_eq!(round, Round::SignedOff);
        assert_eq!(phase_for(round), Phase::SignedOff);
    }

    #[test]
    fn steps_out_of_order_are_refused_with_a_reason() {
        assert!(
            next(Round::TeamDraft, Step::Send, clear())
                .unwrap_err()
                .contains("Ask the peers")
        );
        assert!(next(Round::PeerComments, Step::AskPeers, clear()).is_err());
        assert!(next(Round::PeerComments, Step::SendFinal, clear()).is_err());
        assert!(
            next(
                Round::CouncilComments,
                Step::SignOff { version: 1 },
                clear()
            )
            .is_err()
        );
        for step in [
            Step::AskPeers,
            Step::Send,
            Step::CloseCouncilComments,
            Step::SendFinal,
            Step::SignOff { version: 1 },
        ] {
            assert!(
                next(Round::SignedOff, step, clear())
                    .unwrap_err()
                    .contains("signed off")
            );
        }
    }

    #[test]
    fn open_comments_and_unchecked_attribution_hold_a_version_back() {
        let open = Facts {
            open_team_comments: 2,
            ..clear()
        };
        assert!(
            next(Round::PeerComments, Step::Send, open)
                .unwrap_err()
                .contains("2 open comments")
        );
        let findings = Facts {
            unconfirmed_findings: 1,
            ..clear()
        };
        assert!(
            next(Round::PeerComments, Step::Send, findings)
                .unwrap_err()
                .contains("1 place may")
        );
        let unaddressed = Facts {
            unaddressed_council_comments: 1,
            ..clear()
        };
        assert!(
            next(Round::Final, Step::SendFinal, unaddressed)
                .unwrap_err()
                .contains("1 still open")
        );
    }

    #[test]
    fn sign_off_names_the_final_version() {
        let not_final = Facts {
            latest: Some((2, false)),
            ..clear()
        };
        assert!(next(Round::Final, Step::SignOff { version: 2 }, not_final).is_err());
        let final_two = Facts {
            latest: Some((2, true)),
            ..clear()
        };
        assert!(
            next(Round::Final, Step::SignOff { version: 1 }, final_two)
                .unwrap_err()
                .contains("final version is 2")
        );
        assert_eq!(
            next(Round::Final, Step::SignOff { version: 2 }, final_two),
            Ok(Round::SignedOff)
        );
    }
}
