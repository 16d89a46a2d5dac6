//! Reading and writing one configuration document of a bucket or object
//! through the gateway, as the settings pages do.

use base64::Engine as _;
use md5::{Digest as _, Md5};

use super::context::Console;
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::session::Session;
use crate::api::error::S3ErrorCode;

/// S3's answers for a configuration a bucket or object does not have.
const NOT_SET: [S3ErrorCode; 7] = [
    S3ErrorCode::NoSuchBucketPolicy,
    S3ErrorCode::NoSuchTagSet,
    S3ErrorCode::NoSuchCORSConfiguration,
    S3ErrorCode::NoSuchLifecycleConfiguration,
    S3ErrorCode::NoSuchPublicAccessBlockConfiguration,
    S3ErrorCode::ObjectLockConfigurationNotFoundError,
    S3ErrorCode::NoSuchObjectLockConfiguration,
];

/// `call`'s answer as text; `None` when S3 says there is no such
/// configuration ([`NOT_SET`]).
pub(super) async fn read_call(
    console: &Console,
    session: &Session,
    call: S3Call,
) -> Result<Option<String>, ConsoleError> {
    match console.gateway.text(session, call).await {
        Ok(text) => Ok(Some(text)),
        Err(e) if NOT_SET.iter().any(|c| e.gateway_code() == Some(c.as_str())) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `call` with `body` and its Content-MD5 (S3 asks it of configuration
/// documents).
pub(super) fn with_document(call: S3Call, body: String) -> S3Call {
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body));
    call.header("content-md5", md5).body(body)
}
