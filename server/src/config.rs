//! One typed configuration, from command-line options with environment fallbacks.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use leptos::prelude::LeptosOptions;

pub use crate::db::{DatabaseConfig, DatabaseLocation};

/// Peerwall: the workspace for local-government peer challenges.
///
/// Every option can also be set by the environment variable named beside it.
#[derive(Debug, Clone, Parser)]
#[command(name = "peerwall", version, about, long_about = None)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address and port to listen on.
    #[arg(long, env = "PEERWALL_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Where the data lives: a folder for the embedded database (created if missing),
    /// `mem://` for a throwaway in-memory database, or `ws://host:port` (or `wss://`) for a
    /// SurrealDB server shared by several Peerwall nodes.
    #[arg(long, global = true, env = "PEERWALL_DB", default_value = "./data")]
    pub db: DatabaseLocation,

    /// SurrealDB namespace.
    #[arg(
        long,
        global = true,
        env = "PEERWALL_DB_NAMESPACE",
        default_value = "peerwall"
    )]
    pub db_namespace: String,

    /// SurrealDB database within the namespace.
    #[arg(
        long,
        global = true,
        env = "PEERWALL_DB_DATABASE",
        default_value = "peerwall"
    )]
    pub db_database: String,

    /// User name for a SurrealDB server (root user); not used by the embedded database.
    #[arg(long, global = true, env = "PEERWALL_DB_USER")]
    pub db_user: Option<String>,

    /// Password for `--db-user`.
    #[arg(
        long,
        global = true,
        env = "PEERWALL_DB_PASSWORD",
        hide_env_values = true
    )]
    pub db_password: Option<String>,

    /// MiB of recent writes the embedded database holds in memory before flushing them to its
    /// files (SurrealKV's memtable, 4–4096), or 0 for the engine's own size by the machine:
    /// 128 MiB under 4 GiB of memory, 256 MiB up to 16 GiB, 1 GiB up to 64 GiB, filled before
    /// its first flush. Larger flushes less often and holds more. Not used with `mem://` or a
    /// server.
    #[arg(
        long,
        global = true,
        env = "PEERWALL_DB_MEMTABLE_MIB",
        default_value_t = DEFAULT_MEMTABLE_MIB,
        value_parser = memtable_mib
    )]
    pub db_memtable_mib: u32,

    /// MiB of the embedded database's files kept decoded in memory for reading (SurrealKV's
    /// block cache; the operating system's file cache sits underneath it), or 0 for the
    /// engine's own size: half the machine's memory less 1 GiB. Not used with `mem://` or a
    /// server.
    #[arg(
        long,
        global = true,
        env = "PEERWALL_DB_BLOCK_CACHE_MIB",
        default_value_t = DEFAULT_BLOCK_CACHE_MIB,
        value_parser = clap::value_parser!(u32).range(0..=65536)
    )]
    pub db_block_cache_mib: u32,

    /// Seconds to wait for the database to answer at start-up and on readiness checks.
    #[arg(long, env = "PEERWALL_DB_TIMEOUT_SECS", default_value_t = 10)]
    pub db_timeout_secs: u64,

    /// Folder with the compiled front end (wasm, JavaScript, CSS and public assets).
    #[arg(long, env = "PEERWALL_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Seed a realistic fictional review into an empty database, so there is something to see.
    /// Refused on a database with real accounts or reviews; its accounts share a published
    /// password, so keep it on loopback.
    #[arg(long, env = "PEERWALL_DEMO")]
    pub demo: bool,

    /// Remove the demo's accounts (with their sessions and memberships) before serving a
    /// database that began as the demo; without it such a database is served only with --demo.
    #[arg(long, env = "PEERWALL_REMOVE_DEMO_ACCOUNTS", conflicts_with = "demo")]
    pub remove_demo_accounts: bool,

    /// Benchmarks only: serve `POST /bench/setup`, which creates throwaway boards, people and
    /// signed-in sessions in one call for the load generator (`bench/`). Never set this on a
    /// server that holds real reviews: anyone who can reach it can create sessions.
    #[arg(long, env = "PEERWALL_BENCH", requires = "bench_secret")]
    pub bench: bool,

    /// Benchmarks only: the secret `POST /bench/setup` must carry (header `x-bench-secret`).
    /// `--bench` needs it, and is refused on a database with real accounts or reviews.
    #[arg(long, env = "PEERWALL_BENCH_SECRET", hide_env_values = true)]
    pub bench_secret: Option<String>,

    /// Reverse proxies in front of Peerwall (comma-separated addresses) whose `X-Forwarded-For`
    /// names the client: the address the password throttle and the audit trail use. Without it
    /// the header is ignored and the client is the connection's own address.
    #[arg(
        long = "trusted-proxy",
        env = "PEERWALL_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "PEERWALL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter, in the `tracing` directive syntax (for example `info` or `peerwall=debug`).
    #[arg(long, env = "PEERWALL_LOG", default_value = "info")]
    pub log: String,

    /// The address people use to reach Peerwall, such as `https://peerwall.example.gov.uk`,
    /// when it differs from `--addr` (behind a proxy). Requests that change data must come from
    /// this origin, and an `https://` address makes the session cookie `Secure`.
    #[arg(long, env = "PEERWALL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Where people report an accessibility problem, shown on the accessibility statement
    /// (`/accessibility`): an email address or a web address.
    #[arg(long, env = "PEERWALL_ACCESSIBILITY_CONTACT")]
    pub accessibility_contact: Option<String>,

    /// The SMTP server mail goes through (invitations, password resets, the report sent to the
    /// council, round deadlines, the notes' warning): `smtp://host:port` (plain, on a trusted
    /// network), `smtp://user:password@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host`. Without it no mail is sent and links are shown to
    /// whoever created them.
    #[arg(
        long,
        env = "PEERWALL_SMTP_URL",
        hide_env_values = true,
        requires = "mail_from"
    )]
    pub smtp_url: Option<String>,

    /// Who mail comes from, such as `"Peerwall <peerwall@council.gov.uk>"` (with `--smtp-url`).
    #[arg(long, env = "PEERWALL_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Sign-in with the organisation's account: the OpenID Connect provider's issuer, such as
    /// `https://login.microsoftonline.com/<tenant id>/v2.0` for Microsoft Entra ID (found by
    /// discovery at its `/.well-known/openid-configuration`). With it, the sign-in page offers
    /// "Sign in with your organisation"; the provider sends people back to
    /// `<public URL>/auth/oidc/callback`, the redirect address to register with it.
    #[arg(
        long,
        env = "PEERWALL_OIDC_ISSUER",
        requires_all = ["oidc_client_id", "oidc_allowed_domains"]
    )]
    pub oidc_issuer: Option<String>,

    /// The client (application) id registered with the provider (with `--oidc-issuer`).
    #[arg(long, env = "PEERWALL_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// The client secret registered with the provider (with `--oidc-issuer`).
    #[arg(long, env = "PEERWALL_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// The email domains whose people may sign in with their organisation's account, comma
    /// separated (`eastbrook.gov.uk,local.gov.uk`), or `*` for any; each still needs an
    /// invitation or an account.
    #[arg(long, env = "PEERWALL_OIDC_ALLOWED_DOMAINS", value_delimiter = ',')]
    pub oidc_allowed_domains: Option<Vec<String>>,

    /// Seconds of inactivity after which a session ends (30 minutes by default).
    #[arg(long, env = "PEERWALL_SESSION_IDLE_SECS", default_value_t = 30 * 60)]
    pub session_idle_secs: u64,

    /// Seconds after sign-in at which a session ends however busy (12 hours by default).
    #[arg(long, env = "PEERWALL_SESSION_MAX_SECS", default_value_t = 12 * 60 * 60)]
    pub session_max_secs: u64,

    /// Seconds an invitation link stays usable (7 days by default).
    #[arg(long, env = "PEERWALL_INVITATION_TTL_SECS", default_value_t = 7 * 24 * 60 * 60)]
    pub invitation_ttl_secs: u64,

    /// Seconds that requests in flight may take to finish after Ctrl-C or SIGTERM.
    #[arg(long, env = "PEERWALL_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
}

