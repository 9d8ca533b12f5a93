import { z } from 'zod';

/** One S3 event notification record (the fields we use). */
export const S3EventRecord = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional() }),
  }),
});
export type S3EventRecord = z.infer<typeof S3EventRecord>;

/** The body S3 puts on the queue: event records, or the test event sent when a notification is configured. */
export const S3Notification = z.union([
  z.object({ Records: z.array(S3EventRecord) }),
  z.object({ Event: z.literal('s3:TestEvent') }).loose(),
]);

export const SqsEvent = z.object({
  Records: z.array(
    z.object({
      messageId: z.string(),
      body: z.string(),
      attributes: z.object({ ApproximateReceiveCount: z.coerce.number().int().positive() }).loose(),
    }),
  ),
});
export type SqsEvent = z.infer<typeof SqsEvent>;

/** Keys in S3 events are URL-encoded with '+' for a space (S3 docs, "Event message structure"). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The inverse, as S3 writes keys into events; for test harnesses that feed handlers. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
