//! Peerwall's server: configuration, database and migrations, routes, and the services that the
//! `app` crate's server functions call.

pub mod access;
pub mod accounts;
pub mod allocator;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod benchmark;
pub mod config;
pub mod db;
pub mod demo;
pub mod endpoint;
pub mod error;
pub mod health;
pub mod invitations;
pub mod live;
pub mod mail;
pub mod membership;
pub mod oidc;
pub mod organisations;
pub mod plan;
pub mod present;
pub mod report;
pub mod retention;
pub mod review;
pub mod routes;
pub mod services;
pub mod socket;
pub mod telemetry;
pub mod visit;
pub mod wall;

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use services::Services;

pub use config::Config;
pub use error::StartupError;

use crate::db::Database;

/// Everything a request handler may need, cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub db: Database,
    pub services: Services,
    pub sessions: auth::SessionPolicy,
    pub site: auth::csrf::SiteOrigin,
    /// The board tasks of the findings walls open on this node.
    pub wall: wall::hub::WallHub,
    /// Access changes, which open sockets check again at once.
    pub access: access::AccessWatch,
    /// The audit trail, for handlers outside the server functions (the wall, its export).
    pub audit: audit::AuditTrail,
    /// Sessions: the session layer resolves every request's cookie through it.
    pub accounts: Arc<accounts::Accounts>,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// The benchmark set-up service and its secret, when its route is served (`--bench`).
    pub bench: Option<Arc<bench::BenchSetup>>,
    /// The feedback report, for its socket and its document download.
    pub report: report::Reports,
    /// The visit's timetable, for its socket and its calendar export.
    pub timetable: visit::Timetables,
    /// The action plan, for its socket and its downloads.
    pub plan: plan::Plans,
    /// The pack's documents, for their upload and download routes.
    pub pack: visit::pack::Packs,
    /// The council's benchmarking data, for its import route.
    pub benchmarks: benchmark::Benchmarks,
    /// The mail outbox's worker (`--smtp-url`), stopped at shutdown.
    pub mail: mail::Mail,
    /// Sign-in with the organisation's account (`--oidc-issuer`), for its two routes.
    pub oidc: oidc::Oidc,
    /// Retention: the schedule that destroys notes past their date (and tests' injected time).
    pub retention: retention::Retention,
}

/// Opens the database, brings its schema up to date and seeds the demo review when asked.
pub async fn prepare(config: &Config) -> Result<AppState, StartupError> {
    let db = Database::open(&config.database()).await?;
    prepare_on(db, config).await
}

/// `prepare` on a database already open: another node sharing it, in tests.
pub async fn prepare_on(db: Database, config: &Config) -> Result<AppState, StartupError> {
    let report = db::migrations::migrate(&db, db::migrations::MIGRATIONS).await?;
    tracing::info!(
        schema_version = report.current,
        applied = ?report.applied,
        "database schema is up to date"
    );
    if config.demo {
        demo::seed(&db).await?;
        if let Some(warning) = demo::exposure_warning(config.addr) {
            tracing::warn!("{warning}");
            eprintln!("\n!!! {warning}\n");
        }
    } else {
        demo::refuse_demo_accounts(&db, config.remove_demo_accounts).await?;
    }
    if config.bench {
        bench::allow_on(&db).await?;
        tracing::warn!(
            "--bench is on: POST /bench/setup creates sessions for whoever has the bench secret"
        );
    }
    let mail = config.mail()?;
    mail.start(db.clone());
    let sessions = config.session_policy();
    let access = access::AccessWatch::new(db.clone());
    access.start_following();
    let audit = audit::AuditTrail::new(db.clone());
    let accounts = Arc::new(accounts::Accounts::new(
        db.clone(),
        sessions.clone(),
        access.clone(),
        audit.clone(),
        mail.clone(),
    ));
    let membership = Arc::new(membership::Memberships::new(
        db.clone(),
        access.clone(),
        audit.clone(),
    ));
    let reviews: Arc<dyn app::review::ReviewService> =
        Arc::new(review::Reviews::new(db.clone(), audit.clone()));
    let wall = wall::hub::WallHub::new(db.clone());
    // Only another node can commit to this node's walls, and only through a database server:
    // an embedded folder has no one else to hear, so its walls follow no LIVE query (each
    // commit would otherwise wake one to be read and ignored).
    if db.is_server() {
        wall.start_following();
    }
    let report = report::Reports::new(
        db.clone(),
        audit.clone(),
        membership.clone(),
        reviews.clone(),
        wall.clone(),
    )
    .with_mail(mail.clone());
    report.start_following();
    let door = membership::ReviewDoor::new(membership.clone(), reviews.clone());
    let timetable = visit::Timetables::new(db.clone(), audit.clone(), door.clone());
    timetable.start_following();
    let invitations: Arc<dyn app::invitations::InvitationService> =
        Arc::new(invitations::Invitations::new(
            db.clone(),
            accounts.clone(),
            membership.clone(),
            audit.clone(),
            config.invitation_ttl(),
            mail.clone(),
        ));
    let plan = plan::Plans::new(db.clone(), audit.clone(), door.clone(), invitations.clone());
    plan.start_following();
    let pack = visit::pack::Packs::new(db.clone(), audit.clone(), door.clone());
    let benchmarks = benchmark::Benchmarks::new(db.clone(), audit.clone(), door.clone());
    let retention = retention::Retention::new(
        db.clone(),
        audit.clone(),
        door,
        (wall.clone(), access.clone()),
    )
    .with_mail(mail.clone());
    if config.demo {
        // The demo's signed-off review had its notes destroyed on schedule, as any would.
        retention
            .run_due(chrono::Utc::now())
            .await
            .map_err(|error| StartupError::Retention(error.message))?;
    }
    let oidc = oidc::Oidc::new(
        config.oidc()?,
        oidc::OidcServices {
            db: db.clone(),
            accounts: accounts.clone(),
            membership: membership.clone(),
            audit: audit.clone(),
            sessions: sessions.clone(),
        },
    )?;
    let services = Services {
        accounts: accounts.clone() as Arc<dyn app::accounts::AccountService>,
        invitations,
        organisations: Arc::new(organisations::Organisations::new(db.clone(), audit.clone())),
        membership,
        audit: Arc::new(audit.clone()),
        reviews,
        report: Arc::new(report.clone()),
        timetable: Arc::new(timetable.clone()),
        pack: Arc::new(pack.clone()),
        benchmarks: Arc::new(benchmarks.clone()),
        retention: Arc::new(retention.clone()),
        plan: Arc::new(plan.clone()),
        accessibility: app::accessibility::StatementContact {
            contact: config.accessibility_contact.clone(),
        },
        organisation_sign_in: app::accounts::OrganisationSignIn {
            enabled: oidc.is_on(),
        },
    };
    let bench = config
        .bench
        .then_some(config.bench_secret.as_deref())
        .flatten()
        .map(|secret| Arc::new(bench::BenchSetup::new(secret, db.clone(), sessions.clone())));
    Ok(AppState {
        leptos: config.leptos_options(),
        db,
        services,
        sessions,
        site: config.site_origin(),
        wall,
        access,
        audit,
        accounts,
        trusted_proxies: config.trusted_proxies.clone().into(),
        bench,
        report,
        timetable,
        plan,
        pack,
        benchmarks,
        retention,
        mail,
        oidc,
    })
}

