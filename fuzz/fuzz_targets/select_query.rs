//! S3 Select: an SQL expression over CSV or JSON bytes cut into pieces.
//! Input format and invariants: `predastore::fuzzing::select_query`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("select_query"), |data: &[u8]| {
    predastore::fuzzing::select_query(data);
});
