//! Writing loaded rows back out: CSV (any data set) or Zeek `conn.log.labeled` (IoT-23 layout).
//!
//! Numbers are written in their shortest exact form (`0.000010` comes back as `0.00001`), missing
//! values as `-`.

use std::io::Write;

use super::columns::{ColumnData, MISSING};
use super::dataset::Dataset;

fn cell(data: &Dataset, col: usize, row: usize) -> String {
    match &data.columns[col].data {
        ColumnData::Numeric(v) if v[row].is_nan() => "-".into(),
        ColumnData::Numeric(v) => format!("{}", v[row]),
        ColumnData::Text(t) if t.codes[row] == MISSING => "-".into(),
        ColumnData::Text(t) => t.values[t.codes[row] as usize].clone(),
    }
}

/// Writes `rows` of `data` as CSV with a header row. When `safe` is set, cells that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) are prefixed with `'`, except
/// numbers and the missing marker, in the header as in the rows (the page's downloads). Without
/// `safe` (`flowlab sample`, whose output is data to read again) cells are written as read.
pub fn write_csv<W: Write>(
    data: &Dataset,
    rows: &[usize],
    safe: bool,
    out: W,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(data.columns.iter().map(|c| {
        if safe {
            formula_safe(&c.name)
        } else {
            c.name.clone()
        }
    }))?;
    for &r in rows {
        let cells: Vec<String> = (0..data.columns.len())
            .map(|c| {
                let v = cell(data, c, r);
                if safe {
                    formula_safe(&v)
                } else {
                    v
                }
            })
            .collect();
        w.write_record(&cells)?;
    }
    w.flush()
}

/// Neutralises spreadsheet formulas in a CSV cell.
pub fn formula_safe(v: &str) -> String {
    let risky = v.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && v != "-" && super::numbers::parse_number(v).is_none() {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// Zeek types of the standard `conn.log` fields (others are written as `string`).
fn zeek_type(name: &str) -> &'static str {
    match name {
        "ts" => "time",
        "uid" | "service" | "conn_state" | "history" | "label" | "detailed-label"
        | "detailedlabel" => "string",
        "id.orig_h" | "id.resp_h" => "addr",
        "id.orig_p" | "id.resp_p" => "port",
        "proto" => "enum",
        "duration" => "interval",
        "orig_bytes" | "resp_bytes" | "missed_bytes" | "orig_pkts" | "orig_ip_bytes"
        | "resp_pkts" | "resp_ip_bytes" => "count",
        "local_orig" | "local_resp" => "bool",
        "tunnel_parents" => "set[string]",
        _ => "string",
    }
}

/// Writes `rows` of `data` as an IoT-23 style `conn.log.labeled`: Zeek TSV whose last three
/// fields (`tunnel_parents`, `label`, `detailed-label`) are joined by three spaces.
pub fn write_zeek<W: Write>(data: &Dataset, rows: &[usize], mut out: W) -> std::io::Result<()> {
    let names: Vec<&str> = data.columns.iter().map(|c| c.name.as_str()).collect();
    let n = names.len();
    let quirk = n >= 3 && names[n - 2] == "label" && names[n - 3] == "tunnel_parents";
    let join = |parts: Vec<String>| -> String {
        if quirk {
            format!(
                "{}\t{}",
                parts[..n - 3].join("\t"),
                parts[n - 3..].join("   ")
            )
        } else {
            parts.join("\t")
        }
    };
    writeln!(
        out,
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn"
    )?;
    writeln!(
        out,
        "#fields\t{}",
        join(names.iter().map(|s| s.to_string()).collect())
    )?;
    writeln!(
        out,
        "#types\t{}",
        join(names.iter().map(|s| zeek_type(s).to_string()).collect())
    )?;
    for &r in rows {
        writeln!(out, "{}", join((0..n).map(|c| cell(data, c, r)).collect()))?;
    }
    Ok(())
}

/// Writes `rows` of `data` as Zeek JSON lines (`LogAscii::use_json=T`), the shape
/// [`super::formats::zeek_json`] reads: one object per row with the columns as flat keys in
/// column order, unset fields omitted, numbers as JSON numbers, `bool` fields as `true`/`false`,
/// `set[string]` fields as arrays (`(empty)` → `[]`), everything else as strings.
pub fn write_zeek_json<W: Write>(
    data: &Dataset,
    rows: &[usize],
    mut out: W,
) -> std::io::Result<()> {
    let keys: Vec<String> = data
        .columns
        .iter()
        .map(|c| serde_json::to_string(&c.name).unwrap_or_default())
        .collect();
    let mut line = String::new();
    for &r in rows {
        line.clear();
        line.push('{');
        for (c, key) in keys.iter().enumerate() {
            let Some(value) = json_value(data, c, r) else {
                continue;
            };
            if line.len() > 1 {
                line.push(',');
            }
            line.push_str(key);
            line.push(':');
            line.push_str(&value);
        }
        line.push('}');
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Column `col` of row `row` as JSON text, `None` when unset.
fn json_value(data: &Dataset, col: usize, row: usize) -> Option<String> {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
    match &data.columns[col].data {
        ColumnData::Numeric(v) if v[row].is_nan() => None,
        // JSON has no infinities: written as the text the reader parses back.
        ColumnData::Numeric(v) if !v[row].is_finite() => Some(text(&format!("{}", v[row]))),
        ColumnData::Numeric(v) => Some(format!("{}", v[row])),
        ColumnData::Text(t) if t.codes[row] == MISSING => None,
        ColumnData::Text(t) => {
            let v = t.values[t.codes[row] as usize].as_str();
            Some(match (zeek_type(&data.columns[col].name), v) {
                ("bool", "T") => "true".into(),
                ("bool", "F") => "false".into(),
                ("set[string]", "(empty)") => "[]".into(),
                ("set[string]", v) => {
                    let items: Vec<String> = v.split(',').map(text).collect();
                    format!("[{}]", items.join(","))
                }
                (_, v) => text(v),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_but_numbers_are_not() {
        assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("-3.5"), "-3.5");
        assert_eq!(formula_safe("-"), "-");
        assert_eq!(formula_safe("+cmd"), "'+cmd");
        assert_eq!(formula_safe("Benign"), "Benign");
        assert_eq!(formula_safe("\tcmd"), "'\tcmd");
        assert_eq!(formula_safe("\rcmd"), "'\rcmd");
        assert_eq!(formula_safe("-1e3"), "-1e3");
        assert_eq!(formula_safe("-1+cmd"), "'-1+cmd");
    }

    #[test]
    fn the_page_csv_is_formula_safe_in_header_and_cells() {
        let csv = b"=cmd(),duration,label\n@x,-1.5,+evil\nhost,2,Benign\n";
        let mut loader = crate::ingest::Loader::new(Default::default());
        loader.start_file("f.csv");
        loader.feed(csv).unwrap();
        let d = loader.finish().unwrap();
        let (mut safe, mut raw) = (Vec::new(), Vec::new());
        write_csv(&d, &[0, 1], true, &mut safe).unwrap();
        write_csv(&d, &[0, 1], false, &mut raw).unwrap();
        let safe = String::from_utf8(safe).unwrap();
        assert!(safe.starts_with("'=cmd(),duration,label\n"), "{safe}");
        assert!(safe.contains("'@x,-1.5,'+evil\n"), "{safe}");
        assert!(String::from_utf8(raw).unwrap().starts_with("=cmd(),"));
    }
}
