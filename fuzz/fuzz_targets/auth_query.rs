//! Query strings: SigV4 and SigV2 presigned URLs, auth scheme detection,
//! `response-*` and listing parameters.
//! Input format and invariants: `predastore::fuzzing::auth_query`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("auth_query"), |data: &[u8]| {
    predastore::fuzzing::auth_query(data);
});
