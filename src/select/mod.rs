//! S3 Select (SelectObjectContent): an SQL expression run over one
//! object's CSV or JSON records as its bytes stream in, answered as an
//! event stream of result records, progress, stats and an end. Nothing
//! here knows HTTP; the API edge parses the request, reads the object and
//! names S3's error codes.
//!
//! Memory stays bounded by one record ([`limits::MAX_RECORD_BYTES`]) and one
//! frame of results ([`RECORDS_FRAME_BYTES`]), whatever the object's size.

mod error;
mod eval;
pub(crate) mod events;
pub(crate) mod input;
mod limits;
pub(crate) mod output;
pub(crate) mod sql;
#[cfg(test)]
mod tests;
mod timestamp;
mod value;

use bytes::Bytes;
use futures::{Stream, StreamExt};

pub(crate) use error::{SelectError, SelectErrorKind};
use eval::{eval, truth, Fold};
use events::Counts;
use input::{InputFormat, RecordReader};
use limits::MAX_EXPRESSION_BYTES;
use output::OutputFormat;
use sql::{Aggregate, Expr, PathStep, Query};
use value::{Record, Value};

/// Result bytes gathered before a `Records` event is sent.
const RECORDS_FRAME_BYTES: usize = 64 * 1024;

/// Bytes of the object read per step: a step's records are written and
/// sent before the next is read, so a step bounds the memory a query
/// holds. A compressed object is read in far smaller steps, as a
/// kilobyte of gzip may hold a megabyte of records.
const STEP_BYTES: usize = 64 << 10;

/// [`STEP_BYTES`] for a gzip-compressed object.
const GZIP_STEP_BYTES: usize = 1 << 10;

/// Bytes scanned between two `Progress` events.
const PROGRESS_EVERY: u64 = 1 << 20;

/// Longest time without a frame before a `Cont` event tells the client
/// the query is still running (a selective query over a large object
/// may find nothing for a while; clients time out on silence).
const KEEPALIVE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// What a SelectObjectContent request asks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SelectSpec {
    /// The SQL expression.
    pub expression: String,
    /// The object's format.
    pub input: InputFormat,
    /// The object is gzip-compressed.
    pub gzip: bool,
    /// The results' format.
    pub output: OutputFormat,
    /// Send `Progress` events.
    pub progress: bool,
}

/// A request whose expression parsed: ready to run over the object.
pub(crate) struct Select {
    query: Query,
    spec: SelectSpec,
}

impl Select {
    /// Parses the expression (errors here come before any byte of the
    /// answer).
    pub(crate) fn prepare(spec: SelectSpec) -> Result<Select, SelectError> {
        if spec.expression.len() > MAX_EXPRESSION_BYTES {
            return Err(SelectError::new(
                SelectErrorKind::ExpressionTooLong,
                format!("The expression is longer than {MAX_EXPRESSION_BYTES} bytes"),
            ));
        }
        let query = sql::parser::parse(&spec.expression)?;
        let csv_input = matches!(spec.input, InputFormat::Csv(_));
        if csv_input && !query.from_path.iter().all(|s| *s == PathStep::Wildcard) {
            return Err(SelectError::new(
                SelectErrorKind::UnsupportedSyntax,
                "A path after S3Object needs JSON input",
            ));
        }
        Ok(Select { query, spec })
    }

