//! Errors that stop the server from starting, each a sentence a person can act on.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::db::{DbError, OpenError, migrations::MigrationError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot use the data folder {}: {reason}", path.display())]
    DataFolder { path: PathBuf, reason: String },

    #[error("cannot reach the database at {location}: {reason}")]
    DatabaseUnreachable { location: String, reason: String },

    #[error("cannot listen on {addr}: {}", bind_reason(source))]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },

    #[error(transparent)]
    Migration(#[from] MigrationError),

    #[error("the database failed while preparing the server: {0}")]
    Database(#[from] DbError),

    #[error(transparent)]
    Mail(#[from] crate::mail::MailSetupError),

    #[error(transparent)]
    Oidc(#[from] crate::oidc::OidcSetupError),

    #[error(
        "--demo only seeds a fresh database or the demo's own, and this one holds real accounts \
         or reviews: the demo's accounts share a published password. Use another --db folder \
         (or mem://) for the demo"
    )]
    DemoOnRealData,

    #[error(
        "this database holds the demo's accounts, which share a published password (an \
         administrator among them): run with --demo to serve the demo, or start once with \
         --remove-demo-accounts to remove them and serve it for real"
    )]
    DemoAccountsPresent,

    #[error(
        "--bench only runs on a fresh database or the bench's own: this one holds real accounts \
         or reviews, and --bench creates signed-in sessions. Use mem:// or an empty folder"
    )]
    BenchOnRealData,

    #[error("cannot create the administrator: {0}")]
    Admin(String),

    #[error("backup or restore: {0}")]
    Backup(String),

    #[error("destroying the notes past their retention date before serving: {0}")]
    Retention(String),

    #[error("cannot compress the front end's files: {0}")]
    Precompress(std::io::Error),

    #[error("the server stopped unexpectedly: {0}")]
    Serve(std::io::Error),
}

fn bind_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the address is already in use by another program (choose another with --addr)".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges)".into()
        }
        std::io::ErrorKind::AddrNotAvailable => "this machine has no such address".into(),
        _ => error.to_string(),
    }
}

impl From<OpenError> for StartupError {
    fn from(error: OpenError) -> Self {
        match error {
            OpenError::DataFolder { path, reason } => StartupError::DataFolder { path, reason },
            OpenError::Unreachable { location, reason } => {
                StartupError::DatabaseUnreachable { location, reason }
            }
        }
    }
}
