//! Known file layouts: column names of the headerless formats, which column holds the label, and
//! what each column is for (feature, identifier, port, timestamp, label).

use serde::{Deserialize, Serialize};

/// A recognised input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// Zeek `conn.log` / IoT-23 `conn.log.labeled` (tab-separated with `#` header lines).
    #[serde(rename = "zeek")]
    Zeek,
    /// Any CSV/TSV with a header row (including IoT-23 CSV conversions).
    #[serde(rename = "csv")]
    Csv,
    /// CIDDS-001 / CIDDS-002 flow CSV.
    #[serde(rename = "cidds")]
    Cidds,
    /// NSL-KDD (no header: 41 features, attack, difficulty).
    #[serde(rename = "nsl-kdd")]
    NslKdd,
    /// UNSW-NB15, with a header (`attack_cat`, `label`) or as the headerless 49-column files.
    #[serde(rename = "unsw-nb15")]
    UnswNb15,
    /// Zeek logs as JSON lines (`LogAscii::use_json=T`).
    #[serde(rename = "zeek-json")]
    ZeekJson,
    /// CIC-IDS2017 / CSE-CIC-IDS2018 CICFlowMeter CSV (original or pandas-rewritten).
    #[serde(rename = "cic-ids")]
    Cic,
    /// CTU-13 Argus `binetflow`.
    #[serde(rename = "ctu13-binetflow")]
    Ctu13,
    /// ToN-IoT network CSV.
    #[serde(rename = "ton-iot")]
    TonIot,
    /// BoT-IoT CSV.
    #[serde(rename = "bot-iot")]
    BotIot,
    /// `nfdump -o csv` export.
    #[serde(rename = "nfdump")]
    Nfdump,
    /// NetFlow v9 field exports (the NF-* data sets).
    #[serde(rename = "netflow")]
    Netflow,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Zeek => "zeek",
            Format::Csv => "csv",
            Format::Cidds => "cidds",
            Format::NslKdd => "nsl-kdd",
            Format::UnswNb15 => "unsw-nb15",
            Format::ZeekJson => "zeek-json",
            Format::Cic => "cic-ids",
            Format::Ctu13 => "ctu13-binetflow",
            Format::TonIot => "ton-iot",
            Format::BotIot => "bot-iot",
            Format::Nfdump => "nfdump",
            Format::Netflow => "netflow",
        }
    }
}

/// What a column is for. Only `Feature` columns (and `Port`, on request) become model inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Feature,
    /// Flow ids and addresses: they name the capture, not the behaviour; excluded.
    Identifier,
    /// Absolute time: excluded (hour of day is derived from it).
    Timestamp,
    /// Port numbers: optional features, flagged "may leak".
    Port,
    /// The label and its companions (detailed label, attack id, …): never a feature.
    Label,
    /// Bookkeeping such as NSL-KDD's difficulty: never a feature.
    Meta,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Identifier => "identifier",
            Role::Timestamp => "timestamp",
            Role::Port => "port",
            Role::Label => "label",
            Role::Meta => "meta",
        }
    }
}

/// How a column's text turns into values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// Numbers where at least 95 % of the set values are numbers, text otherwise.
    Infer,
    /// Always numeric: any other value is a warning and counts as missing.
    Number,
    /// Always text (categories).
    Text,
    /// A number with an optional `K`/`M`/`G` suffix (CIDDS `Bytes`: `1.2 M`).
    Scaled,
    /// `YYYY-MM-DD hh:mm:ss[.fff]` (or a plain epoch number) → seconds since 1970.
    DateTime,
}

/// How the class of a row is read.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelRule {
    None,
    /// The value of one column.
    Column(usize),
    /// Zeek/IoT-23: the detailed label for malicious rows when it is set, else the label.
    Detailed {
        label: usize,
        detailed: usize,
    },
    /// CIDDS: `attackType` when it is not `---`, else `class`.
    Cidds {
        class: usize,
        attack_type: usize,
    },
    /// UNSW-NB15: `attack_cat`, or `Normal` where it is empty and `label` is 0.
    Unsw {
        attack_cat: usize,
        label: usize,
    },
}

impl LabelRule {
    /// The column the labels are said to come from, for reports.
    pub fn column(&self) -> Option<usize> {
        match *self {
            LabelRule::None => None,
            LabelRule::Column(c) => Some(c),
            LabelRule::Detailed { detailed, .. } => Some(detailed),
            LabelRule::Cidds { attack_type, .. } => Some(attack_type),
            LabelRule::Unsw { attack_cat, .. } => Some(attack_cat),
        }
    }
}

/// NSL-KDD column names (41 features, then the attack and the difficulty level).
pub const NSL_KDD: [&str; 43] = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
    "attack",
    "difficulty",
];

