//! Label taxonomies: one table that folds raw labels into attack families and into benign vs
//! malicious.
//!
//! | raw label (case-insensitive) | `attack` | `binary` |
//! |---|---|---|
//! | `benign`, `normal` | `Benign` (`normal` stays `normal`) | `Benign` |
//! | `background`, `unknown`, `suspicious` (CIDDS) | `Background` | `Background` (not known benign or malicious) |
//! | `C&C`, `C&C-*`, `CC` | `C&C` | `Malicious` |
//! | `PartOfAHorizontalPortScan*`, `portscan`, `portScan` | `PortScan` | `Malicious` |
//! | `DDoS` | `DDoS` | `Malicious` |
//! | `Okiru*` | `Okiru` | `Malicious` |
//! | `Attack` | `Attack` | `Malicious` |
//! | `FileDownload` | `FileDownload` | `Malicious` |
//! | NSL-KDD `neptune back land pod smurf teardrop apache2 udpstorm processtable mailbomb worm` | `DoS` | `Malicious` |
//! | NSL-KDD `satan ipsweep nmap portsweep mscan saint` | `Probe` | `Malicious` |
//! | NSL-KDD `guess_passwd ftp_write imap phf multihop warezmaster warezclient spy xlock xsnoop snmpguess snmpgetattack httptunnel sendmail named` | `R2L` | `Malicious` |
//! | NSL-KDD `buffer_overflow loadmodule rootkit perl sqlattack xterm ps` | `U2R` | `Malicious` |
//! | CIDDS `dos`, `pingScan`, `bruteForce` | `DoS`, `PingScan`, `BruteForce` | `Malicious` |
//! | a CIC-IDS, UNSW-NB15, ToN-IoT, BoT-IoT or CTU-13 label | its data set's family ([`super::taxonomies`]) | by that family (CTU-13 `Normal` → `Benign`, `Background` → `Background`) |
//! | anything else | kept as it is | `Malicious` |
//!
//! `normal` (NSL-KDD, CIDDS, UNSW-NB15) stays `normal` in `attack` (the customary five NSL-KDD
//! classes); `benign` in any case becomes `Benign`. A trailing `.` (KDD'99 style `smurf.`) is ignored.
//!
//! The fourth taxonomy, `family`, names the malware family of malicious rows (IoT-23): from the
//! detailed label where it names one (`C&C-Torii` → `Torii`), else from the capture the file is
//! named after (`CTU-IoT-Malware-Capture-34-1` → `Mirai`, see [`super::family`]), else
//! `Unknown`; benign rows are `Benign`, background rows `Background`. It is the only taxonomy
//! that looks at the file a row came from ([`Taxonomy::map_in`]).

use serde::{Deserialize, Serialize};

use super::family::{family_in_label, iot23_capture_family};
use super::taxonomies::{ctu13_class, dataset_family};

