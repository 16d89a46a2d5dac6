use super::framing::*;

fn run(input: &[u8]) -> (String, Vec<&'static str>) {
    // Every split of the stream into reads gives the same result.
    let (whole, refused) = feed_in_steps(&mut RequestFraming::default(), input, input.len().max(1));
    for step in [1, 2, 3, 7, 64] {
        let (out, again) = feed_in_steps(&mut RequestFraming::default(), input, step);
        assert_eq!(out, whole, "split in steps of {step}");
        assert_eq!(again, refused);
    }
    (String::from_utf8_lossy(&whole).into_owned(), refused)
}

#[test]
fn plain_requests_pass_unchanged() {
    let input = "GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n\
                 PUT /b/k HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\nHEAD \
                 DELETE /b/k HTTP/1.1\r\nhost: h\r\n\r\n";
    assert_eq!(run(input.as_bytes()), (input.to_string(), vec![]));
}

#[test]
fn head_becomes_get_with_the_marker_even_when_pipelined() {
    let input = "GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n\
                 HEAD /b/k HTTP/1.1\r\nhost: h\r\n\r\n\
                 GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n";
    let want = "GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n\
                GET /b/k HTTP/1.1\r\nx-predastore-head: 1\r\nhost: h\r\n\r\n\
                GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n";
    assert_eq!(run(input.as_bytes()), (want.to_string(), vec![]));
}

#[test]
fn a_body_that_looks_like_a_head_is_not_rewritten() {
    let body = "HEAD /x HTTP/1.1\r\n\r\n";
    let input = format!(
        "PUT /b/k HTTP/1.1\r\ncontent-length: {}\r\n\r\n{body}HEAD /b/k HTTP/1.1\r\n\r\n",
        body.len()
    );
    let want = format!(
        "PUT /b/k HTTP/1.1\r\ncontent-length: {}\r\n\r\n{body}GET /b/k HTTP/1.1\r\nx-predastore-head: 1\r\n\r\n",
        body.len()
    );
    assert_eq!(run(input.as_bytes()).0, want);
}

#[test]
fn chunked_bodies_are_followed_to_their_end() {
    let input = "PUT /b/k HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n\
                 5;ext=1\r\nHEAD \r\n3\r\nabc\r\n0\r\ntrailer: x\r\n\r\n\
                 HEAD /b/k HTTP/1.1\r\n\r\n";
    let (out, refused) = run(input.as_bytes());
    assert!(refused.is_empty());
    assert!(
        out.ends_with("0\r\ntrailer: x\r\n\r\nGET /b/k HTTP/1.1\r\nx-predastore-head: 1\r\n\r\n"),
        "{out}"
    );
    assert!(out.contains("5;ext=1\r\nHEAD \r\n"), "{out}");
}

#[test]
fn too_large_header_sections_are_replaced_and_the_rest_dropped() {
    let many: String = (0..500).map(|i| format!("x-h{i}: v\r\n")).collect();
    let input = format!("GET /b/k HTTP/1.1\r\n{many}\r\nGET /next HTTP/1.1\r\n\r\n");
    let (out, refused) = run(input.as_bytes());
    assert_eq!(refused, vec![HEADER_SECTION_TOO_LARGE]);
    assert_eq!(
        out,
        "GET / HTTP/1.1\r\nhost: predastore\r\nx-predastore-refused: header_section_too_large\r\nconnection: close\r\n\r\n"
    );

    let big = format!("GET /b/k HTTP/1.1\r\nx-big: {}\r\n\r\n", "v".repeat(9000));
    assert_eq!(run(big.as_bytes()).1, vec![HEADER_SECTION_TOO_LARGE]);
    // 97 headers is over the HTTP layer's limit even when small.
    let ninety_seven: String = (0..97).map(|i| format!("a{i}: b\r\n")).collect();
    let input = format!("GET / HTTP/1.1\r\n{ninety_seven}\r\n");
    assert_eq!(run(input.as_bytes()).1, vec![HEADER_SECTION_TOO_LARGE]);
    // A head that never ends.
    let endless = format!("GET / HTTP/1.1\r\nx: {}", "v".repeat(100_000));
    assert_eq!(run(endless.as_bytes()).1, vec![HEADER_SECTION_TOO_LARGE]);
    // Just under the limits passes.
    let ok = format!("GET / HTTP/1.1\r\nx-big: {}\r\n\r\n", "v".repeat(8000));
    assert_eq!(run(ok.as_bytes()), (ok.clone(), vec![]));
}

