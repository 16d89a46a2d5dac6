//! Raft and Meta channel messages (`RaftCall`, `RaftReply`, `MetaCall`,
//! `MetaReply`).
//! Input format and invariants: `predastore::fuzzing::consensus_wire`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("consensus_wire"), |data: &[u8]| {
    predastore::fuzzing::consensus_wire(data);
});
