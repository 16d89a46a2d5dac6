//! Ranges and conditionals: invalid, unsatisfiable, garbage and many
//! ranges; malformed dates (ignored, as AWS does), ETags that match or
//! not, on reads and on writes.

use super::{create_bucket, describe, put_object, Hostile};
use crate::common::digest::random_bytes;

#[test]
fn hostile_ranges_and_conditionals_get_the_aws_answer() {
    let h = Hostile::start("reads", &[]);
    create_bucket(&h, "reads");
    let data = random_bytes(11, 100);
    let etag = put_object(&h, "reads", "r", &data);
    let big = random_bytes(12, 3 << 20);
    put_object(&h, "reads", "big", &big);

    let get = |headers: &[(&str, &str)]| h.signed("GET", "/reads/r", headers, b"");

    // Ranges.
    let r = get(&[("range", "bytes=0-9")]);
    h.check(
        "Range bytes=0-9: 206 with the ten bytes",
        r.as_ref().is_ok_and(|r| {
            r.status == 206
                && r.body == data[..10]
                && r.header("content-range") == Some("bytes 0-9/100")
        }),
        || describe(&r),
    );
    for range in [
        "bytes=5-2",
        "bytes=abc",
        "bytes=",
        "items=0-5",
        "bytes=--5",
        "bytes=0-5-9",
        "bytes=0x10-0x20",
        "bytes=1-2,4-5",
    ] {
        let r = get(&[("range", range)]);
        h.check(
            &format!("Range {range}: ignored, 200 with the whole object"),
            r.as_ref().is_ok_and(|r| {
                r.status == 200 && r.body == data && r.header("content-range").is_none()
            }),
            || describe(&r),
        );
    }
    let many: Vec<String> = (0..200).map(|i| format!("{}-{}", 2 * i, 2 * i)).collect();
    let many = format!("bytes={}", many.join(","));
    let r = get(&[("range", &many)]);
    h.check(
        "200 ranges in one header: 200 with the whole object",
        r.as_ref().is_ok_and(|r| r.status == 200 && r.body == data),
        || describe(&r),
    );
    for range in ["bytes=999999-", "bytes=100-", "bytes=100-200", "bytes=-0"] {
        let r = get(&[("range", range)]);
        if h.expect(
            &format!("Range {range} on 100 bytes"),
            &r,
            &[(416, Some("InvalidRange"))],
        ) {
            h.check(
                &format!("Range {range}: Content-Range bytes */100"),
                r.as_ref()
                    .is_ok_and(|r| r.header("content-range") == Some("bytes */100")),
                || {
                    format!(
                        "{:?}",
                        r.as_ref()
                            .map(|r| r.header("content-range").map(str::to_string))
                    )
                },
            );
        }
    }
    let r = h.signed("HEAD", "/reads/r", &[("range", "bytes=999999-")], b"");
    h.expect("HEAD with Range bytes=999999-", &r, &[(416, None)]);
    let r = h.signed("GET", "/reads/big", &[("range", "bytes=999999999-")], b"");
    h.check(
        "Range past the end of a 3 MiB object: 416, Content-Range bytes */3145728",
        r.as_ref()
            .is_ok_and(|r| r.status == 416 && r.header("content-range") == Some("bytes */3145728")),
        || describe(&r),
    );
    let r = h.signed("GET", "/reads/big", &[("range", "bytes=-1")], b"");
    h.check(
        "Range bytes=-1 of a 3 MiB object: its last byte",
        r.as_ref()
            .is_ok_and(|r| r.status == 206 && r.body == big[big.len() - 1..]),
        || describe(&r),
    );

    // Conditionals on GET and HEAD.
    let whole = |case: &str, r: &std::io::Result<crate::common::http::RawResponse>| {
        h.check(
            case,
            r.as_ref().is_ok_and(|r| r.status == 200 && r.body == data),
            || describe(r),
        );
    };
    for (name, value) in [
        ("if-modified-since", "garbage"),
        ("if-modified-since", "Mon, 32 Foo 2020 99:99:99 GMT"),
        ("if-unmodified-since", "not a date"),
        ("if-unmodified-since", "1700000000"),
    ] {
        whole(
            &format!("{name}: {value:?} is ignored (200, whole object)"),
            &get(&[(name, value)]),
        );
    }
    whole("If-Match: * (200)", &get(&[("if-match", "*")]));
    whole("If-Match: the ETag (200)", &get(&[("if-match", &etag)]));
    whole(
        "If-None-Match: another ETag (200)",
        &get(&[("if-none-match", "\"00000000000000000000000000000000\"")]),
    );
    for value in [
        "\"00000000000000000000000000000000\"",
        "garbage-without-quotes",
    ] {
        let r = get(&[("if-match", value)]);
        h.expect(
            &format!("If-Match: {value} (mismatch)"),
            &r,
            &[(412, Some("PreconditionFailed"))],
        );
    }
    let r = h.signed(
        "HEAD",
        "/reads/r",
        &[("if-match", "\"00000000000000000000000000000000\"")],
        b"",
    );
    h.expect("HEAD If-Match mismatch", &r, &[(412, None)]);
    for value in [etag.as_str(), "*"] {
        let r = get(&[("if-none-match", value)]);
        h.check(
            &format!("If-None-Match: {value} (match): 304 with the ETag, no body"),
            r.as_ref().is_ok_and(|r| {
                r.status == 304 && r.header("etag") == Some(etag.as_str()) && r.body.is_empty()
            }),
            || {
                format!(
                    "{} etag {:?}",
                    describe(&r),
                    r.as_ref()
                        .ok()
                        .and_then(|r| r.header("etag").map(str::to_string))
                )
            },
        );
    }
    let epoch = "Thu, 01 Jan 1970 00:00:00 GMT";
    let r = get(&[("if-unmodified-since", epoch)]);
    h.expect(
        "If-Unmodified-Since 1970 (modified since)",
        &r,
        &[(412, Some("PreconditionFailed"))],
    );
    whole(
        "If-Match true and If-Unmodified-Since false: 200, as AWS documents",
        &get(&[("if-match", &etag), ("if-unmodified-since", epoch)]),
    );
    let r = get(&[("if-none-match", &etag), ("if-modified-since", epoch)]);
    h.expect(
        "If-None-Match false and If-Modified-Since true: 304, as AWS documents",
        &r,
        &[(304, None)],
    );

    // Conditional writes: never a silent overwrite.
    let r = h.signed("PUT", "/reads/r", &[("if-none-match", "*")], b"overwrite");
    h.expect(
        "PUT If-None-Match: * on an existing key",
        &r,
        &[(412, Some("PreconditionFailed"))],
    );
    let r = h.signed(
        "PUT",
        "/reads/r",
        &[("if-match", "\"00000000000000000000000000000000\"")],
        b"overwrite",
    );
    h.expect(
        "PUT If-Match with another ETag",
        &r,
        &[(412, Some("PreconditionFailed"))],
    );
    let r = h.signed("PUT", "/reads/r", &[("if-none-match", &etag)], b"overwrite");
    h.expect(
        "PUT If-None-Match with the current ETag",
        &r,
        &[(412, Some("PreconditionFailed"))],
    );
    h.expect_object("the object is unchanged", "reads", "r", &data);
    h.finish();
}
