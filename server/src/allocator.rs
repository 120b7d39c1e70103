//! How the process's allocator hands memory back.
//!
//! glibc serves big allocations (128 KiB and up at start) from their own mappings, which go back
//! to the system when freed, but it raises that threshold to the size of each such block that
//! is freed. The embedded engine allocates every memtable as one zeroed block of its full size,
//! so after the first memtable is flushed, later ones were placed inside malloc's arenas,
//! zeroed (all of it resident at once) and kept when freed: the resident set climbed a
//! memtable's size at a time (docs/benchmarks.md, soak). Fixing the threshold keeps each big
//! block in its own mapping for its whole life.
//!
//! Small blocks come from arenas, and glibc hands an arena's free pages back only from the top of
//! the main one. A heap profile of the soak found the live heap flat (about 45 MB) while the
//! resident set grew by 638 bytes an operation: freed blocks, kept. So every [`TRIM_EVERY`] the
//! free pages inside every arena go back to the system (`malloc_trim`): over a 30-minute soak
//! the growth fell from 1,070 to 210 bytes an operation. Capping the arenas
//! (`MALLOC_ARENA_MAX=2`) was measured beside it: alone it cut the growth by a third, with the
//! trim it changed nothing, so it is not set (docs/benchmarks.md).

// The only unsafe code in the workspace: calls into glibc (`mallopt`, `malloc_trim`,
// `malloc_usable_size`), each with the arguments its manual page asks for.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::time::Duration;

/// Blocks at least this big get their own mapping, returned to the system when freed.
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// How often the arenas' free pages go back to the system.
pub const TRIM_EVERY: Duration = Duration::from_secs(10);

/// What `settle` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The threshold is fixed at [`MMAP_THRESHOLD`].
    Fixed,
    /// `MALLOC_MMAP_THRESHOLD_` was set, so glibc already took the operator's value.
    LeftToEnvironment,
    /// Not glibc, or glibc refused: the allocator's own behaviour stands.
    Unsupported,
}

/// Fixes malloc's mmap threshold, unless the operator set glibc's `MALLOC_MMAP_THRESHOLD_`.
/// Call it once at start-up, before the runtime's threads allocate.
pub fn settle() -> Settled {
    settle_given(std::env::var_os("MALLOC_MMAP_THRESHOLD_"))
}

fn settle_given(operators: Option<OsString>) -> Settled {
    if operators.is_some() {
        return Settled::LeftToEnvironment;
    }
    fix_mmap_threshold(MMAP_THRESHOLD)
}

