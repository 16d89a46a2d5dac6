//! Request header and XML body targets.

#[allow(clippy::wildcard_imports)]
use super::prelude::*;

// ----- Request headers -----

/// `Range`, `x-amz-copy-source-range` and the conditional headers. Lines:
/// `Range`, object size, `If-Match`, `If-None-Match`,
/// `If-Modified-Since`, `If-Unmodified-Since`, the object's ETag, its
/// Last-Modified (ms), `x-amz-copy-source-range`; a missing line is an
/// absent header.
pub fn range_headers(data: &[u8]) {
    let text = header_text(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let line = |i: usize| lines.get(i).copied();
    let number = |i: usize| line(i).and_then(|l| l.trim().parse::<u64>().ok());
    let size = number(1).unwrap_or(1000);
    let range_header = line(0).unwrap_or_default();
    range(range_header, size);
    copy_source_range(line(8).unwrap_or(range_header), size);
    let headers = [line(2), line(3), line(4), line(5)];
    conditions(
        headers,
        line(6).unwrap_or("\"abc\""),
        number(7).unwrap_or(0),
    );
}

/// A GET `Range` header against an object of `size` bytes: a resolved
/// range is non-empty and inside the object.
pub fn range(header: &str, size: u64) {
    match parse_range(header, size) {
        Ok(Some(r)) => assert!(r.start < r.end && r.end <= size, "{r:?} of {size}"),
        Ok(None) => {}
        Err(e) => assert!(matches!(e, HeaderError::RangeNotSatisfiable { .. })),
    }
}

/// An `x-amz-copy-source-range` against a source of `size` bytes: a
/// resolved range is non-empty and inside the source.
pub fn copy_source_range(header: &str, size: u64) {
    if let Ok(r) = parse_copy_source_range(header, size) {
        assert!(r.start < r.end && r.end <= size, "{r:?} of {size}");
    }
}

/// Conditional headers (`If-Match`, `If-None-Match`, `If-Modified-Since`,
/// `If-Unmodified-Since`; `None` when absent) against an object with `etag`
/// and `last_modified_ms`: no condition never fails, and a copy source is
/// never "not modified".
pub fn conditions(headers: [Option<&str>; 4], etag: &str, last_modified_ms: u64) {
    let [if_match, if_none_match, if_modified_since, if_unmodified_since] =
        headers.map(|h| h.map(str::to_owned));
    let cond = &Conditions {
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
    };
    let object = evaluate_conditions(cond, etag, last_modified_ms, ConditionTarget::Object);
    let copy = evaluate_conditions(cond, etag, last_modified_ms, ConditionTarget::CopySource);
    assert_ne!(copy, Err(HeaderError::NotModified));
    assert_eq!(object.is_ok(), copy.is_ok());
    if *cond == Conditions::default() {
        assert_eq!(object, Ok(()));
    }
}

/// Header values of object requests. Every line is tried as
/// `x-amz-copy-source`, `x-amz-tagging`, `x-amz-tagging-directive`,
/// `x-amz-acl`, a bucket
/// name, an object key, `Content-MD5`, each `x-amz-checksum-*`, and the
/// numeric and token query parameters; the `name: value` lines together
/// are the request's headers for the user metadata and unsupported-feature
/// checks.
pub fn request_headers(data: &[u8]) {
    let text = header_text(data);
    let mut headers = Vec::new();
    for line in text.split('\n') {
        copy_source(line);
        tagging_header(line);
        let _ = parse_tagging_directive(Some(line));
        let _ = CannedAcl::parse(line);
        let _ = validate_bucket_name(line);
        let _ = validate_object_key(line);
        let _ = parse_content_md5(line);
        for algorithm in ChecksumAlgorithm::ALL {
            if let Ok(digest) = parse_checksum(algorithm, line) {
                assert_eq!(digest.len(), algorithm.digest_len());
            }
        }
        max_keys(line);
        part_number(line);
        continuation_token(line);
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let pairs = || headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    if let Ok(meta) = user_metadata(pairs()) {
        let size: usize = meta.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(size <= MAX_USER_METADATA_BYTES);
        assert!(meta.iter().all(|(k, _)| !k.is_empty()));
    }
    let _ = check_unsupported_headers(pairs());
    let field = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let _ = write_encryption(field);
    let _ = customer_key(field, COPY_SOURCE_CUSTOMER);
    let _ = refuse_write_encryption(field);
}

/// An `x-amz-copy-source` value: a parsed source names a bucket and a
/// valid key, and at most one version.
pub fn copy_source(header: &str) {
    if let Ok(s) = parse_copy_source(header) {
        assert!(!s.bucket.is_empty() && validate_object_key(&s.key).is_ok());
        if let Some(v) = s.version {
            assert_eq!(
                crate::storage::meta::version::VersionRef::parse(&v.to_id()),
                Some(v)
            );
        }
    }
}

/// An `x-amz-tagging` value: a parsed tag set obeys the object tag rules.
pub fn tagging_header(value: &str) {
    if let Ok(tags) = parse_tagging_header(value) {
        assert!(tags.len() <= MAX_OBJECT_TAGS);
        assert_eq!(check_tags(&tags, TagTarget::Object), Ok(()));
    }
}

/// A `max-keys` value: a parsed count is within the cap.
pub fn max_keys(value: &str) {
    if let Ok(n) = parse_max_keys(Some(value), 1000, 1000) {
        assert!(n <= 1000);
    }
}

/// A `partNumber` value: a parsed number is a valid part number.
pub fn part_number(value: &str) {
    if let Ok(n) = parse_part_number(value) {
        assert!((1..=MAX_PART_NUMBER).contains(&n));
    }
}

/// A `continuation-token`: any token parses or is refused, and the token
/// made for a non-empty key parses back to it.
pub fn continuation_token(value: &str) {
    let _ = parse_continuation_token(value);
    if !value.is_empty() {
        let token = make_continuation_token(value);
        assert_eq!(parse_continuation_token(&token).as_deref(), Ok(value));
    }
}

// ----- XML bodies -----

/// A request body, given to every body parser: CompleteMultipartUpload,
/// Delete (DeleteObjects), CreateBucketConfiguration, Tagging,
/// AccessControlPolicy, CORSConfiguration, LifecycleConfiguration,
/// OwnershipControls, PublicAccessBlockConfiguration, and a bucket policy
/// (JSON).
pub fn xml_bodies(body: &[u8]) {
    xml_complete_multipart(body);
    xml_delete(body);
    let _ = parse_create_bucket_configuration(body);
    xml_tagging(body);
    xml_access_control_policy(body);
    xml_cors(body);
    xml_lifecycle(body);
    xml_bucket_access(body);
    bucket_policy(body);
    super::select::select_request(body);
}

/// OwnershipControls and PublicAccessBlockConfiguration: what parses
/// renders back to the same setting.
pub fn xml_bucket_access(body: &[u8]) {
    if let Ok(o) = parse_ownership_controls(body) {
        let xml = ownership_controls_to_xml(o);
        assert_eq!(
            parse_ownership_controls(xml.as_bytes()).ok(),
            Some(o),
            "{xml}"
        );
    }
    if let Ok(b) = parse_public_access_block(body) {
        let xml = public_access_block_to_xml(b);
        assert_eq!(
            parse_public_access_block(xml.as_bytes()).ok(),
            Some(b),
            "{xml}"
        );
    }
}

/// A bucket policy: one that parses is evaluated for an anonymous and a
/// signed request without panicking, and its publicity is decided.
pub fn bucket_policy(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let Ok(policy) = Policy::parse(text, "bucket") else {
        return;
    };
    let _ = policy.is_public();
    let mut context = ConditionContext::default();
    context.insert("aws:SourceIp", "10.1.2.3");
    context.insert("s3:prefix", "home/alice/");
    context.insert("s3:ExistingObjectTag/k", "v");
    for principal in [
        None,
        Some(Principal {
            user_id: "alice-id",
            user_name: "alice",
            iam: None,
        }),
    ] {
        let _ = policy.evaluate(&PolicyRequest {
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/home/alice/x",
            principal,
            context: &context,
        });
    }
}

/// A LifecycleConfiguration body: a parsed one has 1 to 1000 rules with
/// unique ids, and its rendering parses back to the same rules.
pub fn xml_lifecycle(body: &[u8]) {
    let Ok(config) = parse_lifecycle(body) else {
        return;
    };
    assert!((1..=MAX_RULES).contains(&config.rules.len()));
    let ids: std::collections::HashSet<&str> = config.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), config.rules.len(), "rule ids are unique");
    // U+0000 can only be written as `&#x0;`, which no parser reads.
    let unwritable = config.rules.iter().any(|r| {
        std::iter::once(&r.id)
            .chain(std::iter::once(&r.filter.prefix))
            .chain(r.filter.tags.iter().flat_map(|(k, v)| [k, v]))
            .any(|t| t.contains('\0') || t.trim() != t)
    });
    if unwritable {
        return;
    }
    let xml = lifecycle_to_xml(&config);
    assert_eq!(parse_lifecycle(xml.as_bytes()).ok(), Some(config), "{xml}");
}

