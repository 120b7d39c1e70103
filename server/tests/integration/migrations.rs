use peerwall_server::db::migrations::{MIGRATIONS, Migration, MigrationError, migrate};
use peerwall_server::db::{Database, review};

use peerwall_server::demo::{DEMO_PASSWORD, DEMO_PEOPLE};

use crate::support::{TestApp, config, folder, json};

async fn open(db: &str) -> Database {
    Database::open(&config(db, &[]).database())
        .await
        .expect("opens")
}

fn latest() -> i64 {
    MIGRATIONS.last().unwrap().version
}

#[tokio::test]
async fn a_fresh_database_gets_every_migration_once() {
    let db = open("mem://").await;
    let first = migrate(&db, MIGRATIONS).await.unwrap();
    assert_eq!(first.applied, (1..=latest()).collect::<Vec<_>>());
    assert_eq!(first.current, latest());

    let second = migrate(&db, MIGRATIONS).await.unwrap();
    assert!(second.applied.is_empty(), "{second:?}");
    assert_eq!(second.current, latest());
}

#[tokio::test]
async fn nodes_starting_together_apply_each_migration_once() {
    let db = open("mem://").await;
    let (a, b) = tokio::join!(migrate(&db, MIGRATIONS), migrate(&db, MIGRATIONS));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all = a.applied.clone();
    all.extend(b.applied.clone());
    all.sort();
    assert_eq!(all, (1..=latest()).collect::<Vec<_>>(), "{a:?} {b:?}");
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused() {
    let db = open("mem://").await;
    let mut future = MIGRATIONS.to_vec();
    future.push(Migration {
        version: latest() + 1,
        name: "from the future",
        sql: "DEFINE TABLE future_thing SCHEMALESS;",
    });
    migrate(&db, &future).await.unwrap();

    let error = migrate(&db, MIGRATIONS).await.unwrap_err();
    assert!(matches!(error, MigrationError::TooNew { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&format!("schema is version {}", latest() + 1)),
        "{message}"
    );
    assert!(message.contains("run a newer peerwall"), "{message}");
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let db = open("mem://").await;
    migrate(&db, MIGRATIONS).await.unwrap();
    let mut edited = MIGRATIONS.to_vec();
    edited[0].sql = "DEFINE TABLE something_else SCHEMALESS;";
    let error = migrate(&db, &edited).await.unwrap_err();
    assert!(
        matches!(error, MigrationError::Changed { version: 1, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_broken_migration_changes_nothing() {
    let db = open("mem://").await;
    let broken = [Migration {
        version: 1,
        name: "broken",
        sql: "DEFINE TABLE half_done SCHEMAFULL; THROW 'deliberately broken';",
    }];
    let error = migrate(&db, &broken).await.unwrap_err();
    assert!(
        matches!(error, MigrationError::Failed { version: 1, .. }),
        "{error:?}"
    );
    // Nothing was recorded, so the real migrations still apply from the start.
    let report = migrate(&db, MIGRATIONS).await.unwrap();
    assert_eq!(report.applied.first(), Some(&1));
}

#[tokio::test]
async fn a_restart_on_the_same_folder_keeps_data_and_does_not_reapply_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let db_option = folder(&dir.path().join("data"));

    let app = TestApp::start(config(&db_option, &["--demo"])).await;
    let cookie = app.session_cookie(DEMO_PEOPLE[0].1, DEMO_PASSWORD).await;
    let before = json(
        app.post("/api/list_my_reviews", String::new(), Some(&cookie))
            .await,
    )
    .await;
    // The demo's three reviews: Eastbrook's CPC, Glenmoor's PCI and Ashdown's signed-off CPC.
    assert_eq!(before.as_array().map(Vec::len), Some(3));
    app.stop().await;

    // Reopen directly: the schema is current, so nothing is applied again.
    {
        let db = open(&db_option).await;
        let report = migrate(&db, MIGRATIONS).await.unwrap();
        assert!(report.applied.is_empty(), "{report:?}");
        assert_eq!(review::count(&db).await.unwrap(), 3);
        db.close().await;
    }

    // And the server again, with --demo: the data is there and the demo is not seeded twice.
    let app = TestApp::start(config(&db_option, &["--demo"])).await;
    // The session survived the restart too: it lives in the database, not the process.
    let after = json(
        app.post("/api/list_my_reviews", String::new(), Some(&cookie))
            .await,
    )
    .await;
    assert_eq!(after, before);
    app.stop().await;
}
