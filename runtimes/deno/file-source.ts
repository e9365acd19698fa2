// Deno file handle as a ByteSource: seek + read, so a multi-GB GGUF is never read whole.
import { clipRange, type ByteSource } from '../../src/loader/byte-source.ts';

interface DenoFile {
  seek(offset: number, whence: number): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  stat(): Promise<{ size: number }>;
  close(): void;
}
declare const Deno: { open(path: string, opts: { read: boolean }): Promise<DenoFile>; SeekMode: { Start: number } };

export interface FileSource extends ByteSource {
  close(): Promise<void>;
}

export async function openDenoFileSource(path: string): Promise<FileSource> {
  const file = await Deno.open(path, { read: true });
  const self = { name: path, size: (await file.stat()).size };
  // Reads are serialized: seek + read on one handle must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const readAt = async (offset: number, n: number) => {
    const out = new Uint8Array(n);
    await file.seek(offset, Deno.SeekMode.Start);
    let done = 0;
    while (done < n) {
      const got = await file.read(out.subarray(done));
      if (got === null || got === 0) break;
      done += got;
    }
    return done === n ? out : out.subarray(0, done);
  };
  return {
    ...self,
    read(offset, length) {
      const n = clipRange(self, offset, length);
      const p = queue.then(() => readAt(offset, n));
      queue = p.catch(() => {});
      return p;
    },
    close: async () => file.close(),
  };
}
