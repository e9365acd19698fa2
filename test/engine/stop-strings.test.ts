// Stop strings over a text stream cut at every possible place: the output is the text up
// to the earliest match, nothing past it is ever released, and without a match every
// character comes out once the stream ends.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StopStringMatcher } from '../../src/engine/stop-strings.ts';

/** Feeds `text` in pieces cut at `cuts`; returns the released text and the match. */
function feed(stops: string[], text: string, cuts: number[]): { out: string; stop?: string; pieces: string[] } {
  const m = new StopStringMatcher(stops);
  const pieces: string[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    const r = m.push(text.slice(prev, c));
    pieces.push(r.text);
    prev = c;
    if (r.stop !== undefined) return { out: pieces.join(''), stop: r.stop, pieces };
  }
  pieces.push(m.flush());
  return { out: pieces.join(''), pieces };
}

it('finds a stop string split across pieces at every boundary, releasing nothing past it', () => {
  const text = 'Hello world. END of story';
  for (let a = 0; a <= text.length; a++) {
    for (let b = a; b <= text.length; b++) {
      const r = feed(['END', 'never'], text, [a, b]);
      assert.equal(r.out, 'Hello world. ', `cuts ${a},${b}`);
      assert.equal(r.stop, 'END');
    }
  }
});

it('the earliest match wins; at the same place the longest', () => {
  assert.deepEqual(feed(['b', 'abc'], 'xxabcb', [1]).stop, 'abc');
  assert.equal(feed(['b', 'abc'], 'xxabcb', [1]).out, 'xx');
  assert.equal(feed(['ab', 'abc'], 'zabc', []).stop, 'abc');
});

it('holds back a possible start and releases it when it turns out not to be one', () => {
  const m = new StopStringMatcher(['</answer>']);
  assert.equal(m.push('the </ans').text, 'the ');
  assert.equal(m.push('wer is 4').text, '</answer is 4');
  assert.equal(m.flush(), '');
  const n = new StopStringMatcher(['</answer>']);
  assert.equal(n.push('a </an').text, 'a ');
  assert.equal(n.flush(), '</an', 'end of stream: held text is output');
});

it('without stop strings passes text straight through', () => {
  const m = new StopStringMatcher(['']);
  assert.equal(m.active, false);
  assert.deepEqual(m.push('abc'), { text: 'abc' });
});
