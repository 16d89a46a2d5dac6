//! How a metric is built: each constructor panics only on a bad constant
//! name or help text (see [`built`]).

use prometheus::{
    exponential_buckets, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts,
};

/// The metric `made` built, named `name`. Every name and help text in this
/// file is a constant, so a metric that cannot be built is a bug in this
/// file, not a state to handle at run time; the unit test
/// `every_metric_renders` builds each one, so such a bug fails CI instead.
#[allow(clippy::panic)]
pub(super) fn built<M>(name: &str, made: prometheus::Result<M>) -> M {
    made.unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

pub(super) fn counter(name: &str, help: &str) -> IntCounter {
    built(name, IntCounter::with_opts(Opts::new(name, help)))
}

pub(super) fn gauge(name: &str, help: &str) -> IntGauge {
    built(name, IntGauge::with_opts(Opts::new(name, help)))
}

pub(super) fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    built(name, IntGaugeVec::new(Opts::new(name, help), labels))
}

pub(super) fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    built(name, IntCounterVec::new(Opts::new(name, help), labels))
}

pub(super) fn histogram(name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    built(
        name,
        Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets)),
    )
}

pub(super) fn buckets(start: f64, factor: f64, count: usize) -> Vec<f64> {
    exponential_buckets(start, factor, count).unwrap_or_default()
}

/// A float gauge named `name`.
pub(super) fn float_gauge(name: &str, help: &str) -> prometheus::Gauge {
    built(name, prometheus::Gauge::with_opts(Opts::new(name, help)))
}