/// A CORSConfiguration body: a parsed one has 1 to 100 rules, each with
/// an origin and a method, and its rendering parses back to the same rules.
pub fn xml_cors(body: &[u8]) {
    let Ok(rules) = parse_cors(body) else {
        return;
    };
    assert!((1..=MAX_CORS_RULES).contains(&rules.len()));
    assert!(rules
        .iter()
        .all(|r| !r.allowed_origins.is_empty() && !r.allowed_methods.is_empty()));
    // U+0000 can only be written as `&#x0;`, which no parser reads.
    let texts = rules.iter().flat_map(|r| {
        r.id.iter()
            .chain(&r.allowed_origins)
            .chain(&r.allowed_headers)
            .chain(&r.expose_headers)
    });
    if texts.clone().any(|t| t.contains('\0') || t.trim() != t) {
        return;
    }
    let xml = cors_to_xml(&rules);
    assert_eq!(parse_cors(xml.as_bytes()).ok(), Some(rules), "{xml}");
}

/// A CompleteMultipartUpload body: a parsed one lists at least one part.
pub fn xml_complete_multipart(body: &[u8]) {
    if let Ok(c) = parse_complete_multipart_upload(body) {
        assert!(!c.parts.is_empty());
    }
}

/// A DeleteObjects body: a parsed one names 1 to 1000 objects.
pub fn xml_delete(body: &[u8]) {
    if let Ok(d) = parse_delete(body) {
        assert!((1..=MAX_DELETE_OBJECTS).contains(&d.objects.len()));
    }
}

