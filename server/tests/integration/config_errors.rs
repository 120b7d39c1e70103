//! Bad configuration ends the real binary with exit code 1 and one clear sentence.

use std::net::TcpListener;
use std::process::{Command, Output};

fn peerwall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerwall"))
        .args(args)
        .env("PEERWALL_LOG", "off")
        .env_remove("PEERWALL_DB")
        .env_remove("PEERWALL_ADDR")
        .output()
        .expect("runs peerwall")
}

/// Asserts a failed start with exactly one line on stderr, and returns it.
fn failure_sentence(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one sentence, got: {stderr}");
    lines[0].to_string()
}

#[test]
fn an_unusable_data_folder_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    let output = peerwall(&["--addr", "127.0.0.1:0", "--db", data.to_str().unwrap()]);
    let line = failure_sentence(&output);
    assert!(
        line.starts_with("peerwall: cannot use the data folder"),
        "{line}"
    );
    assert!(line.contains("a file is in the way"), "{line}");
}

#[test]
fn an_unreachable_database_server_is_explained() {
    // A port with nothing listening: bind one, note it, close it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("ws://127.0.0.1:{port}");
    let output = peerwall(&[
        "--addr",
        "127.0.0.1:0",
        "--db",
        &url,
        "--db-timeout-secs",
        "3",
    ]);
    let line = failure_sentence(&output);
    assert!(
        line.starts_with(&format!("peerwall: cannot reach the database at {url}")),
        "{line}"
    );
}

#[test]
fn a_taken_port_is_explained() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = peerwall(&["--addr", &addr, "--db", "mem://"]);
    let line = failure_sentence(&output);
    assert_eq!(
        line,
        format!(
            "peerwall: cannot listen on {addr}: the address is already in use by another program \
             (choose another with --addr)"
        )
    );
}

#[test]
fn a_malformed_option_is_refused_by_the_parser() {
    let output = peerwall(&["--db", "ftp://somewhere"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a database Peerwall can use"),
        "{stderr}"
    );
}

#[test]
fn help_documents_every_option() {
    let output = peerwall(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--addr",
        "--db ",
        "--db-namespace",
        "--db-database",
        "--db-user",
        "--db-password",
        "--db-timeout-secs",
        "--db-memtable-mib",
        "--db-block-cache-mib",
        "--site-root",
        "--demo",
        "--log-format",
        "--log ",
        "--shutdown-grace-secs",
        "PEERWALL_ADDR",
        "PEERWALL_DB",
        "PEERWALL_DB_MEMTABLE_MIB",
        "PEERWALL_DB_BLOCK_CACHE_MIB",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn precompress_compresses_the_front_end_once_and_says_so() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    let script = "export function hydrate() { return 'peerwall'; }\n".repeat(100);
    std::fs::write(site.path().join("pkg/peerwall.js"), &script).unwrap();
    let root = site.path().to_str().unwrap();
    let first = peerwall(&["--site-root", root, "precompress"]);
    assert!(first.status.success(), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        said.starts_with("Compressed 2 files (0 up to date)"),
        "{said}"
    );
    assert!(site.path().join("pkg/peerwall.js.br").exists());
    assert!(site.path().join("pkg/peerwall.js.gz").exists());
    let again = peerwall(&["--site-root", root, "precompress"]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.starts_with("Compressed 0 files (2 up to date)"),
        "{said}"
    );
}

#[test]
fn an_organisation_sign_in_that_cannot_be_safe_is_refused_at_start_up() {
    // peerwall on a throwaway database with `--oidc-issuer` and the options after it.
    let with_issuer = |issuer: &str, more: &[&str]| {
        let mut args = vec![
            "--addr",
            "127.0.0.1:0",
            "--db",
            "mem://",
            "--oidc-issuer",
            issuer,
            "--oidc-client-id",
            "peerwall",
        ];
        args.extend_from_slice(more);
        peerwall(&args)
    };
    let line = failure_sentence(&with_issuer(
        "http://login.example.com/tenant",
        &["--oidc-allowed-domains", "eastbrook.gov.uk"],
    ));
    assert!(
        line.contains("--oidc-issuer is not an https:// address"),
        "{line}"
    );
    let line = failure_sentence(&with_issuer(
        "https://login.example.com/tenant",
        &["--oidc-allowed-domains", "gov"],
    ));
    assert!(
        line.contains("--oidc-allowed-domains must name the email domains"),
        "{line}"
    );
    // Without the domains: clap's own refusal, and no start.
    let output = with_issuer("https://login.example.com/tenant", &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--oidc-allowed-domains"));
}
