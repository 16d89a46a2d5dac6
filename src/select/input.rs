//! Reading records from the object's bytes as they arrive: CSV (through
//! `csv-core`'s push parser, so a record may span chunks) or JSON (one
//! value after another), after gzip if the object is compressed.

use std::io::Write;
use std::sync::Arc;

use super::error::{SelectError, SelectErrorKind};
use super::limits::MAX_RECORD_BYTES;
use super::sql::PathStep;
use super::value::{expand, Record};

/// How the object's first CSV line is taken (`FileHeaderInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileHeader {
    /// A record like the others (`NONE`, the default).
    None,
    /// Column names, usable in the query (`USE`).
    Use,
    /// Skipped (`IGNORE`).
    Ignore,
}

/// CSV input settings (S3's `InputSerialization/CSV`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CsvInput {
    /// How the first line is taken.
    pub header: FileHeader,
    /// Between fields (`,`).
    pub field_delimiter: u8,
    /// Between records: `None` for a line end (`\n`, `\r\n` or `\r`, the
    /// default), else this byte.
    pub record_delimiter: Option<u8>,
    /// Quotes a field (`"`).
    pub quote: u8,
    /// Escapes a quote within a quoted field; `None`: a doubled quote.
    pub escape: Option<u8>,
    /// A line starting with it is skipped.
    pub comment: Option<u8>,
}

impl Default for CsvInput {
    fn default() -> Self {
        CsvInput {
            header: FileHeader::None,
            field_delimiter: b',',
            record_delimiter: None,
            quote: b'"',
            escape: None,
            comment: None,
        }
    }
}

/// The records' format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InputFormat {
    /// CSV.
    Csv(CsvInput),
    /// JSON values, one after another (`DOCUMENT` or `LINES` read alike).
    Json,
}

/// Splits bytes into records.
pub(crate) struct RecordReader {
    format: Parser,
    gzip: Option<flate2::write::MultiGzDecoder<Vec<u8>>>,
    /// Bytes after decompression.
    pub processed: u64,
}

enum Parser {
    Csv(Box<CsvParser>),
    Json(JsonParser),
}

impl RecordReader {
    /// A reader of `format`, after gzip when `gzip`.
    pub(crate) fn new(format: &InputFormat, gzip: bool, from_path: Vec<PathStep>) -> Self {
        let format = match format {
            InputFormat::Csv(c) => Parser::Csv(Box::new(CsvParser::new(c))),
            InputFormat::Json => Parser::Json(JsonParser {
                pending: Vec::new(),
                from_path,
            }),
        };
        RecordReader {
            format,
            gzip: gzip.then(|| flate2::write::MultiGzDecoder::new(Vec::new())),
            processed: 0,
        }
    }

    /// Reads `chunk` (`None`: the end of the object), passing each
    /// complete record to `each`; stops early when `each` says so.
    pub(crate) fn push(
        &mut self,
        chunk: Option<&[u8]>,
        each: &mut dyn FnMut(Record) -> Result<bool, SelectError>,
    ) -> Result<bool, SelectError> {
        let bad_gzip = |e: std::io::Error| {
            SelectError::new(
                SelectErrorKind::InvalidCompression,
                format!("The object is not valid gzip: {e}"),
            )
        };
        let plain;
        let bytes: Option<&[u8]> = match (&mut self.gzip, chunk) {
            (None, c) => c,
            (Some(gz), Some(c)) => {
                gz.write_all(c).map_err(bad_gzip)?;
                plain = std::mem::take(gz.get_mut());
                Some(&plain)
            }
            (Some(gz), None) => {
                gz.try_finish().map_err(bad_gzip)?;
                plain = std::mem::take(gz.get_mut());
                let go = match &mut self.format {
                    Parser::Csv(p) => p.push(&plain, false, each)?,
                    Parser::Json(p) => p.push(&plain, false, each)?,
                };
                self.processed += plain.len() as u64;
                if !go {
                    return Ok(false);
                }
                None
            }
        };
        let (data, end) = match bytes {
            Some(b) => (b, false),
            None => (&[][..], true),
        };
        self.processed += data.len() as u64;
        match &mut self.format {
            Parser::Csv(p) => p.push(data, end, each),
            Parser::Json(p) => p.push(data, end, each),
        }
    }
}