/// UNSW-NB15 column names of the headerless `UNSW-NB15_1..4.csv` files (UNSW-NB15_features.csv).
pub const UNSW_NB15: [&str; 49] = [
    "srcip",
    "sport",
    "dstip",
    "dsport",
    "proto",
    "state",
    "dur",
    "sbytes",
    "dbytes",
    "sttl",
    "dttl",
    "sloss",
    "dloss",
    "service",
    "sload",
    "dload",
    "spkts",
    "dpkts",
    "swin",
    "dwin",
    "stcpb",
    "dtcpb",
    "smeansz",
    "dmeansz",
    "trans_depth",
    "res_bdy_len",
    "sjit",
    "djit",
    "stime",
    "ltime",
    "sintpkt",
    "dintpkt",
    "tcprtt",
    "synack",
    "ackdat",
    "is_sm_ips_ports",
    "ct_state_ttl",
    "ct_flw_http_mthd",
    "is_ftp_login",
    "ct_ftp_cmd",
    "ct_srv_src",
    "ct_srv_dst",
    "ct_dst_ltm",
    "ct_src_ltm",
    "ct_src_dport_ltm",
    "ct_dst_sport_ltm",
    "ct_dst_src_ltm",
    "attack_cat",
    "label",
];

/// Names of columns that hold a label, in the order they are preferred when detecting one.
pub const LABEL_NAMES: [&str; 12] = [
    "label",
    "class",
    "attack_cat",
    "attack",
    "attack_type",
    "attacktype",
    "category",
    "target",
    "detailed-label",
    "detailedlabel",
    "detailed_label",
    "attackid",
];

const LABEL_COMPANIONS: [&str; 3] = ["attackdescription", "attack_description", "attack_id"];

fn key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

fn find(names: &[String], wanted: &[&str]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| names.iter().position(|n| key(n) == *w))
}

/// The format a header row describes.
pub fn format_of_header(names: &[String]) -> Format {
    if let Some(f) = super::formats::families::format_of_header(names) {
        return f;
    }
    let has = |w: &str| names.iter().any(|n| key(n) == w);
    if has("date first seen") && (has("src ip addr") || has("src pt")) {
        Format::Cidds
    } else if has("attack_cat") || (has("sbytes") && has("dbytes") && has("sttl")) {
        Format::UnswNb15
    } else {
        Format::Csv
    }
}

/// Decides where labels come from: the user's column if given, else the format's rule, else the
/// first column with a label-like name.
pub fn label_rule(
    format: Format,
    names: &[String],
    chosen: Option<&str>,
) -> Result<LabelRule, String> {
    if let Some(chosen) = chosen {
        return find(names, &[key(chosen).as_str()])
            .map(LabelRule::Column)
            .ok_or_else(|| chosen.to_string());
    }
    if let Some(rule) = super::formats::families::label_rule(format, names) {
        return Ok(rule);
    }
    let detailed = find(
        names,
        &["detailed-label", "detailedlabel", "detailed_label"],
    );
    Ok(match (format, find(names, &["label"]), detailed) {
        (Format::Cidds, ..) => match (find(names, &["class"]), find(names, &["attacktype"])) {
            (Some(class), Some(attack_type)) => LabelRule::Cidds { class, attack_type },
            (Some(class), None) => LabelRule::Column(class),
            _ => first_label_like(names),
        },
        (Format::UnswNb15, Some(label), _) => match find(names, &["attack_cat"]) {
            Some(attack_cat) => LabelRule::Unsw { attack_cat, label },
            None => LabelRule::Column(label),
        },
        (Format::NslKdd, ..) => find(names, &["attack"]).map_or(LabelRule::None, LabelRule::Column),
        (_, Some(label), Some(detailed)) => LabelRule::Detailed { label, detailed },
        _ => first_label_like(names),
    })
}

fn first_label_like(names: &[String]) -> LabelRule {
    find(names, &LABEL_NAMES).map_or(LabelRule::None, LabelRule::Column)
}

/// The role of a column of a `format` file, from its name and the label rule.
pub fn role_in(format: Format, name: &str, index: usize, rule: &LabelRule) -> Role {
    let role = role_of(name, index, rule);
    match super::formats::families::role(format, &key(name)) {
        Some(r) if role == Role::Feature => r,
        _ => role,
    }
}

