//! Whole request heads through SigV4 and SigV2 verification (and re-signed,
//! past the signature check).
//! Input format and invariants: `predastore::fuzzing::auth_request`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("auth_request"), |data: &[u8]| {
    predastore::fuzzing::auth_request(data);
});
