//! Benchmarks only (`--bench`): one call that creates throwaway boards, each with its peer team
//! signed in, so the load generator in `bench/` measures the wall rather than sign-in's password
//! hashing. The route does not exist unless the server was started with `--bench`.

use app::error::{AppError, ErrorCode};
use app::membership::Role;
use app::review::{Phase, ReviewType};
use app::wall::protocol::{Command, NoteFields};
use app::wall::rules::Actor;
use app::wall::{NoteId, NoteKind};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::session;
use crate::db::{self, Database, DbError};

/// Most boards, clients per board and pre-seeded notes per board one call may ask for.
pub const MAX_BOARDS: usize = 500;
pub const MAX_CLIENTS: usize = 64;
pub const MAX_NOTES: usize = 2_000;

/// Headings every bench board starts with.
const HEADINGS: [&str; 4] = [
    "Local priorities and outcomes",
    "Organisational and place leadership",
    "Governance and culture",
    "Financial planning and management",
];

#[derive(Debug, Deserialize)]
pub struct SetupRequest {
    pub boards: usize,
    pub clients: usize,
    /// Notes to put on each board before it is handed over (the big-board run).
    #[serde(default)]
    pub notes: usize,
}

#[derive(Debug, Serialize)]
pub struct SetupResponse {
    /// The session cookie's name; each token goes in it.
    pub cookie: String,
    pub boards: Vec<BenchBoard>,
}

#[derive(Debug, Serialize)]
pub struct BenchBoard {
    pub review: String,
    pub headings: Vec<String>,
    /// One signed-in session per client: the first is the team lead, the others peers in pairs.
    pub tokens: Vec<String>,
}

/// Allows `--bench` on this database only if it holds nothing real: it is fresh (and is then
/// marked as the bench's), or the bench's own from an earlier start (the fault run restarts on
/// its folder).
pub async fn allow_on(db: &Database) -> Result<(), crate::StartupError> {
    let counts = db::site::counts(db, crate::demo::DEMO_DOMAIN).await?;
    if counts.bench_marked > 0 {
        return Ok(());
    }
    if counts.people > 0 || counts.reviews > 0 {
        return Err(crate::StartupError::BenchOnRealData);
    }
    db::site::claim(db, db::site::Claim::Bench).await?;
    Ok(())
}

/// Creates the benchmarks' boards, for whoever has the bench secret.
pub struct BenchSetup {
    secret: String,
    db: Database,
    sessions: session::SessionPolicy,
}

impl BenchSetup {
    pub fn new(secret: &str, db: Database, sessions: session::SessionPolicy) -> Self {
        Self {
            secret: secret.to_string(),
            db,
            sessions,
        }
    }

    /// Whether `given` is the bench secret.
    fn allows(&self, given: &[u8]) -> bool {
        same_secret(given, self.secret.as_bytes())
    }

