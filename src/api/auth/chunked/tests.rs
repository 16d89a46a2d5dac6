//! The decoder against AWS's documented examples, malformed framing, bad
//! signatures, and any split, truncation or corruption of an encoded body.

use bytes::BytesMut;
use proptest::prelude::*;

use super::decoder::Trailers;
use super::format::{ChunkedMode, MAX_LINE_LEN, MAX_TRAILERS};
use super::signer::ChunkSigner;
use super::*;
use crate::api::auth::sigv4::{parse_amz_date, verify, PayloadMode, RequestParts, SigningKey};
use crate::api::error::testing::{http_status, s3_code, s3_message};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE: &str = "20130524T000000Z";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const TRAILER_SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";

fn signer(seed: &str) -> ChunkSigner {
    let key = SigningKey::derive(SECRET, "20130524", "us-east-1", "s3");
    ChunkSigner::new(key, DATE, SCOPE, seed).unwrap()
}

fn signer_for(mode: ChunkedMode) -> Option<ChunkSigner> {
    mode.is_signed().then(|| signer(SEED))
}

/// Test-side encoder: splits `payload` into chunks of the given sizes.
fn encode(
    mode: ChunkedMode,
    payload: &[u8],
    sizes: &[usize],
    trailers: &[(&str, &str)],
) -> Vec<u8> {
    let mut signer = signer_for(mode);
    let mut out = Vec::new();
    let mut rest = payload;
    let mut i = 0;
    let mut last = false;
    while !last {
        let size = if rest.is_empty() {
            0
        } else {
            sizes[i % sizes.len()].clamp(1, rest.len())
        };
        i += 1;
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        last = size == 0;
        out.extend_from_slice(format!("{size:x}").as_bytes());
        if let Some(s) = signer.as_mut() {
            out.extend_from_slice(b";chunk-signature=");
            out.extend_from_slice(s.sign_chunk(chunk).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !last || !mode.has_trailer() {
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
    }
    if mode.has_trailer() {
        for (name, value) in trailers {
            out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
        }
        if let Some(s) = signer.as_mut() {
            let sig = s.sign_trailers(trailers);
            out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Feeds `encoded` split at `cuts`, asserting the buffering bound.
fn decode_split(
    mode: ChunkedMode,
    encoded: &[u8],
    cuts: &[usize],
) -> Result<(Vec<u8>, Trailers), ChunkedError> {
    let mut decoder = ChunkedDecoder::new(mode, signer_for(mode))?;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (encoded.len() + 1)).collect();
    cuts.push(encoded.len());
    cuts.sort_unstable();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut prev = 0;
    for cut in cuts {
        buf.extend_from_slice(&encoded[prev..cut]);
        prev = cut;
        for piece in decoder.push(&mut buf)? {
            out.extend_from_slice(&piece);
        }
        assert!(buf.len() <= MAX_LINE_LEN + 1, "kept {} bytes", buf.len());
    }
    let trailers = decoder.finish()?;
    Ok((out, trailers))
}

fn aws_example_body(sigs: [&str; 3]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(format!("10000;chunk-signature={}\r\n", sigs[0]).as_bytes());
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).as_bytes());
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(format!("\r\n0;chunk-signature={}\r\n", sigs[2]).as_bytes());
    body
}

const EXAMPLE_SIGS: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];

#[test]
fn aws_example_chunked_upload() {
    // Request of the documented example; its signature is the seed.
    let headers: Vec<(String, String)> = [
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", DATE),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
             x-amz-decoded-content-length;x-amz-storage-class,Signature=\
             4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        ),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("content-length", "66824"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    let parts = RequestParts {
        method: "PUT",
        path: "/examplebucket/chunkObject.txt",
        query: &[],
        headers: &headers,
    };
    let now = parse_amz_date(DATE).unwrap();
    let ctx = verify(
        &parts,
        "us-east-1",
        |ak| (ak == "AKIAIOSFODNN7EXAMPLE").then(|| SECRET.to_owned()),
        now,
    )
    .unwrap();
    assert_eq!(ctx.seed_signature, SEED);
    assert_eq!(ctx.payload, PayloadMode::StreamingSigned);

    // Our own signer reproduces the documented chunk signatures.
    let mut s = ChunkSigner::from_auth(&ctx).unwrap();
    assert_eq!(s.sign_chunk(&[b'a'; 65536]), EXAMPLE_SIGS[0]);
    assert_eq!(s.sign_chunk(&[b'a'; 1024]), EXAMPLE_SIGS[1]);
    assert_eq!(s.sign_chunk(&[]), EXAMPLE_SIGS[2]);

    let mut body = aws_example_body(EXAMPLE_SIGS);
    body.extend_from_slice(b"\r\n");
    assert_eq!(body.len(), 66824, "Content-Length of the example");

    let mut decoder = ChunkedDecoder::for_auth(&ctx).unwrap().unwrap();
    let mut buf = BytesMut::from(&body[..]);
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let pieces = decoder.push(&mut buf).unwrap();
    assert!(buf.is_empty());
    let mut decoded = Vec::new();
    for piece in &pieces {
        // Zero-copy: every piece points into the input buffer.
        assert!(range.contains(&(piece.as_ptr() as usize)));
        decoded.extend_from_slice(piece);
    }
    assert_eq!(decoded, vec![b'a'; 66560]);
    let trailers = decoder.finish().unwrap();
    assert_eq!(trailers.decoded_len, 66560);
    assert!(trailers.headers.is_empty());

    // Same body, one byte at a time.
    let (out, _) = decode_split(
        ChunkedMode::Signed,
        &body,
        &(0..body.len()).collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(out, vec![b'a'; 66560]);
}

#[test]
fn aws_example_chunked_upload_with_signed_trailer() {
    let sigs = [
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ];
    let trailer_sig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
    let mut body = aws_example_body(sigs);
    body.extend_from_slice(b"x-amz-checksum-crc32c:sOO8/Q==\r\n");
    body.extend_from_slice(format!("x-amz-trailer-signature:{trailer_sig}\r\n\r\n").as_bytes());

    let mut decoder =
        ChunkedDecoder::new(ChunkedMode::SignedTrailer, Some(signer(TRAILER_SEED))).unwrap();
    let mut buf = BytesMut::from(&body[..]);
    let decoded: Vec<u8> = decoder
        .push(&mut buf)
        .unwrap()
        .iter()
        .flat_map(|b| b.iter().copied())
        .collect();
    assert_eq!(decoded, vec![b'a'; 66560]);
    let trailers = decoder.finish().unwrap();
    assert_eq!(trailers.get("x-amz-checksum-crc32c"), Some("sOO8/Q=="));
    assert_eq!(trailers.headers.len(), 1);
    assert_eq!(trailers.decoded_len, 66560);

    // A different checksum value breaks the trailer signature.
    let tampered = String::from_utf8_lossy(&body).replace("sOO8/Q==", "sOO8/Q=A");
    let mut decoder =
        ChunkedDecoder::new(ChunkedMode::SignedTrailer, Some(signer(TRAILER_SEED))).unwrap();
    let mut buf = BytesMut::from(tampered.as_bytes());
    assert_eq!(
        decoder.push(&mut buf).unwrap_err(),
        ChunkedError::TrailerSignatureMismatch
    );
    assert_eq!(
        (
            s3_code(ChunkedError::TrailerSignatureMismatch),
            s3_message(ChunkedError::TrailerSignatureMismatch).as_str()
        ),
        (
            "SignatureDoesNotMatch",
            "The trailer signature we calculated does not match the signature you provided."
        )
    );
}

#[test]
fn unsigned_trailer_mode_returns_trailer() {
    let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32c:yZRlqg==\r\n\r\n";
    let cuts: Vec<usize> = (0..body.len()).step_by(3).collect();
    let (out, trailers) = decode_split(ChunkedMode::UnsignedTrailer, body, &cuts).unwrap();
    assert_eq!(out, b"hello world");
    assert_eq!(trailers.decoded_len, 11);
    assert_eq!(
        trailers.headers,
        vec![("x-amz-checksum-crc32c".to_owned(), "yZRlqg==".to_owned())]
    );
    // No trailer at all is fine too.
    let (out, trailers) =
        decode_split(ChunkedMode::UnsignedTrailer, b"2\r\nhi\r\n0\r\n\r\n", &[]).unwrap();
    assert_eq!(out, b"hi");
    assert!(trailers.headers.is_empty());
}

fn err_of(mode: ChunkedMode, body: &[u8]) -> ChunkedError {
    decode_split(mode, body, &[]).map(|_| ()).unwrap_err()
}

#[test]
fn framing_errors() {
    use ChunkedMode::*;
    let cases: &[(ChunkedMode, &[u8], &str)] = &[
        (
            UnsignedTrailer,
            b"zz\r\nhello\r\n0\r\n\r\n",
            "InvalidRequest",
        ),
        (UnsignedTrailer, b"\r\n", "InvalidRequest"),
        (UnsignedTrailer, b"-1\r\n", "InvalidRequest"),
        (UnsignedTrailer, b"10000000000000000\r\n", "InvalidRequest"),
        (UnsignedTrailer, b"5\nhello\r\n0\r\n\r\n", "InvalidRequest"),
        (
            UnsignedTrailer,
            b"5\r\nhelloX\r\n0\r\n\r\n",
            "InvalidRequest",
        ),
        (UnsignedTrailer, b"5\r\nhello\n0\r\n\r\n", "InvalidRequest"),
        (
            UnsignedTrailer,
            b"5;x=y\r\nhello\r\n0\r\n\r\n",
            "InvalidRequest",
        ),
        (UnsignedTrailer, b"0\r\n\r\nextra", "InvalidRequest"),
        (UnsignedTrailer, b"5\r\nhello\r\n", "IncompleteBody"),
        (UnsignedTrailer, b"5\r\nhel", "IncompleteBody"),
        (
            UnsignedTrailer,
            b"0\r\nx-amz-checksum-crc32c:AA==\r\n",
            "IncompleteBody",
        ),
        (
            UnsignedTrailer,
            b"0\r\nno-colon\r\n\r\n",
            "MalformedTrailerError",
        ),
        (
            UnsignedTrailer,
            b"0\r\n:empty-name\r\n\r\n",
            "MalformedTrailerError",
        ),
        (
            UnsignedTrailer,
            b"0\r\nbad name:v\r\n\r\n",
            "MalformedTrailerError",
        ),
        (
            UnsignedTrailer,
            b"0\r\nname:v\x01\r\n\r\n",
            "MalformedTrailerError",
        ),
        (
            UnsignedTrailer,
            b"0\r\nx-amz-trailer-signature:00\r\n\r\n",
            "MalformedTrailerError",
        ),
        (Signed, b"5\r\nhello\r\n", "InvalidRequest"),
        (
            Signed,
            b"5;chunk-signature=abc\r\nhello\r\n",
            "InvalidRequest",
        ),
        (Signed, b"0;chunk-signatur=00\r\n", "InvalidRequest"),
    ];
    for (mode, body, code) in cases {
        let err = err_of(*mode, body);
        assert_eq!(s3_code(err), *code, "{:?}", String::from_utf8_lossy(body));
        assert!(http_status(err) == 400 || http_status(err) == 403);
    }
    assert_eq!(http_status(ChunkedError::Incomplete), 400);
}

#[test]
fn long_lines_are_rejected_without_unbounded_buffering() {
    let mut decoder = ChunkedDecoder::new(ChunkedMode::UnsignedTrailer, None).unwrap();
    let mut buf = BytesMut::new();
    let mut result = Ok(Vec::new());
    for _ in 0..(MAX_LINE_LEN + 2) {
        buf.extend_from_slice(b"0");
        result = decoder.push(&mut buf);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(s3_code(result.unwrap_err()), "InvalidRequest");
    assert!(buf.len() <= MAX_LINE_LEN + 2);
    // The decoder stays failed.
    assert!(decoder.push(&mut BytesMut::from(&b"0\r\n"[..])).is_err());
    assert!(decoder.finish().is_err());

    let mut trailer = b"0\r\nx-amz-meta-a:".to_vec();
    trailer.extend(std::iter::repeat_n(b'v', MAX_LINE_LEN));
    trailer.extend_from_slice(b"\r\n\r\n");
    assert_eq!(
        s3_code(err_of(ChunkedMode::UnsignedTrailer, &trailer)),
        "MalformedTrailerError"
    );
}

#[test]
fn too_many_trailers_are_rejected() {
    let mut body = b"0\r\n".to_vec();
    for i in 0..=MAX_TRAILERS {
        body.extend_from_slice(format!("x-amz-meta-{i}:v\r\n").as_bytes());
    }
    body.extend_from_slice(b"\r\n");
    assert_eq!(
        s3_code(err_of(ChunkedMode::UnsignedTrailer, &body)),
        "MalformedTrailerError"
    );
}

#[test]
fn signature_errors() {
    let payload = b"some payload bytes";
    let good = encode(ChunkedMode::Signed, payload, &[7], &[]);
    assert_eq!(
        decode_split(ChunkedMode::Signed, &good, &[]).unwrap().0,
        payload
    );

    // Wrong seed (another request) fails on the first chunk.
    let mut decoder = ChunkedDecoder::new(ChunkedMode::Signed, Some(signer(TRAILER_SEED))).unwrap();
    let err = decoder.push(&mut BytesMut::from(&good[..])).unwrap_err();
    assert_eq!(s3_code(err), "SignatureDoesNotMatch");
    assert_eq!(http_status(err), 403);

    // Reordering two chunks breaks the chain.
    let two = encode(ChunkedMode::Signed, b"aaaabbbb", &[4], &[]);
    let text = String::from_utf8(two).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    let swapped = [
        lines[2], lines[3], lines[0], lines[1], lines[4], lines[5], "",
    ]
    .join("\r\n");
    assert_eq!(
        s3_code(err_of(ChunkedMode::Signed, swapped.as_bytes())),
        "SignatureDoesNotMatch"
    );

    // Dropping the final chunk is an incomplete body, even if cut cleanly.
    let no_final = text.split("0;chunk-signature").next().unwrap();
    assert_eq!(
        s3_code(err_of(ChunkedMode::Signed, no_final.as_bytes())),
        "IncompleteBody"
    );

    // Signed trailers without their signature are rejected.
    let with_trailer = encode(
        ChunkedMode::SignedTrailer,
        payload,
        &[5],
        &[("x-amz-checksum-crc32c", "AAAAAA==")],
    );
    let text = String::from_utf8(with_trailer).unwrap();
    let stripped: String = text
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("x-amz-trailer-signature"))
        .collect();
    assert_eq!(
        s3_code(err_of(ChunkedMode::SignedTrailer, stripped.as_bytes())),
        "MalformedTrailerError"
    );
    // A trailer injected after the signature is rejected.
    let injected = format!("{}x-amz-meta-x:1\r\n\r\n", &text[..text.len() - 2]);
    assert_eq!(
        s3_code(err_of(ChunkedMode::SignedTrailer, injected.as_bytes())),
        "MalformedTrailerError"
    );

    assert_eq!(
        http_status(ChunkedDecoder::new(ChunkedMode::Signed, None).unwrap_err()),
        500
    );
}

fn any_mode() -> impl Strategy<Value = ChunkedMode> {
    prop_oneof![
        Just(ChunkedMode::Signed),
        Just(ChunkedMode::SignedTrailer),
        Just(ChunkedMode::UnsignedTrailer),
    ]
}

fn any_trailers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("x-amz-[a-z0-9-]{1,12}", "[A-Za-z0-9+/=]{0,24}"), 0..3)
}

fn as_refs(trailers: &[(String, String)]) -> Vec<(&str, &str)> {
    trailers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

proptest! {
    #[test]
    fn any_split_gives_the_same_output(
        mode in any_mode(),
        payload in prop::collection::vec(any::<u8>(), 0..1500),
        sizes in prop::collection::vec(1usize..400, 1..4),
        trailers in any_trailers(),
        cuts in prop::collection::vec(any::<usize>(), 0..24),
    ) {
        let trailers_ref = as_refs(&trailers);
        let encoded = encode(mode, &payload, &sizes, &trailers_ref);
        let (whole, whole_trailers) = decode_split(mode, &encoded, &[]).unwrap();
        prop_assert_eq!(&whole, &payload);
        prop_assert_eq!(whole_trailers.decoded_len, payload.len() as u64);
        if mode.has_trailer() {
            prop_assert_eq!(&whole_trailers.headers, &trailers);
        }
        let (split, split_trailers) = decode_split(mode, &encoded, &cuts).unwrap();
        prop_assert_eq!(split, whole);
        prop_assert_eq!(split_trailers, whole_trailers);
    }

    #[test]
    fn any_truncation_fails(
        mode in any_mode(),
        payload in prop::collection::vec(any::<u8>(), 0..600),
        sizes in prop::collection::vec(1usize..200, 1..3),
        trailers in any_trailers(),
        cut in any::<usize>(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let encoded = encode(mode, &payload, &sizes, &as_refs(&trailers));
        let truncated = &encoded[..cut % encoded.len()];
        let result = decode_split(mode, truncated, &cuts);
        prop_assert!(result.is_err());
    }

    #[test]
    fn any_corruption_of_a_signed_body_fails(
        trailer in any::<bool>(),
        payload in prop::collection::vec(any::<u8>(), 0..600),
        sizes in prop::collection::vec(1usize..200, 1..3),
        trailers in any_trailers(),
        at in any::<usize>(),
    ) {
        let mode = if trailer { ChunkedMode::SignedTrailer } else { ChunkedMode::Signed };
        let mut encoded = encode(mode, &payload, &sizes, &as_refs(&trailers));
        let i = at % encoded.len();
        encoded[i] ^= 1;
        prop_assert!(decode_split(mode, &encoded, &[]).is_err());
    }

    #[test]
    fn garbage_never_panics(
        mode in any_mode(),
        prefix_len in 0usize..64,
        garbage in prop::collection::vec(any::<u8>(), 0..2000),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        // Start with a valid prefix sometimes, so deeper states get garbage too.
        let valid = encode(mode, b"0123456789abcdef", &[5], &[("x-amz-a", "b")]);
        let mut input = valid[..prefix_len.min(valid.len())].to_vec();
        input.extend_from_slice(&garbage);
        let _ = decode_split(mode, &input, &cuts);
    }
}