/// A Tagging body: a parsed tag set that obeys the tag rules renders to a
/// document that parses back to the same tags (what GetObjectTagging
/// answers is what PutObjectTagging stored).
pub fn xml_tagging(body: &[u8]) {
    let Ok(tags) = parse_tagging(body) else {
        return;
    };
    // U+0000 can only be written as `&#x0;`, which no parser reads.
    if check_tags(&tags, TagTarget::Bucket).is_err()
        || tags
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return;
    }
    let xml = tagging_to_xml(&tags);
    // Rendered in key order.
    let mut sorted = tags;
    sorted.sort();
    assert_eq!(parse_tagging(xml.as_bytes()).ok(), Some(sorted), "{xml}");
}

/// An AccessControlPolicy body (PutBucketAcl, PutObjectAcl): its grants,
/// rendered as GetBucketAcl answers them, parse back to the same grants.
pub fn xml_access_control_policy(body: &[u8]) {
    let Ok(policy) = parse_access_control_policy(body) else {
        return;
    };
    let user_ids = policy.grants.iter().filter_map(|g| match &g.grantee {
        Grantee::User(id) => Some(id.as_str()),
        _ => None,
    });
    // U+0000 can only be written as `&#x0;`, which no parser reads.
    let mut names = user_ids.chain(policy.owner.as_deref());
    if names.any(|id| id.is_empty() || id.contains('\0')) {
        return;
    }
    let owner = policy.owner.as_deref().unwrap_or("owner");
    let xml = acl_to_xml(owner, &policy.grants, str::to_owned);
    let again = parse_access_control_policy(xml.as_bytes());
    assert_eq!(
        again.as_ref().map(|p| &p.grants),
        Ok(&policy.grants),
        "{xml}"
    );
    if let Some(owner) = &policy.owner {
        assert_eq!(again.ok().and_then(|p| p.owner).as_ref(), Some(owner));
    }
}
