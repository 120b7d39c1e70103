//! The built front end, compressed once instead of on every request.
//!
//! Brotli at its best quality makes the wasm a good deal smaller than the quick quality a server
//! can afford per request, and serving a file that is already compressed costs nothing. So, at
//! start-up, every compressible file under the site root gets a `.br` and a `.gz` beside it,
//! which the static file service sends to browsers that accept them. Copies older than their
//! file (the front end was rebuilt) are removed before the server answers anything, and made
//! again in the background; until a copy exists, the file is compressed per request as before.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

/// Files worth compressing: the wasm, scripts, styles and the like. Images such as PNG are
/// already compressed.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "svg", "json", "html", "txt", "map"];

/// Smaller files gain nothing worth a second file.
const MIN_BYTES: u64 = 512;

/// The encodings made for each file: the suffix of the copy, and how it is made.
const ENCODINGS: &[(&str, Encoder)] = &[("br", Encoder::Brotli), ("gz", Encoder::Gzip)];

#[derive(Debug, Clone, Copy)]
enum Encoder {
    Brotli,
    Gzip,
}

impl Encoder {
    fn compress(self, input: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Self::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 22,
                    size_hint: input.len(),
                    ..Default::default()
                };
                let mut output = Vec::with_capacity(input.len() / 3);
                brotli::BrotliCompress(&mut &input[..], &mut output, &params)?;
                Ok(output)
            }
            Self::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(input.len() / 3),
                    flate2::Compression::best(),
                );
                encoder.write_all(input)?;
                encoder.finish()
            }
        }
    }
}

/// What a pass over the site root found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Copies made now.
    pub written: usize,
    /// Copies already there and up to date.
    pub fresh: usize,
    /// Copies removed because their file changed since (or is gone).
    pub removed: usize,
    /// Bytes of the files compressed now, and of their brotli copies.
    pub source_bytes: u64,
    pub brotli_bytes: u64,
}

