import type { Lake } from '../../src/core/lake/lake.js';

/** The lake with the key of every download recorded, in order. */
export function countingDownloads(lake: Lake): { lake: Lake; downloads: string[] } {
  const downloads: string[] = [];
  const counted = withHooks(lake, {
    beforeDownload: (key) => {
      downloads.push(key);
    },
  });
  return { lake: counted, downloads };
}

/**
 * The lake with a hook before each download and each write (upload, exclusive create): a hook
 * that throws is an I/O fault at that point, one that never returns is a process stopped there.
 */
export function withHooks(
  lake: Lake,
  hooks: { beforeDownload?: (key: string) => void | Promise<void>; beforeWrite?: (key: string) => void | Promise<void> },
): Lake {
  return {
    uri: lake.uri,
    list: lake.list.bind(lake),
    download: async (key, path) => {
      await hooks.beforeDownload?.(key);
      await lake.download(key, path);
    },
    upload: async (path, key) => {
      await hooks.beforeWrite?.(key);
      await lake.upload(path, key);
    },
    createExclusive: async (path, key) => {
      await hooks.beforeWrite?.(key);
      return await lake.createExclusive(path, key);
    },
    delete: async (key) => await lake.delete(key),
    ...(lake.unlisted ? { unlisted: lake.unlisted.bind(lake) } : {}),
  };
}
