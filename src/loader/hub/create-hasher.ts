import type { CreateHasher } from './hash.ts';
import { Sha1 } from './sha1.ts';
import { Sha256 } from './sha256.ts';

/** The pure-TypeScript hashers: run anywhere, ~10× slower than a native one. */
export const createPortableHasher: CreateHasher = (algorithm) => (algorithm === 'sha256' ? new Sha256() : new Sha1());
