//! IAM's and STS's XML answers: `<{Action}Response><{Action}Result>…`
//! with the request id, written element by element with the listings'
//! writer (`api::xml::Elements`: the documents are small and flat).

use actix_web::HttpResponse;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::api::xml::{escape_text, Elements};

/// IAM's namespace.
pub(crate) const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
/// STS's namespace.
pub(crate) const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Escapes text for an element.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    escape_text(text)
}

/// What IAM leaves unencoded in a policy document it returns.
const DOCUMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A policy document as IAM returns it: URL-encoded (SDKs decode it).
pub(crate) fn document(text: &str) -> String {
    utf8_percent_encode(text, DOCUMENT).to_string()
}

/// One answer being written.
pub(crate) struct Answer {
    doc: Elements,
    action: &'static str,
}

impl Answer {
    /// Starts the answer to `action` in namespace `ns`.
    pub(crate) fn new(action: &'static str, ns: &str) -> Self {
        let mut doc = Elements::new(&format!("{action}Response"), ns, 512);
        doc.open(&format!("{action}Result"));
        Answer { doc, action }
    }

    /// `<name>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.doc.text(name, text);
        self
    }

    /// `<name>` of a time (ms since the Unix epoch), ISO 8601.
    pub(crate) fn time(&mut self, name: &str, ms: u64) -> &mut Self {
        self.doc.timestamp(name, ms);
        self
    }

    /// Opens `<name>`.
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        self.doc.open(name);
        self
    }

    /// Closes `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        self.doc.close(name);
        self
    }

    /// `<Tags>` of `tags` (nothing when there are none).
    pub(crate) fn tags(&mut self, tags: &[(String, String)]) -> &mut Self {
        if tags.is_empty() {
            return self;
        }
        self.open("Tags");
        for (k, v) in tags {
            self.open("member")
                .text("Key", k)
                .text("Value", v)
                .close("member");
        }
        self.close("Tags")
    }

    /// The list paging elements: `IsTruncated`, and `Marker` when it is.
    pub(crate) fn paging(&mut self, next: Option<&str>) -> &mut Self {
        self.text("IsTruncated", if next.is_some() { "true" } else { "false" });
        if let Some(m) = next {
            self.text("Marker", m);
        }
        self
    }

    /// The whole document, ended with `request_id`.
    pub(crate) fn into_document(mut self, request_id: &str) -> String {
        let action = self.action;
        self.doc
            .close(&format!("{action}Result"))
            .open("ResponseMetadata")
            .text("RequestId", request_id)
            .close("ResponseMetadata");
        self.doc.finish(&format!("{action}Response"))
    }

    /// Ends the answer with `request_id`.
    pub(crate) fn finish(self, request_id: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/xml")
            .body(self.into_document(request_id))
    }
}

/// The items of the list `name` in an answer made by [`result_json`]
/// (`{"member": …}`: one item is an object, none is null).
pub(crate) fn list_members<'a>(
    answer: &'a serde_json::Value,
    name: &str,
) -> Vec<&'a serde_json::Value> {
    match &answer[name]["member"] {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// The `<{Action}Result>` of an answer as JSON, for the admin API: an
/// element with text is a string, one with children an object (children
/// of one name more than once: an array), an empty one null.
pub(crate) fn result_json(xml: &str) -> serde_json::Value {
    use quick_xml::events::Event;
    use serde_json::{Map, Value};

    /// An element being read: its name, children so far, text.
    struct Open {
        name: String,
        children: Map<String, Value>,
        text: String,
    }
    fn close(o: Open) -> Value {
        if !o.children.is_empty() {
            Value::Object(o.children)
        } else if o.text.is_empty() {
            Value::Null
        } else {
            Value::String(o.text)
        }
    }
    fn add(parent: &mut Map<String, Value>, name: String, v: Value) {
        match parent.get_mut(&name) {
            Some(Value::Array(items)) => items.push(v),
            Some(first) => {
                let first = first.take();
                parent.insert(name, Value::Array(vec![first, v]));
            }
            None => {
                parent.insert(name, v);
            }
        }
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Open> = Vec::new();
    let mut result = Value::Null;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(Open {
                name: e.local_name().as_ref().to_string(),
                children: Map::new(),
                text: String::new(),
            }),
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let c = match &*r {
                    _ if r.is_char_ref() => r.resolve_char_ref().ok().flatten(),
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "apos" => Some('\''),
                    "quot" => Some('"'),
                    _ => None,
                };
                if let (Some(top), Some(c)) = (stack.last_mut(), c) {
                    top.text.push(c);
                }
            }
            Ok(Event::End(_)) => {
                let Some(done) = stack.pop() else { break };
                let is_result = done.name.ends_with("Result") && stack.len() == 1;
                let name = done.name.clone();
                let value = close(done);
                if is_result {
                    result = value;
                } else if let Some(parent) = stack.last_mut() {
                    add(&mut parent.children, name, value);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_url_decoding() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/a b+c%"}]}"#;
        let encoded = document(doc);
        assert!(!encoded.contains(['"', ' ', '+', '{']));
        let back = percent_encoding::percent_decode_str(&encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn results_read_back_as_json() {
        let mut a = Answer::new("ListUsers", IAM_NS);
        a.open("Users");
        for n in ["a&b", "c"] {
            a.open("member").text("UserName", n).close("member");
        }
        a.close("Users").paging(None).open("Empty").close("Empty");
        let v = result_json(&a.into_document("r1"));
        assert_eq!(v["Users"]["member"][0]["UserName"], "a&b");
        assert_eq!(v["Users"]["member"][1]["UserName"], "c");
        assert_eq!(v["IsTruncated"], "false");
        assert!(v["Empty"].is_null());
    }

    #[test]
    fn text_is_escaped() {
        let mut a = Answer::new("GetUser", IAM_NS);
        a.text("UserName", "a<b&c");
        assert_eq!(
            a.into_document("r&1"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetUserResponse \
             xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult>\
             <UserName>a&lt;b&amp;c</UserName></GetUserResult><ResponseMetadata>\
             <RequestId>r&amp;1</RequestId></ResponseMetadata></GetUserResponse>"
        );
    }
}