/// Removes every compressed copy that is older than its file or whose file is gone, so a
/// rebuilt front end is never answered with the previous build's bytes. Returns how many.
pub fn remove_stale(site_root: &Path) -> usize {
    let mut removed = 0;
    for path in files(site_root) {
        let Some(source) = source_of(&path) else {
            continue;
        };
        let stale = match (modified(&source), modified(&path)) {
            (Some(source_time), Some(copy_time)) => copy_time < source_time,
            // The file is gone, or its copy cannot be read.
            _ => true,
        };
        if stale && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Makes every missing copy. Blocking (brotli at quality 11 takes seconds for the wasm); run
/// it off the async runtime.
pub fn precompress(site_root: &Path) -> io::Result<Report> {
    let mut report = Report {
        removed: remove_stale(site_root),
        ..Report::default()
    };
    for source in files(site_root) {
        if !is_compressible(&source) {
            continue;
        }
        let size = fs::metadata(&source).map_or(0, |m| m.len());
        if size < MIN_BYTES {
            continue;
        }
        let mut input = None;
        for (suffix, encoder) in ENCODINGS {
            let copy = with_suffix(&source, suffix);
            if copy.is_file() {
                report.fresh += 1;
                continue;
            }
            let before = modified(&source);
            let bytes = match &input {
                Some(bytes) => bytes,
                None => input.insert(fs::read(&source)?),
            };
            let compressed = encoder.compress(bytes)?;
            // The front end was rebuilt while this ran: leave it to the next start.
            if modified(&source) != before {
                continue;
            }
            write_atomically(&copy, &compressed)?;
            report.written += 1;
            report.source_bytes += bytes.len() as u64;
            if matches!(encoder, Encoder::Brotli) {
                report.brotli_bytes += compressed.len() as u64;
            }
        }
    }
    Ok(report)
}

/// At start-up: stale copies go at once, missing ones are made on a background thread (once per
/// site root in this process).
pub fn prepare(site_root: &Path) {
    static STARTED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let removed = remove_stale(site_root);
    if removed > 0 {
        tracing::info!(removed, "removed compressed copies of an older front end");
    }
    {
        let mut started = STARTED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if started.iter().any(|root| root == site_root) {
            return;
        }
        started.push(site_root.to_path_buf());
    }
    let root = site_root.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("precompress".into())
        .spawn(move || {
            let started = Instant::now();
            match precompress(&root) {
                Ok(report) if report.written > 0 => tracing::info!(
                    written = report.written,
                    source_bytes = report.source_bytes,
                    brotli_bytes = report.brotli_bytes,
                    secs = started.elapsed().as_secs_f64(),
                    "compressed the front end's files"
                ),
                Ok(_) => {}
                // A read-only site root is fine: files are compressed per request instead.
                Err(error) => tracing::warn!(%error, root = %root.display(), "could not precompress static files"),
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start the precompression thread");
    }
}

/// Middleware for the static files: a request for a file whose copies are older than it (the
/// front end was rebuilt while the server ran, as `cargo leptos watch` does) removes them
/// first, so the new file is sent, compressed per request, and never the old build's bytes.
pub async fn drop_stale_copies(
    axum::extract::State(options): axum::extract::State<leptos::prelude::LeptosOptions>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // Pages, the API and the sockets have no compressible extension: no file system work.
    if is_compressible(Path::new(request.uri().path()))
        && let Some(source) =
            file_under(Path::new(options.site_root.as_ref()), request.uri().path())
        && let Some(source_time) = modified(&source)
    {
        for (suffix, _) in ENCODINGS {
            let copy = with_suffix(&source, suffix);
            if modified(&copy).is_some_and(|copy_time| copy_time < source_time) {
                let _ = fs::remove_file(&copy);
            }
        }
    }
    next.run(request).await
}

/// The file a request path names under the site root; only plain names, never `..`.
fn file_under(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|part| !part.is_empty()) {
        if part == "." || part == ".." || part.contains('\\') || part.contains('%') {
            return None;
        }
        file.push(part);
    }
    (file != root).then_some(file)
}

fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| COMPRESSIBLE.contains(&ext))
}

/// The file a compressed copy was made from (`x.wasm.br` → `x.wasm`), if it is one.
fn source_of(path: &Path) -> Option<PathBuf> {
    let ext = path.extension()?.to_str()?;
    if !ENCODINGS.iter().any(|(suffix, _)| *suffix == ext) {
        return None;
    }
    let source = path.with_extension("");
    is_compressible(&source).then_some(source)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Written beside the target and renamed, so a request never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_os_string();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// Every file under `root`, to a bounded depth (the site is two levels deep).
fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![(root.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && depth < 4 => folders.push((path, depth + 1)),
                Ok(kind) if kind.is_file() => found.push(path),
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn site() -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join("pkg")).unwrap();
        site
    }

    #[test]
    fn every_compressible_file_gets_a_brotli_and_a_gzip_copy_that_unpack_to_it() {
        let site = site();
        let script = "export function hydrate() { return 'peerwall'; }\n".repeat(100);
        fs::write(site.path().join("pkg/peerwall.js"), &script).unwrap();
        fs::write(site.path().join("pkg/tiny.css"), "a{}").unwrap();
        fs::write(site.path().join("pkg/picture.png"), vec![7u8; 4096]).unwrap();
        let report = precompress(site.path()).unwrap();
        assert_eq!(report.written, 2);
        let brotli = fs::read(site.path().join("pkg/peerwall.js.br")).unwrap();
        let mut unpacked = Vec::new();
        brotli::BrotliDecompress(&mut &brotli[..], &mut unpacked).unwrap();
        assert_eq!(unpacked, script.as_bytes());
        let gzip = fs::read(site.path().join("pkg/peerwall.js.gz")).unwrap();
        let mut unpacked = String::new();
        io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut unpacked)
            .unwrap();
        assert_eq!(unpacked, script);
        // Too small to gain, or already compressed: left alone.
        assert!(!site.path().join("pkg/tiny.css.br").exists());
        assert!(!site.path().join("pkg/picture.png.br").exists());
        // A second pass finds both copies up to date.
        let again = precompress(site.path()).unwrap();
        assert_eq!((again.written, again.fresh), (0, 2));
    }

    #[test]
    fn at_start_up_stale_copies_go_at_once_and_missing_ones_are_made_in_the_background() {
        let site = site();
        let script = site.path().join("pkg/peerwall.js");
        fs::write(&script, "let wall = 'live';\n".repeat(100)).unwrap();
        // A copy from an older build, which must never be sent for the new file.
        let copy = site.path().join("pkg/peerwall.js.br");
        fs::write(&copy, b"old build").unwrap();
        let earlier = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&copy)
            .unwrap()
            .set_modified(earlier)
            .unwrap();
        prepare(site.path());
        // Whatever the background thread has done by now, the old bytes are gone.
        assert_ne!(fs::read(&copy).ok().as_deref(), Some(&b"old build"[..]));
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !(copy.exists() && site.path().join("pkg/peerwall.js.gz").exists()) {
            assert!(std::time::Instant::now() < deadline, "no copies after 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut unpacked = Vec::new();
        brotli::BrotliDecompress(&mut &fs::read(&copy).unwrap()[..], &mut unpacked).unwrap();
        assert_eq!(unpacked, fs::read(&script).unwrap());
    }

    #[test]
    fn a_request_path_names_a_file_under_the_root_or_nothing() {
        let root = Path::new("/srv/site");
        assert_eq!(
            file_under(root, "/pkg/peerwall.wasm"),
            Some(PathBuf::from("/srv/site/pkg/peerwall.wasm"))
        );
        assert_eq!(file_under(root, "/"), None);
        assert_eq!(file_under(root, "/pkg/../../etc/passwd"), None);
        assert_eq!(file_under(root, "/pkg/%2e%2e/x"), None);
    }

    #[test]
    fn a_copy_older_than_its_file_or_without_one_is_removed() {
        let site = site();
        let wasm = site.path().join("pkg/peerwall.wasm");
        fs::write(&wasm, vec![0u8; 2048]).unwrap();
        precompress(site.path()).unwrap();
        let copy = site.path().join("pkg/peerwall.wasm.br");
        assert!(copy.exists());
        // The front end is rebuilt: the file is now newer than its copy.
        let later = SystemTime::now() + Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(&wasm)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(remove_stale(site.path()), 2);
        assert!(!copy.exists());
        // A copy whose file is gone goes too.
        fs::write(site.path().join("pkg/old.js.br"), b"x").unwrap();
        assert_eq!(remove_stale(site.path()), 1);
        // Other files that merely end in .br or .gz are not copies.
        fs::write(site.path().join("pkg/archive.tar.gz"), b"x").unwrap();
        assert_eq!(remove_stale(site.path()), 0);
        assert!(site.path().join("pkg/archive.tar.gz").exists());
    }
}
