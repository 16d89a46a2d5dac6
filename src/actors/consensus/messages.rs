//! Messages the Consensus actor handles.

use actix::Message;

use super::ConsensusError;
use crate::storage::meta::{MetaOp, MetaResult};

/// Commit one metadata op; answers its own result once committed and applied.
#[derive(Message)]
#[rtype(result = "Result<MetaResult, ConsensusError>")]
pub struct Submit(pub MetaOp);

/// Resolves once a read of the local state would be linearizable.
#[derive(Message)]
#[rtype(result = "Result<(), ConsensusError>")]
pub struct Linearize;
