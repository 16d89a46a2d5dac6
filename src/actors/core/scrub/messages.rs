//! Messages the Scrubber handles.

use actix::Message;

use super::report::ScrubReport;
use crate::storage::StorageError;

/// Run a full pass now (after the one in progress, if any) and answer its
/// report once it ends.
#[derive(Message)]
#[rtype(result = "Result<ScrubReport, StorageError>")]
pub(crate) struct ScrubNow;
