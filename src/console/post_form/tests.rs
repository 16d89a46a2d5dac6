//! Unit tests of `console/post_form.rs`: the POST policy and its
//! signature against vectors computed apart (Python's `hmac` and
//! `base64`), and the forms that must not be signed.

use super::*;

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// 2015-12-29T00:00:00Z.
fn signing_time() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_451_347_200).expect("2015-12-29")
}

fn request(success: Success<'_>, expires: u64) -> PostPolicyRequest<'_> {
    PostPolicyRequest {
        bucket: "photos",
        prefix: "uploads/",
        max_bytes: 10 << 20,
        success,
        access_key: ACCESS_KEY,
        secret: SECRET,
        region: "us-east-1",
        now: signing_time(),
        expires,
    }
}

fn field<'a>(form: &'a SignedForm, name: &str) -> &'a str {
    form.fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name} in {:?}", form.fields))
}

/// Whether `policy` (base64) carries `signature` under `secret`, as the
/// store checks it: the signing key of the credential's date, region
/// and service, over the base64 text.
fn signature_matches(policy: &str, signature: &str, secret: &str) -> bool {
    SigningKey::derive(secret, "20151229", "us-east-1", SERVICE).sign_hex(policy.as_bytes())
        == signature
}

#[test]
fn signs_the_policy_as_sigv4_signs_a_post() {
    let form = sign_post_policy(&request(Success::Created, 3600)).expect("sign");
    assert_eq!(
        form.policy_json,
        r#"{"expiration":"2015-12-29T01:00:00.000Z","conditions":[{"bucket":"photos"},["starts-with","$key","uploads/"],["content-length-range",0,10485760],{"success_action_status":"201"},{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},{"x-amz-date":"20151229T000000Z"}]}"#
    );
    // Computed apart: base64.b64encode(policy) and hmac over it with the
    // SigV4 key of 20151229/us-east-1/s3.
    let policy = "eyJleHBpcmF0aW9uIjoiMjAxNS0xMi0yOVQwMTowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoicGhvdG9zIn0sWyJzdGFydHMtd2l0aCIsIiRrZXkiLCJ1cGxvYWRzLyJdLFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDAsMTA0ODU3NjBdLHsic3VjY2Vzc19hY3Rpb25fc3RhdHVzIjoiMjAxIn0seyJ4LWFtei1hbGdvcml0aG0iOiJBV1M0LUhNQUMtU0hBMjU2In0seyJ4LWFtei1jcmVkZW50aWFsIjoiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LHsieC1hbXotZGF0ZSI6IjIwMTUxMjI5VDAwMDAwMFoifV19";
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "key",
            "success_action_status",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "policy",
            "x-amz-signature"
        ]
    );
    assert_eq!(field(&form, "key"), "uploads/${filename}");
    assert_eq!(field(&form, "success_action_status"), "201");
    assert_eq!(field(&form, "x-amz-algorithm"), "AWS4-HMAC-SHA256");
    assert_eq!(
        field(&form, "x-amz-credential"),
        "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"
    );
    assert_eq!(field(&form, "x-amz-date"), "20151229T000000Z");
    assert_eq!(field(&form, "policy"), policy);
    assert_eq!(
        field(&form, "x-amz-signature"),
        "8be74242ef2f40529bfe6b533c6c1bc15b1b426e515aa917b6ecec87d7eafd8c"
    );
}

#[test]
fn a_redirect_is_in_the_policy_and_the_fields() {
    let back = "http://console.example:9001/buckets/photos?prefix=uploads%2F";
    let form = sign_post_policy(&request(Success::Redirect(back), 86_400)).expect("sign");
    assert_eq!(field(&form, "success_action_redirect"), back);
    let policy: serde_json::Value = serde_json::from_str(&form.policy_json).expect("JSON");
    assert_eq!(policy["expiration"], "2015-12-30T00:00:00.000Z");
    assert!(policy["conditions"]
        .as_array()
        .expect("conditions")
        .contains(&json!({ "success_action_redirect": back })));
    assert!(form
        .fields
        .iter()
        .all(|(n, _)| *n != "success_action_status"));
}

