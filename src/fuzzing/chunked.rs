//! The aws-chunked body target.

#[allow(clippy::wildcard_imports)]
use super::prelude::*;

// ----- aws-chunked -----

/// An aws-chunked body. The first byte is a control byte: its low bits
/// pick the variant (signed, signed with trailers, unsigned with trailers)
/// and bits 2..7 the size of the pieces the body arrives in; with bit 7
/// clear the rest of the input is the body, which must decode the same
/// whole or in pieces, keep at most one line buffered, and never panic.
///
/// With bit 7 set the rest is `[chunk size, piece size, flip position,
/// flip xor, payload...]`: the payload is encoded validly (signatures and
/// all), optionally has one byte damaged, and is decoded in pieces. An
/// undamaged body must decode to the payload; a damaged signed body must
/// fail or still decode to exactly what was signed.
pub fn aws_chunked(data: &[u8]) {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let payload = match control % 3 {
        0 => PayloadMode::StreamingSigned,
        1 => PayloadMode::StreamingSignedTrailer,
        _ => PayloadMode::StreamingUnsignedTrailer,
    };
    let step = usize::from((control >> 2) & 0x1f) + 1;
    if control & 0x80 == 0 {
        let whole = decode_chunked(&payload, rest, rest.len().max(1));
        let pieces = decode_chunked(&payload, rest, step);
        match (&whole, &pieces) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "split decoding differs"),
            (Err(_), Err(_)) => {}
            _ => panic!("whole: {whole:?}, in pieces of {step}: {pieces:?}"),
        }
        return;
    }
    let [size, piece, at, xor, payload_bytes @ ..] = rest else {
        return;
    };
    let trailers = [("x-amz-checksum-crc32c", "sOO8/Q==")];
    let encoded = encode_chunked(
        &payload,
        payload_bytes,
        usize::from(*size).max(1),
        &trailers,
    );
    let mut damaged = encoded.clone();
    if *xor != 0 && !damaged.is_empty() {
        let i = usize::from(*at) * 7 % damaged.len();
        damaged[i] ^= xor;
    }
    let got = decode_chunked(&payload, &damaged, usize::from(*piece).max(1));
    let expected = (
        payload_bytes.to_vec(),
        if payload != PayloadMode::StreamingSigned {
            vec![(trailers[0].0.to_owned(), trailers[0].1.to_owned())]
        } else {
            vec![]
        },
    );
    if damaged == encoded {
        assert_eq!(got.as_ref().ok(), Some(&expected), "{got:?}");
    } else if payload != PayloadMode::StreamingUnsignedTrailer {
        if let Ok(got) = got {
            assert_eq!(
                got, expected,
                "a damaged signed body decoded to other content"
            );
        }
    }
}

/// The authentication the chunked targets decode under.
pub(super) fn chunked_auth(payload: &PayloadMode) -> AuthContext {
    AuthContext {
        access_key: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        region: REGION.to_owned(),
        service: "s3".to_owned(),
        signing_key: SigningKey::derive(SECRET, "20130524", REGION, "s3"),
        seed_signature: SEED_SIGNATURE.to_owned(),
        amz_date: NOW_AMZ.to_owned(),
        scope: SCOPE.to_owned(),
        payload: payload.clone(),
        kind: AuthKind::Header,
        signed_headers: vec!["host".to_owned()],
    }
}

/// Decoded payload and trailers of `body`, fed in pieces of `step` bytes.
type Decoded = (Vec<u8>, Vec<(String, String)>);

pub(super) fn decode_chunked(
    payload: &PayloadMode,
    body: &[u8],
    step: usize,
) -> Result<Decoded, String> {
    let mut decoder = match ChunkedDecoder::for_auth(&chunked_auth(payload)) {
        Ok(Some(d)) => d,
        other => panic!("no decoder for {payload:?}: {other:?}"),
    };
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in body.chunks(step) {
        buf.extend_from_slice(piece);
        for p in decoder.push(&mut buf).map_err(|e| e.to_string())? {
            out.extend_from_slice(&p);
        }
        assert!(buf.len() <= MAX_LINE_LEN + 1, "kept {} bytes", buf.len());
    }
    let trailers = decoder.finish().map_err(|e| e.to_string())?;
    assert_eq!(trailers.decoded_len, out.len() as u64);
    Ok((out, trailers.headers))
}

/// Encodes `data` as aws-chunked in chunks of `size` bytes, signing as
/// [`chunked_auth`] when the variant is signed.
pub(super) fn encode_chunked(
    payload: &PayloadMode,
    data: &[u8],
    size: usize,
    trailers: &[(&str, &str)],
) -> Vec<u8> {
    let signed = *payload != PayloadMode::StreamingUnsignedTrailer;
    let with_trailers = *payload != PayloadMode::StreamingSigned;
    let key = SigningKey::derive(SECRET, "20130524", REGION, "s3");
    let mut previous = SEED_SIGNATURE.to_owned();
    let mut out = Vec::new();
    let mut chunks: Vec<&[u8]> = data.chunks(size).collect();
    chunks.push(&[]);
    for chunk in chunks {
        out.extend_from_slice(format!("{:x}", chunk.len()).as_bytes());
        if signed {
            let sts = format!(
                "AWS4-HMAC-SHA256-PAYLOAD\n{NOW_AMZ}\n{SCOPE}\n{previous}\n{EMPTY_SHA256}\n{}",
                hex::encode(Sha256::digest(chunk))
            );
            previous = key.sign_hex(sts.as_bytes());
            out.extend_from_slice(format!(";chunk-signature={previous}").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !chunk.is_empty() || !with_trailers {
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
    }
    if with_trailers {
        let mut canonical = Vec::new();
        for (name, value) in trailers {
            out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
            let value = value.trim_matches([' ', '\t']);
            canonical.extend_from_slice(format!("{name}:{value}\n").as_bytes());
        }
        if signed {
            let sts = format!(
                "AWS4-HMAC-SHA256-TRAILER\n{NOW_AMZ}\n{SCOPE}\n{previous}\n{}",
                hex::encode(Sha256::digest(&canonical))
            );
            let sig = key.sign_hex(sts.as_bytes());
            out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub(super) fn chunked_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (mode, payload) in [
        (0u8, PayloadMode::StreamingSigned),
        (1, PayloadMode::StreamingSignedTrailer),
        (2, PayloadMode::StreamingUnsignedTrailer),
    ] {
        let body = encode_chunked(&payload, b"hello, chunked world", 8, &[("x-amz-a", " b ")]);
        seeds.push([&[mode | (3 << 2)][..], &body].concat());
        seeds.push([&[0x80 | mode, 5, 7, 0, 0][..], b"payload of the round trip"].concat());
    }
    seeds
}
