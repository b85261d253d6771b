//! What each tab of the page shows, shaped from plain data: chart inputs ([`super::plot`] types),
//! table orders and cell classes, and the short notes under charts. The components in `ui` only
//! draw what these functions return, so every number and label here is tested natively.
//!
//! One child module per tab: [`results`] (comparison, confusion, curves, importance),
//! [`explore`] (classes, column table, histograms, correlation) and [`predict`] (distribution,
//! confusion counts), and [`tune`] (the Train tab's Tune panel and `flowlab tune`).

pub mod explore;
pub mod predict;
pub mod recommend;
pub mod results;
pub mod tune;
