//! Pages: the templates (embedded in the binary) and how a page is sent.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use minijinja::{Environment, Value};

/// Every page template, by file name, embedded in the binary.
const TEMPLATE_SOURCES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("message.html", include_str!("templates/message.html")),
    ("buckets.html", include_str!("templates/buckets.html")),
    ("bucket.html", include_str!("templates/bucket.html")),
    ("share.html", include_str!("templates/share.html")),
    ("post_form.html", include_str!("templates/post_form.html")),
    (
        "post_form_snippet.html",
        include_str!("templates/post_form_snippet.html"),
    ),
    ("versions.html", include_str!("templates/versions.html")),
    ("cluster.html", include_str!("templates/cluster.html")),
    (
        "cluster_live.html",
        include_str!("templates/cluster_live.html"),
    ),
    ("keys.html", include_str!("templates/keys.html")),
    ("iam.html", include_str!("templates/iam.html")),
    ("iam_user.html", include_str!("templates/iam_user.html")),
    ("iam_group.html", include_str!("templates/iam_group.html")),
    (
        "iam_policies.html",
        include_str!("templates/iam_policies.html"),
    ),
    (
        "setting_macros.html",
        include_str!("templates/setting_macros.html"),
    ),
    ("settings.html", include_str!("templates/settings.html")),
    ("object.html", include_str!("templates/object.html")),
];

/// The templates, by file name; `.html` ones are HTML-escaped.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATE_SOURCES.iter().copied() {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "console template does not parse");
        }
    }
    env.add_filter("bytes", human_bytes);
    env
});

/// `1536` → `1.5 KiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `template` rendered with `context`, as HTML text.
pub(crate) fn render_text(template: &str, context: Value) -> Result<String, String> {
    TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(context))
        .map_err(|e| format!("template {template}: {e:#}"))
}

/// An HTML answer of `status` with the console's headers.
pub(crate) fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(body)
}

/// `template` rendered with `context`, as a 200 page.
pub(crate) fn page(template: &str, context: Value) -> HttpResponse {
    match render_text(template, context) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => {
            tracing::error!(error = %e, "console page not rendered");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
        }
    }
}

/// A page saying what went wrong.
pub(crate) fn error_page(status: StatusCode, message: &str) -> HttpResponse {
    let context = minijinja::context! {
        title => status.canonical_reason().unwrap_or("Error"),
        status => status.as_u16(),
        error => message,
    };
    match render_text("message.html", context) {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "console error page not rendered");
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(message.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATE_SOURCES {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn values_are_escaped() {
        let text = render_text(
            "message.html",
            minijinja::context! { title => "t", status => 400, error => "<script>x</script>" },
        )
        .expect("render");
        assert!(text.contains("&lt;script&gt;"));
        assert!(!text.contains("<script>x"));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(20 << 20), "20.0 MiB");
    }
}
