//! Versioned schema migrations: numbered `.surql` files applied once each, in order, recorded in
//! the `migration` table. Safe to run twice and from several nodes at once (the record of a
//! migration is created in the same transaction as its changes, so a second node's attempt fails
//! and is rolled back). A database whose schema is newer than this binary is refused.

use surrealdb::types::{RecordId, SurrealValue};

use super::{Database, DbError, retry_conflicts};

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this binary knows, in order. Never edit one that has shipped: add another.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "reviews and headings",
        sql: include_str!("migrations/0001_reviews.surql"),
    },
    Migration {
        version: 2,
        name: "people, sessions, membership and audit",
        sql: include_str!("migrations/0002_people.surql"),
    },
    Migration {
        version: 3,
        name: "invitations and phase history",
        sql: include_str!("migrations/0003_invitations.surql"),
    },
    Migration {
        version: 4,
        name: "password resets",
        sql: include_str!("migrations/0004_password_resets.surql"),
    },
    Migration {
        version: 5,
        name: "facilitator accounts and account invitations",
        sql: include_str!("migrations/0005_organisers.surql"),
    },
    Migration {
        version: 6,
        name: "the findings wall: notes and the event log",
        sql: include_str!("migrations/0006_wall.surql"),
    },
    Migration {
        version: 7,
        name: "triangulation: key messages and the wall's settings",
        sql: include_str!("migrations/0007_triangulation.surql"),
    },
    Migration {
        version: 8,
        name: "the wall's rows keyed by review; access changes",
        sql: include_str!("migrations/0008_security.surql"),
    },
    Migration {
        version: 9,
        name: "key messages, evidence, votes and the wall's settings in columns of their own",
        sql: include_str!("migrations/0009_wall_columns.surql"),
    },
    Migration {
        version: 10,
        name: "the feedback report; phases after the round-table; reasons for moving back",
        sql: include_str!("migrations/0010_report.surql"),
    },
    Migration {
        version: 11,
        name: "the visit's timetable, and the session each note was heard at",
        sql: include_str!("migrations/0011_timetable.surql"),
    },
    Migration {
        version: 12,
        name: "the node that made a timetable change",
        sql: include_str!("migrations/0012_timetable_change_node.surql"),
    },
    Migration {
        version: 13,
        name: "the host council's fieldwork role in a PCI",
        sql: include_str!("migrations/0013_fieldwork_role.surql"),
    },
    Migration {
        version: 14,
        name: "the pack's documents, their reads and each person's last visit",
        sql: include_str!("migrations/0014_documents.surql"),
    },
    Migration {
        version: 15,
        name: "the council's benchmarking data",
        sql: include_str!("migrations/0015_benchmarks.surql"),
    },
    Migration {
        version: 16,
        name: "retention: destruction records, frozen strengths, an append-only audit trail",
        sql: include_str!("migrations/0016_retention.surql"),
    },
    Migration {
        version: 17,
        name: "presence across nodes: who is on each board on each node",
        sql: include_str!("migrations/0017_presence.surql"),
    },
    Migration {
        version: 18,
        name: "the mail outbox: mail written with what causes it, sent and retried by a worker",
        sql: include_str!("migrations/0018_outbox.surql"),
    },
    Migration {
        version: 19,
        name: "sign-in with the organisation's account: attempts under way, linked identities",
        sql: include_str!("migrations/0019_organisation_sign_in.surql"),
    },
    Migration {
        version: 20,
        name: "the notes' destruction warning mailed once per date",
        sql: include_str!("migrations/0020_notes_warning_mail.surql"),
    },
    Migration {
        version: 21,
        name: "the report's deadline reminders mailed once per round and date",
        sql: include_str!("migrations/0021_report_reminders.surql"),
    },
    Migration {
        version: 22,
        name: "the council's action plan and the publication record",
        sql: include_str!("migrations/0022_action_plan.surql"),
    },
    Migration {
        version: 23,
        name: "the progress review, linked to the review it follows up",
        sql: include_str!("migrations/0023_progress_review.surql"),
    },
];

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this call, in order.
    pub applied: Vec<i64>,
    /// The schema version now in force.
    pub current: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the database's schema is version {found}, newer than this peerwall knows ({known}); \
         run a newer peerwall or point --db at another database"
    )]
    TooNew { found: i64, known: i64 },

    #[error(
        "migration {version} ({name}) was changed after it was applied to this database; \
         restore its original text and add a new migration instead"
    )]
    Changed { version: i64, name: &'static str },

    #[error("migration {version} ({name}) failed: {reason}")]
    Failed {
        version: i64,
        name: &'static str,
        reason: String,
    },

    #[error("cannot read the migration history: {0}")]
    History(#[from] DbError),
}

#[derive(Debug, SurrealValue)]
struct AppliedMigration {
    version: i64,
    checksum: String,
}

const HISTORY_TABLE: &str = "
    DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
    DEFINE FIELD IF NOT EXISTS version ON migration TYPE int;
    DEFINE FIELD IF NOT EXISTS name ON migration TYPE string;
    DEFINE FIELD IF NOT EXISTS checksum ON migration TYPE string;
    DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;
";

/// Brings the schema up to date with `migrations`.
pub async fn migrate(
    db: &Database,
    migrations: &[Migration],
) -> Result<MigrationReport, MigrationError> {
    retry_conflicts(|| async { db.query(HISTORY_TABLE).await?.check() })
        .await
        .map_err(DbError::from)?;
    let known = migrations.last().map_or(0, |m| m.version);
    let mut applied = Vec::new();
    for migration in migrations {
        let history = read_history(db).await?;
        if let Some(newest) = history.last()
            && newest.version > known
        {
            return Err(MigrationError::TooNew {
                found: newest.version,
                known,
            });
        }
        match history.iter().find(|m| m.version == migration.version) {
            Some(done) if done.checksum == checksum(migration.sql) => continue,
            Some(_) => {
                return Err(MigrationError::Changed {
                    version: migration.version,
                    name: migration.name,
                });
            }
            None => {}
        }
        match apply(db, migration).await {
            Ok(()) => applied.push(migration.version),
            // Another node may have applied it between our read and our write.
            Err(error) => {
                let history = read_history(db).await?;
                if !history.iter().any(|m| m.version == migration.version) {
                    return Err(error);
                }
            }
        }
    }
    let current = read_history(db).await?.last().map_or(0, |m| m.version);
    if current > known {
        return Err(MigrationError::TooNew {
            found: current,
            known,
        });
    }
    Ok(MigrationReport { applied, current })
}

async fn read_history(db: &Database) -> Result<Vec<AppliedMigration>, DbError> {
    let mut response = db
        .query("SELECT version, checksum FROM migration ORDER BY version")
        .await?;
    Ok(response.take(0)?)
}

async fn apply(db: &Database, migration: &Migration) -> Result<(), MigrationError> {
    // The migration text is a constant compiled into the binary; values are bound.
    let sql = format!(
        "BEGIN TRANSACTION;\n{}\n;CREATE $record SET version = $version, name = $name, \
         checksum = $checksum, applied_at = time::now();\nCOMMIT TRANSACTION;",
        migration.sql
    );
    let failed = |reason: String| MigrationError::Failed {
        version: migration.version,
        name: migration.name,
        reason,
    };
    retry_conflicts(|| async {
        db.query(sql.as_str())
            .bind(("record", RecordId::new("migration", migration.version)))
            .bind(("version", migration.version))
            .bind(("name", migration.name))
            .bind(("checksum", checksum(migration.sql)))
            .await?
            .check()
    })
    .await
    .map_err(|error| failed(error.to_string()))?;
    tracing::info!(
        version = migration.version,
        name = migration.name,
        "applied migration"
    );
    Ok(())
}

/// FNV-1a over the migration text: enough to notice an edited migration.
fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_strictly_increasing_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
            assert!(!migration.sql.trim().is_empty());
        }
    }

    #[test]
    fn checksum_changes_with_the_text() {
        assert_eq!(checksum("DEFINE TABLE a;"), checksum("DEFINE TABLE a;"));
        assert_ne!(checksum("DEFINE TABLE a;"), checksum("DEFINE TABLE b;"));
        assert_eq!(checksum(""), "cbf29ce484222325");
    }

    /// Migration 8 moves the wall's rows written under the browser's ids alone to their
    /// (review, id) keys, and they load as before.
    #[tokio::test]
    async fn the_walls_rows_move_to_review_keys_and_still_load() {
        use app::review::ReviewId;
        use app::wall::{HeadingId, MessageId, NoteId};
        use surrealdb::types::{RecordIdKey, Uuid};
        let config = <crate::Config as clap::Parser>::parse_from(["peerwall", "--db", "mem://"]);
        let db = Database::open(&config.database()).await.unwrap();
        migrate(&db, &MIGRATIONS[..7]).await.unwrap();
        let review = ReviewId::new();
        let (note, message) = (
            NoteId(uuid::Uuid::new_v4()),
            MessageId(uuid::Uuid::new_v4()),
        );
        let state = serde_json::to_string(&app::wall::KeyMessage {
            id: message,
            heading: HeadingId("h-1".into()),
            order: "a0".into(),
            text: "Partners trust the council.".into(),
            kind: app::wall::MessageKind::Strength,
            evidence: vec![note],
            votes: Default::default(),
            version: 1,
            deleted: false,
            frozen: None,
        })
        .unwrap();
        db.query(
            "CREATE heading:`h-1` SET review = $review, title = 'Finance', position = 0;
             CREATE $note SET review = $review, heading = 'h-1', order_key = 'a0', text = 'Heard.',
                 kind = 'strength', source = 'Interview', stakeholder = 'Officers', pair = 1,
                 tags = [], version = 1, deleted = false, updated_at = time::now();
             CREATE $message SET review = $review, state = $state, updated_at = time::now();",
        )
        .bind(("review", super::super::records::review_record(review)))
        .bind((
            "note",
            RecordId::new("note", RecordIdKey::Uuid(Uuid::from(note.0))),
        ))
        .bind((
            "message",
            RecordId::new("key_message", RecordIdKey::Uuid(Uuid::from(message.0))),
        ))
        .bind(("state", state))
        .await
        .unwrap()
        .check()
        .unwrap();
        let report = migrate(&db, MIGRATIONS).await.unwrap();
        assert!(report.applied.contains(&8), "{report:?}");
        let board = super::super::wall::load(&db, review).await.unwrap();
        assert_eq!(board.headings.len(), 1);
        assert_eq!(board.headings[0].id, HeadingId("h-1".into()));
        assert_eq!(board.notes[&note].text, "Heard.");
        assert_eq!(board.notes[&note].heading, Some(HeadingId("h-1".into())));
        assert_eq!(board.messages[&message].text, "Partners trust the council.");
        let mut left = db
            .query("RETURN count(SELECT id FROM note WHERE type::is_uuid(record::id(id)))")
            .await
            .unwrap();
        let left: Option<i64> = left.take(0).unwrap();
        assert_eq!(left, Some(0), "no note is left under its old key");
        db.close().await;
    }

    /// Copies a checked-in database folder to a temporary one, so the test can write to it.
    fn copy_fixture(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_fixture(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    /// A database written by schema 8 (key messages and the wall's settings as the protocol's JSON in
    /// a string) is converted by migration 9 into columns, evidence rows and vote rows, and reads
    /// back exactly what schema 8 read: the whole board, and every event of its log.
    #[tokio::test]
    async fn a_schema_8_database_moves_its_messages_evidence_votes_and_settings_into_columns() {
        use crate::db::{review, wall};
        use app::wall::Board;
        use app::wall::protocol::WallEvent;

        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-8");
        let expected: Board =
            serde_json::from_str(&std::fs::read_to_string(fixture.join("board.json")).unwrap())
                .unwrap();
        let events: Vec<WallEvent> =
            serde_json::from_str(&std::fs::read_to_string(fixture.join("events.json")).unwrap())
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        copy_fixture(&fixture.join("data"), &dir.path().join("data"));
        let config = <crate::Config as clap::Parser>::parse_from([
            "peerwall".to_string(),
            "--db".to_string(),
            dir.path().join("data").display().to_string(),
        ]);
        let db = Database::open(&config.database()).await.unwrap();

        let report = migrate(&db, MIGRATIONS).await.unwrap();
        assert_eq!(
            report.applied,
            (9..=MIGRATIONS.last().unwrap().version).collect::<Vec<_>>()
        );
        let review = review::list_summaries(&db).await.unwrap()[0].id;
        let board = wall::load(&db, review).await.unwrap();
        assert_eq!(board, expected);
        assert!(
            board
                .messages
                .values()
                .any(|message| message.votes.len() > 1)
                && board.messages.values().any(|message| message.deleted)
                && board.settings.presenting,
            "the fixture has votes, a deleted message and changed settings"
        );
        assert_eq!(
            wall::events_after(&db, review, 0, 10_000).await.unwrap(),
            events
        );

        // The database itself now sees the evidence and the votes, one row per link and per dot-giver.
        let evidence: usize = expected.messages.values().map(|m| m.evidence.len()).sum();
        let voters: usize = expected.messages.values().map(|m| m.votes.len()).sum();
        let votes: u32 = expected
            .messages
            .values()
            .map(app::wall::KeyMessage::vote_total)
            .sum();
        let mut counts = db
            .query(
                "RETURN count(SELECT id FROM evidence);
                 RETURN count(SELECT id FROM vote);
                 RETURN math::sum(SELECT VALUE count FROM vote);
                 RETURN count(SELECT id FROM key_message WHERE state != NONE);
                 RETURN count(SELECT id FROM wall_event WHERE schema != 1);",
            )
            .await
            .unwrap();
        let numbers: Vec<Option<i64>> = (0..5).map(|index| counts.take(index).unwrap()).collect();
        assert_eq!(
            numbers,
            vec![
                Some(evidence as i64),
                Some(voters as i64),
                Some(i64::from(votes)),
                Some(0),
                Some(0)
            ]
        );
        db.close().await;
    }
}
