import type { Lake } from './lake.js';
import { LocalLake } from './local-lake.js';
import { S3Lake } from './s3-lake.js';

/** Opens a lake from a CLI argument: `s3://bucket[/prefix]` or a local folder path. */
export function openLake(location: string): Lake {
  return location.startsWith('s3://') ? new S3Lake(location) : new LocalLake(location);
}
