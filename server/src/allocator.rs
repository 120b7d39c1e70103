//! How the process's allocator hands memory back.
//!
//! glibc serves big allocations (128 KiB and up at start) from their own mappings, which go back
//! to the system when freed, but it raises that threshold to the size of each such block that
//! is freed. The embedded engine allocates every memtable as one zeroed block of its full size,
//! so after the first memtable is flushed, later ones were placed inside malloc's arenas,
//! zeroed (all of it resident at once) and kept when freed: the resident set climbed a
//! memtable's size at a time (docs/benchmarks.md, soak). Fixing the threshold keeps each big
//! block in its own mapping for its whole life.

// The only unsafe code in the workspace: two calls into glibc (`mallopt`, `malloc_usable_size`),
// each with the arguments its manual page asks for.
#![allow(unsafe_code)]

/// Blocks at least this big get their own mapping, returned to the system when freed.
pub const MMAP_THRESHOLD: usize = 1 << 20;

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

fn settle_given(operators: Option<std::ffi::OsString>) -> Settled {
    if operators.is_some() {
        return Settled::LeftToEnvironment;
    }
    fix_mmap_threshold(MMAP_THRESHOLD)
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

    const FRESH_PROCESS: &str = "PEERWALL_ALLOCATOR_TEST_FRESH_PROCESS";

    /// A 16 MiB block allocated after a 24 MiB one was freed still gets its own mapping (and so
    /// goes back to the system when freed). Without the fixed threshold, freeing the 24 MiB
    /// block raises glibc's threshold past 16 MiB and the next block lands in an arena.
    ///
    /// Checked in a fresh process (this test binary, running only this test): in a process
    /// where other tests have freed big blocks inside the arenas, malloc serves a block from
    /// that free space whatever the threshold, as it would in a server that had run for a while
    /// without it.
    #[test]
    fn a_freed_big_block_does_not_move_later_ones_into_the_arenas() {
        if std::env::var_os(FRESH_PROCESS).is_some() {
            let first = std::hint::black_box(vec![1u8; 24 << 20]);
            drop(first);
            assert_eq!(fix_mmap_threshold(MMAP_THRESHOLD), Settled::Fixed);
            let second = std::hint::black_box(vec![1u8; 16 << 20]);
            assert!(
                is_own_mapping(second.as_ptr(), second.len()),
                "a 16 MiB block was placed in malloc's arenas"
            );
            println!("checked in a fresh process");
            return;
        }
        let test = "allocator::tests::a_freed_big_block_does_not_move_later_ones_into_the_arenas";
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--nocapture", "--test-threads", "1"])
            .env(FRESH_PROCESS, "1")
            .env_remove("MALLOC_MMAP_THRESHOLD_")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}{stderr}");
        assert!(
            stdout.contains("checked in a fresh process"),
            "the check did not run: {stdout}"
        );
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