/// Hands the arenas' free pages back every `every`, on a thread of its own (a trim takes each
/// arena's lock in turn while it walks that arena's free blocks; a runtime thread waits only if
/// it allocates from that arena meanwhile). False where there is no glibc to ask.
pub fn trim_every(every: Duration) -> bool {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return false;
    }
    std::thread::Builder::new()
        .name("malloc-trim".into())
        .spawn(move || {
            loop {
                std::thread::sleep(every);
                trim();
            }
        })
        .is_ok()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold(bytes: usize) -> Settled {
    let Ok(bytes) = libc::c_int::try_from(bytes) else {
        return Settled::Unsupported;
    };
    // SAFETY: mallopt only sets a parameter of the allocator, under the allocator's own lock.
    if unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, bytes) } == 1 {
        Settled::Fixed
    } else {
        Settled::Unsupported
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold(_bytes: usize) -> Settled {
    Settled::Unsupported
}

/// Hands every arena's free pages back to the system; true if any went.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() -> bool {
    // SAFETY: malloc_trim takes no pointer; 0 keeps no extra padding at the top of the heap.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Whether the block `bytes` long at `pointer` is a mapping of its own: glibc rounds those
    /// up to whole pages, so the usable size shows it (a block from an arena is rounded to 16).
    fn is_own_mapping(pointer: *const u8, bytes: usize) -> bool {
        // SAFETY: `pointer` is a live block from the system allocator (a Vec's buffer).
        let usable = unsafe { libc::malloc_usable_size(pointer as *mut libc::c_void) };
        usable >= bytes + 1024
    }

    /// This process's resident set, in bytes.
    fn resident() -> usize {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|l| l.split_whitespace().next()?.parse::<usize>().ok())
            .expect("a VmRSS line");
        kib * 1024
    }

    const FRESH_PROCESS: &str = "PEERWALL_ALLOCATOR_TEST_FRESH_PROCESS";

    /// Runs `test` (this module's test of that name) again in a fresh process, this test binary
    /// running only it, with glibc's own variables unset; true in that fresh process, where the
    /// caller then does the check. Checked there because in a process where other tests have
    /// allocated and freed, malloc's state is theirs, as it would be in a server that had run for
    /// a while.
    fn in_fresh_process(test: &str) -> bool {
        if std::env::var_os(FRESH_PROCESS).is_some() {
            return true;
        }
        let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
            .args([
                "--exact",
                &format!("allocator::tests::{test}"),
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(FRESH_PROCESS, "1")
            .env_remove("MALLOC_MMAP_THRESHOLD_")
            .output()
            .expect("the test binary runs again");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.contains("checked in a fresh process"),
            "the check did not run: {stdout}"
        );
        false
    }

    /// A 16 MiB block allocated after a 24 MiB one was freed still gets its own mapping (and so
    /// goes back to the system when freed). Without the fixed threshold, freeing the 24 MiB
    /// block raises glibc's threshold past 16 MiB and the next block lands in an arena.
    #[test]
    fn a_freed_big_block_does_not_move_later_ones_into_the_arenas() {
        if !in_fresh_process("a_freed_big_block_does_not_move_later_ones_into_the_arenas") {
            return;
        }
        let first = std::hint::black_box(vec![1u8; 24 << 20]);
        drop(first);
        assert_eq!(fix_mmap_threshold(MMAP_THRESHOLD), Settled::Fixed);
        let second = std::hint::black_box(vec![1u8; 16 << 20]);
        assert!(
            is_own_mapping(second.as_ptr(), second.len()),
            "a 16 MiB block was placed in malloc's arenas"
        );
        println!("checked in a fresh process");
    }

    /// 64 MiB of small blocks, freed but for the last one (which keeps the heap's top where it
    /// is, so malloc cannot shrink the heap from the top): resident before and after the free.
    /// Panics if freeing alone handed most pages back (then a trim would show nothing).
    fn freed_but_resident() -> (usize, Vec<u8>) {
        const BLOCKS: usize = 16 * 1024;
        let mut blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|i| vec![i as u8; 4000]).collect();
        let last = blocks.pop().expect("blocks");
        let before = resident();
        drop(blocks);
        let freed = resident();
        assert!(
            freed > before - (16 << 20),
            "freeing alone handed most pages back ({} → {} MiB): the test no longer shows a trim's effect",
            before >> 20,
            freed >> 20
        );
        (freed, last)
    }

    fn assert_handed_back(freed: usize, after: usize) {
        assert!(
            after + (48 << 20) < freed,
            "less than 48 of 64 MiB freed went back ({} → {} MiB)",
            freed >> 20,
            after >> 20
        );
    }

    /// The freed pages stay resident until a trim hands them back.
    #[test]
    fn a_trim_hands_back_the_free_pages_inside_the_heap() {
        if !in_fresh_process("a_trim_hands_back_the_free_pages_inside_the_heap") {
            return;
        }
        let (freed, last) = freed_but_resident();
        let started = std::time::Instant::now();
        assert!(trim(), "the trim handed nothing back");
        let took = started.elapsed();
        let after = resident();
        std::hint::black_box(last);
        println!(
            "resident {} MiB when freed, {} MiB after a trim of {took:?}",
            freed >> 20,
            after >> 20
        );
        assert_handed_back(freed, after);
        println!("checked in a fresh process");
    }

    /// The thread `trim_every` starts does the same on its own, within a few of its periods.
    #[test]
    fn the_trimming_thread_hands_them_back_unasked() {
        if !in_fresh_process("the_trimming_thread_hands_them_back_unasked") {
            return;
        }
        let (freed, last) = freed_but_resident();
        assert!(trim_every(Duration::from_millis(20)));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut after = resident();
        while after + (48 << 20) >= freed && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            after = resident();
        }
        std::hint::black_box(last);
        assert_handed_back(freed, after);
        println!("checked in a fresh process");
    }

    #[test]
    fn the_operators_setting_is_left_alone() {
        assert_eq!(
            settle_given(Some("4194304".into())),
            Settled::LeftToEnvironment
        );
        assert_eq!(settle_given(None), Settled::Fixed);
    }
}
