//! Log entries of the previous value version (4), whose ops held
//! version-3 records: read through their old shape and converted, so a
//! node upgraded with such entries in its log starts and applies them.

use openraft::{BasicNode, Entry, EntryPayload, LogId, Membership};
use serde::Deserialize;

use super::{MetaRaft, MetaRequest};
use crate::storage::meta::legacy_ops::MetaOpV4;
use crate::storage::meta::OpId;

/// An `Entry<MetaRaft>` as version 4 wrote it (openraft's serde shape).
#[derive(Deserialize)]
pub(super) struct EntryV4 {
    log_id: LogId<u64>,
    payload: PayloadV4,
}

#[derive(Deserialize)]
enum PayloadV4 {
    Blank,
    Normal(MetaRequestV4),
    Membership(Membership<u64, BasicNode>),
}

#[derive(Deserialize)]
struct MetaRequestV4 {
    ops: Vec<MetaOpV4>,
    ids: Vec<OpId>,
    at_ms: u64,
}

impl From<EntryV4> for Entry<MetaRaft> {
    fn from(e: EntryV4) -> Self {
        let payload = match e.payload {
            PayloadV4::Blank => EntryPayload::Blank,
            PayloadV4::Normal(r) => EntryPayload::Normal(MetaRequest {
                ops: r.ops.into_iter().map(Into::into).collect(),
                ids: r.ids,
                at_ms: r.at_ms,
            }),
            PayloadV4::Membership(m) => EntryPayload::Membership(m),
        };
        Entry {
            log_id: e.log_id,
            payload,
        }
    }
}
