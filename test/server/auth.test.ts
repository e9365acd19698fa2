// API keys: either header, several keys, wrong and missing keys refused with OpenAI's body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiKeys, checkAuth, presentedKey } from '../../src/server/auth.ts';
import { ApiError } from '../../src/server/errors.ts';

test('auth: Bearer or x-api-key, any of several keys', async () => {
  const keys = await ApiKeys.create(['sk-one', 'sk-two', 'sk-one']);
  assert.equal(keys.size, 2);
  assert.equal(await keys.matches('sk-one'), true);
  assert.equal(await keys.matches('sk-two'), true);
  assert.equal(await keys.matches('sk-on'), false);
  assert.equal(await keys.matches('sk-one '), false);
  assert.equal(presentedKey(new Headers({ authorization: 'Bearer sk-two' })), 'sk-two');
  assert.equal(presentedKey(new Headers({ authorization: 'bearer   sk-two ' })), 'sk-two');
  assert.equal(presentedKey(new Headers({ 'x-api-key': 'sk-one' })), 'sk-one');
  assert.equal(presentedKey(new Headers({ authorization: 'Basic abc' })), '');
  assert.equal(presentedKey(new Headers()), null);
  await checkAuth(keys, new Headers({ 'x-api-key': 'sk-two' }));
  for (const [headers, code] of [[{}, 'missing_api_key'], [{ authorization: 'Bearer nope' }, 'invalid_api_key']] as const) {
    await assert.rejects(checkAuth(keys, new Headers(headers)), (e: unknown) => e instanceof ApiError && e.status === 401 && e.code === code);
  }
  await assert.rejects(ApiKeys.create(['has space']), /whitespace/);
});
