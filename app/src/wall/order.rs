//! Fractional ordering keys: strings that sort in the order of the notes they belong to, so that
//! putting a note between two others writes one row (its own key), whatever the column's length.
//!
//! A key is a base-62 fraction `0.d₁d₂…` written as its digits `0-9A-Za-z` (ASCII order, so plain
//! string comparison is numeric comparison) and never ending in `0`, which makes every fraction
//! have exactly one key. The board task on the server computes keys from the current neighbours;
//! the browser uses the same functions to place a note at once while the server confirms.

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn value(digit: u8) -> usize {
    match digit {
        b'0'..=b'9' => (digit - b'0') as usize,
        b'A'..=b'Z' => (digit - b'A') as usize + 10,
        b'a'..=b'z' => (digit - b'a') as usize + 36,
        _ => 0,
    }
}

/// Whether `key` is a well-formed ordering key (the server checks what it loads).
pub fn is_valid(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()) && !key.ends_with('0')
}

/// A key strictly between `before` and `after`; either may be open (`None`).
///
/// Appending (only `before`) and prepending (only `after`) step a digit rather than halving, so
/// a column built by appending grows its keys by one character per 31 notes.
pub fn key_between(before: Option<&str>, after: Option<&str>) -> String {
    match (before, after) {
        (None, None) => "V".to_string(),
        (Some(a), None) => key_after(a),
        (None, Some(b)) => key_before(b),
        (Some(a), Some(b)) if a < b => midpoint(a.as_bytes(), Some(b.as_bytes())),
        // Out of order or equal neighbours (a corrupt column): place after the first.
        (Some(a), Some(_)) => key_after(a),
    }
}

fn key_after(a: &str) -> String {
    let bytes = a.as_bytes();
    match bytes.iter().position(|&digit| digit != b'z') {
        Some(i) => {
            let mut key = bytes[..i].to_vec();
            key.push(DIGITS[value(bytes[i]) + 1]);
            String::from_utf8(key).unwrap_or_default()
        }
        None => format!("{a}V"),
    }
}

fn key_before(b: &str) -> String {
    let bytes = b.as_bytes();
    // The first digit that can go down without leaving a trailing zero.
    match bytes.iter().position(|&digit| value(digit) > 1) {
        Some(i) => {
            let mut key = bytes[..i].to_vec();
            key.push(DIGITS[value(bytes[i]) - 1]);
            String::from_utf8(key).unwrap_or_default()
        }
        None => midpoint(b"", Some(bytes)),
    }
}

/// The midpoint of two fractions `a < b` (`b` open means 1), as digits.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> String {
    let mut out = Vec::new();
    let mut a = a;
    let mut b = b;
    loop {
        if let Some(upper) = b {
            // Copy the common prefix (a's missing digits count as zeros).
            let common = upper
                .iter()
                .enumerate()
                .take_while(|(i, digit)| a.get(*i).copied().unwrap_or(b'0') == **digit)
                .count();
            if common > 0 {
                out.extend_from_slice(&upper[..common]);
                a = a.get(common..).unwrap_or(&[]);
                b = Some(&upper[common..]);
                continue;
            }
        }
        let low = a.first().map_or(0, |&digit| value(digit));
        let high = b
            .and_then(|upper| upper.first())
            .map_or(62, |&digit| value(digit));
        if high - low > 1 {
            out.push(DIGITS[(low + high) / 2]);
            return String::from_utf8(out).unwrap_or_default();
        }
        // Consecutive digits.
        match b {
            Some(upper) if upper.len() > 1 => {
                out.push(upper[0]);
                return String::from_utf8(out).unwrap_or_default();
            }
            _ => {
                out.push(DIGITS[low]);
                a = a.get(1..).unwrap_or(&[]);
                b = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: Option<&str>, after: Option<&str>) -> String {
        let key = key_between(before, after);
        assert!(is_valid(&key), "{key:?} from {before:?}..{after:?}");
        if let Some(before) = before {
            assert!(before < key.as_str(), "{before} < {key}");
        }
        if let Some(after) = after {
            assert!(key.as_str() < after, "{key} < {after}");
        }
        key
    }

    #[test]
    fn keys_fall_strictly_between_their_neighbours() {
        check(None, None);
        check(Some("V"), None);
        check(None, Some("V"));
        check(Some("V"), Some("W"));
        check(Some("V"), Some("V1"));
        check(Some("V0001"), Some("V001"));
        check(Some("z"), None);
        check(Some("zzz"), None);
        check(None, Some("1"));
        check(None, Some("01"));
        check(None, Some("0001"));
        check(Some("1"), Some("2"));
        check(Some("Vz"), Some("W"));
    }

    #[test]
    fn appending_keeps_keys_short() {
        let mut last: Option<String> = None;
        for _ in 0..1000 {
            last = Some(check(last.as_deref(), None));
        }
        // 1,000 notes appended to one column: keys of a few dozen bytes.
        assert!(last.unwrap().len() <= 40);
    }

    #[test]
    fn inserting_at_the_front_again_and_again_stays_ordered() {
        let mut first: Option<String> = None;
        for _ in 0..500 {
            first = Some(check(None, first.as_deref()));
        }
    }

    #[test]
    fn repeated_halving_converges_without_collisions() {
        // Always insert just after the first key: the worst case for midpoint length.
        let (low, mut high) = ("V".to_string(), "W".to_string());
        for _ in 0..200 {
            high = check(Some(&low), Some(&high));
        }
        assert!(high.len() < 60, "{high}");
    }

    #[test]
    fn a_random_sequence_of_insertions_keeps_a_sorted_list() {
        // A small linear congruential generator keeps the test deterministic without a crate.
        let mut seed: u64 = 42;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % bound
        };
        let mut keys: Vec<String> = Vec::new();
        for _ in 0..2000 {
            let at = next(keys.len() + 1);
            let before = at.checked_sub(1).map(|i| keys[i].as_str());
            let after = keys.get(at).map(String::as_str);
            let key = check(before, after);
            keys.insert(at, key);
        }
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn malformed_keys_are_recognised() {
        for bad in ["", "V0", "a b", "é"] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }
}