#[test]
fn a_corrupted_policy_does_not_match_its_signature() {
    let form = sign_post_policy(&request(Success::Created, 3600)).expect("sign");
    let policy = field(&form, "policy");
    let signature = field(&form, "x-amz-signature");
    assert!(signature_matches(policy, signature, SECRET));
    // The policy the form carries is the one shown.
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(policy)
        .expect("base64");
    assert_eq!(decoded, form.policy_json.as_bytes());
    // A wider prefix written into the policy, or one byte of it changed,
    // no longer carries the signature; nor does another secret sign it.
    let wider = form.policy_json.replace("\"uploads/\"", "\"\"");
    let wider = base64::engine::general_purpose::STANDARD.encode(wider);
    assert!(!signature_matches(&wider, signature, SECRET));
    let mut flipped = policy.as_bytes().to_vec();
    flipped[10] ^= 1;
    let flipped = String::from_utf8(flipped).expect("ASCII");
    assert!(!signature_matches(&flipped, signature, SECRET));
    assert!(!signature_matches(policy, signature, "another secret"));
}

#[test]
fn forms_expire_within_seven_days() {
    assert_eq!(
        sign_post_policy(&request(Success::Created, 0)),
        Err(PostPolicyError::Expiry(0))
    );
    assert_eq!(
        sign_post_policy(&request(Success::Created, 604_801)),
        Err(PostPolicyError::Expiry(604_801))
    );
    let week = sign_post_policy(&request(Success::Created, 604_800)).expect("a week");
    assert!(week
        .policy_json
        .starts_with(r#"{"expiration":"2016-01-05T00:00:00.000Z","#));
    let mut late = request(Success::Created, 60);
    late.now = time::Date::MAX
        .with_hms(23, 59, 30)
        .expect("a time")
        .assume_utc();
    assert_eq!(sign_post_policy(&late), Err(PostPolicyError::Overflow));
}

#[test]
fn only_plain_origins_enter_the_security_policy() {
    assert_eq!(
        csp_origin("http://127.0.0.1:9000"),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(csp_origin("https://[::1]:443"), Some("https://[::1]:443"));
    assert_eq!(csp_origin("http://x; script-src *"), None);
    assert_eq!(csp_origin("http://x'"), None);
}

/// The form's fields as the store reads them (lower-case names, the
/// file's name put into the key).
fn as_posted(form: &SignedForm, file_name: &str) -> Vec<(String, String)> {
    form.fields
        .iter()
        .map(|(n, v)| (n.to_string(), v.replace("${filename}", file_name)))
        .collect()
}

#[test]
fn the_store_takes_the_form_until_it_expires() {
    use crate::api::post_object::post_policy::parse;
    let form = sign_post_policy(&request(Success::Created, 3600)).expect("sign");
    let policy = parse(field(&form, "policy")).expect("the store reads the policy");
    assert_eq!(policy.length_range(), Some((0, 10 << 20)));
    let fields = as_posted(&form, "cat.jpg");
    let in_time = signing_time() + time::Duration::minutes(59);
    assert!(policy.check(&fields, "photos", in_time).is_ok());
    // Too late, another bucket, a key outside the prefix: refused.
    let late = signing_time() + time::Duration::minutes(61);
    let refusals = [
        policy.check(&fields, "photos", late),
        policy.check(&fields, "other", in_time),
        {
            let mut moved = fields.clone();
            moved[0].1 = "elsewhere/cat.jpg".into();
            policy.check(&moved, "photos", in_time)
        },
    ];
    for refused in refusals {
        let e = refused.expect_err("refused");
        assert_eq!(
            e.code,
            crate::api::error::S3ErrorCode::AccessDenied,
            "{e:?}"
        );
    }
}

#[test]
fn attributes_are_escaped_and_nothing_else() {
    assert_eq!(
        attribute(r#"uploads/a "b" <c> & 'd'/${filename}"#),
        "uploads/a &quot;b&quot; &lt;c&gt; &amp; &#39;d&#39;/${filename}"
    );
}
