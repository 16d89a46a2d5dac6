//! Queries run end to end over bytes cut into chunks, as an object
//! arrives, and read back from the event stream.

use aws_smithy_eventstream::frame::read_message_from;
use bytes::Bytes;
use futures::StreamExt;
use std::io::Write;

use super::events::text as header;
use super::input::{CsvInput, FileHeader, InputFormat};
use super::limits::MAX_RECORD_BYTES;
use super::output::{CsvOutput, OutputFormat};
use super::*;

const PEOPLE: &str = "name,age,city\nalice,31,Paris\nbob,25,\"Lyon, FR\"\ncarol,40,Paris\n";

fn csv(header: FileHeader) -> InputFormat {
    InputFormat::Csv(CsvInput {
        header,
        ..CsvInput::default()
    })
}

fn csv_out() -> OutputFormat {
    OutputFormat::Csv(CsvOutput::default())
}

fn json_out() -> OutputFormat {
    OutputFormat::Json {
        record_delimiter: "\n".into(),
    }
}

/// What a client reads: the records' bytes, the event types in order,
/// and the error code if the stream ended in one.
struct Answer {
    records: String,
    events: Vec<String>,
    error: Option<String>,
}

/// Runs `sql` over `data` sent in `chunk`-byte pieces.
fn run_in(
    sql: &str,
    input: InputFormat,
    output: OutputFormat,
    data: &[u8],
    chunk: usize,
    gzip: bool,
) -> Result<Answer, SelectError> {
    let spec = SelectSpec {
        expression: sql.into(),
        input,
        gzip,
        output,
        progress: true,
    };
    let select = Select::prepare(spec)?;
    let pieces: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let frames: Vec<Bytes> = futures::executor::block_on(
        select
            .run(futures::stream::iter(pieces), |k| match k {
                SelectErrorKind::CastFailed => "CastFailed",
                SelectErrorKind::CsvParsing => "CSVParsingError",
                SelectErrorKind::JsonParsing => "JSONParsingError",
                _ => "Other",
            })
            .collect(),
    );
    let mut answer = Answer {
        records: String::new(),
        events: Vec::new(),
        error: None,
    };
    for f in frames {
        let m = read_message_from(f).expect("a well-formed frame");
        if header(&m, ":message-type").as_deref() == Some("error") {
            answer.error = header(&m, ":error-code");
            continue;
        }
        let kind = header(&m, ":event-type").unwrap_or_default();
        if kind == "Records" {
            answer
                .records
                .push_str(std::str::from_utf8(m.payload()).unwrap());
        }
        answer.events.push(kind);
    }
    Ok(answer)
}

fn run(sql: &str, input: InputFormat, output: OutputFormat, data: &str) -> String {
    // Every chunking gives the same answer.
    let whole = run_in(
        sql,
        input.clone(),
        output.clone(),
        data.as_bytes(),
        1 << 20,
        false,
    )
    .unwrap();
    for chunk in [1, 3, 7] {
        let cut = run_in(
            sql,
            input.clone(),
            output.clone(),
            data.as_bytes(),
            chunk,
            false,
        )
        .unwrap();
        assert_eq!(cut.records, whole.records, "{sql} in {chunk}-byte chunks");
    }
    assert_eq!(whole.error, None, "{sql}");
    assert_eq!(whole.events.last().map(String::as_str), Some("End"));
    whole.records
}

#[test]
fn select_star_gives_the_csv_back() {
    let data = "col1,col2,col3\none,two,three\nX,Y,Z\n";
    assert_eq!(
        run(
            "select * from s3object",
            csv(FileHeader::None),
            csv_out(),
            data
        ),
        data
    );
    assert_eq!(
        run(
            "SELECT * FROM S3Object",
            csv(FileHeader::Use),
            csv_out(),
            data
        ),
        "one,two,three\nX,Y,Z\n"
    );
    // A field holding the delimiter is quoted again on the way out.
    assert_eq!(
        run(
            "select * from s3object s where s.name = 'bob'",
            csv(FileHeader::Use),
            csv_out(),
            PEOPLE
        ),
        "bob,25,\"Lyon, FR\"\n"
    );
}

#[test]
fn columns_by_name_position_and_alias_with_filters() {
    let q = |sql: &str| run(sql, csv(FileHeader::Use), csv_out(), PEOPLE);
    assert_eq!(
        q("select s.name, s.age from S3Object s where cast(s.age as int) > 30"),
        "alice,31\ncarol,40\n"
    );
    assert_eq!(
        q("select _1 from s3object where _3 = 'Paris' limit 1"),
        "alice\n"
    );
    assert_eq!(
        q("select upper(name) from s3object where name like '_o%'"),
        "BOB\n"
    );
    assert_eq!(
        q("select name from s3object where age between 26 and 40 and city in ('Paris')"),
        "alice\ncarol\n"
    );
    assert_eq!(
        q("select name || '@' || lower(city) from s3object where not (age < 30)"),
        "alice@paris\ncarol@paris\n"
    );
    assert_eq!(
        q("select case when age > 30 then 'old' else 'young' end from s3object"),
        "old\nyoung\nold\n"
    );
    assert_eq!(
        q("select substring(name, 2, 3), char_length(city) from s3object limit 1"),
        "lic,5\n"
    );
    assert_eq!(q("select s.nope from s3object s limit 1"), "\n");
}

