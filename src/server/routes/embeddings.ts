// POST /v1/embeddings: validated like any request, then refused with 501: the models
// basert loads are decoders that produce next-token logits, not embedding vectors.
import { readJsonObject } from '../body.ts';
import type { RequestContext, ServerDeps } from '../deps.ts';
import { modelNotFound, unsupported } from '../errors.ts';
import { embeddingsRequestSchema } from '../wire/misc.ts';
import { parseRequest } from '../wire/validate.ts';

export async function embeddings(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const body = parseRequest(embeddingsRequestSchema, await readJsonObject(req, deps.maxBodyBytes));
  ctx.record.model = body.model;
  const spec = deps.registry.spec(body.model);
  if (!spec) throw modelNotFound(body.model);
  throw unsupported(`The model '${body.model}' does not produce embeddings: basert serves text-generation models only.`, 'model');
}
