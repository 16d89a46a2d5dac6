//! The parser's refusals, each with AWS's message, the shapes it accepts
//! (those the conformance suite sends), and `is_public`.

use super::*;

const BUCKET: &str = "examplebucket";

/// A one-statement policy around `statement` (JSON object body).
fn one(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{{statement}}}]}}"#)
}

const GET: &str = r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#;

fn refused(text: &str) -> String {
    match Policy::parse(text, BUCKET) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.message,
    }
}

#[test]
fn refusals_with_aws_messages() {
    let cases: Vec<(String, &str)> = vec![
        ("".into(), error::FIRST_BYTE),
        ("not json".into(), error::FIRST_BYTE),
        (r#"["Statement"]"#.into(), error::FIRST_BYTE),
        ("{".into(), error::INVALID_JSON),
        (r#"{"Statement": [}"#.into(), error::INVALID_JSON),
        (
            r#"{"Version":"2012-10-17"}"#.into(),
            "Missing required field Statement",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
            error::EMPTY_STATEMENT,
        ),
        (
            format!(r#"{{"Version":"2012-10-18","Statement":[{{{GET}}}]}}"#),
            error::INVALID_VERSION,
        ),
        (
            format!(r#"{{"Version":20121017,"Statement":[{{{GET}}}]}}"#),
            error::INVALID_VERSION,
        ),
        (
            format!(r#"{{"Foo":"x","Statement":[{{{GET}}}]}}"#),
            "Unknown field Foo",
        ),
        (
            one(&format!(r#"{GET},"Actions":"s3:GetObject""#)),
            "Unknown field Actions",
        ),
        (
            one(
                r#""Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            "Missing required field Effect",
        ),
        (
            one(
                r#""Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            "Invalid effect: allow",
        ),
        // Principal.
        (
            one(
                r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            "Missing required field Principal",
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"alice","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":""},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:group/g"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::examplebucket"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":{"AWS":["*","alice-id"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::s3tenant1:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket""#,
            ),
            error::INVALID_PRINCIPAL,
        ),
        (
            one(
                r#""Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"a"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            "Statement cannot have both Principal and NotPrincipal",
        ),
        // Action.
        (
            one(r#""Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::examplebucket/*""#),
            "Missing required field Action",
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_ACTION,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"ec2:RunInstances","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_ACTION,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":[],"Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::INVALID_ACTION,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            "Statement cannot have both Action and NotAction",
        ),
        // Resource.
        (
            one(r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject""#),
            "Missing required field Resource",
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::otherbucket/*""#,
            ),
            error::INVALID_RESOURCE,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucketx""#,
            ),
            error::INVALID_RESOURCE,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"examplebucket/*""#,
            ),
            error::INVALID_RESOURCE,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:1:accesspoint/ap""#,
            ),
            error::INVALID_RESOURCE,
        ),
        (
            one(r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[]"#),
            error::INVALID_RESOURCE,
        ),
        // Action vs resource.
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket""#,
            ),
            error::ACTION_RESOURCE_MISMATCH,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket""#,
            ),
            error::ACTION_RESOURCE_MISMATCH,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::ACTION_RESOURCE_MISMATCH,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::examplebucket/*""#,
            ),
            error::ACTION_RESOURCE_MISMATCH,
        ),
        (
            one(
                r#""Effect":"Allow","Principal":"*","Action":"s3:ListAllMyBuckets","Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]"#,
            ),
            error::ACTION_RESOURCE_MISMATCH,
        ),
        // Conditions.
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEqualz":{{"aws:Referer":"x"}}}}"#
            )),
            "Invalid Condition type : StringEqualz",
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"ForAnyValue:Null":{{"aws:Referer":"true"}}}}"#
            )),
            "Invalid Condition type : ForAnyValue:Null",
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEquals":{{"s3:NoSuchKey":"x"}}}}"#
            )),
            error::INVALID_CONDITION_KEY,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEquals":{{"Referer":"x"}}}}"#
            )),
            error::INVALID_CONDITION_KEY,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEquals":{{"ec2:Region":"x"}}}}"#
            )),
            error::INVALID_CONDITION_KEY,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringLike":{{"s3:prefix":"home/"}}}}"#
            )),
            error::CONDITION_ACTION_MISMATCH,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEquals":{{"s3:x-amz-acl":"private"}}}}"#
            )),
            error::CONDITION_ACTION_MISMATCH,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/33"}}}}"#
            )),
            error::INVALID_IP,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"NotIpAddress":{{"aws:SourceIp":["10.0.0.0/8","nope"]}}}}"#
            )),
            error::INVALID_IP,
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"NumericLessThan":{{"aws:EpochTime":"soon"}}}}"#
            )),
            "Invalid numeric value in Conditions: soon",
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"DateLessThan":{{"aws:CurrentTime":"tomorrow"}}}}"#
            )),
            "Invalid date value in Conditions: tomorrow",
        ),
        (
            one(&format!(
                r#"{GET},"Condition":{{"StringEquals":{{"aws:Referer":{{"a":"b"}}}}}}"#
            )),
            error::INVALID_JSON,
        ),
        (
            one(&format!(r#"{GET},"Condition":"x""#)),
            error::INVALID_JSON,
        ),
    ];
    let mut failures = Vec::new();
    for (text, want) in &cases {
        match Policy::parse(text, BUCKET) {
            Ok(_) => failures.push(format!("accepted: {text}")),
            Err(e) if e.message != *want => {
                failures.push(format!("{text}\n  got {:?}, want {want:?}", e.message))
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(refused("nope").to_string(), error::FIRST_BYTE);
}

/// The shapes the conformance suite and AWS's examples send are accepted.
#[test]
fn accepted_shapes() {
    let b = "arn:aws:s3:::examplebucket";
    let texts = [
        // Statement as an object, no Version, Id, Sid with spaces.
        format!(r#"{{"Id":"x","Statement":{{"Sid":"Allow Public Access to All Objects",{GET}}}}}"#),
        // Leading white space, Version 2008.
        format!(" \n{{\"Version\":\"2008-10-17\",\"Statement\":[{{{GET}}}]}}"),
        one(&format!(
            r#""Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"s3:ListBucket","Resource":["{b}","{b}/*"]"#
        )),
        one(
            r#""Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":["arn:aws:s3:::*","arn:aws:s3:::*/*"]"#,
        ),
        one(r#""Effect":"Allow","Principal":"*","Action":"*","Resource":"*""#),
        one(&format!(
            r#""Effect":"Deny","Principal":"*","Action":["s3:PutBucketPolicy","s3:GetBucketPolicy","s3:DeleteBucketPolicy"],"Resource":["{b}","{b}/*"]"#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::s3tenant1:root"}},"Action":"s3:GetObject","Resource":"{b}/*""#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::tenant:user/alt","testid"]}},"Action":"s3:GetObject","Resource":"{b}/*""#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":{{"Service":"logging.s3.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{b}/logs/*""#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"{b}/mpobj""#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"StringEquals":{{"s3:x-amz-grant-full-control":"id=testid"}}}}"#
        )),
        one(&format!(
            r#""Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"Null":{{"s3:x-amz-server-side-encryption-customer-algorithm":"true"}}}}"#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"{b}/*","Condition":{{"StringLike":{{"s3:x-amz-acl":"public*"}},"StringEquals":{{"s3:x-amz-metadata-directive":"COPY"}}}}"#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:GetObjectTagging","Resource":"{b}/*","Condition":{{"StringEquals":{{"s3:ExistingObjectTag/security":"public"}}}}"#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"{b}","Condition":{{"StringLike":{{"s3:prefix":"public/*"}},"NumericLessThanEquals":{{"s3:max-keys":10}},"Bool":{{"aws:SecureTransport":true}}}}"#
        )),
        one(&format!(
            r#""Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"{b}","Condition":{{"StringLike":{{"s3:prefix":"x"}}}}"#
        )),
        one(&format!(
            r#""Effect":"Deny","NotPrincipal":{{"AWS":"alice-id"}},"NotAction":"s3:GetObject","NotResource":"{b}/public/*""#
        )),
        one(
            r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}/*""#,
        ),
    ];
    for text in &texts {
        if let Err(e) = Policy::parse(text, BUCKET) {
            panic!("refused ({e}): {text}");
        }
    }
}

fn public(statement: &str) -> bool {
    match Policy::parse(&one(statement), BUCKET) {
        Ok(p) => p.is_public(),
        Err(e) => panic!("refused ({e}): {statement}"),
    }
}

#[test]
fn is_public_follows_aws() {
    let b = r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*""#;
    let cases: &[(String, bool)] = &[
        (format!(r#""Effect":"Allow","Principal":"*",{b}"#), true),
        (
            format!(r#""Effect":"Allow","Principal":{{"AWS":"*"}},{b}"#),
            true,
        ),
        (
            format!(r#""Effect":"Allow","Principal":{{"AWS":["*"]}},{b}"#),
            true,
        ),
        (format!(r#""Effect":"Deny","Principal":"*",{b}"#), false),
        (
            format!(r#""Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::s3tenant1:root"}},{b}"#),
            false,
        ),
        (
            format!(r#""Effect":"Allow","Principal":{{"Service":"logging.s3.amazonaws.com"}},{b}"#),
            false,
        ),
        // Source IP: fixed blocks of /8 or narrower (IPv4), /32 (IPv6).
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/32"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/7"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":"2001:db8::/32"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddress":{{"aws:SourceIp":"::/0"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"NotIpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"IpAddressIfExists":{{"aws:SourceIp":"10.0.0.0/8"}}}}"#
            ),
            true,
        ),
        // Fixed values of the listed keys.
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"aws:SourceVpce":"vpce-1a2b3c4d"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-123"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"ArnEquals":{{"aws:SourceArn":"arn:aws:cloudfront::1:distribution/E1"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:cloudfront::1:distribution/*"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringLike":{{"aws:userid":"AROLEID:*"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"aws:userid":"alice-id"}}}}"#
            ),
            false,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"aws:userid":"${{aws:username}}"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringNotEquals":{{"aws:SourceVpce":"vpce-1"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEqualsIfExists":{{"aws:SourceVpce":"vpce-1"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"ForAllValues:StringEquals":{{"aws:SourceVpce":"vpce-1"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringEquals":{{"s3:x-amz-server-side-encryption-aws-kms-key-id":"k1"}}}}"#
            ),
            false,
        ),
        // Keys that do not make a grant non-public.
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"Bool":{{"aws:SecureTransport":"true"}}}}"#
            ),
            true,
        ),
        (
            format!(
                r#""Effect":"Allow","Principal":"*",{b},"Condition":{{"StringLike":{{"aws:Referer":"http://example.com/*"}}}}"#
            ),
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (statement, want) in cases {
        if public(statement) != *want {
            failures.push(format!("{statement}: want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // One public statement among private ones makes the policy public.
    let two = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"alice-id"}},{b}}},{{"Effect":"Allow","Principal":"*",{b}}}]}}"#
    );
    assert!(Policy::parse(&two, BUCKET).unwrap().is_public());
}
