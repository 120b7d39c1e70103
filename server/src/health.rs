//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::AppState;

/// How long readiness waits for the database: a probe must answer before the balancer's own
/// timeout, and a database that takes longer is not serving anyone well.
const READY_WITHIN: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `/readyz`'s answer: the node's own view of its database and of each LIVE query it follows.
#[derive(Debug, Serialize)]
pub struct Readiness {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// "answering" or "not answering".
    pub database: &'static str,
    /// Each followed query, "open" or "reopening": what other nodes commit reaches this node's
    /// sockets only through them.
    pub live_queries: Vec<LiveQueryState>,
}

#[derive(Debug, Serialize)]
pub struct LiveQueryState {
    pub name: &'static str,
    pub state: &'static str,
    /// How many times it has been opened since the node started (more than once: reopened).
    pub openings: u64,
}

/// `GET /healthz`: the process is up and answering.
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        reason: None,
    })
}

/// `GET /readyz`: ready when the database answers within two seconds and every LIVE query the
/// node follows is open; 503 with the reason otherwise, so a load balancer sends no one to a
/// node that cannot save or would not hear other nodes' changes.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let answering = match state.db.ping_within(READY_WITHIN).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "readiness check: the database");
            false
        }
    };
    let followed = [
        ("wall", state.wall.live_query()),
        ("access", state.access.live_query()),
        ("report", state.report.live_query()),
        ("timetable", state.timetable.live_query()),
        ("plan", state.plan.live_query()),
    ];
    let live_queries: Vec<LiveQueryState> = followed
        .iter()
        .map(|(name, follower)| LiveQueryState {
            name,
            state: if follower.is_open() {
                "open"
            } else if !follower.started() {
                // Not needed: an embedded database has no other node to hear.
                "not followed"
            } else {
                "reopening"
            },
            openings: follower.openings(),
        })
        .collect();
    let closed: Vec<&str> = live_queries
        .iter()
        .filter(|query| query.state == "reopening")
        .map(|query| query.name)
        .collect();
    let reason = if !answering {
        Some("the database is not answering".to_string())
    } else if !closed.is_empty() {
        Some(format!(
            "reopening its live queries ({}): changes made on other nodes would not reach this one",
            closed.join(", ")
        ))
    } else {
        None
    };
    let (code, status) = match reason {
        None => (StatusCode::OK, "ready"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    (
        code,
        Json(Readiness {
            status,
            reason,
            database: if answering {
                "answering"
            } else {
                "not answering"
            },
            live_queries,
        }),
    )
}
