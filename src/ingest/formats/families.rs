//! The flow data sets recognised from their header row, beyond plain CSV: what each is called,
//! which column holds its label, and the names of its identifier, port and time columns.
//!
//! | data set | header starts like | label from |
//! |---|---|---|
//! | CIC-IDS2017 / CSE-CIC-IDS2018 (CICFlowMeter) | ` Destination Port, Flow Duration, Total Fwd Packets, …, Label` | `Label` |
//! | CTU-13 Argus `binetflow` | `StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label` | `Label` |
//! | ToN-IoT network | `ts,src_ip,src_port,dst_ip,dst_port,proto,service,duration,…,dns_qclass,…,label,type` | `type` |
//! | BoT-IoT | `pkSeqID,stime,flgs,flgs_number,proto,…,attack,category,subcategory` | `category` |
//! | nfdump `-o csv` | `ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,…` | a label-like column if any |
//! | NetFlow v9 exports (NF-UNSW-NB15, NF-ToN-IoT, NF-BoT-IoT, NF-CSE-CIC-IDS2018) | `IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,…,Label,Attack` | `Attack` |

use super::super::layouts::{Format, LabelRule, Role};

fn key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// The data set a header row names, if it is one of the table above.
pub(crate) fn format_of_header(names: &[String]) -> Option<Format> {
    let keys: Vec<String> = names.iter().map(|n| key(n)).collect();
    let has = |w: &str| keys.iter().any(|k| k == w);
    if has("flow duration") && (has("total fwd packets") || has("tot fwd pkts")) {
        Some(Format::Cic)
    } else if has("starttime") && has("srcaddr") && has("dstaddr") && has("totpkts") {
        Some(Format::Ctu13)
    } else if has("dns_qclass") && has("src_ip_bytes") && has("type") {
        Some(Format::TonIot)
    } else if has("pkseqid") || (has("category") && has("subcategory") && has("attack")) {
        Some(Format::BotIot)
    } else if has("ipv4_src_addr") && has("l4_dst_port") {
        Some(Format::Netflow)
    } else if ["sa", "da", "sp", "dp", "pr"].iter().all(|w| has(w)) && (has("ts") || has("te")) {
        Some(Format::Nfdump)
    } else {
        None
    }
}

/// Where the data set's label is, when it has a rule of its own.
pub(crate) fn label_rule(format: Format, names: &[String]) -> Option<LabelRule> {
    let find = |w: &str| names.iter().position(|n| key(n) == w);
    let col = match format {
        Format::Cic | Format::Ctu13 => find("label"),
        Format::TonIot => find("type"),
        Format::BotIot => find("category"),
        Format::Netflow => find("attack").or_else(|| find("label")),
        _ => None,
    };
    col.map(LabelRule::Column)
}

/// The role of a column of `format` named `k` (trimmed, lower case), when the data set says.
pub(crate) fn role(format: Format, k: &str) -> Option<Role> {
    let general = match k {
        "flow id" | "src ip" | "dst ip" | "srcaddr" | "dstaddr" | "pkseqid" | "ipv4_src_addr"
        | "ipv4_dst_addr" | "ipv6_src_addr" | "ipv6_dst_addr" => Some(Role::Identifier),
        "src port" | "dst port" | "l4_src_port" | "l4_dst_port" => Some(Role::Port),
        "starttime" | "flow_start_milliseconds" | "flow_end_milliseconds" => Some(Role::Timestamp),
        "subcategory" => Some(Role::Label),
        _ => None,
    };
    general.or(match (format, k) {
        (Format::Nfdump, "sa" | "da" | "nh" | "nhb" | "ra" | "sas" | "das") => {
            Some(Role::Identifier)
        }
        (Format::Nfdump, "sp" | "dp") => Some(Role::Port),
        (Format::Nfdump, "ts" | "te") => Some(Role::Timestamp),
        (Format::BotIot, "seq") => Some(Role::Identifier),
        _ => None,
    })
}
