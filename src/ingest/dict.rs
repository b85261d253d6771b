//! Interning text values into dense codes, the hot loop of every text column.
//!
//! A text column stores one `u32` per row and each distinct string once. Interning runs once per
//! text field of every row, so it is built for that: a last-value cache first (`proto`, `state`,
//! `service` and the labels repeat row after row), then one hash table probe. The table holds only
//! codes and hashes; each string lives once, in `values`, and the probe compares against it there
//! (no second copy as a map key). The hash is rustc-hash's Fx string hash: the keys are the file's own values,
//! not attacker-chosen map keys of a server, and SipHash cost ~25 % of a Zeek load.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// Interns strings into codes `0, 1, 2…` in order of first appearance.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dict {
    /// (hash, code) of every value, 8 bytes: growing the table rehashes from the stored hash,
    /// without reading the strings again, and a probe compares strings only when the hashes agree.
    table: HashTable<(u32, u32)>,
    /// The distinct values; a value's code is its index.
    pub values: Vec<String>,
    /// Code of the value interned last (meaningful once `values` is not empty).
    last: u32,
}

/// A 32-bit hash of a value: both halves of Fx's 64-bit output folded together. On wasm32 Fx
/// works in `usize` and its upper half is zero, so taking only that half would send every value
/// to one bucket (a quadratic load in the page).
fn hash(v: &str) -> u32 {
    fold(FxBuildHasher.hash_one(v))
}

fn fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// The 32-bit hash spread over the 64 bits the table looks at (it picks buckets with the low bits
/// and a tag with the top 7, which here are bits 25–31 of the same hash).
fn spread(h: u32) -> u64 {
    u64::from(h) | (u64::from(h) << 32)
}

impl Dict {
    /// An empty dictionary with room for `n` values (a batch sized like the one before it).
    pub fn with_capacity(n: usize) -> Self {
        Dict {
            table: HashTable::with_capacity(n),
            values: Vec::with_capacity(n),
            last: 0,
        }
    }

    /// The code of `v`, adding it when it is new.
    pub fn code(&mut self, v: &str) -> u32 {
        if self
            .values
            .get(self.last as usize)
            .is_some_and(|last| last == v)
        {
            return self.last;
        }
        let h = hash(v);
        let values = &self.values;
        let found = self
            .table
            .find(spread(h), |&(eh, c)| eh == h && values[c as usize] == v);
        let code = match found {
            Some(&(_, c)) => c,
            None => {
                let c = values.len() as u32;
                self.values.push(v.to_string());
                self.table
                    .insert_unique(spread(h), (h, c), |&(eh, _)| spread(eh));
                c
            }
        };
        self.last = code;
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_first_appearance_and_repeat() {
        let mut d = Dict::default();
        let words = ["tcp", "tcp", "udp", "icmp", "tcp", "", "udp", "udp", ""];
        let codes: Vec<u32> = words.iter().map(|w| d.code(w)).collect();
        assert_eq!(codes, vec![0, 0, 1, 2, 0, 3, 1, 1, 3]);
        assert_eq!(d.values, vec!["tcp", "udp", "icmp", ""]);
    }

    /// A 32-bit target's hash (upper half zero) still spreads: the low half is kept.
    #[test]
    fn hashes_of_32_bit_targets_keep_their_bits() {
        let hashes: std::collections::HashSet<u32> = (0..1000u64)
            .map(|i| fold(i.wrapping_mul(0x9e37_79b9)))
            .collect();
        assert_eq!(hashes.len(), 1000);
        let words: std::collections::HashSet<u32> =
            (0..1000).map(|i| hash(&format!("C{i}x"))).collect();
        assert!(words.len() > 990, "{} distinct hashes of 1000", words.len());
    }

    #[test]
    fn many_distinct_values_survive_rehashing() {
        let mut d = Dict::default();
        for i in 0..10_000u32 {
            assert_eq!(d.code(&format!("C{i}x")), i);
        }
        for i in (0..10_000u32).rev() {
            assert_eq!(d.code(&format!("C{i}x")), i);
        }
        assert_eq!(d.values.len(), 10_000);
    }
}