    /// The answer's frames for the object's bytes `data`; a failure on
    /// the way (a bad record, a read error) ends it with an error frame
    /// whose code `code_of` names.
    pub(crate) fn run<S, E>(
        self,
        data: S,
        code_of: fn(SelectErrorKind) -> &'static str,
    ) -> impl Stream<Item = Bytes>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let runner = Runner::new(self);
        futures::stream::unfold(Some((runner, data)), move |state| async move {
            let (mut runner, mut data) = state?;
            loop {
                let step = if runner.has_input() {
                    runner.step()
                } else {
                    match data.next().await {
                        Some(Ok(chunk)) => {
                            runner.input = chunk;
                            continue;
                        }
                        Some(Err(e)) => Err(SelectError::new(
                            SelectErrorKind::Read,
                            format!("The object could not be read: {e}"),
                        )),
                        None => runner.finish().map(|frames| (frames, true)),
                    }
                };
                match step {
                    Ok((frames, true)) => return Some((frames, None)),
                    Ok((frames, false)) if frames.is_empty() => {
                        // Other requests on this thread run between steps.
                        YieldNow(false).await;
                        continue;
                    }
                    Ok((frames, false)) => return Some((frames, Some((runner, data)))),
                    Err(e) => {
                        // What was found before the failure is sent first.
                        let mut frames = runner.pending().unwrap_or_default();
                        frames.push(events::error(code_of(e.kind), &e));
                        return Some((frames, None));
                    }
                }
            }
        })
        .flat_map(futures::stream::iter)
    }
}

/// Gives the executor back its thread once (a step of a long query
/// found nothing to send, and would otherwise go on to the next step in
/// the same poll).
struct YieldNow(bool);

impl std::future::Future for YieldNow {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Turns records into result rows and folds.
struct Sink {
    query: Query,
    output: OutputFormat,
    /// Each aggregate call by slot: its function and argument.
    aggregates: Vec<(Aggregate, Option<Expr>)>,
    folds: Vec<Fold>,
    out: Vec<u8>,
    /// Result records written.
    written: u64,
}

impl Sink {
    /// Takes one record; `false` once LIMIT is reached.
    fn record(&mut self, r: Record) -> Result<bool, SelectError> {
        if let Some(f) = &self.query.filter {
            if truth(&eval(f, &r, None)?) != Some(true) {
                return Ok(true);
            }
        }
        if self.query.is_aggregate() {
            for ((function, arg), fold) in self.aggregates.iter().zip(&mut self.folds) {
                let v = match arg {
                    Some(a) => eval(a, &r, None)?,
                    None => Value::Null,
                };
                fold.add(*function, v)?;
            }
            return Ok(true);
        }
        let columns = self.columns(&r, None)?;
        self.output.write(&columns, &mut self.out);
        self.written += 1;
        Ok(self.query.limit.is_none_or(|l| self.written < l))
    }

    /// The output columns of `r` (`SELECT *`: all of its own).
    fn columns(
        &self,
        r: &Record,
        folded: Option<&[Value]>,
    ) -> Result<Vec<(String, Value)>, SelectError> {
        if self.query.items.is_empty() {
            return Ok(r.columns());
        }
        self.query
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let name = match (&item.alias, &item.expr) {
                    (Some(a), _) => a.clone(),
                    (None, Expr::Path(p)) => match p.last() {
                        Some(PathStep::Field { name, .. }) => name.clone(),
                        _ => format!("_{}", i + 1),
                    },
                    _ => format!("_{}", i + 1),
                };
                Ok((name, eval(&item.expr, r, folded)?))
            })
            .collect()
    }

    /// The one result record of an aggregate query.
    fn fold_row(&mut self) -> Result<(), SelectError> {
        let folded: Vec<Value> = self
            .aggregates
            .iter()
            .zip(&self.folds)
            .map(|((function, _), fold)| fold.result(*function))
            .collect();
        let none = Record::Json(serde_json::Value::Null);
        let columns = self.columns(&none, Some(&folded))?;
        if self.query.limit != Some(0) {
            self.output.write(&columns, &mut self.out);
        }
        Ok(())
    }
}

/// One query's run over the object.
struct Runner {
    reader: RecordReader,
    sink: Sink,
    counts: Counts,
    progress: bool,
    progress_at: u64,
    /// LIMIT was reached: the rest of the object is not read.
    stopped: bool,
    /// When the last frame was made.
    last_frame: std::time::Instant,
    /// The object's bytes received and not read yet.
    input: Bytes,
    /// Bytes read per step.
    step_bytes: usize,
}

