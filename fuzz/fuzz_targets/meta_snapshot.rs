//! Metadata snapshot streams, as Raft ships them to a lagging node.
//! Input format and invariants: `predastore::fuzzing::meta_snapshot`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("meta_snapshot"), |data: &[u8]| {
    predastore::fuzzing::meta_snapshot(data);
});
