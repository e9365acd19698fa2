// SHA-1, incremental. Only for git blob ids: the hub names small (non-LFS) files by
// their git object id, sha1("blob <size>\0" + content) — an integrity check, not security.
import { BlockHasher, type Hasher } from './hash.ts';

export class Sha1 extends BlockHasher {
  private readonly h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

  protected state(): Int32Array {
    return this.h;
  }

  protected compress(w: Int32Array): void {
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (let i = 0; i < 80; i++) {
      const f =
        i < 20 ? ((b & c) | (~b & d)) + 0x5a827999
        : i < 40 ? (b ^ c ^ d) + 0x6ed9eba1
        : i < 60 ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
        : (b ^ c ^ d) + 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + w[i]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
  }
}

/** A hasher already fed git's blob header, so its digest is the file's git object id. */
export function gitBlobHasher(create: () => Hasher, size: number): Hasher {
  const h = create();
  h.update(new TextEncoder().encode(`blob ${size}\0`));
  return h;
}
