import type { Lake } from '../../src/core/lake/lake.js';

/** The lake with the key of every download recorded, in order. */
export function countingDownloads(lake: Lake): { lake: Lake; downloads: string[] } {
  const downloads: string[] = [];
  const counted: Lake = {
    uri: lake.uri,
    list: lake.list.bind(lake),
    download: async (key, path) => {
      downloads.push(key);
      await lake.download(key, path);
    },
    upload: lake.upload.bind(lake),
  };
  return { lake: counted, downloads };
}