/// Things `peerwall` can do besides serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Administer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Compress the built front end (`--site-root`) once, at brotli's best quality, so it is
    /// served as it is; run after building it (`make` does). The server also does this in
    /// the background at start-up for whatever is missing.
    Precompress,
    /// Write the whole database to FILE (SurrealDB's export). With the server running on the
    /// same data folder, the server takes it; the file holds notes, so it must go once the
    /// newest review in it is past its retention date.
    Backup {
        /// The file to write.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Read a backup into an empty database (the server stopped), bring its schema up to date
    /// and destroy again the notes of every review past its retention date.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator account; its password is generated and shown once.
    Create {
        /// The administrator's email address, used to sign in.
        #[arg(long)]
        email: String,
        /// The administrator's name as others see it.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The embedded engine's memtable unless told: small enough that it is flushed early and often,
/// so what it holds is a sawtooth of at most one memtable rather than a climb to the engine's own
/// 1 GiB (docs/benchmarks.md, soak), big enough that flushing and compacting stay in the
/// background.
pub const DEFAULT_MEMTABLE_MIB: u32 = 16;

/// The embedded engine's block cache unless told; the operating system caches the files too.
pub const DEFAULT_BLOCK_CACHE_MIB: u32 = 8;

/// `--db-memtable-mib`: 0 (the engine's own) or 4–4096.
fn memtable_mib(value: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(mib) if mib == 0 || (4..=4096).contains(&mib) => Ok(mib),
        _ => Err(format!(
            "`{value}` is not 0 (the engine's own) or 4–4096 MiB"
        )),
    }
}

/// A size in MiB as bytes, with 0 meaning the engine's own choice.
fn mib_or_engines(mib: u32) -> Option<u64> {
    (mib > 0).then(|| u64::from(mib) << 20)
}

impl Config {
    /// A configuration with every default, as if no option were given.
    pub fn defaults() -> Self {
        Self::parse_from(["peerwall"])
    }

    pub fn database(&self) -> DatabaseConfig {
        DatabaseConfig {
            location: self.db.clone(),
            namespace: self.db_namespace.clone(),
            database: self.db_database.clone(),
            user: self.db_user.clone(),
            password: self.db_password.clone(),
            timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
            memtable_bytes: mib_or_engines(self.db_memtable_mib),
            block_cache_bytes: mib_or_engines(self.db_block_cache_mib),
        }
    }

    /// How sessions live and how their cookie is written.
    pub fn session_policy(&self) -> crate::auth::SessionPolicy {
        crate::auth::SessionPolicy {
            idle: Duration::from_secs(self.session_idle_secs.max(1)),
            absolute: Duration::from_secs(self.session_max_secs.max(1)),
            secure: self
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://")),
        }
    }

    /// The origin that state-changing requests must come from, when configured.
    pub fn site_origin(&self) -> crate::auth::csrf::SiteOrigin {
        crate::auth::csrf::SiteOrigin(self.public_url.as_ref().map(|url| {
            let url = url.trim_end_matches('/');
            match url.split_once("://") {
                Some((scheme, rest)) => {
                    format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
                }
                None => url.to_string(),
            }
        }))
    }

    pub fn invitation_ttl(&self) -> Duration {
        Duration::from_secs(self.invitation_ttl_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The site's mail, from `--smtp-url` and `--mail-from`, with links to `--public-url` (or,
    /// without one, the listening address).
    pub fn mail(&self) -> Result<crate::mail::Mail, crate::mail::MailSetupError> {
        match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => crate::mail::Mail::smtp(url, from, &self.site()),
            _ => Ok(crate::mail::Mail::off()),
        }
    }

    /// Sign-in with the organisation's account, if `--oidc-issuer` is set.
    pub fn oidc(&self) -> Result<Option<crate::oidc::OidcSettings>, crate::oidc::OidcSetupError> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(None);
        };
        crate::oidc::OidcSettings::new(
            issuer,
            self.oidc_client_id.as_deref().unwrap_or_default(),
            self.oidc_client_secret.as_deref(),
            self.oidc_allowed_domains.as_deref().unwrap_or_default(),
            &self.site(),
        )
        .map(Some)
    }

    /// The address people use: `--public-url`, or `http://` and `--addr`.
    fn site(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    /// Leptos's options, built here rather than from cargo-leptos's environment variables so
    /// the binary runs the same however it was started.
    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("peerwall")
            .site_root(self.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(self.addr)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("mem://", DatabaseLocation::Memory)]
    #[case("memory", DatabaseLocation::Memory)]
    #[case("./data", DatabaseLocation::Folder(PathBuf::from("./data")))]
    #[case(
        "/var/lib/peerwall",
        DatabaseLocation::Folder(PathBuf::from("/var/lib/peerwall"))
    )]
    #[case(
        "surrealkv:///srv/pw",
        DatabaseLocation::Folder(PathBuf::from("/srv/pw"))
    )]
    #[case("ws://db:8000", DatabaseLocation::Remote("ws://db:8000".into()))]
    #[case("wss://db.example:443", DatabaseLocation::Remote("wss://db.example:443".into()))]
    fn database_locations_parse(#[case] input: &str, #[case] expected: DatabaseLocation) {
        assert_eq!(input.parse::<DatabaseLocation>(), Ok(expected));
    }

    #[rstest]
    #[case("", "empty")]
    #[case("http://db:8000", "`http://` is not a database")]
    #[case("surrealkv://", "needs a folder")]
    fn bad_database_locations_say_why(#[case] input: &str, #[case] expected: &str) {
        let error = input.parse::<DatabaseLocation>().unwrap_err();
        assert!(error.contains(expected), "{error}");
    }

    #[test]
    fn defaults_listen_locally_on_an_embedded_folder() {
        let config = Config::defaults();
        assert_eq!(config.addr, "127.0.0.1:3000".parse::<SocketAddr>().unwrap());
        assert_eq!(config.db, DatabaseLocation::Folder(PathBuf::from("./data")));
        assert!(!config.demo);
        assert_eq!(config.leptos_options().output_name.as_ref(), "peerwall");
    }

    #[test]
    fn options_override_defaults() {
        let config = Config::try_parse_from([
            "peerwall",
            "--addr",
            "0.0.0.0:8080",
            "--db",
            "ws://127.0.0.1:8000",
            "--demo",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(config.addr.port(), 8080);
        assert!(matches!(config.db, DatabaseLocation::Remote(_)));
        assert!(config.demo);
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn the_admin_subcommand_takes_the_database_options_after_it() {
        let config = Config::try_parse_from([
            "peerwall", "admin", "create", "--email", "a@b.uk", "--db", "mem://",
        ])
        .unwrap();
        assert_eq!(config.db, DatabaseLocation::Memory);
        assert!(matches!(
            config.command,
            Some(Command::Admin(AdminCommand::Create { ref email, .. })) if email == "a@b.uk"
        ));
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure_and_sets_the_origin() {
        let config =
            Config::try_parse_from(["peerwall", "--public-url", "https://pw.example.gov.uk/app/"])
                .unwrap();
        assert!(config.session_policy().secure);
        assert_eq!(
            config.site_origin().0.as_deref(),
            Some("https://pw.example.gov.uk")
        );
        assert!(!Config::defaults().session_policy().secure);
        assert_eq!(
            Config::defaults().session_policy().idle,
            Duration::from_secs(1800)
        );
    }

    #[test]
    fn bad_option_values_are_refused_by_the_parser() {
        let error = Config::try_parse_from(["peerwall", "--addr", "nowhere"]).unwrap_err();
        assert!(error.to_string().contains("--addr"));
        let error = Config::try_parse_from(["peerwall", "--db", "ftp://x"]).unwrap_err();
        assert!(error.to_string().contains("not a database"));
        for memtable in ["2", "5000", "lots"] {
            let error =
                Config::try_parse_from(["peerwall", "--db-memtable-mib", memtable]).unwrap_err();
            assert!(error.to_string().contains("--db-memtable-mib"), "{error}");
            assert!(error.to_string().contains("4–4096"), "{error}");
        }
        for cache in ["70000", "1.5", "some"] {
            let error =
                Config::try_parse_from(["peerwall", "--db-block-cache-mib", cache]).unwrap_err();
            assert!(
                error.to_string().contains("--db-block-cache-mib"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_embedded_engine_is_bounded_unless_told_otherwise() {
        let defaults = Config::defaults().database();
        assert_eq!(
            (defaults.memtable_bytes, defaults.block_cache_bytes),
            (Some(16 << 20), Some(8 << 20))
        );
        let config = Config::try_parse_from([
            "peerwall",
            "--db-memtable-mib",
            "64",
            "--db-block-cache-mib",
            "32",
        ])
        .unwrap();
        assert_eq!(config.database().memtable_bytes, Some(64 << 20));
        assert_eq!(config.database().block_cache_bytes, Some(32 << 20));
        let engines = Config::try_parse_from([
            "peerwall",
            "--db-memtable-mib",
            "0",
            "--db-block-cache-mib",
            "0",
        ])
        .unwrap();
        assert_eq!(
            (
                engines.database().memtable_bytes,
                engines.database().block_cache_bytes
            ),
            (None, None)
        );
    }
}
