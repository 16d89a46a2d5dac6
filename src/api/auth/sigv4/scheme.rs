//! The fixed strings and limits of SigV4 as S3 speaks it: the algorithm and
//! service names, the `x-amz-content-sha256` values, and how far a request
//! time and a presigned URL's validity may reach.

use time::Duration;

/// The only signing algorithm accepted, as it appears in requests.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The service name every credential scope must carry for S3.
pub(crate) const SERVICE: &str = "s3";

/// Hex SHA-256 of the empty string, used in chunk signatures and empty bodies.
pub(crate) const EMPTY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Literal payload hash for bodies whose content is not signed.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// `x-amz-content-sha256` value for a chunked body with signed chunks.
pub(crate) const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// `x-amz-content-sha256` value for signed chunks followed by signed trailers.
pub(crate) const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/// `x-amz-content-sha256` value for unsigned chunks followed by trailers.
pub(crate) const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// Largest `X-Amz-Expires` S3 accepts for a presigned URL (seven days).
pub(crate) const MAX_PRESIGNED_EXPIRES: u64 = 604_800;

/// Largest allowed distance between the request time and the server clock.
pub(crate) const MAX_CLOCK_SKEW: Duration = Duration::minutes(15);
