//! Reading a form upload's `multipart/form-data` body as it streams in:
//! the fields before the `file` part are read whole (each at most
//! [`MAX_FIELD_BYTES`], together at most [`MAX_FIELDS_BYTES`]), the file
//! part is handed on as a stream, never held here, and whatever follows
//! it is left unread (AWS ignores fields after the file).
//!
//! The parser ([`multer`]) wants a `Send` stream and the request body is
//! not one (actix is single-threaded), so the body is pumped into a small
//! channel by a future that every poll of the form (its fields, then its
//! file) drives first: one task, no thread, at most a couple of pieces in
//! flight. A failure of the body itself (its length, an idle client)
//! crosses the channel as the S3 error it is.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};

use crate::api::body::CheckedBody;
use crate::api::error::{S3Error, S3ErrorCode};

/// Largest value of one field before the file.
pub(crate) const MAX_FIELD_BYTES: usize = 20 << 10;

/// Largest amount of body before the file part starts: every field,
/// with its part headers and boundaries.
pub(crate) const MAX_FIELDS_BYTES: u64 = 64 << 10;

/// A form upload's fields and its file.
pub(crate) struct Form {
    /// The fields before the file, in order, names lower-cased (form
    /// field names are case-insensitive), values as sent.
    pub fields: Vec<(String, String)>,
    /// The `file` part.
    pub file: FilePart,
}

/// The first value of field `name` (lower-case) among `fields`.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The file part of a form.
pub(crate) struct FilePart {
    /// The file name the browser sent (`filename=` of the part), which
    /// `${filename}` in the key stands for.
    pub filename: Option<String>,
    /// The file's bytes as they arrive; a failure (a truncated form, a
    /// failure of the body) is the last item.
    pub data: CheckedBody,
}

fn malformed() -> S3Error {
    S3Error::new(S3ErrorCode::MalformedPOSTRequest)
}

/// The boundary of a form upload's `Content-Type`. Anything but
/// `multipart/form-data` is refused as AWS does (412, the condition
/// named); a form type without a boundary cannot be read.
pub(crate) fn boundary(content_type: Option<&str>) -> Result<String, S3Error> {
    let not_form = || {
        S3Error::new(S3ErrorCode::PreconditionFailed)
            .with_element(
                "Condition",
                "Bucket POST must be of the enclosure-type multipart/form-data",
            )
            .with_message("At least one of the pre-conditions you specified did not hold")
    };
    match multer::parse_boundary(content_type.ok_or_else(not_form)?) {
        Ok(b) if !b.is_empty() => Ok(b),
        Ok(_) | Err(multer::Error::NoBoundary) => Err(malformed()),
        Err(_) => Err(not_form()),
    }
}

/// The future that moves the body into the parser's channel.
type PumpFuture = Pin<Box<dyn Future<Output = ()>>>;

/// Drives the pump, until it is done, whenever the form is polled.
struct Pump(Option<PumpFuture>);

impl Pump {
    fn drive(&mut self, cx: &mut Context<'_>) {
        if let Some(f) = &mut self.0 {
            if f.as_mut().poll(cx).is_ready() {
                self.0 = None;
            }
        }
    }
}

/// The S3 error behind a parser failure: the body's own (carried through
/// the channel), else a form that is not well-formed.
fn form_error(e: multer::Error) -> S3Error {
    match e {
        multer::Error::StreamReadFailed(inner) => match inner.downcast::<S3Error>() {
            Ok(e) => *e,
            Err(_) => malformed(),
        },
        _ => malformed(),
    }
}

/// Reads the fields of a form from `body` up to its `file` part (named
/// `file`, in any case), and answers them with the file part still to be
/// read. A form without a file part is `InvalidArgument`, as AWS answers.
pub(crate) async fn read_form(body: CheckedBody, boundary: &str) -> Result<Form, S3Error> {
    let (mut tx, rx) = mpsc::channel::<Result<Bytes, S3Error>>(1);
    // Whether the parser is still before the file: only then is the
    // amount of body bounded.
    let before_file = Rc::new(Cell::new(true));
    let pumping = before_file.clone();
    let pump = async move {
        let mut body = body;
        let mut fed = 0u64;
        while let Some(piece) = body.next().await {
            if pumping.get() && fed > MAX_FIELDS_BYTES {
                let _ = tx.send(Err(fields_too_large())).await;
                return;
            }
            if let Ok(p) = &piece {
                fed += p.len() as u64;
            }
            if tx.send(piece).await.is_err() {
                return;
            }
        }
    };
    let mut pump = Pump(Some(Box::pin(pump)));
    let mut multipart = multer::Multipart::new(rx, boundary.to_string());
    let mut fields = Vec::new();
    loop {
        let next = futures::future::poll_fn(|cx| {
            pump.drive(cx);
            multipart.poll_next_field(cx)
        })
        .await
        .map_err(form_error)?;
        let Some(mut part) = next else {
            return Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("POST requires exactly one file upload per request.")
                .with_element("ArgumentName", "file")
                .with_element("ArgumentValue", "0"));
        };
        let name = part.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            before_file.set(false);
            let filename = part.file_name().map(str::to_string);
            return Ok(Form {
                fields,
                file: FilePart {
                    filename,
                    data: Box::pin(FileData { pump, part }),
                },
            });
        }
        let mut value = Vec::new();
        loop {
            let chunk = futures::future::poll_fn(|cx| {
                pump.drive(cx);
                part.poll_next_unpin(cx)
            })
            .await;
            match chunk {
                None => break,
                Some(Err(e)) => return Err(form_error(e)),
                Some(Ok(c)) => {
                    if value.len() + c.len() > MAX_FIELD_BYTES {
                        return Err(fields_too_large());
                    }
                    value.extend_from_slice(&c);
                }
            }
        }
        let value = String::from_utf8(value).map_err(|_| malformed())?;
        fields.push((name, value));
    }
}

/// The fields before the file are more than the store reads (AWS's
/// `MaxPostPreDataLengthExceededError`, answered with its message).
fn fields_too_large() -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument)
        .with_message("Your POST request fields preceeding the upload file was too large.")
}

/// The file part's bytes, the pump driven on every poll.
struct FileData {
    pump: Pump,
    part: multer::Field<'static>,
}

impl Stream for FileData {
    type Item = Result<Bytes, S3Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.pump.drive(cx);
        self.part
            .poll_next_unpin(cx)
            .map(|item| item.map(|r| r.map_err(form_error)))
    }
}
