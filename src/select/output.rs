//! Writing result records: CSV (quoted as asked) or JSON objects.

use super::value::Value;

/// CSV output settings (S3's `OutputSerialization/CSV`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CsvOutput {
    /// Between fields (`,`).
    pub field_delimiter: String,
    /// After each record (`\n`).
    pub record_delimiter: String,
    /// Quotes a field (`"`).
    pub quote: char,
    /// Escapes a quote within a quoted field (`"`: doubled).
    pub escape: char,
    /// Quote every field (`ALWAYS`), else only those that need it
    /// (`ASNEEDED`, the default).
    pub always_quote: bool,
}

impl Default for CsvOutput {
    fn default() -> Self {
        CsvOutput {
            field_delimiter: ",".into(),
            record_delimiter: "\n".into(),
            quote: '"',
            escape: '"',
            always_quote: false,
        }
    }
}

/// The result records' format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// CSV.
    Csv(CsvOutput),
    /// JSON objects, each followed by the delimiter (`\n`).
    Json {
        /// After each record.
        record_delimiter: String,
    },
}

impl OutputFormat {
    /// Appends one record of named values to `out`.
    pub(crate) fn write(&self, columns: &[(String, Value)], out: &mut Vec<u8>) {
        match self {
            OutputFormat::Csv(c) => {
                for (i, (_, v)) in columns.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(c.field_delimiter.as_bytes());
                    }
                    c.field(&v.text(), out);
                }
                out.extend_from_slice(c.record_delimiter.as_bytes());
            }
            OutputFormat::Json { record_delimiter } => {
                // In the columns' order (a JSON map would sort them).
                out.push(b'{');
                let mut first = true;
                for (name, v) in columns {
                    let Some(v) = v.to_json() else { continue };
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    // Strings and JSON values always serialize.
                    let _ = serde_json::to_writer(&mut *out, name);
                    out.push(b':');
                    let _ = serde_json::to_writer(&mut *out, &v);
                }
                out.push(b'}');
                out.extend_from_slice(record_delimiter.as_bytes());
            }
        }
    }
}

impl CsvOutput {
    /// Appends one field, quoted if asked or needed.
    fn field(&self, text: &str, out: &mut Vec<u8>) {
        let needs = self.always_quote
            || text.contains(self.quote)
            || text.contains(&self.field_delimiter)
            || text.contains(&self.record_delimiter)
            || text.contains(['\n', '\r']);
        if !needs {
            out.extend_from_slice(text.as_bytes());
            return;
        }
        let mut quoted = String::with_capacity(text.len() + 2);
        quoted.push(self.quote);
        for ch in text.chars() {
            if ch == self.quote {
                quoted.push(self.escape);
            }
            quoted.push(ch);
        }
        quoted.push(self.quote);
        out.extend_from_slice(quoted.as_bytes());
    }
}
