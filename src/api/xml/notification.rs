//! The `NotificationConfiguration` document (Get/PutBucketNotification):
//! this store keeps none, so it renders the empty one and reads a body
//! only for how many destinations it names.

use serde::Deserialize;

use super::parse_error::XmlParseError;
use super::render::{S3_XMLNS, XML_DECLARATION};
use super::requests::schema;

/// The elements of a `NotificationConfiguration` that name a destination.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NotificationConfiguration {
    #[serde(rename = "$value")]
    elements: Vec<Element>,
}

/// One child element: a destination, or anything else.
#[derive(Deserialize)]
enum Element {
    TopicConfiguration,
    QueueConfiguration,
    CloudFunctionConfiguration,
    EventBridgeConfiguration,
    #[serde(other)]
    Other,
}

/// The empty configuration, as AWS answers a bucket with no notifications.
pub(crate) fn empty_notification_configuration() -> String {
    format!("{XML_DECLARATION}<NotificationConfiguration xmlns=\"{S3_XMLNS}\"/>")
}

/// How many destinations (topic, queue, function, EventBridge) a
/// PutBucketNotificationConfiguration body names; an empty body names none.
pub(crate) fn notification_destinations(body: &[u8]) -> Result<usize, XmlParseError> {
    let text = std::str::from_utf8(body).map_err(|_| XmlParseError::NotUtf8)?;
    if text.trim().is_empty() {
        return Ok(0);
    }
    let config: NotificationConfiguration = quick_xml::de::from_str(text).map_err(schema)?;
    Ok(config
        .elements
        .iter()
        .filter(|e| !matches!(e, Element::Other))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destinations(doc: &str) -> Option<usize> {
        notification_destinations(doc.as_bytes()).ok()
    }

    #[test]
    fn an_empty_configuration_names_no_destination_and_a_queue_does() {
        assert_eq!(destinations("<NotificationConfiguration/>"), Some(0));
        assert_eq!(
            destinations("<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></NotificationConfiguration>"),
            Some(0)
        );
        let queue = "<NotificationConfiguration><QueueConfiguration><Id>1</Id>\
            <Queue>arn:aws:sqs:us-east-1:1:q</Queue><Event>s3:ObjectCreated:*</Event>\
            </QueueConfiguration></NotificationConfiguration>";
        assert_eq!(destinations(queue), Some(1));
        assert_eq!(destinations("<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>"), Some(1));
        assert_eq!(destinations("<NotificationConfiguration>"), None);
        assert_eq!(destinations(""), Some(0));
        assert!(empty_notification_configuration().ends_with(
            "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        ));
    }
}
