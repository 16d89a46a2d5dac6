//! End-to-end checks of [`verify`] against AWS's documented examples.

use time::{Duration, OffsetDateTime};

use super::canonical::canonical_request;
use super::presigned::parse_expires;
use super::scheme::*;
use super::*;
use crate::api::error::testing::{http_status, s3_code, s3_message};
use crate::api::query::parse as parse_query;

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn lookup(ak: &str) -> Option<String> {
    (ak == AK).then(|| SECRET.to_owned())
}

fn at(s: &str) -> OffsetDateTime {
    parse_amz_date(s).unwrap()
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn get_object_headers() -> Vec<(String, String)> {
    h(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_SHA256),
        ("x-amz-date", "20130524T000000Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
    ])
}

fn get_object(headers: &[(String, String)]) -> RequestParts<'_> {
    RequestParts {
        method: "GET",
        path: "/test.txt",
        query: &[],
        headers,
    }
}

#[test]
fn aws_example_get_object_canonical_request() {
    let headers = get_object_headers();
    let parts = get_object(&headers);
    let signed: Vec<String> = ["host", "range", "x-amz-content-sha256", "x-amz-date"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let canonical = canonical_request(&parts, &signed, EMPTY_SHA256, false);
    let expected = "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(canonical, expected);
    let sts = string_to_sign(
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        &canonical,
    );
    assert_eq!(
        sts,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
         7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
}

#[test]
fn aws_example_get_object_verifies() {
    let headers = get_object_headers();
    let ctx = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130524T000000Z"),
    )
    .unwrap();
    assert_eq!(ctx.access_key, AK);
    assert_eq!(ctx.region, "us-east-1");
    assert_eq!(ctx.scope, "20130524/us-east-1/s3/aws4_request");
    assert_eq!(ctx.amz_date, "20130524T000000Z");
    assert_eq!(
        ctx.seed_signature,
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert_eq!(ctx.payload, PayloadMode::Sha256(EMPTY_SHA256.to_owned()));
    assert_eq!(ctx.kind, AuthKind::Header);
}

#[test]
fn wrong_secret_is_signature_mismatch() {
    let headers = get_object_headers();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        |_| Some("not-the-secret".to_owned()),
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(err, AuthError::SignatureMismatch);
    assert_eq!(s3_code(err), "SignatureDoesNotMatch");
    assert_eq!(http_status(err), 403);
}

#[test]
fn unknown_key_is_invalid_access_key_id() {
    let headers = get_object_headers();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        |_| None,
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(err, AuthError::UnknownAccessKey);
    assert_eq!(s3_code(err), "InvalidAccessKeyId");
}

#[test]
fn clock_skew_window_is_fifteen_minutes() {
    let headers = get_object_headers();
    let parts = get_object(&headers);
    let t0 = at("20130524T000000Z");
    for ok in [Duration::minutes(15), Duration::minutes(-15)] {
        assert!(verify(&parts, "us-east-1", lookup, t0 + ok).is_ok());
    }
    for bad in [Duration::minutes(16), Duration::minutes(-16)] {
        let err = verify(&parts, "us-east-1", lookup, t0 + bad).unwrap_err();
        assert_eq!(err, AuthError::RequestTimeTooSkewed);
        assert_eq!(s3_code(err), "RequestTimeTooSkewed");
        assert_eq!(http_status(err), 403);
    }
}

#[test]
fn tampered_request_is_rejected() {
    let mut headers = get_object_headers();
    headers[1].1 = "bytes=0-10".to_owned();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(err, AuthError::SignatureMismatch);

    let headers = get_object_headers();
    let mut parts = get_object(&headers);
    parts.path = "/test.txt2";
    let err = verify(&parts, "us-east-1", lookup, at("20130524T000000Z")).unwrap_err();
    assert_eq!(err, AuthError::SignatureMismatch);
}

#[test]
fn unsigned_amz_header_is_rejected() {
    let mut headers = get_object_headers();
    headers.push(("x-amz-meta-evil".to_owned(), "1".to_owned()));
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(err, AuthError::UnsignedAmzHeader);
    assert_eq!(
        (s3_code(err), s3_message(err).as_str()),
        (
            "AccessDenied",
            "There were headers present in the request which were not signed"
        )
    );
}

#[test]
fn aws_example_put_object() {
    // The documented request line is `PUT /test$file.text`; clients send
    // `$` either raw or as `%24`, both canonicalise to `/test%24file.text`.
    let headers = h(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        ),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
             Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
    ]);
    for path in ["/test$file.text", "/test%24file.text"] {
        let parts = RequestParts {
            method: "PUT",
            path,
            query: &[],
            headers: &headers,
        };
        let ctx = verify(&parts, "us-east-1", lookup, at("20130524T000000Z")).unwrap();
        let mut hasher = PayloadHasher::for_mode(&ctx.payload).unwrap().unwrap();
        hasher.update(b"Welcome to ");
        hasher.update(b"Amazon S3.");
        assert_eq!(hasher.len(), 21);
        hasher.finish().unwrap();

        let mut hasher = PayloadHasher::for_mode(&ctx.payload).unwrap().unwrap();
        hasher.update(b"Welcome to Amazon S4.");
        assert_eq!(hasher.finish(), Err(AuthError::ContentSha256Mismatch));
    }
}

