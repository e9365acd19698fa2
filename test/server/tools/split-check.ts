// Shared checks for the tool-call parser tests: a reply parsed in one push must give the
// same content and calls as the same reply fed in deltas split anywhere, and the deltas
// must have OpenAI's streaming shape at every point.
import assert from 'node:assert/strict';
import { JsonScanner } from '../../../src/server/tools/json-scanner.ts';
import type { ToolCallFormat } from '../../../src/server/tools/format.ts';
import { assembleToolCalls, createToolCallParser, type ParsedChunk, type ToolCall } from '../../../src/server/tools/parser.ts';

export interface Parsed {
  content: string;
  calls: ToolCall[];
}

/** Feeds the pieces in order and finish(); ids are call_0, call_1, ... so runs compare equal. */
export function parsePieces(format: ToolCallFormat, pieces: readonly string[], toolNames: readonly string[]): Parsed & { chunks: ParsedChunk[] } {
  let n = 0;
  const parser = createToolCallParser(format, { toolNames, newId: () => `call_${n++}` });
  const chunks = pieces.map((p) => parser.push(p));
  chunks.push(parser.finish());
  checkDeltaShape(chunks);
  const calls = assembleToolCalls(chunks.flatMap((c) => c.toolCalls));
  assert.equal(parser.sawToolCall, calls.length > 0, 'sawToolCall says whether calls were emitted');
  return { content: chunks.map((c) => c.content).join(''), calls, chunks };
}

export function parseWhole(format: ToolCallFormat, text: string, toolNames: readonly string[]): Parsed {
  const { content, calls } = parsePieces(format, [text], toolNames);
  return { content, calls };
}

/**
 * OpenAI's streaming shape: a call's first delta has index, id, type, name and arguments '';
 * later ones only index and a non-empty arguments fragment; calls come one after another
 * with indices 0, 1, ...; after every chunk each call's arguments so far are a valid JSON
 * prefix, and at the end one JSON object.
 */
export function checkDeltaShape(chunks: readonly ParsedChunk[]): void {
  const args: string[] = [];
  for (const chunk of chunks) {
    for (const d of chunk.toolCalls) {
      if (d.index === args.length) {
        assert.equal(typeof d.id, 'string', 'first delta has an id');
        assert.equal(d.type, 'function');
        assert.ok(typeof d.function.name === 'string' && d.function.name !== '', 'first delta has the name');
        assert.equal(d.function.arguments, '', 'first delta has empty arguments');
        args.push('');
      } else {
        assert.equal(d.index, args.length - 1, 'deltas continue the latest call only');
        assert.equal(d.id, undefined);
        assert.equal(d.type, undefined);
        assert.equal(d.function.name, undefined);
        assert.ok(typeof d.function.arguments === 'string' && d.function.arguments !== '', 'later deltas carry arguments');
        args[d.index] += d.function.arguments;
      }
    }
    for (const a of args) assert.ok(isJsonPrefix(a), `arguments so far are a JSON prefix: ${JSON.stringify(a)}`);
  }
  for (const a of args) {
    const value = JSON.parse(a);
    assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `arguments are an object: ${a}`);
  }
}

function isJsonPrefix(text: string): boolean {
  const s = new JsonScanner();
  for (const ch of text) if (s.push(ch) === 'error') return false;
  return true;
}

/** Every two-piece split, one piece per code point, and a few random many-piece splits. */
export function* splits(text: string): Generator<string[]> {
  const cps = [...text];
  for (let i = 0; i <= cps.length; i++) yield [cps.slice(0, i).join(''), cps.slice(i).join('')];
  yield cps;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  for (let k = 0; k < 20; k++) {
    const pieces: string[] = [];
    let cur = '';
    for (const cp of cps) {
      cur += cp;
      if (rand() < 0.3) {
        pieces.push(cur);
        cur = '';
      }
    }
    pieces.push(cur);
    yield pieces;
  }
}

/** Parses `text` whole and under every split; all must agree. Returns the whole parse. */
export function parseEverySplit(format: ToolCallFormat, text: string, toolNames: readonly string[]): Parsed {
  const whole = parseWhole(format, text, toolNames);
  for (const pieces of splits(text)) {
    const got = parsePieces(format, pieces, toolNames);
    assert.deepEqual({ content: got.content, calls: got.calls }, whole, `split ${JSON.stringify(pieces)}`);
  }
  return whole;
}

/** The calls as [name, parsed arguments] pairs, for readable expectations. */
export function callsOf(p: Parsed): [string, unknown][] {
  return p.calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]);
}
