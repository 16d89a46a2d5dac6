//! SigV4 and SigV2 `Authorization` values, `x-amz-date`, `x-amz-content-
//! sha256`.
//! Input format and invariants: `predastore::fuzzing::auth_header`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("auth_header"), |data: &[u8]| {
    predastore::fuzzing::auth_header(data);
});