#[test]
fn a_broken_chunked_body_is_cut_where_it_breaks() {
    let head = "PUT / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n";
    for rest in [
        "zz\r\nHEAD / HTTP/1.1\r\n\r\n",
        "2\r\nabcGET / HTTP/1.1\r\n\r\n",
    ] {
        let (out, refused) = run(format!("{head}{rest}").as_bytes());
        assert!(refused.is_empty());
        assert!(!out.contains("HTTP/1.1\r\n\r\n"), "{out}");
        assert!(out.starts_with(head), "{out}");
    }
}

#[test]
fn the_markers_cannot_be_sent_by_a_client() {
    let input = "GET / HTTP/1.1\r\nX-Predastore-Head: 1\r\n\r\n";
    assert_eq!(run(input.as_bytes()).1, vec![RESERVED_HEADER]);
}

#[test]
fn what_the_http_layer_refuses_passes_through() {
    for input in [
        "GARBAGE\r\n\r\nHEAD / HTTP/1.1\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\nHEAD / HTTP/1.1\r\n\r\n",
        "PUT / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nHEAD / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nupgrade: websocket\r\n\r\nHEAD / HTTP/1.1\r\n\r\n",
        "HEAD / HTTP/1.1\nhost: h\n\nHEAD / HTTP/1.1\r\n\r\n",
    ] {
        assert_eq!(
            run(input.as_bytes()),
            (input.to_string(), vec![]),
            "{input}"
        );
    }
}

#[test]
fn a_length_and_a_transfer_encoding_together_are_refused() {
    for headers in [
        "content-length: 3\r\ntransfer-encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
        "transfer-encoding: gzip\r\ncontent-length: 3\r\n",
        "content-length: abc\r\ntransfer-encoding: chunked\r\n",
        "transfer-encoding: chunked\r\ncontent-length: 1\r\ncontent-length: 2\r\n",
    ] {
        let input = format!(
            "PUT /b/k HTTP/1.1\r\nhost: h\r\n{headers}\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n"
        );
        let (out, refused) = run(input.as_bytes());
        assert_eq!(refused, vec![LENGTH_AND_TRANSFER_ENCODING], "{headers}");
        assert_eq!(
            out,
            "GET / HTTP/1.1\r\nhost: predastore\r\nx-predastore-refused: length_and_transfer_encoding\r\nconnection: close\r\n\r\n",
            "{headers}"
        );
    }
}

