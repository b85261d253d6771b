//! The architecture, checked: every top-level module of `src/` sits on a layer (see
//! `ARCHITECTURE.md`) and may use only modules on lower layers — so there is no cycle, and
//! nothing below the web shell or the CLI knows they exist. Also the size limits: no source file
//! over 600 lines, no function over 150.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use the modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["data"],
    &["ingest"],
    &["features"],
    &["models"],
    &["eval"],
    &["job"],
    &["model_file", "explore", "onnx"],
    &["report", "predictions"],
    &["worker"],
    &["ui", "cli"],
];

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 150;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_files() -> Vec<(String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, p)
        })
        .collect()
}

/// The top-level module a file belongs to (`models/tree.rs` → `models`), or `None` for the crate
/// root and the binaries (thin entry points on top of everything).
fn module_of(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib" && name != "bin").then(|| name.to_string())
}

/// The top-level modules a line of code names through `crate::a` or `crate::{a, b::c}`.
fn referenced(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        // Plain comments do not count; doc comments do (rustdoc resolves their links).
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with("//") || t.starts_with("///") || t.starts_with("//!")
        })
        .map(|(i, l)| (i + 1, l))
}

#[test]
fn layers_point_one_way() {
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (rel, path) in src_files() {
        let Some(module) = module_of(&rel) else {
            continue;
        };
        let Some(own) = layer_of(&module) else {
            problems.push(format!("src/{rel}: module `{module}` is on no layer (add it to LAYERS and ARCHITECTURE.md)"));
            continue;
        };
        let text = fs::read_to_string(&path).unwrap();
        for (n, line) in code_lines(&text) {
            for target in referenced(line) {
                if target == module {
                    continue;
                }
                *edges.entry((module.clone(), target.clone())).or_default() += 1;
                match layer_of(&target) {
                    Some(l) if l < own => {}
                    Some(_) => problems.push(format!(
                        "src/{rel}:{n}: `{module}` uses `{target}`, which is not on a lower layer"
                    )),
                    None => {} // a crate-root item (a macro or re-export), not a module
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check has teeth: the known edges are seen.
    assert!(edges.contains_key(&("models".into(), "data".into())));
    assert!(edges.contains_key(&("job".into(), "models".into())));
    assert!(edges.contains_key(&("ui".into(), "worker".into())));
}

#[test]
fn the_reference_parser_reads_groups() {
    assert_eq!(referenced("use crate::data::Matrix;"), ["data"]);
    assert_eq!(
        referenced("use crate::{eval::split, ingest::{Dataset, MISSING}, models};"),
        ["eval", "ingest", "models"]
    );
    assert_eq!(
        referenced("let x = crate::job::run(crate::data::rng::FlowRng::new(1, 2));"),
        ["job", "data"]
    );
}

/// The start of a function item at some indent, or `None`.
fn fn_indent(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let rest = [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ]
    .iter()
    .fold(trimmed, |t, p| t.strip_prefix(p).unwrap_or(t));
    let rest = ["async ", "unsafe "]
        .iter()
        .fold(rest, |t, p| t.strip_prefix(p).unwrap_or(t));
    (rest.starts_with("fn ") && !trimmed.ends_with(';')).then_some(indent)
}

#[test]
fn files_and_functions_stay_small() {
    let mut problems = Vec::new();
    for (rel, path) in src_files() {
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "src/{rel}: {} lines (at most {MAX_FILE_LINES})",
                lines.len()
            ));
        }
        for (i, line) in lines.iter().enumerate() {
            let Some(indent) = fn_indent(line) else {
                continue;
            };
            let close = format!("{}}}", " ".repeat(indent));
            if let Some(len) = lines[i + 1..].iter().position(|l| *l == close) {
                if len + 2 > MAX_FN_LINES {
                    problems.push(format!(
                        "src/{rel}:{}: function of {} lines (at most {MAX_FN_LINES})",
                        i + 1,
                        len + 2
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
