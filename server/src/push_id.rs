//! Chronological push ids, the child names `POST` creates, in Firebase's format.
//!
//! 20 characters: 8 encode the time in milliseconds, 12 are random. Ids made in the same
//! millisecond increment the random part, so ids always sort in creation order.

/// Firebase's alphabet, in ASCII order so ids sort as strings.
const ALPHABET: &[u8; 64] = b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Makes push ids; keeps the last one so ids made in the same millisecond stay ordered.
#[derive(Debug, Default)]
pub(crate) struct PushIds {
    last_ms: u64,
    last_random: [u8; 12],
}

impl PushIds {
    /// The next id for time `now_ms` (ms since the epoch).
    pub(crate) fn next(&mut self, now_ms: u64) -> String {
        // A clock that steps back must not make ids go back.
        let mut now = now_ms.max(self.last_ms);
        if now == self.last_ms && self.last_ms != 0 {
            if !increment(&mut self.last_random) {
                // All 12 random characters were at their maximum: move to the next millisecond.
                now += 1;
                self.fill_random();
            }
        } else {
            self.fill_random();
        }
        self.last_ms = now;
        let mut id = [0u8; 20];
        let mut time = now;
        for slot in id.iter_mut().take(8).rev() {
            *slot = ALPHABET[(time % 64) as usize];
            time /= 64;
        }
        for (slot, digit) in id.iter_mut().skip(8).zip(self.last_random) {
            *slot = ALPHABET[usize::from(digit % 64)];
        }
        id.iter().map(|&b| char::from(b)).collect()
    }

    fn fill_random(&mut self) {
        for digit in &mut self.last_random {
            *digit = fastrand::u8(0..64);
        }
    }
}

/// Adds one to a base-64 number; false when it overflows.
fn increment(digits: &mut [u8; 12]) -> bool {
    for digit in digits.iter_mut().rev() {
        if *digit < 63 {
            *digit += 1;
            return true;
        }
        *digit = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twenty_characters_of_the_alphabet() {
        let id = PushIds::default().next(1_700_000_000_000);
        assert_eq!(id.len(), 20);
        assert!(id.bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn the_first_eight_characters_encode_the_time() {
        let mut ids = PushIds::default();
        // 0 ms is "--------"; 64 ms is "-------0".
        assert!(ids.next(1).starts_with("-------0"));
        let mut ids = PushIds::default();
        assert!(ids.next(64).starts_with("------0-"));
    }

    #[test]
    fn ids_increase_within_a_millisecond_and_over_time() {
        let mut ids = PushIds::default();
        let mut previous = ids.next(1_000);
        for i in 0..1000 {
            let id = ids.next(1_000 + i / 100);
            assert!(id > previous, "{id} after {previous}");
            previous = id;
        }
        // A clock going back still gives a later id.
        assert!(ids.next(5) > previous);
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
