//! Any bytes a peer sends as a frame header decode to a value or an error.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use predastore::transport::decode;
use predastore::transport::{Request, Response};

fuzz_target!(init: predastore::fuzzing::plant_seeds("frame_decode"), |data: &[u8]| {
    let mut buf = BytesMut::from(data);
    while let Ok(Some(_)) = decode::<Request>(&mut buf) {}
    let mut buf = BytesMut::from(data);
    while let Ok(Some(_)) = decode::<Response>(&mut buf) {}
});
