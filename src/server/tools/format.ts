// Which tool-call format a model writes, from its chat template (which teaches the format
// to the model, so its markers are the best evidence) and else its architecture.
export type ToolCallFormat = 'hermes' | 'llama3' | 'mistral';

/**
 * chatTemplate: the Jinja source; arch: an HF class name ('Qwen3ForCausalLM'), a GGUF
 * general.architecture ('qwen3') or a model family ('mistral'). null when neither says.
 */
export function detectToolCallFormat(chatTemplate: string | undefined, arch?: string): ToolCallFormat | null {
  const t = chatTemplate ?? '';
  // Tool-call markers the template itself writes or describes.
  if (t.includes('<tool_call>')) return 'hermes';
  if (t.includes('[TOOL_CALLS]')) return 'mistral';
  if (t.includes('<|python_tag|>') || /\bipython\b/.test(t)) return 'llama3';
  // Templates without tool support: the family's turn markers.
  if (t.includes('<|start_header_id|>')) return 'llama3';
  if (t.includes('[INST]')) return 'mistral';
  if (t.includes('<|im_start|>')) return 'hermes';
  const a = (arch ?? '').toLowerCase();
  if (a.includes('qwen')) return 'hermes';
  if (a.includes('mistral') || a.includes('mixtral')) return 'mistral';
  if (a.includes('llama')) return 'llama3';
  return null;
}
