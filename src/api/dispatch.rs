//! The top of the S3 API: every S3 request enters [`handle`], which
//! authenticates it, asks the router which operation it names, checks
//! the headers the operation refuses and the caller's access, and calls
//! the operation's handler; then puts CORS headers and the request id on
//! the answer and counts it. Nothing below imports this file.

use actix_web::http::Method;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use super::access;
use super::client_errors::count_malformed;
use super::context::Transport;
use super::context::{authenticate_head, Authenticated};
use super::context::{error_response, request_id, set_request_id, Gateway, S3Request, S3Result};
use super::error::{S3Error, S3ErrorCode};
use super::handlers::{
    acl, attributes, bucket, bucket_access, cors, encryption, lifecycle, list, multipart,
    notification, object, object_lock, post_object, select, tagging, versioning,
};
use super::listener::Vetted;
use super::router::{Endpoint, Target};
use crate::metrics;

/// Every S3 request enters here.
pub(crate) async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    gw: web::Data<Gateway>,
) -> HttpResponse {
    let started = std::time::Instant::now();
    crate::activity::CLIENTS.seen();
    let id = request_id();
    let known_method = matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::PUT | Method::POST | Method::DELETE | Method::OPTIONS
    );
    let (op, result) = if !known_method {
        count_malformed("bad_method");
        ("Unknown", Err(S3Error::new(S3ErrorCode::MethodNotAllowed)))
    } else if req.method() == Method::OPTIONS {
        ("Preflight", cors::preflight(&req, &gw).await)
    } else if super::iam::is_query_api(&req) {
        // IAM and STS answer in their own documents, with their own
        // codes: not an S3 request.
        let (op, mut response) = super::iam::handle(&req, payload, &gw, &id).await;
        set_request_id(&mut response, &id);
        metrics::S3_REQUESTS
            .with_label_values(&[op, response.status().as_str()])
            .inc();
        metrics::S3_REQUEST_SECONDS
            .with_label_values(&[op])
            .observe(started.elapsed().as_secs_f64());
        return response;
    } else if let Some(vetted) = take_vetted(&req) {
        // Checked whole by the 100-continue check: not again.
        let Vetted {
            head,
            endpoint,
            authorized,
        } = vetted;
        let s3 = S3Request::new(&req, head, authorized, gw.body_idle);
        (endpoint.name(), run(endpoint, s3, payload, &gw).await)
    } else {
        match authenticate_head(req.method(), req.uri(), req.headers(), &gw).await {
            Ok(head) => match Endpoint::route(&Target::of(req.method(), &head)) {
                Ok(endpoint) => (
                    endpoint.name(),
                    dispatch(&req, endpoint, head, payload, &gw).await,
                ),
                Err(e) => (e.name, Err(e.error)),
            },
            Err(e) => ("Unauthenticated", Err(e)),
        }
    };
    let mut response = match result {
        Ok(r) => r,
        Err(e) => error_response(req.method(), req.path(), e, &id),
    };
    if req.method() != Method::OPTIONS {
        cors::decorate(&mut response, &req, &gw).await;
    }
    let status = response.status();
    set_request_id(&mut response, &id);
    metrics::S3_REQUESTS
        .with_label_values(&[op, status.as_str()])
        .inc();
    metrics::S3_REQUEST_SECONDS
        .with_label_values(&[op])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// What the 100-continue check found, if it vetted this request.
fn take_vetted(req: &HttpRequest) -> Option<Vetted> {
    req.extensions_mut().remove::<Vetted>()
}

/// Checks the headers the operation refuses and the caller's access, then
/// runs the operation.
async fn dispatch(
    req: &HttpRequest,
    endpoint: Endpoint,
    mut head: Authenticated,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    endpoint.check_headers(&head.headers)?;
    let peer = req.peer_addr().map(|a| a.ip());
    let secure = req.conn_data::<Transport>().is_some_and(|t| t.secure);
    let authorized = access::authorize(&endpoint, &mut head, peer, secure, gw).await?;
    let s3 = S3Request::new(req, head, authorized, gw.body_idle);
    run(endpoint, s3, payload, gw).await
}