    /// Creates the boards, their people and sessions, and any pre-seeded notes.
    pub async fn create(&self, request: &SetupRequest) -> Result<SetupResponse, DbError> {
        create(&self.db, &self.sessions, request).await
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// `POST /bench/setup`, with the bench secret in `x-bench-secret`.
pub async fn setup(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let given = headers
        .get("x-bench-secret")
        .map(http::HeaderValue::as_bytes)
        .unwrap_or_default();
    let Some(bench) = state.bench.as_deref().filter(|bench| bench.allows(given)) else {
        let error = AppError::new(
            ErrorCode::Forbidden,
            "The bench secret is missing or wrong.",
        );
        return (StatusCode::FORBIDDEN, Json(error)).into_response();
    };
    let request: SetupRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return refuse(format!("The set-up request is not valid JSON: {error}")),
    };
    if !(1..=MAX_BOARDS).contains(&request.boards)
        || !(1..=MAX_CLIENTS).contains(&request.clients)
        || request.notes > MAX_NOTES
    {
        return refuse(format!(
            "Ask for 1 to {MAX_BOARDS} boards, 1 to {MAX_CLIENTS} clients each and at most \
             {MAX_NOTES} notes."
        ));
    }
    match bench.create(&request).await {
        Ok(response) => Json(response).into_response(),
        Err(error) => {
            tracing::error!(%error, "bench set-up failed");
            let error = AppError::new(ErrorCode::Internal, "The bench set-up failed.");
            (StatusCode::INTERNAL_SERVER_ERROR, Json(error)).into_response()
        }
    }
}

fn refuse(message: String) -> Response {
    let error = AppError::new(ErrorCode::Invalid, message);
    (StatusCode::BAD_REQUEST, Json(error)).into_response()
}

/// Creates the boards, their people and sessions, and any pre-seeded notes.
async fn create(
    db: &Database,
    sessions: &session::SessionPolicy,
    request: &SetupRequest,
) -> Result<SetupResponse, DbError> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let today = Utc::now().date_naive();
    let mut boards = Vec::with_capacity(request.boards);
    for board in 0..request.boards {
        let review = db::review::insert(
            db,
            db::review::NewReview {
                title: format!("Bench board {board} ({run})"),
                host_authority: "Bench Borough Council".into(),
                review_type: ReviewType::Custom,
                phase: Phase::OnSite,
                scope: "Load test".into(),
                on_site_start: today,
                on_site_end: today,
                headings: HEADINGS
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
                facilitator: None,
            },
        )
        .await?;
        let mut tokens = Vec::with_capacity(request.clients);
        let mut actors = Vec::with_capacity(request.clients);
        for client in 0..request.clients {
            let name = format!("Bench peer {board}.{client}");
            let person = db::accounts::create_person(
                db,
                db::accounts::NewPerson {
                    email: format!("bench-{run}-{board}-{client}@bench.peerwall.test"),
                    name: name.clone(),
                    // Not a password hash: nobody signs in to a bench account with a password.
                    password_hash: "!".into(),
                    is_admin: false,
                    may_create_reviews: false,
                },
            )
            .await?
            .expect("bench addresses are unique per run");
            let role = if client == 0 {
                Role::TeamLead
            } else {
                Role::Peer
            };
            let pair = Some((client / 2 + 1).min(20) as i64);
            db::membership::add_membership(db, review, person, role, pair).await?;
            let (token, hash) = session::new_token();
            db::accounts::create_session(db, person, &hash, Utc::now()).await?;
            tokens.push(token);
            actors.push(Actor {
                person,
                name,
                pair,
                role,
            });
        }
        seed_notes(db, review, &actors, request.notes).await?;
        let headings = db::wall::load(db, review)
            .await?
            .live_headings()
            .map(|heading| heading.id.0.clone())
            .collect();
        boards.push(BenchBoard {
            review: review.0.to_string(),
            headings,
            tokens,
        });
    }
    Ok(SetupResponse {
        cookie: sessions.cookie_name().to_string(),
        boards,
    })
}

/// Puts `count` notes on the board through the wall's own rules and commits, spread over its
/// headings and Unsorted, written by the board's people in turn.
async fn seed_notes(
    db: &Database,
    review: app::review::ReviewId,
    actors: &[Actor],
    count: usize,
) -> Result<(), DbError> {
    if count == 0 {
        return Ok(());
    }
    let mut board = db::wall::load(db, review).await?;
    let headings: Vec<_> = board.live_headings().map(|h| h.id.clone()).collect();
    let kinds = [
        NoteKind::Strength,
        NoteKind::AreaForImprovement,
        NoteKind::Suggestion,
        NoteKind::Question,
        NoteKind::NotablePractice,
    ];
    for index in 0..count {
        let actor = &actors[index % actors.len()];
        let command = Command::CreateNote {
            note: NoteId(uuid::Uuid::new_v4()),
            heading: headings.get(index % (headings.len() + 1)).cloned(),
            before: None,
            fields: NoteFields {
                text: format!(
                    "Note {index}: what interviewees said about the council's priorities, \
                     partnerships and the medium-term financial strategy."
                ),
                kind: kinds[index % kinds.len()],
                source: format!("Interview {}", index % 40),
                session: None,
                stakeholder: ["Officers", "Councillors", "Partners", "Staff"][index % 4].into(),
                tags: vec![],
            },
        };
        crate::wall::seed::seed(db, review, &mut board, actor, &command).await?;
    }
    Ok(())
}
