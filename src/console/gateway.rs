//! The console's S3 client: every bucket and object operation of a signed-in
//! user is an S3 request to this process's own S3 listener, presigned with
//! the user's key. The gateway authenticates and authorizes it as it would
//! any client's, so the console can do nothing the user's key could not.
//!
//! Bodies stream both ways (an uploaded part goes from the browser to the
//! gateway as it arrives; a download goes back the same way). Under HTTPS
//! the client trusts exactly the certificate the listener serves.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::error::ConsoleError;
use super::session::Session;
use crate::api::auth::sigv4::{presign, sign_headers, HeaderSignRequest, PresignRequest};
use crate::api::listener::HttpsIdentity;

/// Largest XML answer read whole.
const MAX_XML_ANSWER: usize = 16 << 20;
/// Validity of the console's own presigned requests.
const CALL_EXPIRES_SECS: u64 = 300;

/// A request body: held in memory, or streamed from the browser's request
/// (which lives on this worker thread, hence not `Send`).
pub(crate) enum CallBody {
    /// Bytes in memory (none left: sent).
    Full(Option<Bytes>),
    /// A body streamed as it arrives (an upload part from the browser).
    Stream(Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>>>>),
}

impl hyper::body::Body for CallBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            CallBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            CallBody::Stream(stream) => stream
                .as_mut()
                .poll_next(cx)
                .map(|chunk| chunk.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, CallBody::Full(None))
    }
}

/// One S3 request.
pub(crate) struct S3Call {
    /// HTTP method.
    pub(crate) method: Method,
    /// Decoded path: `/bucket` or `/bucket/key`.
    pub(crate) path: String,
    /// Decoded query parameters.
    pub(crate) query: Vec<(String, String)>,
    /// Extra headers, lower-case (signed, but for `content-length`).
    pub(crate) headers: Vec<(&'static str, String)>,
    /// What to send after the head: bytes in memory or a stream.
    pub(crate) body: CallBody,
}

impl S3Call {
    /// A call with no body.
    pub(crate) fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: CallBody::Full(None),
        }
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_string(), value.into()));
        self
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets a body held in memory (small XML documents).
    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        let bytes: Bytes = body.into();
        self.headers
            .push(("content-length", bytes.len().to_string()));
        self.body = CallBody::Full(Some(bytes));
        self
    }

    /// Sets a streamed body of `length` bytes.
    pub(crate) fn stream<S>(mut self, length: u64, stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, io::Error>> + 'static,
    {
        self.headers.push(("content-length", length.to_string()));
        self.body = CallBody::Stream(Box::pin(stream));
        self
    }
}

/// The S3 error document.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ErrorDocument {
    code: String,
    message: String,
}

/// IAM's error document.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct IamErrorDocument {
    error: ErrorDocument,
}

/// Where and how to reach this process's S3 listener.
pub(crate) struct GatewayClient {
    addr: SocketAddr,
    host: String,
    region: String,
    tls: Option<TlsConnector>,
}

impl GatewayClient {
    /// A client of the S3 listener bound to `listen` (an unspecified
    /// address is reached on loopback), over TLS when `https` is set.
    pub(crate) fn new(
        listen: SocketAddr,
        region: String,
        https: Option<Arc<HttpsIdentity>>,
    ) -> Result<Self, rustls::Error> {
        let mut addr = listen;
        if addr.ip().is_unspecified() {
            addr.set_ip(if addr.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let tls = match https {
            None => None,
            Some(identity) => {
                let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
                let verifier = Arc::new(ServedCertificate {
                    identity,
                    provider: provider.clone(),
                });
                let config = ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()?
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth();
                Some(TlsConnector::from(Arc::new(config)))
            }
        };
        Ok(Self {
            addr,
            host: addr.to_string(),
            region,
            tls,
        })
    }

    /// The region requests are signed for.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// Sends `call` signed with `session`'s key; the gateway's answer,
    /// whatever its status.
    pub(crate) async fn send(
        &self,
        session: &Session,
        call: S3Call,
    ) -> Result<Response<Incoming>, ConsoleError> {
        let signed: Vec<(String, String)> = call
            .headers
            .iter()
            .filter(|(name, _)| *name != "content-length")
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        let target = presign(&PresignRequest {
            method: call.method.as_str(),
            host: &self.host,
            headers: &signed,
            path: &call.path,
            query: &call.query,
            access_key: &session.access_key,
            secret: &session.secret,
            region: &self.region,
            now: time::OffsetDateTime::now_utc(),
            expires: CALL_EXPIRES_SECS,
        });
        let mut request = Request::builder()
            .method(call.method)
            .uri(target)
            .header("host", &self.host);
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(call.body)
            .map_err(|e| ConsoleError::Internal(format!("request: {e}")))?;
        self.roundtrip(request).await
    }

    /// Sends `request` over a new connection to the listener.
    async fn roundtrip(
        &self,
        request: Request<CallBody>,
    ) -> Result<Response<Incoming>, ConsoleError> {
        let unreachable = |e: &dyn std::fmt::Display| {
            ConsoleError::Unreachable(format!("S3 listener at {}: {e}", self.addr))
        };
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|e| unreachable(&e))?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => exchange(TokioIo::new(tcp), request).await,
            Some(tls) => {
                let name = ServerName::IpAddress(self.addr.ip().into());
                let stream = tls.connect(name, tcp).await.map_err(|e| unreachable(&e))?;
                exchange(TokioIo::new(stream), request).await
            }
        }
        .map_err(|e| unreachable(&e))
    }

