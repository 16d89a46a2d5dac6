use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::query::parse;
use crate::api::xml::EncodingType;

fn route_with(
    method: Method,
    path: (Option<&str>, Option<&str>),
    query: &str,
    headers: &[(&'static str, &str)],
) -> Result<Endpoint, RouteError> {
    let query = parse(query);
    let mut map = HeaderMap::new();
    for (n, v) in headers {
        map.insert(
            HeaderName::from_static(n),
            HeaderValue::from_str(v).expect("header value"),
        );
    }
    Endpoint::route(&Target {
        method: &method,
        bucket: path.0,
        key: path.1,
        query: &query,
        headers: &map,
    })
}

fn route(method: Method, path: (Option<&str>, Option<&str>), query: &str) -> Endpoint {
    route_with(method, path, query, &[]).expect("routes")
}

const BUCKET: (Option<&str>, Option<&str>) = (Some("b"), None);
const OBJECT: (Option<&str>, Option<&str>) = (Some("b"), Some("k"));

#[test]
fn sub_resources_pick_the_operation_in_order() {
    assert_eq!(route(Method::GET, BUCKET, "acl"), Endpoint::GetBucketAcl);
    assert_eq!(
        route(Method::GET, BUCKET, "tagging&acl"),
        Endpoint::GetBucketAcl
    );
    assert_eq!(route(Method::PUT, BUCKET, "cors"), Endpoint::PutBucketCors);
    assert_eq!(
        route(Method::POST, BUCKET, "cors"),
        Endpoint::NotImplemented
    );
    assert_eq!(
        route(Method::DELETE, OBJECT, "tagging"),
        Endpoint::DeleteObjectTagging
    );
    assert_eq!(
        route(Method::PUT, OBJECT, "acl&tagging"),
        Endpoint::PutObjectAcl
    );
    assert_eq!(
        route(Method::POST, BUCKET, "delete"),
        Endpoint::DeleteObjects
    );
    assert_eq!(
        route(Method::GET, BUCKET, "location"),
        Endpoint::GetBucketLocation
    );
    assert_eq!(
        route(Method::POST, OBJECT, "uploads"),
        Endpoint::CreateMultipartUpload
    );
    assert_eq!(
        route(Method::GET, OBJECT, "attributes"),
        Endpoint::GetObjectAttributes
    );
    assert_eq!(route(Method::PUT, BUCKET, "x=1"), Endpoint::NotImplemented);
    assert_eq!(route(Method::PUT, BUCKET, ""), Endpoint::CreateBucket);
    assert_eq!(
        route(Method::DELETE, (None, None), ""),
        Endpoint::MethodNotAllowed
    );
    assert_eq!(
        route(Method::GET, BUCKET, "list-type=1"),
        Endpoint::NotImplemented
    );
    assert_eq!(
        route(Method::GET, BUCKET, "website"),
        Endpoint::NotImplemented
    );
    assert!(matches!(
        route(Method::GET, BUCKET, "bucket=b&key=k&etag=%22e%22&prefix=p"),
        Endpoint::ListObjects(_)
    ));
    assert!(matches!(
        route(Method::GET, OBJECT, "versionId=v"),
        Endpoint::GetObject(_)
    ));
}

#[test]
fn lifecycle_routes_to_its_bucket_operations() {
    assert_eq!(
        route(Method::GET, BUCKET, "lifecycle"),
        Endpoint::GetBucketLifecycleConfiguration
    );
    assert_eq!(
        route(Method::PUT, BUCKET, "lifecycle"),
        Endpoint::PutBucketLifecycleConfiguration
    );
    assert_eq!(
        route(Method::DELETE, BUCKET, "lifecycle="),
        Endpoint::DeleteBucketLifecycle
    );
    assert_eq!(
        route(Method::POST, BUCKET, "lifecycle"),
        Endpoint::NotImplemented
    );
    assert_eq!(
        route(Method::GET, BUCKET, "lifecycle").name(),
        "GetBucketLifecycleConfiguration"
    );
    assert_eq!(
        route(Method::PUT, BUCKET, "lifecycle").name(),
        "PutBucketLifecycleConfiguration"
    );
    assert_eq!(
        route(Method::DELETE, BUCKET, "lifecycle").name(),
        "DeleteBucketLifecycle"
    );
    // Never mistaken for a listing or a bucket deletion.
    assert_ne!(
        route(Method::DELETE, BUCKET, "lifecycle"),
        Endpoint::DeleteBucket
    );
}

#[test]
fn listing_arguments_are_typed() {
    let Endpoint::ListObjectsV2(args) = route(
        Method::GET,
        BUCKET,
        "list-type=2&prefix=a%2F&delimiter=%2F&max-keys=5000&encoding-type=url\
         &continuation-token=&start-after=x&fetch-owner=true",
    ) else {
        panic!("not ListObjectsV2");
    };
    assert_eq!(args.list.prefix, "a/");
    assert_eq!(args.list.delimiter.as_deref(), Some("/"));
    assert_eq!(args.list.max_keys, Ok(1000));
    assert_eq!(args.list.encoding, Ok(Some(EncodingType::Url)));
    assert_eq!(args.continuation_token.as_deref(), Some(""));
    assert_eq!(args.resume_after, Ok(None));
    assert_eq!(args.start_after.as_deref(), Some("x"));
    assert!(args.fetch_owner);

    let Endpoint::ListObjects(v1) = route(Method::GET, BUCKET, "marker=&delimiter=") else {
        panic!("not ListObjects");
    };
    assert_eq!((v1.marker, v1.list.delimiter), (None, None));
    assert_eq!(v1.list.max_keys, Ok(1000));

    let Endpoint::ListObjectVersions(v) = route(Method::GET, BUCKET, "versions&key-marker=m")
    else {
        panic!("not ListObjectVersions");
    };
    assert_eq!(v.key_marker.as_deref(), Some("m"));
    assert_eq!(v.version_id_marker, "");
}

#[test]
fn bad_values_are_kept_as_their_errors() {
    let Endpoint::ListObjectsV2(args) = route(
        Method::GET,
        BUCKET,
        "list-type=2&max-keys=-1&encoding-type=zip&continuation-token=%25%25",
    ) else {
        panic!("not ListObjectsV2");
    };
    let code = |e: &S3Error| e.code;
    assert_eq!(
        args.list.max_keys.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        args.list.encoding.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        args.resume_after.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );

    let Endpoint::ListBuckets(b) = route(
        Method::GET,
        (None, None),
        "max-buckets=0&continuation-token=%25%25%25&prefix=p&bucket-region=r",
    ) else {
        panic!("not ListBuckets");
    };
    assert_eq!(
        b.max_buckets.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        b.after.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        (b.prefix.as_deref(), b.bucket_region.as_deref()),
        (Some("p"), Some("r"))
    );

    let Endpoint::ListParts(p) = route(
        Method::GET,
        OBJECT,
        "uploadId=u&max-parts=x&part-number-marker=y",
    ) else {
        panic!("not ListParts");
    };
    assert_eq!(p.upload_id, "u");
    assert_eq!(
        p.max_parts.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        p.part_number_marker.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );

    let Endpoint::GetObject(g) = route(Method::GET, OBJECT, "partNumber=0") else {
        panic!("not GetObject");
    };
    assert_eq!(
        g.part_number.as_ref().map_err(code),
        Err(S3ErrorCode::InvalidArgument)
    );
}

#[test]
fn uploads_carry_their_ids_and_part_numbers() {
    assert_eq!(
        route(Method::PUT, OBJECT, "partNumber=3&uploadId=u"),
        Endpoint::UploadPart {
            upload_id: "u".into(),
            part_number: 3
        }
    );
    assert_eq!(
        route_with(
            Method::PUT,
            OBJECT,
            "partNumber=3&uploadId=u",
            &[("x-amz-copy-source", "/b/s")]
        )
        .expect("routes"),
        Endpoint::UploadPartCopy {
            upload_id: "u".into(),
            part_number: 3
        }
    );
    let e = route_with(Method::PUT, OBJECT, "partNumber=0&uploadId=u", &[]).unwrap_err();
    assert_eq!(
        (e.name, e.error.code),
        ("UploadPart", S3ErrorCode::InvalidArgument)
    );
    assert_eq!(
        route(Method::POST, OBJECT, "uploadId=u"),
        Endpoint::CompleteMultipartUpload {
            upload_id: "u".into()
        }
    );
    let Endpoint::HeadObject(h) = route(Method::HEAD, OBJECT, "versionId=null&partNumber=2") else {
        panic!("not HeadObject");
    };
    assert_eq!(
        (h.part_number, h.version),
        (
            Ok(Some(2)),
            Ok(Some(crate::storage::meta::version::VersionRef::Null))
        )
    );
    let Endpoint::GetObject(g) = route(Method::GET, OBJECT, "versionId=v") else {
        panic!("not GetObject");
    };
    assert_eq!(
        g.version.map_err(|e| e.code),
        Err(S3ErrorCode::InvalidArgument)
    );
    let Endpoint::ListMultipartUploads(u) = route(Method::GET, BUCKET, "uploads&key-marker=")
    else {
        panic!("not ListMultipartUploads");
    };
    assert_eq!(
        (u.key_marker.as_deref(), u.max_uploads),
        (Some(""), Ok(1000))
    );
}
