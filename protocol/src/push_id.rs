//! Chronological push ids, the child names `POST` creates, in Firebase's format.
//!
//! 20 characters: 8 encode the time in milliseconds, 12 are random. Ids made in the same
//! millisecond increment the random part, so ids always sort in creation order. The caller
//! gives the randomness (this crate depends on nothing but serde).
//!
//! ```
//! use rtcweb_protocol::push_id::PushIds;
//! let mut ids = PushIds::default();
//! let mut n = 0u8;
//! let mut random = || { n = n.wrapping_add(7); n };
//! let first = ids.next(1_700_000_000_000, &mut random);
//! let second = ids.next(1_700_000_000_000, &mut random);
//! assert_eq!(first.len(), 20);
//! assert!(second > first);
//! ```

/// Firebase's alphabet, in ASCII order so ids sort as strings.
pub const ALPHABET: &[u8; 64] = b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Makes push ids; keeps the last one so ids made in the same millisecond stay ordered.
#[derive(Debug, Default, Clone)]
pub struct PushIds {
    last_ms: u64,
    last_random: [u8; 12],
}

impl PushIds {
    /// The next id for time `now_ms` (ms since the epoch); `random` gives random bytes (only
    /// their low 6 bits are used).
    pub fn next(&mut self, now_ms: u64, mut random: impl FnMut() -> u8) -> String {
        // A clock that steps back must not make ids go back.
        let mut now = now_ms.max(self.last_ms);
        if now == self.last_ms && self.last_ms != 0 {
            if !increment(&mut self.last_random) {
                // All 12 random characters were at their maximum: move to the next millisecond.
                now += 1;
                self.fill(&mut random);
            }
        } else {
            self.fill(&mut random);
        }
        self.last_ms = now;
        let mut id = [0u8; 20];
        let mut time = now;
        for slot in id.iter_mut().take(8).rev() {
            *slot = digit(time % 64);
            time /= 64;
        }
        for (slot, d) in id.iter_mut().skip(8).zip(self.last_random) {
            *slot = digit(u64::from(d));
        }
        id.iter().map(|&b| char::from(b)).collect()
    }

    fn fill(&mut self, random: &mut impl FnMut() -> u8) {
        for d in &mut self.last_random {
            *d = random() % 64;
        }
    }
}

fn digit(value: u64) -> u8 {
    usize::try_from(value % 64)
        .ok()
        .and_then(|i| ALPHABET.get(i))
        .copied()
        .unwrap_or(b'-')
}

/// Adds one to a base-64 number; false when it overflows.
fn increment(digits: &mut [u8; 12]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d < 63 {
            *d += 1;
            return true;
        }
        *d = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut() -> u8 {
        let mut state = 12345u32;
        move || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        }
    }

    #[test]
    fn ids_are_twenty_characters_of_the_alphabet() {
        let id = PushIds::default().next(1_700_000_000_000, counter());
        assert_eq!(id.len(), 20);
        assert!(id.bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn the_first_eight_characters_encode_the_time() {
        let mut ids = PushIds::default();
        // 0 ms is "--------"; 64 ms is "-------0".
        assert!(ids.next(1, counter()).starts_with("-------0"));
        let mut ids = PushIds::default();
        assert!(ids.next(64, counter()).starts_with("------0-"));
    }

    #[test]
    fn ids_increase_within_a_millisecond_and_over_time() {
        let mut ids = PushIds::default();
        let mut random = counter();
        let mut previous = ids.next(1_000, &mut random);
        for i in 0..1000 {
            let id = ids.next(1_000 + i / 100, &mut random);
            assert!(id > previous, "{id} after {previous}");
            previous = id;
        }
        // A clock going back still gives a later id.
        assert!(ids.next(5, &mut random) > previous);
        // All random digits at their maximum: the next id moves to the next millisecond.
        let mut ids = PushIds::default();
        let first = ids.next(2_000, || 63);
        assert!(ids.next(2_000, || 63) > first);
    }

    #[test]
    fn increment_carries() {
        let mut digits = [0u8; 12];
        digits[11] = 63;
        assert!(increment(&mut digits));
        assert_eq!(digits[10..], [1, 0]);
        let mut full = [63u8; 12];
        assert!(!increment(&mut full));
    }
}
