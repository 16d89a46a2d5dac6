//! Every XML request body (CompleteMultipartUpload, Delete,
//! CreateBucketConfiguration, Tagging, AccessControlPolicy, CORS, lifecycle,
//! ownership controls, public access block) and bucket policies (JSON).
//! Input format and invariants: `predastore::fuzzing::xml_bodies`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("xml_bodies"), |data: &[u8]| {
    predastore::fuzzing::xml_bodies(data);
});
