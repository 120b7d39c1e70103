//! One throttle for every password check (signing in, accepting an invitation with an existing
//! account, changing a password), in memory: failures are counted per account (the email
//! address as typed, whether or not an account has it, so the answer never says which exist)
//! and per client address. Past a few free failures each further attempt must wait, twice as
//! long each time: for an account at most `ACCOUNT_MAX_WAIT`, so a stranger can slow a person
//! down but never lock them out; for an address up to `ADDRESS_MAX_WAIT`, so one address
//! guessing across many accounts is held back for long.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures that cost nothing, per account and per address.
pub const ACCOUNT_FREE: u32 = 5;
pub const ADDRESS_FREE: u32 = 20;
/// The longest wait between attempts on one account, and from one address.
pub const ACCOUNT_MAX_WAIT: Duration = Duration::from_secs(60);
pub const ADDRESS_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten after this long without another.
const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);
/// Keys tracked at most per kind, so a flood of addresses or names cannot exhaust memory.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failures per key with a growing wait.
#[derive(Debug)]
struct Tracker {
    free: u32,
    first_wait: Duration,
    max_wait: Duration,
    entries: Mutex<HashMap<String, Failures>>,
}

impl Tracker {
    fn new(free: u32, first_wait: Duration, max_wait: Duration) -> Self {
        Self {
            free,
            first_wait,
            max_wait,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The wait owed after `count` failures.
    fn wait_after(&self, count: u32) -> Duration {
        if count < self.free {
            return Duration::ZERO;
        }
        let doublings = (count - self.free).min(20);
        self.first_wait
            .saturating_mul(1 << doublings)
            .min(self.max_wait)
    }

    /// How long `key` must still wait before its next attempt.
    fn wait(&self, key: &str) -> Duration {
        match self.entries().get(key) {
            Some(failures) if failures.last.elapsed() < FORGET_AFTER => self
                .wait_after(failures.count)
                .saturating_sub(failures.last.elapsed()),
            _ => Duration::ZERO,
        }
    }

    fn failed(&self, key: &str) {
        let mut entries = self.entries();
        if entries.len() >= MAX_TRACKED {
            entries.retain(|_, failures| failures.last.elapsed() < FORGET_AFTER);
        }
        let now = Instant::now();
        let failures = entries.entry(key.to_string()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if failures.last.elapsed() >= FORGET_AFTER {
            failures.count = 0;
        }
        failures.count += 1;
        failures.last = now;
    }

    fn clear(&self, key: &str) {
        self.entries().remove(key);
    }
}

/// The throttle for every password check.
#[derive(Debug)]
pub struct PasswordThrottle {
    accounts: Tracker,
    addresses: Tracker,
}

impl Default for PasswordThrottle {
    fn default() -> Self {
        Self::new(Duration::from_secs(1))
    }
}

impl PasswordThrottle {
    /// A throttle whose first wait is `first_wait`, doubling from there.
    pub fn new(first_wait: Duration) -> Self {
        Self {
            accounts: Tracker::new(ACCOUNT_FREE, first_wait, ACCOUNT_MAX_WAIT),
            addresses: Tracker::new(ADDRESS_FREE, first_wait, ADDRESS_MAX_WAIT),
        }
    }

    /// `Err(wait)` when the account or the address must wait before another attempt.
    pub fn check(&self, account: &str, address: Option<&str>) -> Result<(), Duration> {
        let wait = self
            .accounts
            .wait(account)
            .max(address.map_or(Duration::ZERO, |address| self.addresses.wait(address)));
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// A wrong password for `account` from `address`.
    pub fn failed(&self, account: &str, address: Option<&str>) {
        self.accounts.failed(account);
        if let Some(address) = address {
            self.addresses.failed(address);
        }
    }

    /// The right password: the account's failures are forgotten. The address's are not: a
    /// guesser could otherwise sign in to an account of their own now and then to start again.
    pub fn succeeded(&self, account: &str) {
        self.accounts.clear(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_waits_longer_after_each_failure_but_never_more_than_a_minute() {
        let throttle = PasswordThrottle::new(Duration::from_secs(1));
        for _ in 0..ACCOUNT_FREE {
            assert!(throttle.check("a@x.org", None).is_ok());
            throttle.failed("a@x.org", None);
        }
        let first = throttle.check("a@x.org", None).unwrap_err();
        assert!(first <= Duration::from_secs(1) && first > Duration::from_millis(900));
        throttle.failed("a@x.org", None);
        let second = throttle.check("a@x.org", None).unwrap_err();
        assert!(second > Duration::from_millis(1900), "{second:?}");
        for _ in 0..30 {
            throttle.failed("a@x.org", None);
        }
        assert!(throttle.check("a@x.org", None).unwrap_err() <= ACCOUNT_MAX_WAIT);
        // Another account is not held back; success forgets.
        assert!(throttle.check("b@x.org", None).is_ok());
        throttle.succeeded("a@x.org");
        assert!(throttle.check("a@x.org", None).is_ok());
    }

    #[test]
    fn one_address_guessing_across_accounts_is_held_back() {
        let throttle = PasswordThrottle::new(Duration::from_secs(1));
        for n in 0..ADDRESS_FREE + 12 {
            throttle.failed(&format!("{n}@x.org"), Some("192.0.2.1"));
        }
        let wait = throttle.check("new@x.org", Some("192.0.2.1")).unwrap_err();
        assert!(wait > ACCOUNT_MAX_WAIT, "{wait:?}");
        assert!(throttle.check("new@x.org", Some("192.0.2.2")).is_ok());
    }

    #[test]
    fn a_wait_runs_out() {
        let throttle = PasswordThrottle::new(Duration::from_millis(20));
        for _ in 0..=ACCOUNT_FREE {
            throttle.failed("a", None);
        }
        assert!(throttle.check("a", None).is_err());
        std::thread::sleep(Duration::from_millis(50));
        assert!(throttle.check("a", None).is_ok());
    }
}
