//! Bucket notifications through the AWS SDK: every bucket reads the empty
//! configuration (as AWS answers a bucket with none), an empty one is
//! taken, one naming a destination is `NotImplemented` (no events are
//! sent here), and a missing bucket is `NoSuchBucket`.

use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};

use super::create_bucket;
use crate::common::s3::*;

#[tokio::test]
async fn a_bucket_reads_no_notifications_and_takes_only_none() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "events").await;
    let got = s3
        .get_bucket_notification_configuration()
        .bucket("events")
        .send()
        .await
        .expect("GetBucketNotificationConfiguration");
    assert!(got.queue_configurations().is_empty());
    assert!(got.topic_configurations().is_empty());
    assert!(got.lambda_function_configurations().is_empty());
    assert!(got.event_bridge_configuration().is_none());

    s3.put_bucket_notification_configuration()
        .bucket("events")
        .notification_configuration(NotificationConfiguration::builder().build())
        .send()
        .await
        .expect("an empty configuration is taken");
    let queue = QueueConfiguration::builder()
        .queue_arn("arn:aws:sqs:us-east-1:123456789012:q")
        .events(Event::S3ObjectCreated)
        .build()
        .expect("a queue");
    let refused = s3
        .put_bucket_notification_configuration()
        .bucket("events")
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(queue)
                .build(),
        )
        .send()
        .await;
    assert_s3_error(refused, "NotImplemented", 501);
    let missing = s3
        .get_bucket_notification_configuration()
        .bucket("no-such")
        .send()
        .await;
    assert_s3_error(missing, "NoSuchBucket", 404);
}
