//! Backups: `peerwall backup --to FILE` writes the whole database (definitions and records) as
//! SurrealQL with SurrealDB's own export, a snapshot taken in one read transaction; `peerwall
//! restore --from FILE` reads one into an empty database, brings its schema up to date and
//! destroys the notes of every review past its retention date before anything is served.
//!
//! A running server holds its embedded folder, so a backup of a folder asks that server, over a
//! Unix socket in the folder (`admin.sock`: whoever may read the folder may ask), to take it; with
//! the server stopped the command opens the folder itself. A restore refuses while a server
//! runs on the folder, and refuses a database that already holds anything.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::db::{self, Database, DatabaseLocation};
use crate::{Config, StartupError};

/// The socket a running server listens on for backups, in its data folder.
pub fn admin_socket(folder: &Path) -> PathBuf {
    folder.join("admin.sock")
}

fn failed(reason: impl std::fmt::Display) -> StartupError {
    StartupError::Backup(reason.to_string())
}

/// Takes a backup on `db` to `to`; its size in bytes.
pub async fn export(db: &Database, to: &Path) -> Result<u64, StartupError> {
    db.export_to(to).await?;
    let size = tokio::fs::metadata(to).await.map_err(failed)?.len();
    Ok(size)
}

/// Answers backup requests on the data folder's socket while the server runs: one line
/// `backup <absolute path>`, answered `ok <bytes>` or `error <reason>`.
pub fn listen(db: Database, folder: &Path) -> Option<tokio::task::JoinHandle<()>> {
    let path = admin_socket(folder);
    // A socket left by a server that was killed is in the way; a live one answers below.
    let _ = std::fs::remove_file(&path);
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "backups: the admin socket is not available");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let db = db.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                let _ = BufReader::new(read).read_line(&mut line).await;
                let answer = match line.trim().strip_prefix("backup ") {
                    Some(to) if Path::new(to).is_absolute() => {
                        let taken = match new_file(Path::new(to)) {
                            Ok(()) => export(&db, Path::new(to)).await,
                            Err(error) => Err(error),
                        };
                        match taken {
                            Ok(size) => {
                                tracing::info!(to, size, "backup taken");
                                format!("ok {size}\n")
                            }
                            Err(error) => format!("error {error}\n"),
                        }
                    }
                    _ => "error the request is `backup <absolute path>`\n".to_string(),
                };
                let _ = write.write_all(answer.as_bytes()).await;
            });
        }
    }))
}

/// Asks the server running on `folder` to take the backup, if one runs there.
async fn ask_server(folder: &Path, to: &Path) -> Option<Result<u64, StartupError>> {
    let stream = tokio::net::UnixStream::connect(admin_socket(folder))
        .await
        .ok()?;
    let (read, mut write) = stream.into_split();
    let request = format!("backup {}\n", to.display());
    if let Err(error) = write.write_all(request.as_bytes()).await {
        return Some(Err(failed(error)));
    }
    let mut line = String::new();
    if let Err(error) = BufReader::new(read).read_line(&mut line).await {
        return Some(Err(failed(error)));
    }
    Some(match line.trim().split_once(' ') {
        Some(("ok", size)) => Ok(size.parse().unwrap_or(0)),
        Some((_, reason)) => Err(failed(reason)),
        None => Err(failed("the running server did not answer")),
    })
}

fn absolute(path: &Path) -> Result<PathBuf, StartupError> {
    std::path::absolute(path).map_err(failed)
}

/// A backup goes to a new file: never over one already there (another backup, or the server's
/// own files).
fn new_file(to: &Path) -> Result<(), StartupError> {
    if to.exists() {
        return Err(failed(format!(
            "{} already exists: a backup goes to a new file",
            to.display()
        )));
    }
    Ok(())
}

/// `peerwall backup --to FILE`.
pub async fn backup(config: &Config, to: &Path) -> Result<(), StartupError> {
    let to = absolute(to)?;
    new_file(&to)?;
    if let DatabaseLocation::Folder(folder) = &config.db
        && let Some(taken) = ask_server(folder, &to).await
    {
        let size = taken?;
        println!(
            "Backup taken by the running server: {} ({size} bytes).",
            to.display()
        );
        println!(
            "It holds notes: delete it once the newest review in it is past its retention date."
        );
        return Ok(());
    }
    let db = Database::open(&config.database()).await?;
    let size = export(&db, &to).await;
    db.close().await;
    let size = size?;
    println!("Backup taken: {} ({size} bytes).", to.display());
    println!("It holds notes: delete it once the newest review in it is past its retention date.");
    Ok(())
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Reviews whose notes were destroyed again because their date had passed.
    pub destroyed: usize,
}

/// `peerwall restore --from FILE`, with the retention dates read against `now`.
pub async fn restore(
    config: &Config,
    from: &Path,
    now: DateTime<Utc>,
) -> Result<Restored, StartupError> {
    if let DatabaseLocation::Folder(folder) = &config.db
        && tokio::net::UnixStream::connect(admin_socket(folder))
            .await
            .is_ok()
    {
        return Err(failed(format!(
            "a server is running on {}: stop it before restoring into its folder",
            folder.display()
        )));
    }
    if !from.is_file() {
        return Err(failed(format!(
            "there is no backup file at {}",
            from.display()
        )));
    }
    let db = Database::open(&config.database()).await?;
    let empty = db::site::is_empty(&db).await;
    let result = async {
        if !empty? {
            return Err(failed(
                "this database already holds data: restore into an empty folder (or an empty database on the server)",
            ));
        }
        db.import_from(from).await?;
        // A backup of the demo restores as the demo; one with real data as real data.
        let demo = matches!(crate::demo::contents(&db).await?, crate::demo::Contents::Demo);
        let state = crate::prepare_on(db.clone(), &Config { demo, ..config.clone() }).await?;
        let destroyed = state
            .retention
            .run_due(now)
            .await
            .map_err(|error| failed(error.message))?;
        crate::stop_following(&state).await;
        Ok(Restored { destroyed: destroyed.len() })
    }
    .await;
    db.close().await;
    let restored = result?;
    println!(
        "Restored from {}; the notes of {} review(s) past their retention date were destroyed again.",
        from.display(),
        restored.destroyed
    );
    Ok(restored)
}