#[test]
fn a_target_longer_than_the_http_layer_takes_is_refused() {
    let key = "k".repeat(MAX_TARGET_BYTES);
    for (target, want) in [
        (format!("/b/{key}"), KEY_TOO_LONG),
        (format!("/{key}?list-type=2"), KEY_TOO_LONG),
        (format!("/b?prefix={key}"), URI_TOO_LONG),
    ] {
        let input = format!("GET {target} HTTP/1.1\r\nhost: h\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
        let (out, refused) = run(input.as_bytes());
        assert_eq!(refused, vec![want], "{}", &target[..20]);
        assert!(
            out.starts_with("GET / HTTP/1.1\r\n") && !out.contains("/next"),
            "{}",
            &out[..60]
        );
        // Refused before the line ends, too.
        let unfinished = &input[..MAX_TARGET_BYTES + 6];
        assert_eq!(run(unfinished.as_bytes()).1, vec![want]);
    }
    // The longest target the HTTP layer takes passes.
    let target = format!("/b/{}", "k".repeat(MAX_TARGET_BYTES - 3));
    let input = format!("GET {target} HTTP/1.1\r\nhost: h\r\n\r\n");
    assert_eq!(run(input.as_bytes()).1, Vec::<&str>::new());
}

/// The head timer of these tests; the listener's is 10 s (the integration
/// test `bounded_floods_leave_the_store_serving_and_healthy` runs it).
const HEAD_TIMEOUT_HERE: std::time::Duration = std::time::Duration::from_millis(150);

/// A connection whose client end is returned with what the listener's
/// reader side hands the HTTP layer.
fn framed_connection() -> (
    tokio::io::DuplexStream,
    super::FramedStream<tokio::io::DuplexStream>,
) {
    framed_connection_timing_out_after(HEAD_TIMEOUT_HERE)
}

fn framed_connection_timing_out_after(
    head_timeout: std::time::Duration,
) -> (
    tokio::io::DuplexStream,
    super::FramedStream<tokio::io::DuplexStream>,
) {
    let (client, server) = tokio::io::duplex(64 << 10);
    (client, super::FramedStream::new(server, head_timeout))
}

/// Reads what the HTTP layer would get until the input ends.
async fn read_to_end(framed: &mut super::FramedStream<tokio::io::DuplexStream>) -> String {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    framed.read_to_end(&mut got).await.expect("framed read");
    String::from_utf8_lossy(&got).into_owned()
}

const TIMED_OUT_STAND_IN: &str = "GET / HTTP/1.1\r\nhost: predastore\r\nx-predastore-refused: head_timeout\r\nconnection: close\r\n\r\n";

#[tokio::test]
async fn a_connection_that_sends_nothing_ends_without_a_request() {
    let (_client, mut framed) = framed_connection();
    assert_eq!(read_to_end(&mut framed).await, "");
}

#[tokio::test]
async fn an_unfinished_first_head_is_refused_as_timed_out() {
    use tokio::io::AsyncWriteExt;
    let (mut client, mut framed) = framed_connection();
    client
        .write_all(b"PUT /b/k HTTP/1.1\r\nhost: h\r\ncontent-le")
        .await
        .unwrap();
    assert_eq!(read_to_end(&mut framed).await, TIMED_OUT_STAND_IN);
}

#[tokio::test]
async fn a_slow_head_after_a_first_request_is_refused_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client, mut framed) = framed_connection();
    let first = "PUT /b/k HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\nHEAD ";
    client.write_all(first.as_bytes()).await.unwrap();
    let mut got = vec![0; first.len()];
    framed.read_exact(&mut got).await.unwrap();
    assert_eq!(got, first.as_bytes());
    // Idle between requests, past the head timeout: left to the HTTP
    // layer's keep-alive timer.
    tokio::time::sleep(HEAD_TIMEOUT_HERE * 2).await;
    client.write_all(b"GET /b/k HTTP/1.1\r\nho").await.unwrap();
    assert_eq!(read_to_end(&mut framed).await, TIMED_OUT_STAND_IN);
}

#[tokio::test]
async fn a_head_finished_in_time_passes_and_the_idle_connection_stays() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Long enough that the head's second write comes in time on a busy
    // machine.
    let head_timeout = std::time::Duration::from_secs(1);
    let (mut client, mut framed) = framed_connection_timing_out_after(head_timeout);
    let head = "GET /b/k HTTP/1.1\r\nhost: h\r\n\r\n";
    client.write_all(&head.as_bytes()[..10]).await.unwrap();
    let reader = tokio::spawn(async move {
        let mut got = vec![0; head.len()];
        framed.read_exact(&mut got).await.map(|_| (got, framed))
    });
    client.write_all(&head.as_bytes()[10..]).await.unwrap();
    let (got, mut framed) = reader.await.unwrap().unwrap();
    assert_eq!(got, head.as_bytes());
    // Nothing more: no stand-in and no end of input from the head timer.
    let mut more = [0u8; 1];
    let waited = tokio::time::timeout(head_timeout * 2, framed.read(&mut more)).await;
    assert!(waited.is_err(), "the idle connection was ended: {waited:?}");
}
