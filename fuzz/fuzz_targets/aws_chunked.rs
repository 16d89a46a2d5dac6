//! aws-chunked bodies in every variant, split anywhere, damaged or not.
//! Input format and invariants: `predastore::fuzzing::aws_chunked`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("aws_chunked"), |data: &[u8]| {
    predastore::fuzzing::aws_chunked(data);
});
