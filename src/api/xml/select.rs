//! The `SelectObjectContentRequest` document: the SQL expression and how
//! the object and the results are serialized.

use serde::Deserialize;

use super::parse_error::XmlParseError;
use super::requests::schema;
use crate::select::input::{CsvInput, FileHeader, InputFormat};
use crate::select::output::{CsvOutput, OutputFormat};
use crate::select::SelectSpec;

/// Why a SelectObjectContent request cannot be taken.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SelectRequestError {
    /// The document is not the request's (`MalformedXML`).
    Xml(XmlParseError),
    /// `ExpressionType` is not `SQL`.
    ExpressionType(String),
    /// A setting S3 has and this store does not (Parquet, BZIP2,
    /// ScanRange).
    NotImplemented(&'static str),
    /// A setting with a value S3 does not take (its name).
    InvalidValue(&'static str, String),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    expression: String,
    expression_type: String,
    #[serde(default)]
    request_progress: Option<Progress>,
    input_serialization: Input,
    output_serialization: Output,
    #[serde(default)]
    scan_range: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Progress {
    enabled: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Input {
    compression_type: Option<String>,
    #[serde(rename = "CSV")]
    csv: Option<CsvIn>,
    #[serde(rename = "JSON")]
    json: Option<JsonIn>,
    parquet: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CsvIn {
    file_header_info: Option<String>,
    comments: Option<String>,
    quote_escape_character: Option<String>,
    record_delimiter: Option<String>,
    field_delimiter: Option<String>,
    quote_character: Option<String>,
    allow_quoted_record_delimiter: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct JsonIn {
    #[serde(rename = "Type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Output {
    #[serde(rename = "CSV")]
    csv: Option<CsvOut>,
    #[serde(rename = "JSON")]
    json: Option<JsonOut>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CsvOut {
    quote_fields: Option<String>,
    quote_escape_character: Option<String>,
    record_delimiter: Option<String>,
    field_delimiter: Option<String>,
    quote_character: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct JsonOut {
    record_delimiter: Option<String>,
}

/// Reads a SelectObjectContent body.
pub(crate) fn parse_select_request(body: &[u8]) -> Result<SelectSpec, SelectRequestError> {
    let text =
        std::str::from_utf8(body).map_err(|_| SelectRequestError::Xml(XmlParseError::NotUtf8))?;
    let r: Request =
        quick_xml::de::from_str(text).map_err(|e| SelectRequestError::Xml(schema(e)))?;
    if !r.expression_type.trim().eq_ignore_ascii_case("SQL") {
        return Err(SelectRequestError::ExpressionType(r.expression_type));
    }
    if r.scan_range.is_some() {
        return Err(SelectRequestError::NotImplemented("ScanRange"));
    }
    let gzip = match r
        .input_serialization
        .compression_type
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase())
        .as_deref()
    {
        None | Some("" | "NONE") => false,
        Some("GZIP") => true,
        Some("BZIP2") => return Err(SelectRequestError::NotImplemented("BZIP2 compression")),
        Some(other) => {
            return Err(SelectRequestError::InvalidValue(
                "CompressionType",
                other.to_string(),
            ))
        }
    };
    let i = r.input_serialization;
    let input = match (i.csv, i.json, i.parquet) {
        (Some(c), None, None) => InputFormat::Csv(csv_input(c)?),
        (None, Some(j), None) => {
            match j
                .kind
                .as_deref()
                .map(str::trim)
                .map(str::to_ascii_uppercase)
                .as_deref()
            {
                None | Some("DOCUMENT" | "LINES") => InputFormat::Json,
                Some(other) => {
                    return Err(SelectRequestError::InvalidValue("Type", other.to_string()))
                }
            }
        }
        (None, None, Some(_)) => return Err(SelectRequestError::NotImplemented("Parquet input")),
        _ => return Err(SelectRequestError::Xml(XmlParseError::Missing("CSV"))),
    };
    let o = r.output_serialization;
    let output = match (o.csv, o.json) {
        (Some(c), None) => OutputFormat::Csv(csv_output(c)?),
        (None, Some(j)) => OutputFormat::Json {
            record_delimiter: j.record_delimiter.unwrap_or_else(|| "\n".into()),
        },
        _ => return Err(SelectRequestError::Xml(XmlParseError::Missing("CSV"))),
    };
    Ok(SelectSpec {
        expression: r.expression,
        input,
        gzip,
        output,
        progress: r
            .request_progress
            .and_then(|p| p.enabled)
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("true")),
    })
}

/// One byte of setting `name` (`None` if not given or empty).
fn byte(name: &'static str, v: Option<String>) -> Result<Option<u8>, SelectRequestError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) if s.len() == 1 && s.is_ascii() => Ok(s.bytes().next()),
        Some(s) => Err(SelectRequestError::InvalidValue(name, s.to_string())),
    }
}

fn csv_input(c: CsvIn) -> Result<CsvInput, SelectRequestError> {
    let d = CsvInput::default();
    let header = match c
        .file_header_info
        .as_deref()
        .map(|h| h.trim().to_ascii_uppercase())
        .as_deref()
    {
        None | Some("" | "NONE") => FileHeader::None,
        Some("USE") => FileHeader::Use,
        Some("IGNORE") => FileHeader::Ignore,
        Some(other) => {
            return Err(SelectRequestError::InvalidValue(
                "FileHeaderInfo",
                other.to_string(),
            ))
        }
    };
    let record_delimiter = match c.record_delimiter.as_deref() {
        None | Some("" | "\n" | "\r\n") => None,
        Some(_) => byte("RecordDelimiter", c.record_delimiter)?,
    };
    let escape = byte("QuoteEscapeCharacter", c.quote_escape_character)?;
    let quote = byte("QuoteCharacter", c.quote_character)?.unwrap_or(d.quote);
    if c.allow_quoted_record_delimiter
        .as_deref()
        .is_some_and(|v| !matches!(v.trim(), "" | "true" | "TRUE" | "false" | "FALSE"))
    {
        return Err(SelectRequestError::InvalidValue(
            "AllowQuotedRecordDelimiter",
            c.allow_quoted_record_delimiter.unwrap_or_default(),
        ));
    }
    Ok(CsvInput {
        header,
        field_delimiter: byte("FieldDelimiter", c.field_delimiter)?.unwrap_or(d.field_delimiter),
        record_delimiter,
        quote,
        // An escape that is the quote itself is the doubled quote.
        escape: escape.filter(|&e| e != quote),
        comment: byte("Comments", c.comments)?,
    })
}

fn csv_output(c: CsvOut) -> Result<CsvOutput, SelectRequestError> {
    let d = CsvOutput::default();
    let one_char = |name: &'static str, v: Option<String>, default: char| match v.as_deref() {
        None | Some("") => Ok(default),
        Some(s) if s.chars().count() == 1 => Ok(s.chars().next().unwrap_or(default)),
        Some(s) => Err(SelectRequestError::InvalidValue(name, s.to_string())),
    };
    let always_quote = match c
        .quote_fields
        .as_deref()
        .map(|q| q.trim().to_ascii_uppercase())
        .as_deref()
    {
        None | Some("" | "ASNEEDED") => false,
        Some("ALWAYS") => true,
        Some(other) => {
            return Err(SelectRequestError::InvalidValue(
                "QuoteFields",
                other.to_string(),
            ))
        }
    };
    let quote = one_char("QuoteCharacter", c.quote_character, d.quote)?;
    Ok(CsvOutput {
        field_delimiter: c
            .field_delimiter
            .filter(|f| !f.is_empty())
            .unwrap_or(d.field_delimiter),
        record_delimiter: c
            .record_delimiter
            .filter(|r| !r.is_empty())
            .unwrap_or(d.record_delimiter),
        quote,
        escape: one_char("QuoteEscapeCharacter", c.quote_escape_character, quote)?,
        always_quote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(doc: &str) -> Result<SelectSpec, SelectRequestError> {
        parse_select_request(doc.as_bytes())
    }

    const MINIO_PY: &str = "<SelectObjectContentRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <Expression>select * from s3object</Expression><ExpressionType>SQL</ExpressionType>\
        <InputSerialization><CompressionType>NONE</CompressionType><CSV><FileHeaderInfo>USE</FileHeaderInfo>\
        <QuoteEscapeCharacter>\"</QuoteEscapeCharacter></CSV></InputSerialization>\
        <OutputSerialization><CSV><QuoteFields>ASNEEDED</QuoteFields></CSV></OutputSerialization>\
        <RequestProgress><Enabled>true</Enabled></RequestProgress></SelectObjectContentRequest>";

    #[test]
    fn a_clients_request_reads_with_its_settings() {
        let spec = parse(MINIO_PY).unwrap();
        assert_eq!(spec.expression, "select * from s3object");
        assert!(spec.progress && !spec.gzip);
        let InputFormat::Csv(c) = spec.input else {
            panic!("not CSV")
        };
        assert_eq!((c.header, c.escape, c.quote), (FileHeader::Use, None, b'"'));
        assert_eq!(spec.output, OutputFormat::Csv(CsvOutput::default()));

        let json = "<SelectObjectContentRequest><Expression>select s.a from S3Object[*] s</Expression>\
            <ExpressionType>SQL</ExpressionType><InputSerialization><CompressionType>GZIP</CompressionType>\
            <JSON><Type>LINES</Type></JSON></InputSerialization><OutputSerialization><JSON>\
            <RecordDelimiter>;</RecordDelimiter></JSON></OutputSerialization></SelectObjectContentRequest>";
        let spec = parse(json).unwrap();
        assert!(spec.gzip && !spec.progress);
        assert_eq!(spec.input, InputFormat::Json);
        assert_eq!(
            spec.output,
            OutputFormat::Json {
                record_delimiter: ";".into()
            }
        );
    }

    #[test]
    fn what_cannot_be_taken_is_refused_by_name() {
        let with = |from: &str, to: &str| parse(&MINIO_PY.replace(from, to));
        assert_eq!(
            with("<ExpressionType>SQL", "<ExpressionType>XQUERY").err(),
            Some(SelectRequestError::ExpressionType("XQUERY".into()))
        );
        assert_eq!(
            with("<FileHeaderInfo>USE", "<FileHeaderInfo>MAYBE").err(),
            Some(SelectRequestError::InvalidValue(
                "FileHeaderInfo",
                "MAYBE".into()
            ))
        );
        assert_eq!(
            with("<CompressionType>NONE", "<CompressionType>BZIP2").err(),
            Some(SelectRequestError::NotImplemented("BZIP2 compression"))
        );
        assert_eq!(
            with("<QuoteFields>ASNEEDED", "<QuoteFields>SOMETIMES").err(),
            Some(SelectRequestError::InvalidValue(
                "QuoteFields",
                "SOMETIMES".into()
            ))
        );
        assert!(matches!(
            with("<Expression>", "<Nope>").err(),
            Some(SelectRequestError::Xml(_))
        ));
        assert_eq!(
            with(
                "</SelectObjectContentRequest>",
                "<ScanRange><Start>1</Start></ScanRange></SelectObjectContentRequest>"
            )
            .err(),
            Some(SelectRequestError::NotImplemented("ScanRange"))
        );
        assert!(matches!(
            parse("<SelectObjectContentRequest><Expression>x</Expression><ExpressionType>SQL</ExpressionType><InputSerialization/><OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>").err(),
            Some(SelectRequestError::Xml(XmlParseError::Missing(_)))
        ));
    }
}