#[test]
fn aggregates_fold_every_matching_record() {
    let q = |sql: &str| run(sql, csv(FileHeader::Use), csv_out(), PEOPLE);
    assert_eq!(q("select count(*) from s3object"), "3\n");
    assert_eq!(
        q("select count(*), sum(cast(age as int)), min(age), max(age), avg(age) from s3object where city = 'Paris'"),
        "2,71,31,40,35.5\n"
    );
    assert_eq!(q("select count(*) from s3object where age > 100"), "0\n");
}

#[test]
fn json_records_in_and_out() {
    let lines = "{\"id\":1,\"user\":{\"name\":\"ann\"},\"tags\":[\"a\",\"b\"]}\n{\"id\":2,\"user\":{\"name\":\"ben\"}}\n";
    let q = |sql: &str, out: OutputFormat| run(sql, InputFormat::Json, out, lines);
    assert_eq!(
        q(
            "select s.user.name as who, s.tags[1] from S3Object[*] s where s.id >= 1",
            json_out()
        ),
        "{\"who\":\"ann\",\"_2\":\"b\"}\n{\"who\":\"ben\"}\n"
    );
    assert_eq!(
        q(
            "select s.id from s3object s where s.tags is missing",
            csv_out()
        ),
        "2\n"
    );
    assert_eq!(
        q("select count(*) from s3object", json_out()),
        "{\"_1\":2}\n"
    );
    // A document's array, one record per element.
    let doc = "{\"items\":[{\"n\":1},{\"n\":2},{\"n\":3}]}";
    assert_eq!(
        run(
            "select i.n from S3Object[*].items[*] i where i.n > 1",
            InputFormat::Json,
            csv_out(),
            doc
        ),
        "2\n3\n"
    );
    // CSV in, JSON out: columns named by the header.
    assert_eq!(
        run(
            "select * from s3object limit 1",
            csv(FileHeader::Use),
            json_out(),
            PEOPLE
        ),
        "{\"name\":\"alice\",\"age\":\"31\",\"city\":\"Paris\"}\n"
    );
}

#[test]
fn timestamps_are_read_compared_and_computed() {
    let data = "id,at\n1,2020-01-31T10:00:00Z\n2,2021-06-15T\n3,2019-12-31T23:59:59.5-01:00\n";
    let q = |sql: &str| run(sql, csv(FileHeader::Use), csv_out(), data);
    assert_eq!(
        q("select id from s3object where to_timestamp(at) > to_timestamp('2020-06-01T')"),
        "2\n"
    );
    assert_eq!(
        q("select id, extract(year from to_timestamp(at)) from s3object where cast(at as timestamp) < '2020-01-02T'"),
        "3,2019\n"
    );
    assert_eq!(
        q("select date_add(month, 1, to_timestamp(at)) from s3object limit 1"),
        "2020-02-29T10:00:00Z\n"
    );
    assert_eq!(
        q("select date_diff(day, to_timestamp(at), to_timestamp('2020-03-01T10:00:00Z')) from s3object limit 1"),
        "30\n"
    );
    assert_eq!(
        q("select max(to_timestamp(at)) from s3object"),
        "2021-06-15T00:00:00Z\n"
    );
    assert_eq!(
        q("select count(*) from s3object where utcnow() > to_timestamp(at)"),
        "3\n"
    );
    let bad = run_in(
        "select to_timestamp(id) from s3object",
        csv(FileHeader::Use),
        csv_out(),
        data.as_bytes(),
        8,
        false,
    )
    .unwrap();
    assert_eq!(bad.error.as_deref(), Some("CastFailed"));
}

#[test]
fn nulls_follow_sql() {
    let q = |sql: &str| run(sql, csv(FileHeader::Use), csv_out(), PEOPLE);
    // `0 NOT BETWEEN 1 AND NULL` is true: 0 < 1 settles it.
    assert_eq!(
        q("select name from s3object where 0 not between 1 and null limit 1"),
        "alice\n"
    );
    assert_eq!(
        q("select count(*) from s3object where 0 between 1 and null"),
        "0\n"
    );
    assert_eq!(
        q("select substring(name, null) from s3object limit 1"),
        "\n"
    );
    assert_eq!(
        q("select coalesce(nope, name) from s3object limit 1"),
        "alice\n"
    );
}

