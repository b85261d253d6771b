//! Files → typed columns, streaming.
//!
//! Bytes are pushed in chunks of any size ([`Loader::feed`]), so a file is never held whole in
//! memory. A `.zip` is read by slices from its end ([`ZipSource`], [`Loader::read_zip`]): the
//! directory first, then each member streamed as a file of its own (only a zip pushed through
//! [`Loader::feed`], e.g. one inside another, is kept in memory until it ends). Formats are recognised from the first 64 KiB:
//!
//! - Zeek `conn.log` / IoT-23 `conn.log.labeled` (`#separator`, `#fields`, `#types`, `-` unset,
//!   `(empty)`; the IoT-23 three-space-joined label columns; Stratosphere's tab-separated ones),
//! - CSV/TSV/semicolon/pipe with a header (IoT-23 CSV conversions, any labelled CSV),
//! - CIDDS-001/002 flow CSV (`1.2 M` byte counts), UNSW-NB15, and headerless NSL-KDD,
//! - Zeek JSON lines, CIC-IDS2017/2018, CTU-13, ToN-IoT, BoT-IoT, NetFlow and nfdump CSV, in
//!   UTF-8, UTF-16 or Latin-1 (see `ingest/formats/`),
//! - any of those inside `.gz` or `.zip`.
//!
//! Every row remembers its source file and line. Labels come from the format's label column
//! (see [`layouts::label_rule`]) or the one the user names; [`Taxonomy`] folds them (per data
//! set: [`taxonomies`]; malware family: [`family`]) and the user's [`LabelMap`] renames, merges
//! or drops the classes that gives.
//!
//! ```
//! use flowlab::ingest::{IngestOptions, Loader, Taxonomy};
//! let log = "#separator \\x09\n#fields\tts\tproto\tduration\ttunnel_parents   label   detailed-label\n\
//!            #types\ttime\tenum\tinterval\tset[string]   string   string\n\
//!            1.0\ttcp\t0.5\t-   Malicious   PartOfAHorizontalPortScan\n\
//!            2.0\tudp\t-\t-   Benign   -\n";
//! let mut loader = Loader::new(IngestOptions { taxonomy: Taxonomy::Attack, ..Default::default() });
//! loader.start_file("conn.log.labeled");
//! loader.feed(log.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! let s = data.summary();
//! assert_eq!(s.files[0].format, flowlab::ingest::Format::Zeek);
//! assert_eq!(s.label_counts["PortScan"], 1);
//! assert_eq!(s.label_counts["Benign"], 1);
//! ```

mod archive;
mod columns;
mod dataset;
mod decode;
mod dict;
mod distinct;
mod error;
pub mod export;
pub mod family;
mod file;
mod formats;
pub mod guard;
mod label_map;
mod labels;
pub mod layouts;
mod loader;
mod numbers;
mod output;
mod records;
mod sample;
mod summary;
mod table;
pub mod taxonomies;

pub use archive::{ZipMember, ZipSource};
pub use columns::{is_missing, Column, ColumnData, TextColumn, MISSING};
pub use dataset::Dataset;
pub use error::{IngestError, Warning};
pub use label_map::{LabelMap, LabelMapError, MapRule, Target};
pub use labels::Taxonomy;
pub use layouts::{Format, Role};
pub use loader::{IngestOptions, Loader};
pub use numbers::{parse_datetime, parse_number, parse_scaled};
pub use summary::{ColumnSummary, FileFailure, FileReport, LoadState, Summary, SummaryBuilder};
