//! S3 Select through the AWS SDK's own SelectObjectContent (its event
//! stream decoder reads the answer): CSV with a header, filtered and
//! projected, across many result frames; aggregates; gzip JSON lines out
//! as JSON; errors before the first byte as S3 errors, and a bad record
//! met later as the stream's error event.

use std::io::Write;

use aws_sdk_s3::types::{
    CompressionType, CsvInput, CsvOutput, ExpressionType, FileHeaderInfo, InputSerialization,
    JsonInput, JsonOutput, JsonType, OutputSerialization, RequestProgress,
    SelectObjectContentEventStream,
};
use aws_sdk_s3::Client;

use super::create_bucket;
use crate::common::s3::*;
use crate::common::sdk::error_code;

/// What a select gave: the records' text, and the stats' bytes returned.
struct Selected {
    records: String,
    returned: Option<i64>,
}

async fn select(
    s3: &Client,
    key: &str,
    sql: &str,
    input: InputSerialization,
    output: OutputSerialization,
) -> Result<Selected, String> {
    let mut answer = s3
        .select_object_content()
        .bucket("sel")
        .key(key)
        .expression(sql)
        .expression_type(ExpressionType::Sql)
        .input_serialization(input)
        .output_serialization(output)
        .request_progress(RequestProgress::builder().enabled(true).build())
        .send()
        .await
        .map_err(|e| error_code(&e).unwrap_or_else(|| format!("{e:?}")))?;
    let mut selected = Selected {
        records: String::new(),
        returned: None,
    };
    let mut ended = false;
    loop {
        match answer.payload.recv().await {
            Ok(Some(SelectObjectContentEventStream::Records(r))) => {
                let bytes = r.payload().map(|b| b.as_ref().to_vec()).unwrap_or_default();
                selected
                    .records
                    .push_str(&String::from_utf8(bytes).unwrap());
            }
            Ok(Some(SelectObjectContentEventStream::Stats(s))) => {
                selected.returned = s.details().and_then(|d| d.bytes_returned());
            }
            Ok(Some(SelectObjectContentEventStream::End(_))) => ended = true,
            Ok(Some(_)) => {}
            Ok(None) => break,
            // AWS's error message (`:message-type: error`, as its S3
            // Select documentation gives it): the Rust SDK hands it over
            // raw; boto3 and minio-py raise it with its code.
            Err(aws_sdk_s3::error::SdkError::ResponseError(e)) => {
                let code = match e.raw() {
                    aws_smithy_types::event_stream::RawMessage::Decoded(m) => m
                        .headers()
                        .iter()
                        .find(|h| h.name().as_str() == ":error-code")
                        .and_then(|h| h.value().as_string().ok())
                        .map(|s| s.as_str().to_string()),
                    _ => None,
                };
                return Err(code.unwrap_or_else(|| "no code".into()));
            }
            Err(e) => return Err(format!("{e:?}")),
        }
    }
    assert!(ended, "the answer had no End event");
    Ok(selected)
}

fn csv_in(header: FileHeaderInfo) -> InputSerialization {
    InputSerialization::builder()
        .csv(CsvInput::builder().file_header_info(header).build())
        .build()
}

fn csv_out() -> OutputSerialization {
    OutputSerialization::builder()
        .csv(CsvOutput::builder().build())
        .build()
}

async fn put(s3: &Client, key: &str, body: Vec<u8>) {
    s3.put_object()
        .bucket("sel")
        .key(key)
        .body(body.into())
        .send()
        .await
        .expect("PutObject");
}

#[tokio::test]
async fn a_csv_object_is_filtered_projected_and_counted() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sel").await;
    // About 1 MiB: the answer spans many Records events.
    let mut csv = String::from("id,name,score,note\n");
    let mut expected = String::new();
    let mut high = 0;
    for i in 0..20_000 {
        let score = (i * 37) % 100;
        let note = if i % 3 == 0 { "plain" } else { "with, comma" };
        csv.push_str(&format!("{i},user{i},{score},\"{note}\"\n"));
        if score >= 90 {
            high += 1;
            expected.push_str(&format!("user{i},{score}\n"));
        }
    }
    put(&s3, "scores.csv", csv.clone().into_bytes()).await;

    let got = select(
        &s3,
        "scores.csv",
        "SELECT s.name, s.score FROM S3Object s WHERE CAST(s.score AS INT) >= 90",
        csv_in(FileHeaderInfo::Use),
        csv_out(),
    )
    .await
    .unwrap();
    assert_eq!(got.records, expected);
    assert_eq!(got.returned, Some(expected.len() as i64));

    let all = select(
        &s3,
        "scores.csv",
        "select * from s3object",
        csv_in(FileHeaderInfo::None),
        csv_out(),
    )
    .await
    .unwrap();
    // Quoted only where needed: the comma notes keep their quotes.
    assert_eq!(all.records, csv.replace("\"plain\"", "plain"));

    let counted = select(
        &s3,
        "scores.csv",
        "select count(*), max(cast(score as int)) from s3object where score >= 90",
        csv_in(FileHeaderInfo::Use),
        csv_out(),
    )
    .await
    .unwrap();
    assert_eq!(counted.records, format!("{high},99\n"));
}

#[tokio::test]
async fn gzip_json_lines_come_out_as_json() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sel").await;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..1000 {
        writeln!(
            gz,
            "{{\"id\":{i},\"user\":{{\"name\":\"u{i}\"}},\"ok\":{}}}",
            i % 2 == 0
        )
        .unwrap();
    }
    put(&s3, "events.json.gz", gz.finish().unwrap()).await;
    let input = InputSerialization::builder()
        .compression_type(CompressionType::Gzip)
        .json(JsonInput::builder().r#type(JsonType::Lines).build())
        .build();
    let output = OutputSerialization::builder()
        .json(JsonOutput::builder().build())
        .build();
    let got = select(
        &s3,
        "events.json.gz",
        "select e.id, e.user.name as who from S3Object[*] e where e.ok = true and e.id < 6",
        input,
        output,
    )
    .await
    .unwrap();
    assert_eq!(
        got.records,
        "{\"id\":0,\"who\":\"u0\"}\n{\"id\":2,\"who\":\"u2\"}\n{\"id\":4,\"who\":\"u4\"}\n"
    );
}

#[tokio::test]
async fn errors_come_before_the_answer_or_end_it() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sel").await;
    put(&s3, "t.csv", b"a,b\n1,2\nx,3\n".to_vec()).await;
    let q = |key: &'static str, sql: &'static str| {
        let s3 = s3.clone();
        async move { select(&s3, key, sql, csv_in(FileHeaderInfo::Use), csv_out()).await }
    };
    assert_eq!(
        q("t.csv", "select a from").await.err().as_deref(),
        Some("ParseUnexpectedToken")
    );
    assert_eq!(
        q("t.csv", "select nosuch(a) from s3object")
            .await
            .err()
            .as_deref(),
        Some("UnsupportedFunction")
    );
    assert_eq!(
        q("missing.csv", "select * from s3object")
            .await
            .err()
            .as_deref(),
        Some("NoSuchKey")
    );
    // The first record casts; the second does not: the stream ends in
    // the error event.
    assert_eq!(
        q("t.csv", "select cast(a as int) from s3object")
            .await
            .err()
            .as_deref(),
        Some("CastFailed")
    );
}
