//! Any bytes in a segment file are scanned without a panic, and the scan's
//! records stay inside the file.
//! Input format and invariants: `predastore::fuzzing::segment_scan`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: predastore::fuzzing::plant_seeds("segment_scan"), |data: &[u8]| {
    predastore::fuzzing::segment_scan(data);
});
