//! The seeds and targets run as unit tests.
use super::prelude::*;
use super::*;

/// Runs `target`'s entry point on `data`, as its fuzz target does.
fn run(target: &str, data: &[u8]) {
    match target {
        "auth_header" => auth_header(data),
        "auth_query" => auth_query(data),
        "auth_request" => auth_request(data),
        "aws_chunked" => aws_chunked(data),
        "consensus_wire" => consensus_wire(data),
        "meta_records" => meta_records(data),
        "meta_snapshot" => meta_snapshot(data),
        "range_headers" => range_headers(data),
        "request_headers" => request_headers(data),
        "xml_bodies" => xml_bodies(data),
        "segment_scan" => segment_scan(data),
        "select_query" => select_query(data),
        // frame_decode calls a public API directly.
        _ => {}
    }
}

#[test]
fn every_seed_runs_and_every_parser_target_has_seeds() {
    for target in TARGETS {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "{target} has no seeds");
        for seed in seeds {
            run(target, &seed);
        }
    }
}

#[test]
fn seeds_reach_past_the_first_check() {
    // The re-signed seed request authenticates.
    let seed = &seeds("auth_request")[0];
    let mut head = Head::parse(seed);
    assert!(head.resign());
    let now = parse_amz_date(NOW_AMZ).unwrap();
    assert!(sigv4::verify(&head.parts(), REGION, |_| Some(SECRET.to_owned()), now).is_ok());
    // Every chunked seed decodes.
    for seed in seeds("aws_chunked") {
        if seed[0] & 0x80 == 0 {
            let payload = match seed[0] % 3 {
                0 => PayloadMode::StreamingSigned,
                1 => PayloadMode::StreamingSignedTrailer,
                _ => PayloadMode::StreamingUnsignedTrailer,
            };
            assert!(decode_chunked(&payload, &seed[1..], 3).is_ok());
        }
    }
    // The sample records still match the records' fields.
    assert!(sample_bucket().is_some() && sample_object().is_some());
    assert_eq!(seeds("meta_snapshot").len(), 2);
}

#[test]
fn garbage_does_not_panic() {
    let inputs: [&[u8]; 5] = [b"", b"\0", b"\xff\xfe", b"\n\n\n", &[0x80; 64]];
    for target in TARGETS {
        for input in inputs {
            run(target, input);
        }
    }
}

#[test]
fn a_presigned_request_with_an_empty_scope_region_authenticates_as_the_stores() {
    // Found by the fuzzer: botocore signs with `region_name=''` so, and the
    // store takes that scope as its own region.
    let request = b"GET /bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256\
&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F%2Fs3%2Faws4_request\
&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
&X-Amz-Signature=00 HTTP/1.1\nhost: bucket.s3.amazonaws.com\n";
    let mut head = Head::parse(request);
    assert!(head.resign());
    let now = parse_amz_date(NOW_AMZ).unwrap();
    let ctx = sigv4::verify(&head.parts(), REGION, |_| Some(SECRET.to_owned()), now).unwrap();
    assert!(ctx.region.is_empty());
    run("auth_request", request);
}