    /// Sends `call`; a 2xx answer, or the gateway's S3 error.
    pub(crate) async fn ok(
        &self,
        session: &Session,
        call: S3Call,
    ) -> Result<Response<Incoming>, ConsoleError> {
        let answer = self.send(session, call).await?;
        if answer.status().is_success() {
            return Ok(answer);
        }
        let status = answer.status();
        let body = read_whole(answer).await.unwrap_or_default();
        Err(gateway_error(status, &body))
    }

    /// Sends `call`; its answer's body as text (a policy, a configuration
    /// document shown as it is).
    pub(crate) async fn text(
        &self,
        session: &Session,
        call: S3Call,
    ) -> Result<String, ConsoleError> {
        let answer = self.ok(session, call).await?;
        let body = read_whole(answer).await?;
        String::from_utf8(body.to_vec())
            .map_err(|_| ConsoleError::Internal("the S3 answer is not UTF-8".into()))
    }

    /// Sends `call` and reads its XML answer into `T`.
    pub(crate) async fn xml<T: DeserializeOwned>(
        &self,
        session: &Session,
        call: S3Call,
    ) -> Result<T, ConsoleError> {
        let answer = self.ok(session, call).await?;
        let body = read_whole(answer).await?;
        quick_xml::de::from_reader(body.as_ref())
            .map_err(|e| ConsoleError::Internal(format!("unexpected S3 answer: {e}")))
    }

    /// Runs IAM `action` with `params` as `session`'s user (a form POST
    /// signed for service `iam`, as AWS's SDKs send it); the answer's
    /// result as JSON, or IAM's error.
    pub(crate) async fn iam(
        &self,
        session: &Session,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<serde_json::Value, ConsoleError> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", "2010-05-08");
        for (name, value) in params {
            form.append_pair(name, value);
        }
        let body = form.finish();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let signed = sign_headers(&HeaderSignRequest {
            method: "POST",
            host: &self.host,
            path: "/",
            content_type,
            body: body.as_bytes(),
            access_key: &session.access_key,
            secret: &session.secret,
            region: &self.region,
            service: "iam",
            now: time::OffsetDateTime::now_utc(),
        });
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header("host", &self.host)
            .header("content-type", content_type)
            .header("content-length", body.len());
        for (name, value) in signed {
            request = request.header(name, value);
        }
        let request = request
            .body(CallBody::Full(Some(Bytes::from(body))))
            .map_err(|e| ConsoleError::Internal(format!("request: {e}")))?;
        let answer = self.roundtrip(request).await?;
        let status = answer.status();
        let text = read_whole(answer).await?;
        if !status.is_success() {
            let doc: IamErrorDocument =
                quick_xml::de::from_reader(text.as_ref()).unwrap_or_default();
            return Err(ConsoleError::Gateway {
                status: status.as_u16(),
                code: doc.error.code,
                message: doc.error.message,
            });
        }
        Ok(crate::api::iam::result_json(&String::from_utf8_lossy(
            &text,
        )))
    }

    /// Sends `call`, expecting no answer body worth reading.
    pub(crate) async fn done(&self, session: &Session, call: S3Call) -> Result<(), ConsoleError> {
        let answer = self.ok(session, call).await?;
        read_whole(answer).await.map(|_| ())
    }
}

/// One request over one connection.
async fn exchange<T>(
    io: TokioIo<T>,
    request: Request<CallBody>,
) -> Result<Response<Incoming>, hyper::Error>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    actix_web::rt::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "console: gateway connection ended");
        }
    });
    sender.send_request(request).await
}

/// The S3 error in an answer of `status` with `body`.
fn gateway_error(status: StatusCode, body: &[u8]) -> ConsoleError {
    let doc: ErrorDocument = quick_xml::de::from_reader(body).unwrap_or_default();
    ConsoleError::Gateway {
        status: status.as_u16(),
        code: if doc.code.is_empty() {
            status.canonical_reason().unwrap_or("Error").to_string()
        } else {
            doc.code
        },
        message: doc.message,
    }
}

/// An answer's body, read whole (XML documents only).
async fn read_whole(answer: Response<Incoming>) -> Result<Bytes, ConsoleError> {
    Limited::new(answer.into_body(), MAX_XML_ANSWER)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| {
            if e.is::<LengthLimitError>() {
                ConsoleError::Internal("the S3 answer is too large".into())
            } else {
                ConsoleError::Unreachable(format!("reading the S3 answer: {e}"))
            }
        })
}

/// An answer's body as a stream of chunks.
pub(crate) fn body_stream(
    answer: Response<Incoming>,
) -> impl Stream<Item = Result<Bytes, io::Error>> {
    answer
        .into_body()
        .into_data_stream()
        .map_err(io::Error::other)
}

/// Trusts exactly the certificate this process's listener serves.
#[derive(Debug)]
struct ServedCertificate {
    identity: Arc<HttpsIdentity>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ServedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.identity.serves(end_entity.as_ref()) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "not the certificate this store serves".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents_are_read() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>BucketNotEmpty</Code><Message>not empty</Message><Resource>/b</Resource></Error>";
        match gateway_error(StatusCode::CONFLICT, body) {
            ConsoleError::Gateway {
                status,
                code,
                message,
            } => {
                assert_eq!(status, 409);
                assert_eq!(code, "BucketNotEmpty");
                assert_eq!(message, "not empty");
            }
            other => panic!("{other:?}"),
        }
        match gateway_error(StatusCode::FORBIDDEN, b"") {
            ConsoleError::Gateway { code, .. } => assert_eq!(code, "Forbidden"),
            other => panic!("{other:?}"),
        }
    }
}
