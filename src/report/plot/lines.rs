//! Line chart input: named lines of points, the axes fitted to them and where the legend sits.

use super::span;

/// One line: points in drawing order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

impl Line {
    /// The points with both coordinates finite (those drawn).
    pub fn finite_points(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect()
    }
}

/// Where a line chart's legend sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendAt {
    #[default]
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// Several lines on shared axes (ROC/PR curves, learning and loss curves).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lines {
    pub lines: Vec<Line>,
    pub x_label: String,
    pub y_label: String,
    /// Fixed axes; otherwise fitted to the points.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// Draw the dashed diagonal y = x (chance level of a ROC curve).
    pub diagonal: bool,
    /// Mark each point with a dot.
    pub markers: bool,
    pub legend: LegendAt,
}

impl Lines {
    /// The `aria-label`: `Line chart of precision against recall: a, b`.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.lines.iter().map(|l| l.name.as_str()).collect();
        format!(
            "Line chart of {} against {}: {}",
            self.y_label,
            self.x_label,
            names.join(", ")
        )
    }

    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.lines.iter().flat_map(|l| l.points.iter().copied())
    }

    /// The x axis: `x_range`, or fitted to the points ([`span`]); `None` with no finite x.
    pub fn x_axis(&self) -> Option<(f64, f64)> {
        self.x_range.or_else(|| span(self.points().map(|p| p.0)))
    }

    /// The y axis: `y_range`, or fitted to the points ([`span`]); `None` with no finite y.
    pub fn y_axis(&self) -> Option<(f64, f64)> {
        self.y_range.or_else(|| span(self.points().map(|p| p.1)))
    }

    /// A legend is drawn for several lines, or for one with a name.
    pub fn has_legend(&self) -> bool {
        self.lines.len() > 1 || self.lines.first().is_some_and(|l| !l.name.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_axes_and_legend() {
        let l = Lines {
            lines: vec![
                Line {
                    name: "dt".into(),
                    points: vec![(0.0, 0.0), (1.0, f64::NAN), (2.0, 1.0)],
                    dashed: false,
                },
                Line {
                    name: "rf".into(),
                    points: vec![(f64::INFINITY, 0.5)],
                    dashed: true,
                },
            ],
            x_label: "recall".into(),
            y_label: "precision".into(),
            ..Lines::default()
        };
        assert_eq!(
            l.describe(),
            "Line chart of precision against recall: dt, rf"
        );
        assert_eq!(l.x_axis(), Some((-0.08, 2.08)));
        assert_eq!(l.y_axis(), Some((-0.04, 1.04)));
        assert_eq!(l.lines[0].finite_points(), vec![(0.0, 0.0), (2.0, 1.0)]);
        assert!(l.has_legend());
        let fixed = Lines {
            x_range: Some((0.0, 1.0)),
            ..Lines::default()
        };
        assert_eq!(fixed.x_axis(), Some((0.0, 1.0)));
        assert_eq!(fixed.y_axis(), None);
        assert!(!fixed.has_legend());
    }
}