impl Runner {
    fn new(select: Select) -> Runner {
        let Select { query, spec } = select;
        let mut aggregates = vec![(Aggregate::CountAll, None); query.aggregates];
        for item in &query.items {
            sql::visit(&item.expr, &mut |e| {
                if let Expr::Aggregate {
                    function,
                    arg,
                    slot,
                } = e
                {
                    if let Some(a) = aggregates.get_mut(*slot) {
                        *a = (*function, arg.as_deref().cloned());
                    }
                }
            });
        }
        let reader = RecordReader::new(&spec.input, spec.gzip, query.from_path.clone());
        let stopped = query.limit == Some(0) && !query.is_aggregate();
        Runner {
            reader,
            sink: Sink {
                folds: vec![Fold::default(); aggregates.len()],
                aggregates,
                query,
                output: spec.output,
                out: Vec::new(),
                written: 0,
            },
            counts: Counts::default(),
            progress: spec.progress,
            progress_at: 0,
            stopped,
            last_frame: std::time::Instant::now(),
            input: Bytes::new(),
            step_bytes: if spec.gzip {
                GZIP_STEP_BYTES
            } else {
                STEP_BYTES
            },
        }
    }

    /// Whether bytes received wait to be read.
    fn has_input(&self) -> bool {
        !self.input.is_empty()
    }

    /// Reads one step of the input: the frames ready, and whether the
    /// answer is done.
    fn step(&mut self) -> Result<(Vec<Bytes>, bool), SelectError> {
        if self.stopped {
            self.input = Bytes::new();
            return self.finish().map(|f| (f, true));
        }
        let chunk = self.input.split_to(self.step_bytes.min(self.input.len()));
        self.counts.scanned += chunk.len() as u64;
        let sink = &mut self.sink;
        let go = self.reader.push(Some(&chunk), &mut |r| sink.record(r))?;
        self.counts.processed = self.reader.processed;
        let mut frames = Vec::new();
        if self.sink.out.len() >= RECORDS_FRAME_BYTES {
            frames.push(self.records()?);
        }
        if self.progress && self.counts.scanned - self.progress_at >= PROGRESS_EVERY {
            self.progress_at = self.counts.scanned;
            frames.push(events::progress(self.counts)?);
        }
        if !go {
            self.stopped = true;
            frames.extend(self.finish()?);
            return Ok((frames, true));
        }
        if frames.is_empty() && self.last_frame.elapsed() >= KEEPALIVE_AFTER {
            frames.push(events::cont()?);
        }
        if !frames.is_empty() {
            self.last_frame = std::time::Instant::now();
        }
        Ok((frames, false))
    }

    /// The last frames: remaining records, the aggregate row, stats, end.
    fn finish(&mut self) -> Result<Vec<Bytes>, SelectError> {
        if !self.stopped {
            let sink = &mut self.sink;
            self.reader.push(None, &mut |r| sink.record(r))?;
            self.counts.processed = self.reader.processed;
            self.stopped = true;
        }
        if self.sink.query.is_aggregate() {
            self.sink.fold_row()?;
        }
        let mut frames = self.pending()?;
        if self.progress {
            frames.push(events::progress(self.counts)?);
        }
        frames.push(events::stats(self.counts)?);
        frames.push(events::end()?);
        Ok(frames)
    }

    /// The results gathered and not sent yet, as a frame if any.
    fn pending(&mut self) -> Result<Vec<Bytes>, SelectError> {
        if self.sink.out.is_empty() {
            Ok(Vec::new())
        } else {
            Ok(vec![self.records()?])
        }
    }

    /// A Records frame of the results gathered so far.
    fn records(&mut self) -> Result<Bytes, SelectError> {
        let out = std::mem::take(&mut self.sink.out);
        self.counts.returned += out.len() as u64;
        events::records(Bytes::from(out))
    }
}
