//! The timetable's websocket frames (`/ws/reviews/<id>/timetable`), shared by browser and
//! server. Changes go through the server functions; the socket tells every open timetable.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::visit::TimetableView;

/// A frame from the timetable's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimetableServerMessage {
    /// The timetable as the caller may see it: on joining and after every change.
    Timetable {
        timetable: TimetableView,
    },
    Error {
        error: AppError,
    },
}

/// A frame to the timetable's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimetableClientMessage {
    /// Send the timetable again.
    Refresh,
}