/// The role of a column, from its name and the label rule.
pub fn role_of(name: &str, index: usize, rule: &LabelRule) -> Role {
    let k = key(name);
    let is_label_col = match *rule {
        LabelRule::None => false,
        LabelRule::Column(c) => c == index,
        LabelRule::Detailed { label, detailed } => index == label || index == detailed,
        LabelRule::Cidds { class, attack_type } => index == class || index == attack_type,
        LabelRule::Unsw { attack_cat, label } => index == attack_cat || index == label,
    };
    if is_label_col || LABEL_NAMES.contains(&k.as_str()) || LABEL_COMPANIONS.contains(&k.as_str()) {
        return Role::Label;
    }
    match k.as_str() {
        // Zeek's optional conn.log fields `community_id` (a hash of the 5-tuple) and
        // `orig_l2_addr`/`resp_l2_addr` (MAC addresses) name a flow or a host, as `uid` does.
        "uid" | "id" | "flow_id" | "flowid" | "community_id" | "orig_l2_addr" | "resp_l2_addr"
        | "id.orig_h" | "id.resp_h" | "src ip addr" | "dst ip addr" | "srcip" | "dstip"
        | "src_ip" | "dst_ip" | "saddr" | "daddr" | "source ip" | "destination ip" => {
            Role::Identifier
        }
        "ts" | "date first seen" | "stime" | "ltime" | "timestamp" | "time" | "start_time" => {
            Role::Timestamp
        }
        "id.orig_p" | "id.resp_p" | "src pt" | "dst pt" | "src_port" | "dst_port" | "sport"
        | "dsport" | "dport" | "srcport" | "dstport" | "source port" | "destination port" => {
            Role::Port
        }
        "difficulty" | "difficulty_level" => Role::Meta,
        _ => Role::Feature,
    }
}

/// How to parse a column of a delimited file of `format`.
pub fn parse_of(format: Format, name: &str, role: Role) -> Parse {
    let k = key(name);
    match (format, k.as_str(), role) {
        (_, _, Role::Label | Role::Identifier) => Parse::Text,
        (Format::Cidds, "bytes", _) => Parse::Scaled,
        (_, _, Role::Timestamp) => Parse::DateTime,
        (_, _, Role::Port) => Parse::Number,
        (Format::Cidds, "proto" | "flags", _) => Parse::Text,
        (Format::Cidds, "duration" | "packets" | "flows" | "tos", _) => Parse::Number,
        (Format::NslKdd, "protocol_type" | "service" | "flag", _) => Parse::Text,
        (Format::NslKdd, ..) => Parse::Number,
        (Format::UnswNb15, "proto" | "state" | "service", _) => Parse::Text,
        _ => Parse::Infer,
    }
}

/// How to parse a Zeek column of declared `#types` type `ty`.
pub fn parse_of_zeek_type(ty: &str, role: Role) -> Parse {
    match (ty, role) {
        (_, Role::Label | Role::Identifier) => Parse::Text,
        ("time" | "interval" | "count" | "int" | "double" | "port", _) => Parse::Number,
        ("", _) => Parse::Infer,
        _ => Parse::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cidds_header_is_recognised_and_labelled_by_attack_type() {
        let n = names(&[
            "Date first seen",
            "Duration",
            "Proto",
            "Src IP Addr",
            "Src Pt",
            "Dst IP Addr",
            "Dst Pt",
            "Packets",
            "Bytes",
            "Flows",
            "Flags",
            "Tos",
            "class",
            "attackType",
            "attackID",
            "attackDescription",
        ]);
        assert_eq!(format_of_header(&n), Format::Cidds);
        let rule = label_rule(Format::Cidds, &n, None).unwrap();
        assert_eq!(
            rule,
            LabelRule::Cidds {
                class: 12,
                attack_type: 13
            }
        );
        assert_eq!(role_of("attackID", 14, &rule), Role::Label);
        assert_eq!(role_of("attackDescription", 15, &rule), Role::Label);
        assert_eq!(role_of("Src IP Addr", 3, &rule), Role::Identifier);
        assert_eq!(role_of("Dst Pt", 6, &rule), Role::Port);
        assert_eq!(
            parse_of(Format::Cidds, "Bytes", Role::Feature),
            Parse::Scaled
        );
    }

    #[test]
    fn iot23_csv_uses_detailed_label_and_user_choice_wins() {
        let n = names(&["ts", "uid", "proto", "label", "detailed-label"]);
        assert_eq!(format_of_header(&n), Format::Csv);
        assert_eq!(
            label_rule(Format::Csv, &n, None).unwrap(),
            LabelRule::Detailed {
                label: 3,
                detailed: 4
            }
        );
        assert_eq!(
            label_rule(Format::Csv, &n, Some("Proto")).unwrap(),
            LabelRule::Column(2)
        );
        assert_eq!(
            label_rule(Format::Csv, &n, Some("nope")),
            Err("nope".into())
        );
    }

    #[test]
    fn unsw_header_has_two_label_columns() {
        let n = names(&[
            "id",
            "dur",
            "proto",
            "sbytes",
            "dbytes",
            "sttl",
            "attack_cat",
            "label",
        ]);
        assert_eq!(format_of_header(&n), Format::UnswNb15);
        assert_eq!(
            label_rule(Format::UnswNb15, &n, None).unwrap(),
            LabelRule::Unsw {
                attack_cat: 6,
                label: 7
            }
        );
        assert_eq!(role_of("id", 0, &LabelRule::None), Role::Identifier);
    }
}
