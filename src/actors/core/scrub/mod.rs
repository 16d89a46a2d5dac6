//! The Scrubber: one per storage node. It re-reads every shard at a
//! bounded rate (`PREDASTORE_SCRUB_MB_S`), a full pass every
//! `PREDASTORE_SCRUB_EVERY`, checking every fragment's CRC32C. A damaged
//! shard is marked corrupt in the shard index (the mark is what
//! [`crate::storage::ShardState::Corrupt`] reports to repair) and counted.
//!
//! Reads run on blocking threads a piece at a time; the actor only keeps
//! the schedule and answers [`ScrubNow`]. The start of the last completed
//! pass is kept in the shard index, so a restart keeps the schedule.
//!
//! A mark is news for repair: [`MarkReports`] puts the objects of new
//! marks on the durable heal queue within seconds of the mark.

mod actor;
mod client;
mod marks;
mod messages;
mod pass;
mod report;

pub(crate) use client::ScrubClient;
pub(crate) use marks::MarkReports;
pub(crate) use report::{ScrubConfig, ScrubReport};

#[cfg(test)]
pub(crate) mod tests;