#[test]
fn aws_example_get_bucket_lifecycle_and_list_objects() {
    let base = [
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-content-sha256", EMPTY_SHA256),
    ];
    let cases = [
        (
            "lifecycle",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            "max-keys=2&prefix=J",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
        // Same request with the parameters in another order.
        (
            "prefix=J&max-keys=2",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ];
    for (query, sig) in cases {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature={sig}"
        );
        let mut headers = h(&base);
        headers.push(("authorization".to_owned(), auth));
        let query = parse_query(query);
        let parts = RequestParts {
            method: "GET",
            path: "/",
            query: &query,
            headers: &headers,
        };
        verify(&parts, "us-east-1", lookup, at("20130524T000000Z")).unwrap();
    }
}

fn presigned_query(expires: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )
}

#[test]
fn aws_example_presigned_url() {
    let headers = h(&[("host", "examplebucket.s3.amazonaws.com")]);
    let query = parse_query(&presigned_query("86400"));
    let parts = RequestParts {
        method: "GET",
        path: "/test.txt",
        query: &query,
        headers: &headers,
    };
    let signed = vec!["host".to_owned()];
    assert_eq!(
        canonical_request(&parts, &signed, UNSIGNED_PAYLOAD, true),
        "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
    );
    let t0 = at("20130524T000000Z");
    for now in [t0, t0 + Duration::seconds(86400)] {
        let ctx = verify(&parts, "us-east-1", lookup, now).unwrap();
        assert_eq!(ctx.kind, AuthKind::Presigned);
        assert_eq!(ctx.payload, PayloadMode::Unsigned);
        assert_eq!(ctx.access_key, AK);
    }
    let err = verify(&parts, "us-east-1", lookup, t0 + Duration::seconds(86401)).unwrap_err();
    assert_eq!(err, AuthError::Expired);
    assert_eq!(s3_message(err), "Request has expired");
    assert_eq!(s3_code(err), "AccessDenied");
    assert_eq!(http_status(err), 403);

    let err = verify(&parts, "us-east-1", |_| Some("x".to_owned()), t0).unwrap_err();
    assert_eq!(err, AuthError::SignatureMismatch);
    let err = verify(&parts, "us-east-1", |_| None, t0).unwrap_err();
    assert_eq!(err, AuthError::UnknownAccessKey);
    let err = verify(&parts, "us-east-1", lookup, t0 - Duration::hours(1)).unwrap_err();
    assert_eq!(s3_code(err), "AccessDenied");
}

#[test]
fn presigned_expires_bounds() {
    let headers = h(&[("host", "examplebucket.s3.amazonaws.com")]);
    // A negative or too long validity is malformed (400, as AWS answers),
    // as is one that is not a number; a zero one has expired (403).
    for (bad, code, status) in [
        ("604801", "AuthorizationQueryParametersError", 400),
        ("0", "AccessDenied", 403),
        ("-1", "AuthorizationQueryParametersError", 400),
        ("abc", "AuthorizationQueryParametersError", 400),
        ("", "AuthorizationQueryParametersError", 400),
        (
            "99999999999999999999999",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "-99999999999999999999999",
            "AuthorizationQueryParametersError",
            400,
        ),
    ] {
        let query = parse_query(&presigned_query(bad));
        let parts = RequestParts {
            method: "GET",
            path: "/test.txt",
            query: &query,
            headers: &headers,
        };
        let err = verify(&parts, "us-east-1", lookup, at("20130524T000000Z")).unwrap_err();
        assert_eq!(s3_code(err), code, "{bad}");
        assert_eq!(http_status(err), status, "{bad}");
    }
    let malformed = AuthError::MalformedQuery;
    assert_eq!(
        parse_expires("-1"),
        Err(malformed(MalformedQuery::ExpiresNegative))
    );
    assert_eq!(
        parse_expires("0"),
        Err(malformed(MalformedQuery::ExpiresZero))
    );
    assert_eq!(
        parse_expires("604801"),
        Err(malformed(MalformedQuery::ExpiresTooLong))
    );
    assert_eq!(parse_expires("604800"), Ok(604800));
    assert_eq!(parse_expires("1"), Ok(1));
}

