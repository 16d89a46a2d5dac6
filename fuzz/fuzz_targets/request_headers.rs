//! `x-amz-copy-source`, tagging, user metadata, checksums, names, query
//! parameters, unsupported headers.
//! Input format and invariants: `predastore::fuzzing::request_headers`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("request_headers"), |data: &[u8]| {
    predastore::fuzzing::request_headers(data);
});