/// Binds the listening socket, with a clear error when the address is taken.
pub async fn bind(config: &Config) -> Result<TcpListener, StartupError> {
    TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartupError::Bind {
            addr: config.addr,
            source,
        })
}

/// Serves until `shutdown` completes, then lets in-flight requests finish for up to `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // No Nagle: a wall event is one small frame that must leave at once, not wait for the
    // browser to acknowledge the previous one (up to 40 ms with delayed ACKs).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let server = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing requests in flight");
            let _ = stopping_tx.send(());
        })
        .into_future();
    let deadline = async move {
        if stopping_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still open after the grace period; stopping anyway");
            Ok(())
        }
    }
}

/// Creates an administrator (`peerwall admin create`) and prints the generated password once.
pub async fn create_admin(config: &Config, email: &str, name: &str) -> Result<(), StartupError> {
    let db = Database::open(&config.database()).await?;
    db::migrations::migrate(&db, db::migrations::MIGRATIONS).await?;
    let password = accounts::create_admin(&db, email, name)
        .await
        .map_err(|error| StartupError::Admin(error.to_string()))?;
    println!("Created the administrator {email}.");
    println!("Password (shown once; they can change it after signing in): {password}");
    db.close().await;
    Ok(())
}

/// Ends the LIVE queries a prepared state follows, before its database is closed.
pub async fn stop_following(state: &AppState) {
    state.wall.stop_following().await;
    state.access.stop_following().await;
    state.report.stop_following().await;
    state.timetable.stop_following().await;
    state.plan.stop_following().await;
    state.retention.stop_schedule();
    state.report.stop_reminders();
    state.mail.stop().await;
}

/// Runs the whole server until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartupError> {
    let state = prepare(&config).await?;
    // Notes past their retention date (a restored backup, a server stopped for a while) go
    // before anything is served.
    let destroyed = state
        .retention
        .run_due(chrono::Utc::now())
        .await
        .map_err(|error| StartupError::Retention(error.message))?;
    if !destroyed.is_empty() {
        tracing::info!(
            reviews = destroyed.len(),
            "notes past their retention date destroyed"
        );
    }
    state.retention.start_schedule(retention::CHECK_EVERY);
    state.report.start_reminders(report::reminders::CHECK_EVERY);
    let backups = match &config.db {
        db::DatabaseLocation::Folder(folder) => backup::listen(state.db.clone(), folder),
        _ => None,
    };
    assets::prepare(std::path::Path::new(state.leptos.site_root.as_ref()));
    let listener = bind(&config).await?;
    let addr = listener.local_addr().map_err(StartupError::Serve)?;
    tracing::info!(%addr, "Peerwall is listening on http://{addr}");
    println!("Peerwall is running at http://{addr} (Ctrl-C stops it)");
    let stopping = state.clone();
    serve(
        listener,
        routes::router(state),
        shutdown_signal(),
        config.shutdown_grace(),
    )
    .await
    .map_err(StartupError::Serve)?;
    if let Some(backups) = backups {
        backups.abort();
    }
    stop_following(&stopping).await;
    stopping.db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