/// How raw labels are grouped into classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Taxonomy {
    /// Labels as the file gives them (for Zeek: the detailed label of malicious rows).
    #[default]
    Raw,
    /// Attack families (see the module table).
    Attack,
    /// `Benign` vs `Malicious` (plus `Background` where the capture has unlabelled traffic).
    Binary,
    /// Malware family (IoT-23: `Mirai`, `Torii`, …), from the detailed label or the capture
    /// name of the row's file; `Benign`, `Background`, or `Unknown` when neither names one.
    Family,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 4] = [
        Taxonomy::Raw,
        Taxonomy::Attack,
        Taxonomy::Binary,
        Taxonomy::Family,
    ];

    /// The name used on the command line and in the page.
    pub fn name(self) -> &'static str {
        match self {
            Taxonomy::Raw => "raw",
            Taxonomy::Attack => "attack",
            Taxonomy::Binary => "binary",
            Taxonomy::Family => "family",
        }
    }

    /// Parses `raw`, `attack`, `binary` or `family`.
    pub fn parse(s: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The class of `raw` under this taxonomy, for a row whose file is not known (`family`
    /// then goes by the label alone).
    pub fn map(self, raw: &str) -> String {
        self.map_for_capture(raw, None)
    }

    /// The class of `raw` for a row of the file at `path` (only `family` looks at the path:
    /// the IoT-23 capture it names).
    pub fn map_in(self, raw: &str, path: &str) -> String {
        let capture = match self {
            Taxonomy::Family => iot23_capture_family(path),
            _ => None,
        };
        self.map_for_capture(raw, capture)
    }

    /// Whether [`Taxonomy::map_in`] depends on the file.
    pub fn uses_file(self) -> bool {
        self == Taxonomy::Family
    }

    /// The class of `raw` for a row of a capture of malware family `capture` (what
    /// [`iot23_capture_family`] gives for its file).
    pub fn map_for_capture(self, raw: &str, capture: Option<&str>) -> String {
        match self {
            Taxonomy::Raw => raw.to_string(),
            Taxonomy::Attack => attack_family(raw),
            Taxonomy::Binary => match family_kind(raw) {
                Kind::Benign => "Benign".into(),
                Kind::Background => "Background".into(),
                Kind::Malicious => "Malicious".into(),
            },
            Taxonomy::Family => match family_kind(raw) {
                Kind::Benign => "Benign".into(),
                Kind::Background => "Background".into(),
                Kind::Malicious => family_in_label(raw).or(capture).unwrap_or("Unknown").into(),
            },
        }
    }
}

enum Kind {
    Benign,
    Background,
    Malicious,
}

fn clean(raw: &str) -> &str {
    raw.trim().trim_end_matches('.')
}

/// Runs once per labelled row (IoT-23's rule looks at `label` first): compares without
/// allocating a lower-cased copy.
fn family_kind(raw: &str) -> Kind {
    let l = clean(raw);
    let is = |w: &str| l.eq_ignore_ascii_case(w);
    if is("benign") || is("normal") {
        Kind::Benign
    } else if l.is_empty() || is("background") || is("unknown") || is("suspicious") {
        Kind::Background
    } else {
        match ctu13_class(l) {
            Some("Normal") => Kind::Benign,
            Some("Background") => Kind::Background,
            _ => Kind::Malicious,
        }
    }
}

const NSL_DOS: &[&str] = &[
    "neptune",
    "back",
    "land",
    "pod",
    "smurf",
    "teardrop",
    "apache2",
    "udpstorm",
    "processtable",
    "mailbomb",
    "worm",
];
const NSL_PROBE: &[&str] = &["satan", "ipsweep", "nmap", "portsweep", "mscan", "saint"];
const NSL_R2L: &[&str] = &[
    "guess_passwd",
    "ftp_write",
    "imap",
    "phf",
    "multihop",
    "warezmaster",
    "warezclient",
    "spy",
    "xlock",
    "xsnoop",
    "snmpguess",
    "snmpgetattack",
    "httptunnel",
    "sendmail",
    "named",
];
const NSL_U2R: &[&str] = &[
    "buffer_overflow",
    "loadmodule",
    "rootkit",
    "perl",
    "sqlattack",
    "xterm",
    "ps",
];

fn attack_family(raw: &str) -> String {
    let c = clean(raw);
    let l = c.to_ascii_lowercase();
    let family = match l.as_str() {
        "normal" => return "normal".into(),
        "benign" => "Benign",
        "background" | "unknown" | "suspicious" | "" => "Background",
        "ddos" => "DDoS",
        "attack" => "Attack",
        "filedownload" => "FileDownload",
        "cc" => "C&C",
        "dos" => "DoS",
        "pingscan" => "PingScan",
        "bruteforce" => "BruteForce",
        "portscan" => "PortScan",
        _ if l == "c&c" || l.starts_with("c&c-") => "C&C",
        _ if l.starts_with("partofahorizontalportscan") => "PortScan",
        _ if l.starts_with("okiru") => "Okiru",
        _ if NSL_DOS.contains(&l.as_str()) => "DoS",
        _ if NSL_PROBE.contains(&l.as_str()) => "Probe",
        _ if NSL_R2L.contains(&l.as_str()) => "R2L",
        _ if NSL_U2R.contains(&l.as_str()) => "U2R",
        _ => return dataset_family(c).map_or_else(|| c.to_string(), str::to_string),
    };
    family.to_string()
}

/// Is this Zeek `label` value a benign or background one (so the detailed label is not the class)?
pub(crate) fn is_benign_or_background(label: &str) -> bool {
    !matches!(family_kind(label), Kind::Malicious)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iot23_detailed_labels_fold_into_families() {
        let a = Taxonomy::Attack;
        assert_eq!(a.map("C&C-FileDownload"), "C&C");
        assert_eq!(a.map("C&C-Torii"), "C&C");
        assert_eq!(a.map("C&C"), "C&C");
        assert_eq!(a.map("PartOfAHorizontalPortScan-Attack"), "PortScan");
        assert_eq!(a.map("Okiru-Attack"), "Okiru");
        assert_eq!(a.map("benign"), "Benign");
        assert_eq!(a.map("DDoS"), "DDoS");
        assert_eq!(a.map("FileDownload"), "FileDownload");
        assert_eq!(a.map("Torii"), "Torii");
    }

    #[test]
    fn nsl_kdd_attacks_fold_into_five_classes() {
        let a = Taxonomy::Attack;
        assert_eq!(a.map("neptune"), "DoS");
        assert_eq!(a.map("smurf."), "DoS");
        assert_eq!(a.map("ipsweep"), "Probe");
        assert_eq!(a.map("warezclient"), "R2L");
        assert_eq!(a.map("rootkit"), "U2R");
        assert_eq!(a.map("normal"), "normal");
    }

    #[test]
    fn binary_separates_benign_background_and_the_rest() {
        let b = Taxonomy::Binary;
        assert_eq!(b.map("BENIGN"), "Benign");
        assert_eq!(b.map("normal."), "Benign");
        assert_eq!(b.map("Background"), "Background");
        assert_eq!(b.map("neptune"), "Malicious");
        assert_eq!(b.map("C&C"), "Malicious");
        assert_eq!(Taxonomy::Raw.map("C&C-Torii"), "C&C-Torii");
    }

    #[test]
    fn family_comes_from_the_label_then_the_capture() {
        let f = Taxonomy::Family;
        let capture = "data/CTU-IoT-Malware-Capture-34-1.conn.log.labeled";
        assert_eq!(f.map_in("DDoS", capture), "Mirai");
        assert_eq!(f.map_in("C&C-Torii", capture), "Torii");
        assert_eq!(f.map_in("Benign", capture), "Benign");
        assert_eq!(f.map_in("Background", capture), "Background");
        assert_eq!(f.map_in("C&C", "iot23_mix.csv"), "Unknown");
        assert_eq!(f.map("Okiru"), "Okiru");
        assert_eq!(f.map("benign"), "Benign");
        assert_eq!(Taxonomy::Attack.map_in("DDoS", capture), "DDoS");
        assert!(f.uses_file() && !Taxonomy::Attack.uses_file());
    }

    #[test]
    fn data_set_tables_feed_attack_and_binary() {
        let (a, b) = (Taxonomy::Attack, Taxonomy::Binary);
        assert_eq!(a.map("DoS Hulk"), "DoS");
        assert_eq!(a.map("Web Attack \u{fffd} Brute Force"), "WebAttack");
        assert_eq!(b.map("Web Attack – XSS"), "Malicious");
        assert_eq!(a.map("Backdoors"), "Backdoor");
        assert_eq!(a.map("flow=From-Botnet-V42-UDP-DNS"), "Botnet");
        assert_eq!(b.map("flow=From-Normal-V42-Grill"), "Benign");
        assert_eq!(b.map("flow=Background-TCP-Attempt"), "Background");
        assert_eq!(a.map("DDoS/HTTP"), "DDoS");
        assert_eq!(b.map("Normal"), "Benign");
    }

    #[test]
    fn names_parse_back() {
        for t in Taxonomy::ALL {
            assert_eq!(Taxonomy::parse(t.name()), Some(t));
        }
        assert_eq!(Taxonomy::parse("family"), Some(Taxonomy::Family));
        assert_eq!(Taxonomy::parse("families"), None);
    }
}
