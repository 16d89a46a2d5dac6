//! S3 Select over hostile input: the expression, and the object's bytes.

use bytes::Bytes;
use futures::StreamExt;

use crate::api::xml::select::parse_select_request;
use crate::select::input::{CsvInput, FileHeader, InputFormat};
use crate::select::output::{CsvOutput, OutputFormat};
use crate::select::{Select, SelectSpec};

/// Input: a first line, the SQL expression; a second line naming the
/// input (`csv`, `csv-use`, `json`, `gzip-csv`) and the output (`,json`
/// after it: JSON out); the rest is the object, handed over in pieces of
/// 1 to 256 bytes (the first byte of the rest sets the size). Every frame
/// of the answer must read back as an event-stream message, and the last
/// must be `End` or an error.
pub fn select_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let (Some(sql), Some(kind)) = (lines.next(), lines.next()) else {
        return;
    };
    let rest = lines.next().unwrap_or_default().as_bytes();
    let (input_kind, output_kind) = kind.split_once(',').unwrap_or((kind, "csv"));
    let header = if input_kind.ends_with("use") {
        FileHeader::Use
    } else {
        FileHeader::None
    };
    let input = if input_kind == "json" {
        InputFormat::Json
    } else {
        InputFormat::Csv(CsvInput {
            header,
            ..CsvInput::default()
        })
    };
    let output = if output_kind == "json" {
        OutputFormat::Json {
            record_delimiter: "\n".into(),
        }
    } else {
        OutputFormat::Csv(CsvOutput::default())
    };
    let spec = SelectSpec {
        expression: sql.to_string(),
        input,
        gzip: input_kind.starts_with("gzip"),
        output,
        progress: true,
    };
    let Ok(select) = Select::prepare(spec) else {
        return;
    };
    let piece = usize::from(rest.first().copied().unwrap_or(1)).max(1);
    let pieces: Vec<Result<Bytes, std::io::Error>> = rest
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let frames: Vec<Bytes> = futures::executor::block_on(
        Box::pin(select.run(futures::stream::iter(pieces), |_| "Error")).collect(),
    );
    let mut last = None;
    for f in frames {
        let m = aws_smithy_eventstream::frame::read_message_from(f)
            .unwrap_or_else(|e| panic!("a frame that does not read back: {e}"));
        last = crate::select::events::text(&m, ":event-type")
            .or_else(|| crate::select::events::text(&m, ":error-code"));
    }
    let last = last.unwrap_or_default();
    assert!(
        last == "End" || last == "Error",
        "the answer ended with {last:?}"
    );
}

/// A SelectObjectContent request body: parsed or refused, never a panic.
pub fn select_request(body: &[u8]) {
    let _ = parse_select_request(body);
}
