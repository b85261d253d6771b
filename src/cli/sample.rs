//! `flowlab sample`: a class-balanced sample of real rows, written as CSV or as a Zeek log (TSV
//! or JSON lines, as the files were).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::{load, ReadArgs};
use crate::ingest::export::{write_csv, write_zeek, write_zeek_json};
use crate::ingest::Format;

pub(super) fn run(read: &ReadArgs, per_class: u64, out: &Path) -> i32 {
    if per_class == 0 {
        eprintln!("flowlab sample: --per-class must be at least 1");
        return 2;
    }
    if read.map.is_some() {
        eprintln!("flowlab sample: --map is not used by sample (it writes rows with the labels of the files); give it to train, eval, predict, inspect or features");
        return 2;
    }
    let data = match load(read, Some(per_class), "sample") {
        Ok(d) => d,
        Err(e) => {
            eprintln!("flowlab sample: {e}");
            return 2;
        }
    };
    for f in &data.failed {
        eprintln!("flowlab sample: skipped {}", f.message);
    }
    if !data.has_labels() {
        eprintln!("flowlab sample: the files have no label column, so there are no classes to balance; choose one with --label-column");
        return 2;
    }
    let rows: Vec<usize> = (0..data.n_rows()).collect();
    // Zeek logs are written back as Zeek logs (TSV or JSON, as read), unless `--out` ends `.csv`.
    let csv_out = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let all = |format| data.files.iter().all(|f| f.format == format);
    let (zeek, zeek_json) = (
        !csv_out && all(Format::Zeek),
        !csv_out && all(Format::ZeekJson),
    );
    let file = match File::create(out) {
        Ok(f) => BufWriter::new(f),
        Err(e) => {
            eprintln!("flowlab sample: cannot write {}: {e}", out.display());
            return 2;
        }
    };
    let written = if zeek {
        write_zeek(&data, &rows, file)
    } else if zeek_json {
        write_zeek_json(&data, &rows, file)
    } else {
        write_csv(&data, &rows, false, file)
    };
    if let Err(e) = written {
        eprintln!("flowlab sample: cannot write {}: {e}", out.display());
        return 2;
    }
    let summary = data.summary();
    eprintln!(
        "flowlab sample: wrote {} rows ({}) to {}",
        data.n_rows(),
        summary
            .label_counts
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        out.display()
    );
    i32::from(!data.failed.is_empty())
}
