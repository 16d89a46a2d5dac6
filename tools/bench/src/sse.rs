//! `--sse`: the bench's objects written and read with server-side
//! encryption, so its figures compare with plain ones. An interceptor adds
//! the headers to the requests that need them: `x-amz-server-side-
//! encryption: AES256` to object writes (SSE-S3), or a customer key to
//! every object request (SSE-C).

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use base64::Engine as _;
use md5::{Digest as _, Md5};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The encryption of the bench's objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SseMode {
    /// Stored as sent.
    None,
    /// SSE-S3 (the store needs a master key: `PREDASTORE_KMS_KEYS`).
    S3,
    /// SSE-C with a random key of this run (the store must take SSE-C
    /// keys: HTTPS, or `PREDASTORE_SSE_C_ALLOW_HTTP` for a test store).
    C,
}

/// The headers `--sse` adds.
#[derive(Debug)]
pub(crate) struct SseHeaders {
    headers: Vec<(&'static str, String)>,
    /// Only on writes (PUT, POST): SSE-S3 is named when writing only.
    writes_only: bool,
}

impl SseHeaders {
    /// The interceptor of `mode` (`None` for plain objects).
    pub(crate) fn new(mode: SseMode) -> Option<Self> {
        let b64 = base64::engine::general_purpose::STANDARD;
        match mode {
            SseMode::None => None,
            SseMode::S3 => Some(SseHeaders {
                headers: vec![("x-amz-server-side-encryption", "AES256".into())],
                writes_only: true,
            }),
            SseMode::C => {
                let key: [u8; 32] = rand::random();
                Some(SseHeaders {
                    headers: vec![
                        (
                            "x-amz-server-side-encryption-customer-algorithm",
                            "AES256".into(),
                        ),
                        ("x-amz-server-side-encryption-customer-key", b64.encode(key)),
                        (
                            "x-amz-server-side-encryption-customer-key-md5",
                            b64.encode(Md5::digest(key)),
                        ),
                    ],
                    writes_only: false,
                })
            }
        }
    }
}

/// Whether `uri` (path style) names an object: `/bucket/key…`.
fn names_object(uri: &str) -> bool {
    let path = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let path = path.split('?').next().unwrap_or("");
    path.trim_start_matches('/')
        .split_once('/')
        .is_some_and(|(_, key)| !key.is_empty())
}

impl Intercept for SseHeaders {
    fn name(&self) -> &'static str {
        "SseHeaders"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let write = matches!(request.method(), "PUT" | "POST");
        if (self.writes_only && !write) || !names_object(request.uri()) {
            return Ok(());
        }
        for (name, value) in &self.headers {
            request.headers_mut().insert(*name, value.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::names_object;

    #[test]
    fn only_object_requests_get_the_headers() {
        assert!(names_object("http://127.0.0.1:9000/bench/key?uploads"));
        assert!(names_object("https://h/b/k/deeper"));
        assert!(!names_object("http://127.0.0.1:9000/bench"));
        assert!(!names_object("http://127.0.0.1:9000/bench/?list-type=2"));
        assert!(!names_object("http://127.0.0.1:9000/"));
    }
}
