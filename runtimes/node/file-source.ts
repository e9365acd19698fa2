// Node file handle as a ByteSource: positional reads, so a multi-GB GGUF is never read
// whole. Bun runs this unchanged (it implements node:fs/promises).
import { open } from 'node:fs/promises';
import { clipRange, type ByteSource } from '../../src/loader/byte-source.ts';

export interface FileSource extends ByteSource {
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, 'r');
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (e) {
    await handle.close();
    throw e;
  }
  const self = { name: path, size };
  return {
    ...self,
    async read(offset, length) {
      const n = clipRange(self, offset, length);
      const out = new Uint8Array(n);
      // A positional read may return fewer bytes than asked; loop until filled or EOF.
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(out, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? out : out.subarray(0, done);
    },
    close: () => handle.close(),
  };
}
