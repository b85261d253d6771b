//! Pie chart input: labelled values drawn as shares of their total.

/// Shares of a whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PieData {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
}

impl PieData {
    /// The `aria-label`: `Pie chart. a: 25.0 %, b: 75.0 %`.
    pub fn describe(&self) -> String {
        let total: f64 = self.values.iter().sum();
        let parts: Vec<String> = self
            .labels
            .iter()
            .zip(&self.values)
            .map(|(l, v)| format!("{l}: {:.1} %", 100.0 * v / total.max(f64::MIN_POSITIVE)))
            .collect();
        format!("Pie chart. {}", parts.join(", "))
    }

    /// The sum of the finite positive values (the slices drawn).
    pub fn drawn_total(&self) -> f64 {
        self.values
            .iter()
            .filter(|v| v.is_finite() && **v > 0.0)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::strings;

    #[test]
    fn pie_shares() {
        let p = PieData {
            labels: strings(&["a", "b", "c"]),
            values: vec![1.0, 3.0, f64::NAN],
        };
        assert_eq!(p.drawn_total(), 4.0);
        let q = PieData {
            labels: strings(&["a", "b"]),
            values: vec![1.0, 3.0],
        };
        assert_eq!(q.describe(), "Pie chart. a: 25.0 %, b: 75.0 %");
    }
}
