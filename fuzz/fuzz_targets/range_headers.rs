//! `Range`, `x-amz-copy-source-range` and the conditional headers.
//! Input format and invariants: `predastore::fuzzing::range_headers`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("range_headers"), |data: &[u8]| {
    predastore::fuzzing::range_headers(data);
});
