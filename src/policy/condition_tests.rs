//! The evaluator against AWS's documented condition examples (TLS only,
//! IP lists, tags, IfExists, ForAnyValue/ForAllValues, Null, dates,
//! string and ARN operators); the harness is in `tests.rs`.

use super::tests::{run_cases, Case, ALICE, ANON};
use super::Decision::{Allow, Deny, Unmatched};

const CASES: &[Case] = &[
    Case {
        name: "deny unless TLS (aws:SecureTransport)",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"AllowRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject",
             "Resource":"arn:aws:s3:::examplebucket/*"},
            {"Sid":"RestrictToTLSRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*",
             "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
             "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SecureTransport", "false")],
                Deny,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SecureTransport", "true")],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[("aws:SecureTransport", "false")],
                Deny,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[("aws:SecureTransport", "true")],
                Unmatched,
            ),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("AWS:SECURETRANSPORT", "FALSE")],
                Deny,
            ),
            // A missing key does not satisfy a positive operator.
            ("s3:ListBucket", None, ALICE, &[], Unmatched),
        ],
    },
    Case {
        name: "IP allow list (IpAddress + NotIpAddress, IPv4 and IPv6)",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"s3:*","Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
            "Condition":{
              "IpAddress":{"aws:SourceIp":["54.240.143.0/24","2001:DB8:1234:5678::/64"]},
              "NotIpAddress":{"aws:SourceIp":["54.240.143.188/32","2001:DB8:1234:5678:ABCD::/80"]}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "54.240.143.1")],
                Allow,
            ),
            (
                "s3:ListBucket",
                None,
                ANON,
                &[("aws:SourceIp", "54.240.143.255")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "54.240.143.188")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "54.240.144.1")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "2001:db8:1234:5678::1")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "2001:db8:1234:5678:abcd::1")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "2001:db8:1234:5679::1")],
                Unmatched,
            ),
            // IPv4-mapped IPv6 is the IPv4 address.
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "::ffff:54.240.143.7")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "not an ip")],
                Unmatched,
            ),
            ("s3:GetObject", Some("k"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "IP deny list (Deny with NotIpAddress)",
        policy: r#"{"Version":"2012-10-17","Id":"S3PolicyId1","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"},
            {"Sid":"IPAllow","Effect":"Deny","Principal":"*","Action":"s3:*",
             "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
             "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "192.0.2.9")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:SourceIp", "198.51.100.1")],
                Deny,
            ),
            // A negated operator matches a missing key.
            ("s3:GetObject", Some("k"), ANON, &[], Deny),
        ],
    },
    Case {
        name: "existing object tag (s3:ExistingObjectTag/<k>)",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::examplebucket/*",
            "Condition":{"StringEquals":{"s3:ExistingObjectTag/environment":"production"}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("s3:ExistingObjectTag/environment", "production")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("S3:existingobjecttag/environment", "production")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("s3:ExistingObjectTag/environment", "Production")],
                Unmatched,
            ),
            // Tag keys are case-sensitive.
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("s3:ExistingObjectTag/Environment", "production")],
                Unmatched,
            ),
            ("s3:GetObject", Some("k"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "request object tags (s3:RequestObjectTag/<k>, ForAllValues keys)",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},
            "Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
            "Condition":{"StringEquals":{"s3:RequestObjectTag/Project":"X"},
                         "ForAllValues:StringLike":{"s3:RequestObjectTagKeys":["Project","Owner"]}}}]}"#,
        requests: &[
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[
                    ("s3:RequestObjectTag/Project", "X"),
                    ("s3:RequestObjectTagKeys", "Project"),
                ],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[
                    ("s3:RequestObjectTag/Project", "X"),
                    ("s3:RequestObjectTagKeys", "Project"),
                    ("s3:RequestObjectTagKeys", "Owner"),
                ],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[
                    ("s3:RequestObjectTag/Project", "X"),
                    ("s3:RequestObjectTagKeys", "Project"),
                    ("s3:RequestObjectTagKeys", "Secret"),
                ],
                Unmatched,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[
                    ("s3:RequestObjectTag/Project", "Y"),
                    ("s3:RequestObjectTagKeys", "Project"),
                ],
                Unmatched,
            ),
            // ForAllValues over no values is true (AWS's caveat).
            (
                "s3:PutObject",
                Some("k"),
                ALICE,
                &[("s3:RequestObjectTag/Project", "X")],
                Allow,
            ),
            ("s3:PutObject", Some("k"), ALICE, &[], Unmatched),
        ],
    },
    Case {
        name: "ForAnyValue and a missing multi-valued key",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["secret","private"]}}}]}"#,
        requests: &[
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[
                    ("s3:RequestObjectTagKeys", "a"),
                    ("s3:RequestObjectTagKeys", "secret"),
                ],
                Deny,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("s3:RequestObjectTagKeys", "a")],
                Allow,
            ),
            // ForAnyValue over no values is false.
            ("s3:PutObject", Some("k"), ANON, &[], Allow),
        ],
    },
    Case {
        name: "ForAnyValue with a negated operator",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject",
            "Resource":"arn:aws:s3:::examplebucket/*",
            "Condition":{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a","b"]}}}]}"#,
        requests: &[
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[
                    ("s3:RequestObjectTagKeys", "a"),
                    ("s3:RequestObjectTagKeys", "c"),
                ],
                Deny,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[
                    ("s3:RequestObjectTagKeys", "a"),
                    ("s3:RequestObjectTagKeys", "b"),
                ],
                Unmatched,
            ),
            ("s3:PutObject", Some("k"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "IfExists (referer, max-keys)",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Allow Public Access to All Objects","Effect":"Allow","Principal":"*","Action":"s3:GetObject",
             "Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"StringLikeIfExists":{"aws:Referer":"http://www.example.com/*"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket",
             "Condition":{"NumericLessThanEqualsIfExists":{"s3:max-keys":"10"}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:Referer", "http://www.example.com/")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:Referer", "http://www.example.com/index.html")],
                Allow,
            ),
            ("s3:GetObject", Some("k"), ANON, &[], Allow),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:Referer", "http://example.com")],
                Unmatched,
            ),
            ("s3:ListBucket", None, ANON, &[("s3:max-keys", "10")], Allow),
            (
                "s3:ListBucket",
                None,
                ANON,
                &[("s3:max-keys", "11")],
                Unmatched,
            ),
            ("s3:ListBucket", None, ANON, &[], Allow),
        ],
    },
    Case {
        name: "Null and StringNotEquals on server-side encryption",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
            {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#,
        requests: &[
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("s3:x-amz-server-side-encryption", "AES256")],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("s3:x-amz-server-side-encryption", "aws:kms")],
                Deny,
            ),
            ("s3:PutObject", Some("k"), ANON, &[], Deny),
        ],
    },
    Case {
        name: "dates and epoch time",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
                          "DateLessThan":{"aws:CurrentTime":"2030-01-01"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"NumericLessThan":{"aws:EpochTime":1700000000}}}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:CurrentTime", "2025-06-01T12:00:00Z")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:CurrentTime", "2025-06-01T12:00:00.123+02:00")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:CurrentTime", "2031-01-01T00:00:00Z")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:CurrentTime", "2019-12-31T23:59:59Z")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("aws:CurrentTime", "garbage")],
                Unmatched,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("aws:EpochTime", "1600000000")],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("aws:EpochTime", "1800000000")],
                Unmatched,
            ),
        ],
    },
    Case {
        name: "string operators: IgnoreCase, NotLike, ArnLike, copy source",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"StringLike":{"s3:x-amz-copy-source":"srcbucket/public/*"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"StringEqualsIgnoreCase":{"s3:x-amz-storage-class":"STANDARD_IA"}}},
            {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"StringNotLike":{"aws:UserAgent":"*trusted*"}, "Null":{"aws:UserAgent":"false"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::examplebucket/*",
             "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/*"}}}]}"#,
        requests: &[
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("s3:x-amz-copy-source", "srcbucket/public/foo")],
                Allow,
            ),
            (
                "s3:PutObject",
                Some("k"),
                ANON,
                &[("s3:x-amz-copy-source", "srcbucket/private/foo")],
                Unmatched,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[("s3:x-amz-storage-class", "Standard_IA")],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[
                    ("s3:x-amz-storage-class", "Standard_IA"),
                    ("aws:UserAgent", "a trusted one"),
                ],
                Allow,
            ),
            (
                "s3:GetObject",
                Some("k"),
                ANON,
                &[
                    ("s3:x-amz-storage-class", "Standard_IA"),
                    ("aws:UserAgent", "curl"),
                ],
                Deny,
            ),
            (
                "s3:DeleteObject",
                Some("k"),
                ANON,
                &[(
                    "aws:SourceArn",
                    "arn:aws:cloudfront::111122223333:distribution/E1",
                )],
                Allow,
            ),
            (
                "s3:DeleteObject",
                Some("k"),
                ANON,
                &[(
                    "aws:SourceArn",
                    "arn:aws:cloudfront::999999999999:distribution/E1",
                )],
                Unmatched,
            ),
            // Each ARN component is matched on its own: the region differs.
            (
                "s3:DeleteObject",
                Some("k"),
                ANON,
                &[(
                    "aws:SourceArn",
                    "arn:aws:cloudfront:us-east-1:111122223333:distribution/E1",
                )],
                Unmatched,
            ),
            (
                "s3:DeleteObject",
                Some("k"),
                ANON,
                &[("aws:SourceArn", "arn:aws:cloudfront::111122223333")],
                Unmatched,
            ),
        ],
    },
];

#[test]
fn documented_condition_examples() {
    run_cases(CASES);
}
