//! Number text → `f64`: the plain decimals of flow logs on a fast path that is exact, anything
//! else through the standard parser; CIDDS' scaled byte counts; dates.

/// Parses a plain number (`12`, `-3.5`, `1e3`, `0x1f` is not a number). `inf`/`nan` words are
/// rejected so that they do not pass for measurements.
pub fn parse_number(v: &str) -> Option<f64> {
    let b = v.as_bytes().first()?;
    if !(b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.')) {
        return None;
    }
    plain_decimal(v.as_bytes()).or_else(|| v.parse::<f64>().ok().filter(|x| x.is_finite()))
}

/// Exact powers of ten: every one up to 10^22 is a whole number below 2^53·2^22, so `f64` holds it
/// exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The fast path for what flow logs are made of: `[+-]digits[.digits]`, at most 19 digits whose
/// value (dot removed) is at most 2^53, and at most 22 after the dot. Anything else is `None` and
/// goes to the standard parser.
///
/// Why the result is bit-identical to `str::parse::<f64>` (Clinger's fast path, which the standard
/// parser also takes for these inputs): the digits without the dot form an integer `m ≤ 2^53`,
/// exactly representable, and `10^k` for `k ≤ 22` is exact too (see [`POW10`]); IEEE division
/// rounds the exact quotient `m / 10^k` once, to nearest, which is precisely the correctly
/// rounded value of the decimal text that the standard parser returns. The sign is applied
/// last, so `-0` stays `-0.0` as it does there.
#[inline]
pub(crate) fn plain_decimal(b: &[u8]) -> Option<f64> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (m, whole) = accumulate(0, digits);
    let (m, frac) = match digits.get(whole) {
        None => (m, 0),
        Some(b'.') => {
            let (m, frac) = accumulate(m, &digits[whole + 1..]);
            if frac == 0 || whole + 1 + frac != digits.len() {
                return None;
            }
            (m, frac)
        }
        Some(_) => return None,
    };
    // 19 digits cannot overflow a u64, so `m` is the true value when the count passes.
    if whole == 0 || whole + frac > 19 || m > 1 << 53 || frac > 22 {
        return None;
    }
    let x = m as f64 / POW10[frac];
    Some(if neg { -x } else { x })
}

/// Appends the leading decimal digits of `b` to `m` (`m·10 + d` each, wrapping: the caller
/// rejects more than 19 digits, so a wrapped value is never used); returns it and how many
/// digits there were.
///
/// Eight digits at a time while eight bytes in a row are digits ([`eight_digits`]), then one at
/// a time: a Zeek timestamp's `1525880595` is one word step and two digit steps. Wrapping
/// arithmetic is exact modulo 2^64 either way, so `m·10^8 + v` is what eight single steps give.
#[inline]
fn accumulate(mut m: u64, b: &[u8]) -> (u64, usize) {
    let mut i = 0;
    while let Some(word) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        match eight_digits(u64::from_le_bytes(w)) {
            Some(v) => m = m.wrapping_mul(100_000_000).wrapping_add(v),
            None => break,
        }
        i += 8;
    }
    for (k, &c) in b[i..].iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return (m, i + k);
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    (m, b.len())
}

/// The value of eight ASCII digits loaded little-endian into `w` (the first digit in the lowest
/// byte), or `None` when any byte is not a digit (the SWAR steps of Lemire's fast_float).
///
/// The test: a digit is `0x30..=0x39`, so its high nibble is 3, and adding 6 leaves the high
/// nibble at 3 (`0x36..=0x3f`); any other byte has another high nibble before or after the add.
/// A byte that carries out of the add (`≥ 0xfa`) has high nibble `f` and fails by itself. The
/// value: after subtracting `'0'` from every byte, `w·10 + (w >> 8)` puts each pair of digits
/// in one byte (low byte of each pair: `10·d0 + d1`, below 100); the two multiplies then
/// combine the four pairs into one number (`100` and `10^6` for the even pairs, `1` and
/// `10^4` for the odd ones, summed in bits 32–63).
#[inline]
fn eight_digits(w: u64) -> Option<u64> {
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let threes = (w & HIGH) | ((w.wrapping_add(0x0606_0606_0606_0606) & HIGH) >> 4);
    if threes != 0x3333_3333_3333_3333 {
        return None;
    }
    const MASK: u64 = 0x0000_00ff_0000_00ff;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = (v & MASK)
        .wrapping_mul(MUL1)
        .wrapping_add(((v >> 16) & MASK).wrapping_mul(MUL2))
        >> 32;
    Some(v)
}

