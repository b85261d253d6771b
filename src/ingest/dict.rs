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

/// `a == b`, inline for the short values of flow logs. The standard comparison calls `memcmp`
/// (`bcmp`) whenever the lengths agree, once or twice per text field of every row (the
/// last-value check, then the probe), and a Zeek `uid` always has the length of the one before
/// it. Here values of up to 16 bytes are compared with two loads of each, which may overlap:
/// the first and the last 8 (or 4) bytes, that is all of them.
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(w)
    };
    match n {
        0..=3 => a == b,
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
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
            .is_some_and(|last| same(last, v))
        {
            return self.last;
        }
        let h = hash(v);
        let values = &self.values;
        let found = self.table.find(spread(h), |&(eh, c)| {
            eh == h && same(&values[c as usize], v)
        });
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

    /// The inline comparison agrees with `==` on every pair of lengths up to 20, for strings
    /// equal but for one byte at any position.
    #[test]
    fn same_is_equality() {
        for n in 0..=20usize {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same(&a, &a.clone()), "{a:?}");
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'#';
                let b = String::from_utf8(b).unwrap();
                assert!(!same(&a, &b), "{a:?} {b:?}");
            }
            assert!(!same(&a, &format!("{a}x")));
        }
    }

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