struct CsvParser {
    core: csv_core::Reader,
    header: FileHeader,
    names: Option<Arc<Vec<String>>>,
    first_seen: bool,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Input bytes of the record being read (empty fields write no
    /// output, so output alone does not bound a record).
    record_in: usize,
}

/// Most fields one CSV record may have.
const MAX_FIELDS: usize = 1 << 16;

impl CsvParser {
    fn new(c: &CsvInput) -> Self {
        let core = csv_core::ReaderBuilder::new()
            .delimiter(c.field_delimiter)
            .terminator(match c.record_delimiter {
                None => csv_core::Terminator::CRLF,
                Some(b) => csv_core::Terminator::Any(b),
            })
            .quote(c.quote)
            .escape(c.escape)
            .double_quote(c.escape.is_none())
            .comment(c.comment)
            .build();
        CsvParser {
            core,
            header: c.header,
            names: None,
            first_seen: false,
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            record_in: 0,
        }
    }

    fn push(
        &mut self,
        mut input: &[u8],
        end: bool,
        each: &mut dyn FnMut(Record) -> Result<bool, SelectError>,
    ) -> Result<bool, SelectError> {
        use csv_core::ReadRecordResult as R;
        loop {
            // Empty input tells csv-core the data ended.
            if input.is_empty() && !end {
                return Ok(true);
            }
            let (result, read, wrote, ended) = self.core.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            input = input.get(read..).unwrap_or_default();
            self.out_len += wrote;
            self.ends_len += ended;
            self.record_in += read;
            if self.record_in > MAX_RECORD_BYTES {
                return Err(too_large());
            }
            match result {
                R::InputEmpty => {}
                R::OutputFull => {
                    if self.out.len() >= MAX_RECORD_BYTES {
                        return Err(too_large());
                    }
                    self.out.resize(self.out.len() * 2, 0);
                }
                R::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        return Err(SelectError::new(
                            SelectErrorKind::RecordTooLarge,
                            format!("A record has more than {MAX_FIELDS} fields"),
                        ));
                    }
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                R::Record => {
                    let record = self.take_record()?;
                    if let Some(r) = record {
                        if !each(r)? {
                            return Ok(false);
                        }
                    }
                }
                R::End => return Ok(true),
            }
        }
    }

    /// The record just read (none for the header line).
    fn take_record(&mut self) -> Result<Option<Record>, SelectError> {
        let mut fields = Vec::with_capacity(self.ends_len);
        let mut start = 0;
        for &end in &self.ends[..self.ends_len] {
            let bytes = self.out.get(start..end).unwrap_or_default();
            let text = std::str::from_utf8(bytes).map_err(|_| {
                SelectError::new(SelectErrorKind::CsvParsing, "A CSV field is not UTF-8 text")
            })?;
            fields.push(text.to_string());
            start = end;
        }
        self.out_len = 0;
        self.ends_len = 0;
        self.record_in = 0;
        if !self.first_seen {
            self.first_seen = true;
            match self.header {
                FileHeader::Use => {
                    self.names = Some(Arc::new(fields));
                    return Ok(None);
                }
                FileHeader::Ignore => return Ok(None),
                FileHeader::None => {}
            }
        }
        Ok(Some(Record::Csv {
            fields,
            header: self.names.clone(),
        }))
    }
}

fn too_large() -> SelectError {
    SelectError::new(
        SelectErrorKind::RecordTooLarge,
        format!("A record is longer than {MAX_RECORD_BYTES} bytes"),
    )
}

struct JsonParser {
    pending: Vec<u8>,
    from_path: Vec<PathStep>,
}

impl JsonParser {
    fn push(
        &mut self,
        input: &[u8],
        end: bool,
        each: &mut dyn FnMut(Record) -> Result<bool, SelectError>,
    ) -> Result<bool, SelectError> {
        self.pending.extend_from_slice(input);
        let mut values =
            serde_json::Deserializer::from_slice(&self.pending).into_iter::<serde_json::Value>();
        let mut taken = Vec::new();
        let mut go = true;
        let mut failure = None;
        let mut used = 0;
        while go {
            let Some(v) = values.next() else { break };
            match v {
                // A number at the end of what came so far may go on.
                Ok(v) if !end && v.is_number() && values.byte_offset() == self.pending.len() => {
                    break
                }
                Ok(v) => {
                    used = values.byte_offset();
                    expand(v, &self.from_path, &mut taken);
                    for r in taken.drain(..) {
                        if go {
                            go = each(Record::Json(r))?;
                        }
                    }
                }
                Err(e) if e.is_eof() && !end => break,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failure {
            return Err(SelectError::new(
                SelectErrorKind::JsonParsing,
                format!("The JSON input is not valid: {e}"),
            ));
        }
        self.pending.drain(..used);
        if self.pending.len() > MAX_RECORD_BYTES {
            return Err(too_large());
        }
        Ok(go)
    }
}