/// `1.2 M`, `500 K`, `3 G` (CIDDS byte counts), or a plain number.
pub fn parse_scaled(v: &str) -> Option<f64> {
    if let Some(x) = parse_number(v) {
        return Some(x);
    }
    let (num, suffix) = v.split_at(v.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let scale = match suffix.trim() {
        "K" | "k" => 1e3,
        "M" | "m" => 1e6,
        "G" | "g" => 1e9,
        "T" | "t" => 1e12,
        _ => return None,
    };
    parse_number(num.trim()).map(|x| x * scale)
}

/// `YYYY-MM-DD hh:mm:ss[.fff]` (or `T` between) → seconds since 1970-01-01 UTC.
pub fn parse_datetime(v: &str) -> Option<f64> {
    let v = v.trim();
    let (date, time) = v.split_once([' ', 'T']).unwrap_or((v, "00:00:00"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.split(':');
    let h: f64 = t.next()?.parse().ok()?;
    let mi: f64 = t.next()?.parse().ok()?;
    let s: f64 = t.next().unwrap_or("0").parse().ok()?;
    Some(days_from_civil(y, m, day) as f64 * 86400.0 + h * 3600.0 + mi * 60.0 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight digits at a time: every byte value in every position is told apart from a digit,
    /// and the value of eight digits is the decimal number they spell.
    #[test]
    fn eight_digits_at_a_time() {
        let digits = *b"31415926";
        assert_eq!(eight_digits(u64::from_le_bytes(digits)), Some(31_415_926));
        assert_eq!(eight_digits(u64::from_le_bytes(*b"00000000")), Some(0));
        assert_eq!(
            eight_digits(u64::from_le_bytes(*b"99999999")),
            Some(99_999_999)
        );
        assert_eq!(eight_digits(u64::from_le_bytes(*b"00000010")), Some(10));
        for at in 0..8 {
            for byte in 0..=255u8 {
                let mut w = digits;
                w[at] = byte;
                let got = eight_digits(u64::from_le_bytes(w));
                let want = std::str::from_utf8(&w)
                    .ok()
                    .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
                    .map(|t| t.parse::<u64>().unwrap());
                assert_eq!(got, want, "byte {byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn scaled_and_dates() {
        assert_eq!(parse_scaled("1.2 M"), Some(1_200_000.0));
        assert_eq!(parse_scaled("500 K"), Some(500_000.0));
        assert_eq!(parse_scaled("46"), Some(46.0));
        assert_eq!(parse_scaled("lots"), None);
        assert_eq!(parse_datetime("1970-01-02 00:00:01"), Some(86401.0));
        let t = parse_datetime("2017-03-15 00:01:16.632").unwrap();
        assert!((t - 1_489_536_076.632).abs() < 1e-6);
        assert_eq!(parse_datetime("2017-13-15 00:00:00"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("0x10"), None);
    }

    /// The fast path agrees bit for bit with the standard parser wherever it answers, on digits
    /// that reach the 2^53 and 10^22 edges, and declines what it does not know.
    #[test]
    fn plain_decimals_match_the_standard_parser_bit_for_bit() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"0123456789012345678901234567890123456789.-+e";
        let mut answered = 0;
        for _ in 0..200_000 {
            let len = 1 + (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char)
                .collect();
            if let Some(x) = plain_decimal(text.as_bytes()) {
                answered += 1;
                let std = text
                    .parse::<f64>()
                    .expect("std parses what the fast path does");
                assert_eq!(x.to_bits(), std.to_bits(), "{text}");
            }
        }
        assert!(answered > 10_000, "the fast path answered only {answered}");
        for text in [
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "-0",
            "-0.000",
            "123456.789012",
            "0.0000000000000000000001",
            "1.7976931348623157",
            "3.14159265358979",
            "2.5",
        ] {
            let std = text.parse::<f64>().unwrap();
            assert_eq!(
                parse_number(text).unwrap().to_bits(),
                std.to_bits(),
                "{text}"
            );
        }
        assert_eq!(plain_decimal(b"1525880595.019866"), Some(1525880595.019866));
        assert_eq!(plain_decimal(b"1234567890123456789"), None);
        assert_eq!(plain_decimal(b"9007199254740993"), None);
        assert_eq!(plain_decimal(b"1e3"), None);
        assert_eq!(plain_decimal(b"5."), None);
        assert_eq!(plain_decimal(b".5"), None);
        assert_eq!(plain_decimal(b"-"), None);
        assert_eq!(parse_number("5."), Some(5.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert!(parse_number("-0").unwrap().is_sign_negative());
    }
}
