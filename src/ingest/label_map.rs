//! The user's own label mapping: rename, merge and drop classes, applied after the taxonomy.
//!
//! A mapping is a list of rules `pattern -> new name` or `pattern -> drop`, tried in order; the
//! first rule whose pattern matches a class decides it, and a class no rule matches keeps its
//! name. Rows of a dropped class count as unlabelled: they are not trained on and not scored
//! (they are still predicted). Two classes renamed to one name are merged. The same mapping is
//! saved in the model file and applied to the files a model predicts, so their true classes are
//! named as the model's.
//!
//! The text form (`flowlab … --map FILE`, one rule a line):
//!
//! ```text
//! # a line starting with # is a comment; blank lines are ignored
//! C&C-*       -> C&C
//! Background  -> drop
//! benign      -> Benign
//! Okiru?Attack -> Okiru
//! ```
//!
//! A pattern is a class name in which `*` stands for any run of characters and `?` for one
//! character; names are compared without regard to ASCII case. The new name `drop` (any case)
//! drops the class. Spaces around the pattern and the new name are ignored.
//!
//! ```
//! use flowlab::ingest::LabelMap;
//! let map = LabelMap::parse("C&C-* -> C&C\nBackground -> drop\n").unwrap();
//! assert_eq!(map.apply("C&C-Torii").as_deref(), Some("C&C"));
//! assert_eq!(map.apply("background"), None);
//! assert_eq!(map.apply("DDoS").as_deref(), Some("DDoS"));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a rule does to the classes it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Call them this (merging every class renamed to the same name).
    Rename(String),
    /// Their rows count as unlabelled.
    Drop,
}

/// One rule: classes matching `pattern` become `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapRule {
    pub pattern: String,
    pub target: Target,
}

/// The user's mapping of classes (empty: every class keeps its name).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LabelMap {
    pub rules: Vec<MapRule>,
}

/// A line of a mapping file that is not a rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {problem} (expected `class -> new name` or `class -> drop`); the line is `{text}`")]
pub struct LabelMapError {
    /// 1-based.
    pub line: usize,
    pub text: String,
    pub problem: &'static str,
}

impl LabelMap {
    /// Reads the text form (see the module docs).
    pub fn parse(text: &str) -> Result<LabelMap, LabelMapError> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |problem| LabelMapError {
                line: i + 1,
                text: line.to_string(),
                problem,
            };
            let (pattern, to) = line.split_once("->").ok_or_else(|| fail("no `->`"))?;
            let (pattern, to) = (pattern.trim(), to.trim());
            if pattern.is_empty() {
                return Err(fail("no class before `->`"));
            }
            if to.is_empty() {
                return Err(fail("no new name after `->`"));
            }
            rules.push(MapRule {
                pattern: pattern.to_string(),
                target: Target::from_name(to),
            });
        }
        Ok(LabelMap { rules })
    }

    /// The text form, one rule a line (what [`LabelMap::parse`] reads back).
    pub fn to_text(&self) -> String {
        self.rules
            .iter()
            .map(|r| format!("{} -> {}\n", r.pattern, r.target.name()))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The class `class` becomes: its new name, or `None` when it is dropped.
    pub fn apply(&self, class: &str) -> Option<String> {
        match self.rules.iter().find(|r| glob_match(&r.pattern, class)) {
            None => Some(class.to_string()),
            Some(MapRule {
                target: Target::Rename(to),
                ..
            }) => Some(to.clone()),
            Some(MapRule {
                target: Target::Drop,
                ..
            }) => None,
        }
    }

    /// Row counts per class after the mapping: renamed classes' counts are summed, dropped
    /// ones left out.
    pub fn apply_counts(&self, counts: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (class, &n) in counts {
            if let Some(to) = self.apply(class) {
                *out.entry(to).or_insert(0) += n;
            }
        }
        out
    }
}

impl Target {
    /// `drop` (any case) drops; anything else is a new name.
    pub fn from_name(name: &str) -> Target {
        if name.eq_ignore_ascii_case("drop") {
            Target::Drop
        } else {
            Target::Rename(name.to_string())
        }
    }

    /// The new name, or `drop`.
    pub fn name(&self) -> &str {
        match self {
            Target::Rename(to) => to,
            Target::Drop => "drop",
        }
    }
}

/// Whether `text` matches `pattern` (`*` any run, `?` one character), ignoring ASCII case.
///
/// Hand-written rather than a glob crate: two wildcards over short class names need no more
/// than this greedy matcher with one backtrack point (the classic linear-time `*` match), and a
/// crate would add its path-specific rules (`/`, `**`, `[…]`) that class names must not obey.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| a == b || a.eq_ignore_ascii_case(&b);
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it is currently standing in for.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && same(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` swallow one more character and try again from there.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_and_single_characters() {
        assert!(glob_match("C&C-*", "C&C-Torii"));
        assert!(glob_match("c&c-*", "C&C-HeartBeat-FileDownload"));
        assert!(!glob_match("C&C-*", "C&C"));
        assert!(glob_match("C&C*", "C&C"));
        assert!(glob_match("*Scan*", "PartOfAHorizontalPortScan-Attack"));
        assert!(glob_match("Okiru?Attack", "Okiru-Attack"));
        assert!(!glob_match("Okiru?Attack", "Okiru--Attack"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a", ""));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(!glob_match("a*b*c", "aXXbYYb"));
        assert!(glob_match(
            "Web Attack * Brute Force",
            "Web Attack – Brute Force"
        ));
    }

    #[test]
    fn first_rule_wins_and_unmatched_classes_stay() {
        let map = LabelMap::parse(
            "# merge the C&C variants\n\nC&C-Torii -> Torii\nC&C* -> C&C\n Background->DROP \n",
        )
        .unwrap();
        assert_eq!(map.rules.len(), 3);
        assert_eq!(map.apply("C&C-Torii").as_deref(), Some("Torii"));
        assert_eq!(map.apply("C&C-FileDownload").as_deref(), Some("C&C"));
        assert_eq!(map.apply("C&C").as_deref(), Some("C&C"));
        assert_eq!(map.apply("Background"), None);
        assert_eq!(map.apply("Benign").as_deref(), Some("Benign"));
        let counts: BTreeMap<String, u64> = [
            ("C&C", 5),
            ("C&C-FileDownload", 2),
            ("C&C-Torii", 1),
            ("Background", 9),
            ("Benign", 4),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let after = map.apply_counts(&counts);
        assert_eq!(after.len(), 3);
        assert_eq!(after["C&C"], 7);
        assert_eq!(after["Torii"], 1);
        assert_eq!(after["Benign"], 4);
        assert_eq!(LabelMap::parse(&map.to_text()).unwrap(), map);
    }

    #[test]
    fn bad_lines_name_their_number_and_what_was_expected() {
        let e = LabelMap::parse("a -> b\n\nBenign = Normal\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.problem, "no `->`");
        assert_eq!(
            e.to_string(),
            "line 3: no `->` (expected `class -> new name` or `class -> drop`); the line is `Benign = Normal`"
        );
        assert_eq!(
            LabelMap::parse(" -> x").unwrap_err().problem,
            "no class before `->`"
        );
        assert_eq!(
            LabelMap::parse("x ->").unwrap_err().problem,
            "no new name after `->`"
        );
        assert!(LabelMap::parse("").unwrap().is_empty());
    }
}
