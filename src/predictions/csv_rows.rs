//! The rows of the predictions CSV, written straight as bytes.
//!
//! The bytes are exactly those the `csv` crate writes for the rows (a test keeps the two equal):
//! the text cells (file, predicted class, true label) take few distinct values, so each is
//! formula-safe-d and CSV-escaped once per batch, by the `csv` crate itself; line numbers go
//! through `itoa`; probabilities through [`push_fixed6`], which gives `format!("{:.6}", v)`
//! without the formatting machinery (the bulk of the time of a row before).

use std::io::Write;
use std::ops::Range;

use crate::ingest::export::formula_safe;
use crate::ingest::{Dataset, LabelMap, Taxonomy, MISSING};
use crate::job::Predictions;

/// One text cell as the `csv` crate writes it in a record of several cells.
fn escaped(v: &str) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record([v, "x"]);
    let mut bytes = w.into_inner().unwrap_or_default();
    // Drop the `,x` cell and the record terminator.
    bytes.truncate(bytes.len().saturating_sub(3));
    bytes
}

/// Appends `v` with six decimals, as `format!("{v:.6}")` writes it.
///
/// For a finite, non-negative `v` below 10¹², `v · 10⁶` is exact in `f64` (a 24-bit mantissa
/// times 15625 · 2⁶ needs 38 bits), so rounding it half to even — as `{:.6}` rounds the exact
/// value — gives the six-decimal digits. Anything else (negative, `-0`, NaN, ±inf, huge) goes
/// through `format!`.
#[inline]
pub(crate) fn push_fixed6(out: &mut Vec<u8>, v: f32) {
    if v.is_sign_positive() && v < 1e12 {
        let n = (f64::from(v) * 1e6).round_ties_even() as u64;
        let mut int = itoa::Buffer::new();
        out.extend_from_slice(int.format(n / 1_000_000).as_bytes());
        let mut frac = n % 1_000_000;
        let mut digits = [b'0'; 7];
        digits[0] = b'.';
        for d in digits[1..].iter_mut().rev() {
            *d = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        out.extend_from_slice(&digits);
    } else {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{v:.6}");
    }
}

/// Appends the CSV rows `rows` of `p` (rows of `data`; a `true_label` cell when `labelled`).
pub(crate) fn push_rows(
    out: &mut Vec<u8>,
    rows: Range<usize>,
    data: &Dataset,
    (taxonomy, map): (Taxonomy, &LabelMap),
    p: &Predictions,
    labelled: bool,
) {
    let files: Vec<Vec<u8>> = data
        .files
        .iter()
        .map(|f| escaped(&formula_safe(&f.path)))
        .collect();
    let classes: Vec<Vec<u8>> = p
        .classes
        .iter()
        .map(|c| escaped(&formula_safe(c)))
        .collect();
    let (codes, names) = if labelled {
        data.labels_with(taxonomy, map)
    } else {
        (Vec::new(), Vec::new())
    };
    let names: Vec<Vec<u8>> = names.iter().map(|n| escaped(&formula_safe(n))).collect();
    let k = p.classes.len();
    let mut line = itoa::Buffer::new();
    for r in rows {
        out.extend_from_slice(&files[data.sources[r] as usize]);
        out.push(b',');
        out.extend_from_slice(line.format(data.lines[r]).as_bytes());
        out.push(b',');
        out.extend_from_slice(&classes[p.predicted[r] as usize]);
        out.push(b',');
        push_fixed6(out, p.confidence[r]);
        for &v in &p.proba[r * k..(r + 1) * k] {
            out.push(b',');
            push_fixed6(out, v);
        }
        if labelled {
            out.push(b',');
            if codes[r] != MISSING {
                out.extend_from_slice(&names[codes[r] as usize]);
            }
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed6(v: f32) -> String {
        let mut out = Vec::new();
        push_fixed6(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn six_decimals_as_format_writes_them() {
        // Ties (1/128 · 10⁶ = 7812.5), neighbours of ties, the edges and what goes to `format!`.
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            1.0 / 128.0,
            3.0 / 128.0,
            0.5e-6,
            1.5e-6,
            2.5e-6,
            f32::MIN_POSITIVE,
            1e-45,
            0.999_999_5,
            0.999_999_4,
            1e12,
            f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -1e-9,
            -0.25,
        ];
        for tie in [1.0f32 / 128.0, 0.5e-6, 2.5e-6, 0.999_999_5] {
            values.push(f32::from_bits(tie.to_bits() + 1));
            values.push(f32::from_bits(tie.to_bits() - 1));
        }
        // Every 4099th f32 in [0, 2] (the probabilities' range and past it).
        values.extend((0..2.0f32.to_bits()).step_by(4099).map(f32::from_bits));
        for v in values {
            assert_eq!(fixed6(v), format!("{v:.6}"), "{v:e} ({:#x})", v.to_bits());
        }
    }

    /// Every f32 in [0, 2]: `cargo test --release --lib csv_rows -- --ignored`.
    #[test]
    #[ignore]
    fn six_decimals_of_every_f32_up_to_two() {
        let mut out = Vec::new();
        for bits in 0..=2.0f32.to_bits() {
            let v = f32::from_bits(bits);
            out.clear();
            push_fixed6(&mut out, v);
            assert_eq!(out, format!("{v:.6}").as_bytes(), "{v:e}");
        }
    }

    #[test]
    fn cells_are_escaped_as_the_csv_crate_escapes_them() {
        assert_eq!(escaped("a,b"), b"\"a,b\"");
        assert_eq!(escaped("say \"hi\""), b"\"say \"\"hi\"\"\"");
        assert_eq!(escaped("two\nlines"), b"\"two\nlines\"");
        assert_eq!(escaped(""), b"");
        assert_eq!(escaped("Benign"), b"Benign");
    }
}
