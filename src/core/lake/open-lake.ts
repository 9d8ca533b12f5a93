import { ConfigError } from '../errors.js';
import type { Lake } from './lake.js';
import { LocalLake } from './local-lake.js';

/** Opens a lake from a CLI argument: a local folder path (s3:// URIs come with the S3 lake). */
export function openLake(location: string): Lake {
  if (location.startsWith('s3://')) {
    throw new ConfigError(`s3 lakes are not supported yet: ${location} (use a local folder)`);
  }
  return new LocalLake(location);
}
