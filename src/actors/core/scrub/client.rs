//! The typed client of the Scrubber: what the storage node holds instead
//! of its `Addr`, a stopped scrubber becoming [`StorageError::Stopped`].

use actix::{Actor, Addr, ArbiterHandle};

use super::actor::Scrubber;
use super::messages::ScrubNow;
use super::report::{ScrubConfig, ScrubReport};
use crate::storage::{ShardReader, StorageError};

/// Asks a running Scrubber for passes. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ScrubClient {
    /// The scrubber every call goes to.
    addr: Addr<Scrubber>,
}

impl ScrubClient {
    /// Starts a scrubber over `reader` on `arbiter` (a thread of its own:
    /// its reads block) and returns its client.
    pub(crate) fn start(arbiter: &ArbiterHandle, reader: ShardReader, cfg: ScrubConfig) -> Self {
        let addr = Scrubber::start_in_arbiter(arbiter, move |_| Scrubber::new(reader, cfg));
        Self { addr }
    }

    /// Runs a full pass (after the one in progress, if any) and answers
    /// what it found.
    pub(crate) async fn scrub_now(&self) -> Result<ScrubReport, StorageError> {
        self.addr
            .send(ScrubNow)
            .await
            .map_err(|_| StorageError::Stopped)?
    }
}
