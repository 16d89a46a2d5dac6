//! Stored records: metadata records (current and legacy) and ops, shard index
//! entries, record headers.
//! Input format and invariants: `predastore::fuzzing::meta_records`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("meta_records"), |data: &[u8]| {
    predastore::fuzzing::meta_records(data);
});
