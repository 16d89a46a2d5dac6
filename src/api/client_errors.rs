//! Malformed requests are the client's mistake, not the operator's: the
//! HTTP layer (actix-http) logs each one it refuses (a bad request line, a
//! bad header, a head too large, a head that never finished) as an ERROR,
//! which would let any client fill the log at will. [`ClientErrorLayer`]
//! counts those events in `predastore_http_malformed_requests_total` by
//! reason and repeats them at debug level; [`is_http_client_error`] keeps
//! the originals out of the log.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::metrics;

/// Where actix-http's per-connection errors come from.
const DISPATCHER_TARGET: &str = "actix_http::h1::dispatcher";

/// Whether `meta` is an ERROR event of the HTTP layer's connection
/// dispatcher: a client's malformed or abandoned request, which the log
/// leaves out (see [`ClientErrorLayer`]).
pub(crate) fn is_http_client_error(meta: &Metadata<'_>) -> bool {
    meta.is_event() && *meta.level() == Level::ERROR && meta.target() == DISPATCHER_TARGET
}

/// Counts the HTTP layer's client errors by reason and logs each at debug.
pub(crate) struct ClientErrorLayer;

impl<S: Subscriber> Layer<S> for ClientErrorLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !is_http_client_error(event.metadata()) {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let reason = reason(&message.0);
        metrics::HTTP_MALFORMED_REQUESTS
            .with_label_values(&[reason])
            .inc();
        tracing::debug!(reason, "refused a malformed request: {}", message.0);
    }
}

/// Counts a request refused before it reached a handler, by `reason`
/// (one of [`reason`]'s labels, or the edge's own).
pub(crate) fn count_malformed(reason: &'static str) {
    metrics::HTTP_MALFORMED_REQUESTS
        .with_label_values(&[reason])
        .inc();
}

/// The `message` field of an event.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// The metric label for an actix-http error text (its `Display` forms).
pub(crate) fn reason(message: &str) -> &'static str {
    const REASONS: &[(&str, &str)] = &[
        ("invalid method", "bad_method"),
        ("URI error", "bad_uri"),
        ("invalid HTTP version", "bad_version"),
        ("invalid Header", "bad_header"),
        ("message head is too large", "head_too_large"),
        ("message is incomplete", "incomplete"),
        ("within the specified timeout", "head_timeout"),
        ("UTF-8 error", "bad_utf8"),
        ("dropped payload", "body_not_read"),
        ("body error", "body"),
        ("I/O error", "io"),
        ("timeout", "head_timeout"),
    ];
    REASONS
        .iter()
        .find(|(text, _)| message.contains(text))
        .map_or("other", |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_texts_map_to_reasons() {
        for (text, want) in [
            (
                "stream error: request parse error: invalid method specified",
                "bad_method",
            ),
            (
                "stream error: request parse error: invalid Header provided",
                "bad_header",
            ),
            (
                "stream error: request parse error: message head is too large",
                "head_too_large",
            ),
            (
                "stream error: request parse error: invalid HTTP version specified",
                "bad_version",
            ),
            (
                "stream error: request did not complete within the specified timeout",
                "head_timeout",
            ),
            (
                "stream error: request parse error: URI error: invalid uri character",
                "bad_uri",
            ),
            ("something new", "other"),
        ] {
            assert_eq!(reason(text), want, "{text}");
        }
    }
}