#[test]
fn a_compressed_object_is_answered_in_bounded_frames() {
    // 16 MiB of rows in well under a megabyte of gzip.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let row = "x,y,z\n".repeat(1 << 14);
    for _ in 0..(16 << 20) / row.len() {
        gz.write_all(row.as_bytes()).unwrap();
    }
    let data = gz.finish().unwrap();
    assert!(data.len() < 1 << 20, "{}", data.len());
    let spec = SelectSpec {
        expression: "select * from s3object".into(),
        input: csv(FileHeader::None),
        gzip: true,
        output: csv_out(),
        progress: false,
    };
    let select = Select::prepare(spec).unwrap();
    let pieces = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(data))]);
    let mut frames = Box::pin(select.run(pieces, |_| "Other"));
    let (mut largest, mut total) = (0, 0);
    while let Some(f) = futures::executor::block_on(frames.next()) {
        largest = largest.max(f.len());
        total += f.len();
    }
    assert!(total > 15 << 20, "{total}");
    assert!(largest < 4 << 20, "a frame of {largest} bytes");
}

#[test]
fn a_record_of_empty_fields_is_bounded_too() {
    let commas = ",".repeat(MAX_RECORD_BYTES + 10);
    let a = run_in(
        "select * from s3object",
        csv(FileHeader::None),
        csv_out(),
        commas.as_bytes(),
        1 << 16,
        false,
    )
    .unwrap();
    assert_eq!(a.error.as_deref(), Some("Other"));
}

#[test]
fn gzip_input_is_read_through() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(PEOPLE.as_bytes()).unwrap();
    let data = gz.finish().unwrap();
    let a = run_in(
        "select name from s3object where city = 'Paris'",
        csv(FileHeader::Use),
        csv_out(),
        &data,
        5,
        true,
    )
    .unwrap();
    assert_eq!(a.records, "alice\ncarol\n");
    let bad = run_in(
        "select * from s3object",
        csv(FileHeader::Use),
        csv_out(),
        PEOPLE.as_bytes(),
        5,
        true,
    )
    .unwrap();
    assert_eq!(bad.error.as_deref(), Some("Other"));
}

#[test]
fn the_stream_has_records_progress_stats_and_end() {
    let a = run_in(
        "select * from s3object",
        csv(FileHeader::None),
        csv_out(),
        PEOPLE.as_bytes(),
        1 << 20,
        false,
    )
    .unwrap();
    assert_eq!(a.events, ["Records", "Progress", "Stats", "End"]);
}

#[test]
fn bad_sql_is_refused_before_any_byte() {
    let refused = |sql: &str| {
        run_in(sql, csv(FileHeader::Use), csv_out(), b"", 1, false)
            .err()
            .map(|e| e.kind)
    };
    assert_eq!(
        refused("selec * from s3object"),
        Some(SelectErrorKind::ParseUnexpectedToken)
    );
    assert_eq!(
        refused("select * from s3object where"),
        Some(SelectErrorKind::ParseUnexpectedToken)
    );
    assert_eq!(
        refused("select * from s3object order by a"),
        Some(SelectErrorKind::UnsupportedSyntax)
    );
    assert_eq!(
        refused("select * from othertable"),
        Some(SelectErrorKind::UnsupportedSyntax)
    );
    assert_eq!(
        refused("select frobnicate(a) from s3object"),
        Some(SelectErrorKind::UnsupportedFunction)
    );
    assert_eq!(
        refused("select lower(a, b) from s3object"),
        Some(SelectErrorKind::InvalidArguments)
    );
    assert_eq!(
        refused("select * from s3object where count(*) > 1"),
        Some(SelectErrorKind::UnsupportedSyntax)
    );
    assert_eq!(
        refused("select * from s3object[*].a"),
        Some(SelectErrorKind::UnsupportedSyntax)
    );
    assert_eq!(
        refused(&format!(
            "select '{}' from s3object",
            "x".repeat(MAX_EXPRESSION_BYTES)
        )),
        Some(SelectErrorKind::ExpressionTooLong)
    );
}

#[test]
fn a_bad_record_ends_the_stream_with_an_error_event() {
    let a = run_in(
        "select cast(_2 as int) from s3object",
        csv(FileHeader::None),
        csv_out(),
        PEOPLE.as_bytes(),
        4,
        false,
    )
    .unwrap();
    assert_eq!(a.error.as_deref(), Some("CastFailed"));
    assert!(!a.events.contains(&"End".to_string()));
    let a = run_in(
        "select * from s3object",
        InputFormat::Json,
        json_out(),
        b"{\"a\":1}\n{\"a\":",
        3,
        false,
    )
    .unwrap();
    assert_eq!(a.records, "{\"a\":1}\n");
    assert_eq!(a.error.as_deref(), Some("JSONParsingError"));
    let long = format!("a,{}\n", "x".repeat(MAX_RECORD_BYTES + 10));
    let a = run_in(
        "select * from s3object",
        csv(FileHeader::None),
        csv_out(),
        long.as_bytes(),
        1 << 16,
        false,
    )
    .unwrap();
    assert_eq!(a.error.as_deref(), Some("Other"));
}
