//! The action plan's websocket frames (`/ws/reviews/<id>/plan`), shared by browser and server.
//! Changes go through the server functions; the socket tells every open plan.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::plan::ActionPlanView;

/// A frame from the plan's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PlanServerMessage {
    /// The plan as the caller may see it: on joining and after every change.
    Plan {
        plan: Box<ActionPlanView>,
    },
    Error {
        error: AppError,
    },
}

/// A frame to the plan's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PlanClientMessage {
    /// Send the plan again.
    Refresh,
}
