//! Writing to a wall before any board task serves it: the demo's and the benchmarks' seeding.

use app::review::ReviewId;
use app::wall::Board;
use app::wall::protocol::{Command, OpId};
use app::wall::rules::{Actor, decide};

use crate::db::{self, Database};

/// Applies a command to a wall that no board task is serving yet (seeding the demo or a
/// benchmark before the server takes requests), through the same rules and commit as the live
/// wall; `Ok(false)` when the rules refuse it.
pub async fn seed(
    db: &Database,
    review: ReviewId,
    board: &mut Board,
    actor: &Actor,
    command: &Command,
) -> Result<bool, db::DbError> {
    let Ok(change) = decide(board, actor, command) else {
        return Ok(false);
    };
    let seq = board.seq + 1;
    let entry = db::wall::Entry {
        seq,
        op: OpId(uuid::Uuid::new_v4()),
        actor: actor.person,
        change: &change,
        creates: creates(board, &change),
    };
    db::wall::commit(db, review, &[entry]).await?;
    board.apply(&change);
    board.seq = seq;
    Ok(true)
}

/// Whether `change` makes a note `board` does not have (its row is then created, with the
/// change's actor as its author).
pub(crate) fn creates(board: &Board, change: &app::wall::Change) -> bool {
    matches!(change, app::wall::Change::Note { note } if !board.notes.contains_key(&note.id))
}
