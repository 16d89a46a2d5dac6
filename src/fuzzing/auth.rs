//! Authentication targets: SigV4 and SigV2 headers, presigned queries, whole request heads.

#[allow(clippy::wildcard_imports)]
use super::headers::{continuation_token, max_keys, part_number};
use super::prelude::*;

// ----- Authentication -----

/// `Authorization` and date header values: the input (as the HTTP layer
/// turns header bytes into text) goes to the SigV4 and SigV2 header parsers,
/// the credential parser, the `x-amz-date` parser and the
/// `x-amz-content-sha256` parser.
pub fn auth_header(data: &[u8]) {
    let value = header_text(data);
    sigv4_header(&value);
    sigv2_header(&value);
    amz_date(&value);
    let _ = PayloadMode::from_header(&value);
    if let Some(c) = Credential::parse(&value) {
        assert_eq!(
            c.scope(),
            format!("{}/{}/{}/aws4_request", c.date, c.region, c.service)
        );
    }
}

/// A SigV4 `Authorization` header value. A parsed header has its three
/// components, and renders back to a header that parses to the same.
pub fn sigv4_header(value: &str) {
    let Ok(h) = AuthorizationHeader::parse(value) else {
        return;
    };
    assert!(!h.credential.access_key.is_empty() && !h.signature.is_empty());
    assert!(h.credential.date.len() == 8 && !h.signed_headers.is_empty());
    let rendered = render_authorization(&h, &h.signature);
    assert_eq!(AuthorizationHeader::parse(&rendered).ok(), Some(h));
}

/// A SigV2 `Authorization: AWS key:signature` header value.
pub fn sigv2_header(value: &str) {
    if let Some(Ok(h)) = HeaderV2::parse(value) {
        assert!(value.starts_with("AWS ") && !h.access_key.is_empty());
    }
}

/// An `x-amz-date` value: a parsed date formats back to the same text.
pub fn amz_date(value: &str) {
    if let Some(t) = parse_amz_date(value) {
        assert_eq!(format_amz_date(t), value);
    }
}

/// A raw query string (without `?`): decoded as the API decodes it, then
/// read as a SigV4 and a SigV2 presigned URL, for the authentication scheme,
/// and for the `response-*` overrides and listing parameters.
pub fn auth_query(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let query = crate::api::query::parse(&raw);
    if let Ok(p) = PresignedParams::parse(&query) {
        assert!((1..=MAX_PRESIGNED_EXPIRES).contains(&p.expires));
        assert!(parse_amz_date(&p.amz_date).is_some() && !p.signature.is_empty());
    }
    if let Some(Ok(p)) = PresignedV2::parse(&query) {
        let _ = p.verify("GET", "/b/k", &query, SECRET, NOW_UNIX);
    }
    let parts = RequestParts {
        method: "GET",
        path: "/",
        query: &query,
        headers: &[],
    };
    assert_ne!(detect_auth_kind(&parts), Ok(AuthKind::Header));
    let headers = [("authorization".to_owned(), "AWS4-HMAC-SHA256".to_owned())];
    let parts = RequestParts {
        headers: &headers,
        ..parts
    };
    assert_ne!(detect_auth_kind(&parts), Ok(AuthKind::Anonymous));
    let authenticated = validate_response_overrides(&query, true).is_ok();
    if validate_response_overrides(&query, false).is_ok() {
        assert!(authenticated && response_overrides(&query).is_empty());
    }
    for (name, value) in &query {
        match name.as_str() {
            "max-keys" | "max-uploads" | "max-parts" => max_keys(value),
            "partNumber" => part_number(value),
            "continuation-token" => continuation_token(value),
            _ => {}
        }
    }
}

/// A request head, authenticated as the server authenticates it (SigV4
/// header or presigned URL, SigV2 header or presigned URL) at a fixed clock
/// with one secret for every access key.
///
/// The input is `METHOD TARGET` on the first line, `name: value` headers
/// on the next ones, then an empty line and the body (read as aws-chunked
/// when the request says so). The request is checked as sent, then again
/// with its SigV4 signature replaced by the right one, so that everything
/// after the signature check is reached too.
pub fn auth_request(data: &[u8]) {
    let mut head = Head::parse(data);
    head.verify();
    if head.resign() {
        head.verify();
    }
}

