//! Sign-in throttling by client address, in memory: after too many failures from one address
//! within a window, further attempts are refused until the window has passed. (Per-account
//! lockout lives in the database, so it holds across nodes.)

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed from one address within `window`.
#[derive(Debug)]
pub struct AddressThrottle {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Addresses tracked at most, so a flood of addresses cannot exhaust memory.
const MAX_TRACKED: usize = 100_000;

impl AddressThrottle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when `address` has failed too often lately.
    pub fn check(&self, address: &str) -> Result<(), Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match failures.get(address) {
            Some((count, since)) if *count >= self.limit && since.elapsed() < self.window => {
                Err(self.window - since.elapsed())
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, address: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() >= MAX_TRACKED {
            let window = self.window;
            failures.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = failures
            .entry(address.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn clear(&self, address: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_the_limit_and_others_are_not() {
        let throttle = AddressThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.check("10.0.0.1").is_ok());
            throttle.record_failure("10.0.0.1");
        }
        let wait = throttle.check("10.0.0.1").unwrap_err();
        assert!(wait <= Duration::from_secs(60));
        assert!(throttle.check("10.0.0.2").is_ok());
        throttle.clear("10.0.0.1");
        assert!(throttle.check("10.0.0.1").is_ok());
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let throttle = AddressThrottle::new(1, Duration::from_millis(20));
        throttle.record_failure("a");
        assert!(throttle.check("a").is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(throttle.check("a").is_ok());
    }
}