#[test]
fn presigned_missing_or_repeated_params() {
    let full = presigned_query("86400");
    let dropped = full.replace("&X-Amz-SignedHeaders=host", "");
    let repeated = format!("{full}&X-Amz-Date=20130524T000000Z");
    for q in [dropped, repeated] {
        let err = PresignedParams::parse(&parse_query(&q)).unwrap_err();
        assert_eq!(s3_code(err), "AuthorizationQueryParametersError");
    }
    let not_utf8 = full.replace("X-Amz-Date=", "X-Amz-Date=%FF");
    assert_eq!(
        PresignedParams::parse(&parse_query(&not_utf8)),
        Err(AuthError::MalformedQuery(MalformedQuery::NotUtf8))
    );
    let bad_alg = full.replace("AWS4-HMAC-SHA256&", "AWS4-HMAC-SHA1&");
    assert_eq!(
        s3_code(PresignedParams::parse(&parse_query(&bad_alg)).unwrap_err()),
        "AuthorizationQueryParametersError"
    );
}

#[test]
fn both_mechanisms_is_invalid_argument() {
    let headers = get_object_headers();
    let query = parse_query(&presigned_query("60"));
    let parts = RequestParts {
        method: "GET",
        path: "/test.txt",
        query: &query,
        headers: &headers,
    };
    assert_eq!(
        s3_code(detect_auth_kind(&parts).unwrap_err()),
        "InvalidArgument"
    );
    let none = RequestParts {
        method: "GET",
        path: "/",
        query: &[],
        headers: &[],
    };
    assert_eq!(detect_auth_kind(&none), Ok(AuthKind::Anonymous));
    assert_eq!(
        s3_code(verify(&none, "us-east-1", lookup, at("20130524T000000Z")).unwrap_err()),
        "AccessDenied"
    );
}

#[test]
fn credential_date_must_match_request_date() {
    let mut headers = get_object_headers();
    headers[3].1 = "20130525T000000Z".to_owned();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130525T000000Z"),
    )
    .unwrap_err();
    assert_eq!(s3_code(err), "AuthorizationHeaderMalformed");
}

#[test]
fn missing_security_headers() {
    let headers: Vec<_> = get_object_headers()
        .into_iter()
        .filter(|(n, _)| n != "x-amz-content-sha256")
        .collect();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(s3_code(err), "MissingSecurityHeader");
    assert_eq!(http_status(err), 400);

    let headers: Vec<_> = get_object_headers()
        .into_iter()
        .filter(|(n, _)| n != "x-amz-date")
        .collect();
    let err = verify(
        &get_object(&headers),
        "us-east-1",
        lookup,
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(s3_code(err), "AccessDenied");
}

#[test]
fn a_scope_for_another_region_or_a_bare_algorithm_is_malformed() {
    let parts_with = |auth: &'static str| -> Vec<(String, String)> {
        vec![
            ("host".into(), "examplebucket.s3.amazonaws.com".into()),
            ("x-amz-date".into(), "20130524T000000Z".into()),
            ("x-amz-content-sha256".into(), UNSIGNED_PAYLOAD.into()),
            ("authorization".into(), auth.into()),
        ]
    };
    let headers = parts_with(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request, \
         SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00",
    );
    let parts = RequestParts {
        method: "GET",
        path: "/test.txt",
        query: &[],
        headers: &headers,
    };
    let err = verify(
        &parts,
        "us-east-1",
        |_| Some("secret".into()),
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        AuthError::MalformedHeader(MalformedHeader::WrongRegion)
    );
    let headers = parts_with("AWS4-HMAC-SHA256");
    let parts = RequestParts {
        headers: &headers,
        ..parts
    };
    let err = verify(
        &parts,
        "us-east-1",
        |_| Some("secret".into()),
        at("20130524T000000Z"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        AuthError::MalformedHeader(MalformedHeader::MissingCredential)
    );
}