/// A request head split into the parts authentication reads.
pub(super) struct Head {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Head {
    pub(super) fn parse(data: &[u8]) -> Self {
        let split = data.windows(2).position(|w| w == b"\n\n");
        let (head, body) = match split {
            Some(i) => (&data[..i], data.get(i + 2..).unwrap_or_default()),
            None => (data, &[][..]),
        };
        let text = header_text(head);
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let target = request_line.next().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Head {
            method,
            path: path.to_owned(),
            query: crate::api::query::parse(query),
            headers,
            body: body.to_vec(),
        }
    }

    pub(super) fn parts(&self) -> RequestParts<'_> {
        RequestParts {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn verify(&self) {
        let parts = self.parts();
        let now = parse_amz_date(NOW_AMZ).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if let Ok(ctx) = sigv4::verify(&parts, REGION, |_| Some(SECRET.to_owned()), now) {
            // An empty scope region is taken as the store's (botocore with
            // `region_name=''` signs so); no other region gets through.
            assert!(ctx.region == REGION || ctx.region.is_empty());
            assert!(ctx.signed_headers.iter().any(|h| h == "host"));
            assert!(hex::decode(&ctx.seed_signature).is_ok_and(|s| s.len() == 32));
            match ChunkedDecoder::for_auth(&ctx) {
                Ok(Some(mut decoder)) => {
                    let mut buf = BytesMut::from(&self.body[..]);
                    if decoder.push(&mut buf).is_ok() {
                        let _ = decoder.finish();
                    }
                }
                Ok(None) => {}
                Err(e) => panic!("an authenticated request has no chunk decoder: {e}"),
            }
        }
        if let Some(Ok(h)) = self.header("authorization").and_then(HeaderV2::parse) {
            let _ = h.verify(
                &self.method,
                &self.path,
                &self.query,
                &self.headers,
                SECRET,
                NOW_UNIX,
            );
        }
        if let Some(Ok(p)) = PresignedV2::parse(&self.query) {
            let _ = p.verify(&self.method, &self.path, &self.query, SECRET, NOW_UNIX);
        }
    }

    /// Replaces the SigV4 signature (header or query) by the one the
    /// request's canonical form gets; false if there is none to replace.
    pub(super) fn resign(&mut self) -> bool {
        let mut changed = false;
        let auth = self
            .header("authorization")
            .and_then(|v| AuthorizationHeader::parse(v).ok());
        if let (Some(auth), Some(date)) = (auth, self.request_date()) {
            let sha = self.header("x-amz-content-sha256").unwrap_or_default();
            let canonical = canonical_request(&self.parts(), &auth.signed_headers, sha, false);
            let signature = sign(&auth.credential, &date, &canonical);
            let value = render_authorization(&auth, &signature);
            for (name, v) in &mut self.headers {
                if name == "authorization" {
                    v.clone_from(&value);
                }
            }
            changed = true;
        }
        if let Ok(p) = PresignedParams::parse(&self.query) {
            let canonical =
                canonical_request(&self.parts(), &p.signed_headers, UNSIGNED_PAYLOAD, true);
            let signature = sign(&p.credential, &p.amz_date, &canonical);
            for (name, v) in &mut self.query {
                if name == "X-Amz-Signature" {
                    v.clone_from(&signature);
                }
            }
            changed = true;
        }
        changed
    }

    /// The request time as SigV4 signs it: `x-amz-date`, else `Date`.
    fn request_date(&self) -> Option<String> {
        if let Some(d) = self.header("x-amz-date") {
            return Some(d.trim().to_owned());
        }
        let t = httpdate::parse_http_date(self.header("date")?.trim()).ok()?;
        Some(format_amz_date(OffsetDateTime::from(t)))
    }
}

/// The SigV4 signature of `canonical` at `amz_date` for `credential`.
pub(super) fn sign(credential: &Credential, amz_date: &str, canonical: &str) -> String {
    let key = SigningKey::derive(
        SECRET,
        &credential.date,
        &credential.region,
        &credential.service,
    );
    key.sign_hex(string_to_sign(amz_date, &credential.scope(), canonical).as_bytes())
}

/// `h` as an `Authorization` header value, with `signature`.
pub(super) fn render_authorization(h: &AuthorizationHeader, signature: &str) -> String {
    format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={signature}",
        h.credential.access_key,
        h.credential.scope(),
        h.signed_headers.join(";")
    )
}
