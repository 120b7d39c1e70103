//! Backups: taken from a real `peerwall` process while it serves, restored into an empty folder
//! with the same notes, events, sequence numbers and sign-in sessions; a restore refuses a
//! database in use or not empty; an old backup's notes past their retention date are destroyed
//! again on restore.

use std::path::Path;
use std::process::{Child, Command};

use app::review::ReviewId;
use app::wall::protocol::ServerMessage;
use chrono::{Duration, Utc};
use peerwall_server::db;
use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};

use crate::support::{TestApp, config, folder, sign_in_at, spawn_peerwall};
use crate::wall::{Client, create, new_note, new_op};

const NEEDLE: &str = "Backup needle: partners trust the council";

/// A `peerwall` process serving the demo from `data`, and its address.
pub(crate) fn serve(data: &Path) -> (Child, std::net::SocketAddr) {
    spawn_peerwall(&["--db", &folder(data), "--demo"])
}

/// `peerwall <args…>` to its end: (exit code, what it printed).
/// `peerwall backup --to FILE` or `peerwall restore --from FILE`, on the database in `data`.
fn move_data(verb: &str, file: &Path, data: &Path) -> (i32, String) {
    let flag = if verb == "backup" { "--to" } else { "--from" };
    let file = file.to_str().unwrap();
    peerwall(&[verb, flag, file, "--db", &folder(data)])
}

fn peerwall(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_peerwall"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_the_same_wall_and_sessions() {
    let root = tempfile::tempdir().unwrap();
    let (live, restored, file) = (
        root.path().join("live"),
        root.path().join("restored"),
        root.path().join("backup.surql"),
    );
    let (server, addr) = serve(&live);
    let (cookie, review) = sign_in_at(addr, DEMO_PEOPLE[2].1).await;
    let mut wall = Client::join_at(addr, &review, &cookie, None).await;
    wall.welcome().await;
    let answer = wall
        .command(new_op(), create(new_note(), None, NEEDLE))
        .await;
    let ServerMessage::Ack { seq, .. } = answer else {
        panic!("{answer:?}")
    };
    wall.until_seq(seq).await;
    let board = wall.board.clone();

    // Taken by the running server, while it serves.
    let (code, said) = move_data("backup", &file, &live);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("taken by the running server"), "{said}");
    // Never over a file already there: refused, with why.
    let (code, said) = move_data("backup", &file, &live);
    assert_ne!(code, 0);
    assert!(said.contains("already exists"), "{said}");
    // A note after the backup is not in it.
    let later = wall
        .command(new_op(), create(new_note(), None, "after the backup"))
        .await;
    assert!(matches!(later, ServerMessage::Ack { .. }));
    // Restoring into the folder in use is refused.
    let (code, said) = move_data("restore", &file, &live);
    assert_ne!(code, 0);
    assert!(said.contains("stop it before restoring"), "{said}");
    drop(wall);
    stop(server);

    let (code, said) = move_data("restore", &file, &restored);
    assert_eq!(code, 0, "{said}");
    // Not twice into the same database.
    let (code, said) = move_data("restore", &file, &restored);
    assert_ne!(code, 0);
    assert!(said.contains("already holds"), "{said}");

    // The restored server takes the old session cookie and serves the board as it was.
    let (server, addr) = serve(&restored);
    let mut wall = Client::join_at(addr, &review, &cookie, None).await;
    wall.welcome().await;
    assert_eq!(
        wall.board, board,
        "notes, messages, settings and the sequence number"
    );
    // The log continues where it was: the next note takes the next number.
    let next = wall
        .command(new_op(), create(new_note(), None, "restored"))
        .await;
    assert!(
        matches!(next, ServerMessage::Ack { seq: s, .. } if s == seq + 1),
        "{next:?}"
    );
    drop(wall);
    stop(server);
}

#[tokio::test]
async fn an_old_backups_notes_past_their_date_are_destroyed_again_on_restore() {
    let app = TestApp::demo().await;
    let peer = app.session_cookie(DEMO_PEOPLE[2].1, DEMO_PASSWORD).await;
    let r = app.first_review(&peer).await;
    let review = ReviewId(r.parse().unwrap());
    let mut wall = Client::open(&app, &r, &peer).await;
    assert!(matches!(
        wall.command(new_op(), create(new_note(), None, NEEDLE))
            .await,
        ServerMessage::Ack { .. }
    ));
    app.sign_off_report(review).await;
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("old.surql");
    peerwall_server::backup::export(&app.state.db, &file)
        .await
        .unwrap();
    app.stop().await;

    // Restored a month and more after sign-off: the notes go before anything is served.
    let data = root.path().join("restored");
    let target = config(&folder(&data), &[]);
    let restored =
        peerwall_server::backup::restore(&target, &file, Utc::now() + Duration::days(31))
            .await
            .unwrap();
    assert_eq!(restored.destroyed, 1);
    // The restore's board task lets go of the folder as it ends.
    let mut opened = None;
    for _ in 0..50 {
        if let Ok(db) = peerwall_server::db::Database::open(&target.database()).await {
            opened = Some(db);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let db = opened.expect("the restored folder opens");
    assert!(
        db::retention::tables_containing(&db, NEEDLE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(db::retention::record(&db, review).await.unwrap().is_some());
    db.close().await;
}
