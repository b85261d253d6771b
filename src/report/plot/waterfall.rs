//! Waterfall chart input: one row's explanation as a walk from the model's expected value,
//! column by column, to its output (as SHAP's waterfall plot draws it).

/// A start value, signed steps and the end they add up to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waterfall {
    /// Where the walk starts (the expected value).
    pub base: f64,
    /// `(label, step)`, drawn top to bottom after the start.
    pub steps: Vec<(String, f64)>,
    /// What the value axis measures ("probability of X", "raw score of X").
    pub x_label: String,
}

/// One bar of a waterfall: its label, where it starts and where it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallBar {
    pub label: String,
    pub from: f64,
    pub to: f64,
    pub kind: BarKind,
}

/// How a waterfall bar is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    /// The start (expected value) and the end (output): drawn from 0.
    Total,
    /// A step up.
    Up,
    /// A step down.
    Down,
}

impl Waterfall {
    /// The walk from `base` by `values` (one per label in `labels`): the `top` largest in
    /// absolute value first (ties in label order), the others summed into one step named
    /// "N other columns" (left out when it is exactly zero, as it is when every other column
    /// contributes nothing).
    pub fn from_contributions(
        base: f64,
        labels: &[String],
        values: &[f64],
        top: usize,
        x_label: &str,
    ) -> Waterfall {
        let mut order: Vec<usize> = (0..labels.len().min(values.len())).collect();
        order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()).then(a.cmp(&b)));
        let mut steps: Vec<(String, f64)> = order
            .iter()
            .take(top)
            .map(|&i| (labels[i].clone(), values[i]))
            .collect();
        let rest = &order[top.min(order.len())..];
        let folded: f64 = rest.iter().map(|&i| values[i]).sum();
        if !rest.is_empty() && folded != 0.0 {
            let n = rest.len();
            let noun = if n == 1 { "column" } else { "columns" };
            steps.push((format!("{n} other {noun}"), folded));
        }
        Waterfall {
            base,
            steps,
            x_label: x_label.to_string(),
        }
    }

    /// Where the walk ends: `base` + every step.
    pub fn total(&self) -> f64 {
        self.base + self.steps.iter().map(|s| s.1).sum::<f64>()
    }

    /// The bars top to bottom: the start (from 0), each step from the running sum, the end
    /// (from 0).
    pub fn bars(&self) -> Vec<WaterfallBar> {
        let mut out = vec![WaterfallBar {
            label: "expected value".into(),
            from: 0.0,
            to: self.base,
            kind: BarKind::Total,
        }];
        let mut at = self.base;
        for (label, v) in &self.steps {
            out.push(WaterfallBar {
                label: label.clone(),
                from: at,
                to: at + v,
                kind: if *v >= 0.0 {
                    BarKind::Up
                } else {
                    BarKind::Down
                },
            });
            at += v;
        }
        out.push(WaterfallBar {
            label: "output".into(),
            from: 0.0,
            to: at,
            kind: BarKind::Total,
        });
        out
    }

    /// The value axis: every bar's ends and 0, widened by 5 % of the span each side.
    pub fn span(&self) -> (f64, f64) {
        let (lo, hi) = self
            .bars()
            .iter()
            .flat_map(|b| [b.from, b.to])
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = ((hi - lo) * 0.05).max(1e-9);
        (lo - pad, hi + pad)
    }

    /// The `aria-label`: `Waterfall chart. expected value 0.2, a +0.5, b −0.1, output 0.6`.
    pub fn describe(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|(l, v)| format!("{l} {}", signed(*v)))
            .collect();
        format!(
            "Waterfall chart. expected value {:.4}, {}, output {:.4}",
            self.base,
            steps.join(", "),
            self.total()
        )
    }
}

/// `+0.1234` / `−0.1234` (a true minus sign), four decimals.
pub fn signed(v: f64) -> String {
    if v < 0.0 {
        format!("\u{2212}{:.4}", -v)
    } else {
        format!("+{v:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::strings;

    #[test]
    fn largest_first_the_rest_folded_and_the_walk_adds_up() {
        let labels = strings(&["a", "b", "c", "d", "e"]);
        let w = Waterfall::from_contributions(
            0.25,
            &labels,
            &[0.05, -0.4, 0.0, 0.3, -0.02],
            2,
            "probability of X",
        );
        assert_eq!(
            w.steps,
            vec![
                ("b".to_string(), -0.4),
                ("d".to_string(), 0.3),
                ("3 other columns".to_string(), 0.05 + 0.0 - 0.02),
            ]
        );
        assert!((w.total() - (0.25 - 0.4 + 0.3 + 0.03)).abs() < 1e-12);
        let bars = w.bars();
        assert_eq!(bars.len(), 5);
        assert_eq!(
            (bars[0].from, bars[0].to, bars[0].kind),
            (0.0, 0.25, BarKind::Total)
        );
        assert_eq!(bars[1].kind, BarKind::Down);
        assert!((bars[1].to - (-0.15)).abs() < 1e-12);
        assert_eq!((bars[2].from, bars[2].kind), (bars[1].to, BarKind::Up));
        assert_eq!(bars[4].label, "output");
        assert!((bars[4].to - w.total()).abs() < 1e-12);
        let (lo, hi) = w.span();
        assert!(lo < -0.15 && hi > 0.25, "{lo} {hi}");
        assert_eq!(
            w.describe(),
            "Waterfall chart. expected value 0.2500, b \u{2212}0.4000, d +0.3000, \
             3 other columns +0.0300, output 0.1800"
        );
    }

    #[test]
    fn nothing_is_folded_when_the_rest_adds_nothing() {
        let labels = strings(&["a", "b", "c"]);
        let w = Waterfall::from_contributions(1.0, &labels, &[0.0, 2.0, 0.0], 1, "");
        assert_eq!(w.steps, vec![("b".to_string(), 2.0)]);
        let one = Waterfall::from_contributions(1.0, &labels, &[0.5, 2.0, 0.0], 1, "");
        assert_eq!(one.steps[1], ("2 other columns".to_string(), 0.5));
        assert_eq!(
            Waterfall::from_contributions(0.0, &labels[..2], &[1.0, -1.0], 1, "").steps[1].0,
            "1 other column"
        );
    }
}
