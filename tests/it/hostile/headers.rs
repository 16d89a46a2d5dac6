//! Request headers that ask for what the store does not do here (SSE-S3
//! and SSE-KMS without a master key, SSE-C keys over plain HTTP, object
//! lock, storage classes, website redirects): refused, never silently
//! ignored; and `x-amz-acl`, `x-amz-grant-*` and
//! `x-amz-tagging` values AWS refuses. Nothing refused is stored.

use super::{create_bucket, describe, object_path, Hostile, Want};

const NOT_IMPLEMENTED: &[(u16, Option<&str>)] = &[(501, Some("NotImplemented"))];

/// A case: its name, the headers a PUT carries, and the answers accepted.
type HeaderCase<'a> = (&'a str, &'a [(&'a str, &'a str)], Want<'a>);

#[test]
fn unsupported_headers_and_bad_tags_are_refused_and_store_nothing() {
    let h = Hostile::start("headers", &[]);
    create_bucket(&h, "hdr");
    let long_key = format!("{}=v", "k".repeat(129));
    let long_value = format!("k={}", "v".repeat(257));
    let cases: &[HeaderCase<'_>] = &[
        (
            "x-amz-server-side-encryption: aws:kms (no master key configured)",
            &[("x-amz-server-side-encryption", "aws:kms")],
            NOT_IMPLEMENTED,
        ),
        (
            "x-amz-server-side-encryption: aws:kms with a key id",
            &[
                ("x-amz-server-side-encryption", "aws:kms"),
                (
                    "x-amz-server-side-encryption-aws-kms-key-id",
                    "arn:aws:kms:us-east-1:111122223333:key/abcd",
                ),
            ],
            NOT_IMPLEMENTED,
        ),
        (
            "x-amz-server-side-encryption: aws:kms:dsse",
            &[("x-amz-server-side-encryption", "aws:kms:dsse")],
            NOT_IMPLEMENTED,
        ),
        (
            "x-amz-server-side-encryption: bogus",
            &[("x-amz-server-side-encryption", "bogus")],
            &[(400, Some("InvalidArgument"))],
        ),
        (
            "SSE-C (customer-provided key) over plain HTTP",
            &[
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                (
                    "x-amz-server-side-encryption-customer-key",
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                ),
                (
                    "x-amz-server-side-encryption-customer-key-md5",
                    "6QPQ1kHAlmFDk5v3n8k8pA==",
                ),
            ],
            &[(400, Some("InvalidRequest"))],
        ),
        (
            "x-amz-object-lock-mode with a retain-until date",
            &[
                ("x-amz-object-lock-mode", "GOVERNANCE"),
                (
                    "x-amz-object-lock-retain-until-date",
                    "2099-01-01T00:00:00Z",
                ),
            ],
            &[(501, Some("NotImplemented")), (400, Some("InvalidRequest"))],
        ),
        (
            "x-amz-object-lock-legal-hold: ON",
            &[("x-amz-object-lock-legal-hold", "ON")],
            &[(501, Some("NotImplemented")), (400, Some("InvalidRequest"))],
        ),
        (
            "x-amz-storage-class: GLACIER",
            &[("x-amz-storage-class", "GLACIER")],
            NOT_IMPLEMENTED,
        ),
        (
            "x-amz-storage-class: DEEP_ARCHIVE",
            &[("x-amz-storage-class", "DEEP_ARCHIVE")],
            NOT_IMPLEMENTED,
        ),
        (
            "x-amz-storage-class: BOGUS",
            &[("x-amz-storage-class", "BOGUS")],
            &[(400, Some("InvalidStorageClass"))],
        ),
        (
            "x-amz-website-redirect-location",
            &[("x-amz-website-redirect-location", "/elsewhere")],
            NOT_IMPLEMENTED,
        ),
        // ACL headers AWS refuses.
        (
            "x-amz-acl: not a canned ACL",
            &[("x-amz-acl", "everyone-may-look")],
            &[(400, Some("InvalidArgument"))],
        ),
        (
            "x-amz-grant-read by e-mail address",
            &[("x-amz-grant-read", "emailAddress=\"someone@example.com\"")],
            &[(400, Some("UnresolvableGrantByEmailAddress"))],
        ),
        (
            "x-amz-acl and x-amz-grant-read together",
            &[
                ("x-amz-acl", "public-read"),
                (
                    "x-amz-grant-read",
                    "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
                ),
            ],
            &[(400, Some("InvalidRequest"))],
        ),
        // x-amz-tagging values AWS refuses.
        (
            "x-amz-tagging with a key twice",
            &[("x-amz-tagging", "a=1&a=2")],
            &[(400, Some("InvalidTag"))],
        ),
        (
            "x-amz-tagging with bad percent-encoding",
            &[("x-amz-tagging", "a=%zz")],
            &[(400, Some("InvalidTag"))],
        ),
        (
            "x-amz-tagging with a 129-character key",
            &[("x-amz-tagging", long_key.as_str())],
            &[(400, Some("InvalidTag"))],
        ),
        (
            "x-amz-tagging with a 257-character value",
            &[("x-amz-tagging", long_value.as_str())],
            &[(400, Some("InvalidTag"))],
        ),
        (
            "x-amz-tagging with 11 tags",
            &[(
                "x-amz-tagging",
                "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11",
            )],
            &[(400, Some("BadRequest")), (400, Some("InvalidTag"))],
        ),
    ];
    for (i, (case, headers, want)) in cases.iter().enumerate() {
        let key = format!("put-{i}");
        let r = h.signed("PUT", &object_path("hdr", &key), headers, b"body");
        h.expect(&format!("PutObject with {case}"), &r, want);
        h.expect_absent(&format!("PutObject with {case}"), "hdr", &key);
        // The same on CreateMultipartUpload: no upload is created.
        let key = format!("mpu-{i}");
        let r = h.signed(
            "POST",
            &format!("{}?uploads", object_path("hdr", &key)),
            headers,
            b"",
        );
        h.expect(&format!("CreateMultipartUpload with {case}"), &r, want);
    }
    let r = h.signed("GET", "/hdr?uploads", &[], b"");
    h.check(
        "no multipart upload was created",
        r.as_ref().is_ok_and(|r| {
            r.status == 200 && !String::from_utf8_lossy(&r.body).contains("<Upload>")
        }),
        || describe(&r),
    );

    // For contrast: what the store does implement is served.
    let r = h.signed(
        "PUT",
        "/hdr/standard",
        &[("x-amz-storage-class", "STANDARD")],
        b"body",
    );
    h.expect(
        "x-amz-storage-class: STANDARD is served",
        &r,
        &[(200, None)],
    );
    let r = h.signed(
        "PUT",
        "/hdr/tagged",
        &[("x-amz-tagging", "project=blue&team=a%20b")],
        b"body",
    );
    if h.expect("a valid x-amz-tagging is served", &r, &[(200, None)]) {
        let r = h.signed("GET", "/hdr/tagged?tagging", &[], b"");
        let body = r
            .as_ref()
            .map(|r| String::from_utf8_lossy(&r.body).to_string())
            .unwrap_or_default();
        h.check(
            "GetObjectTagging returns the tags of x-amz-tagging",
            r.as_ref().is_ok_and(|r| r.status == 200)
                && body.contains("<Key>project</Key>")
                && body.contains("<Value>blue</Value>")
                && body.contains("<Key>team</Key>")
                && body.contains("<Value>a b</Value>"),
            || describe(&r),
        );
    }
    h.finish();
}