/// Runs the operation's handler on a checked request.
async fn run(endpoint: Endpoint, r: S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    match endpoint {
        Endpoint::ListBuckets(args) => bucket::list_buckets(&r, gw, args).await,
        Endpoint::CreateBucket => bucket::create(&r, payload, gw).await,
        Endpoint::HeadBucket => bucket::head(&r, gw).await,
        Endpoint::DeleteBucket => bucket::delete(&r, gw).await,
        Endpoint::GetBucketLocation => bucket::location(&r, gw).await,
        Endpoint::GetBucketVersioning => versioning::get_versioning(&r, gw).await,
        Endpoint::PutBucketVersioning => versioning::put_versioning(&r, payload, gw).await,
        Endpoint::GetObjectLockConfiguration => object_lock::get_lock_config(&r, gw).await,
        Endpoint::PutObjectLockConfiguration => object_lock::put_lock_config(&r, payload, gw).await,
        Endpoint::GetObjectRetention => object_lock::get_retention(&r, gw).await,
        Endpoint::PutObjectRetention => object_lock::put_retention(&r, payload, gw).await,
        Endpoint::GetObjectLegalHold => object_lock::get_legal_hold(&r, gw).await,
        Endpoint::PutObjectLegalHold => object_lock::put_legal_hold(&r, payload, gw).await,
        Endpoint::DeleteObjects => object::delete_many(&r, payload, gw).await,
        Endpoint::ListObjects(args) => list::objects_v1(&r, gw, args).await,
        Endpoint::ListObjectsV2(args) => list::objects_v2(&r, gw, args).await,
        Endpoint::ListObjectVersions(args) => list::versions(&r, gw, args).await,
        Endpoint::ListMultipartUploads(args) => multipart::list_uploads(&r, gw, args).await,
        Endpoint::PutObject => object::put(&r, payload, gw).await,
        Endpoint::CopyObject => object::copy(&r, gw).await,
        Endpoint::GetObject(args) | Endpoint::HeadObject(args) => object::get(&r, gw, args).await,
        Endpoint::DeleteObject => object::delete(&r, gw).await,
        Endpoint::CreateMultipartUpload => multipart::create(&r, gw).await,
        Endpoint::UploadPart {
            upload_id,
            part_number,
        } => multipart::upload_part(&r, payload, gw, &upload_id, part_number).await,
        Endpoint::UploadPartCopy {
            upload_id,
            part_number,
        } => multipart::upload_part_copy(&r, gw, &upload_id, part_number).await,
        Endpoint::CompleteMultipartUpload { upload_id } => {
            multipart::complete(&r, payload, gw, &upload_id).await
        }
        Endpoint::AbortMultipartUpload { upload_id } => multipart::abort(&r, gw, &upload_id).await,
        Endpoint::ListParts(args) => multipart::list_parts(&r, gw, args).await,
        Endpoint::GetObjectAttributes => attributes::get(&r, gw).await,
        Endpoint::SelectObjectContent => select::select(&r, payload, gw).await,
        Endpoint::GetObjectTagging => tagging::get_object(&r, gw).await,
        Endpoint::PutObjectTagging => tagging::put_object(&r, payload, gw).await,
        Endpoint::DeleteObjectTagging => tagging::delete_object(&r, gw).await,
        Endpoint::GetBucketCors => cors::get_bucket(&r, gw).await,
        Endpoint::PutBucketCors => cors::put_bucket(&r, payload, gw).await,
        Endpoint::DeleteBucketCors => cors::delete_bucket(&r, gw).await,
        Endpoint::GetBucketLifecycleConfiguration => lifecycle::get_bucket(&r, gw).await,
        Endpoint::PutBucketLifecycleConfiguration => lifecycle::put_bucket(&r, payload, gw).await,
        Endpoint::DeleteBucketLifecycle => lifecycle::delete_bucket(&r, gw).await,
        Endpoint::GetBucketTagging => tagging::get_bucket(&r, gw).await,
        Endpoint::PutBucketTagging => tagging::put_bucket(&r, payload, gw).await,
        Endpoint::DeleteBucketTagging => tagging::delete_bucket(&r, gw).await,
        Endpoint::GetBucketAcl => acl::get_bucket_acl(&r, gw).await,
        Endpoint::PutBucketAcl => acl::put_bucket_acl(&r, payload, gw).await,
        Endpoint::GetObjectAcl => acl::get_object_acl(&r, gw).await,
        Endpoint::PutObjectAcl => acl::put_object_acl(&r, payload, gw).await,
        Endpoint::GetBucketPolicy => bucket_access::get_policy(&r).await,
        Endpoint::PutBucketPolicy => bucket_access::put_policy(&r, payload, gw).await,
        Endpoint::DeleteBucketPolicy => bucket_access::delete_policy(&r, gw).await,
        Endpoint::GetBucketPolicyStatus => bucket_access::get_policy_status(&r).await,
        Endpoint::GetBucketNotification => notification::get_notification(&r).await,
        Endpoint::PutBucketNotification => notification::put_notification(&r, payload).await,
        Endpoint::GetBucketOwnershipControls => bucket_access::get_ownership(&r).await,
        Endpoint::PutBucketOwnershipControls => bucket_access::put_ownership(&r, payload, gw).await,
        Endpoint::DeleteBucketOwnershipControls => bucket_access::delete_ownership(&r, gw).await,
        Endpoint::GetPublicAccessBlock => bucket_access::get_public_access_block(&r).await,
        Endpoint::PutPublicAccessBlock => {
            bucket_access::put_public_access_block(&r, payload, gw).await
        }
        Endpoint::DeletePublicAccessBlock => {
            bucket_access::delete_public_access_block(&r, gw).await
        }
        Endpoint::GetBucketEncryption => encryption::get_bucket_encryption(&r).await,
        Endpoint::PutBucketEncryption => encryption::put_bucket_encryption(&r, payload, gw).await,
        Endpoint::DeleteBucketEncryption => encryption::delete_bucket_encryption(&r, gw).await,
        Endpoint::PostObject => post_object::handle(r, payload, gw).await,
        Endpoint::MethodNotAllowed => Err(S3Error::new(S3ErrorCode::MethodNotAllowed)),
        Endpoint::NotImplemented => Err(S3Error::new(S3ErrorCode::NotImplemented)
            .with_message("This operation or sub-resource is not supported by predastore.")),
    }
}
