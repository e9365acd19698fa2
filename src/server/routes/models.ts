// The model routes: GET /v1/models (OpenAI's list: loaded and registered models),
// GET /v1/models/{id} (ids may contain '/', as hub ids do), GET /v1/models/status
// (status, uptime, type, memory), POST /v1/models/load and /v1/models/unload (registered
// models only: a request cannot make the server open a path of its choosing).
import { RegistryClosedError, type ModelInfo } from '../../engine/model-registry.ts';
import { readJsonObject } from '../body.ts';
import type { RequestContext, ServerDeps } from '../deps.ts';
import { ApiError, modelNotFound, unavailable } from '../errors.ts';
import { modelActionSchema } from '../wire/misc.ts';
import { parseRequest } from '../wire/validate.ts';

export const OWNED_BY = 'basert';

const wireModel = (m: ModelInfo) => ({ id: m.id, object: 'model' as const, created: m.created, owned_by: OWNED_BY });

const wireStatus = (m: ModelInfo) => ({
  id: m.id,
  object: 'model' as const,
  type: m.type,
  status: m.status,
  source: m.source,
  created: m.created,
  uptime_s: m.uptimeSec === null ? null : Math.round(m.uptimeSec * 10) / 10,
  memory_bytes: m.memoryBytes,
  active_requests: m.activeRequests,
  last_error: m.lastError,
});

export function listModels(deps: ServerDeps): Response {
  return Response.json({ object: 'list', data: deps.registry.list().map(wireModel) });
}

export function getModel(deps: ServerDeps, id: string): Response {
  const m = deps.registry.list().find((x) => x.id === id);
  if (!m) throw modelNotFound(id);
  return Response.json(wireModel(m));
}

export function modelStatus(deps: ServerDeps): Response {
  const data = deps.registry.list().map(wireStatus);
  return Response.json({ object: 'list', data, memory_bytes: deps.registry.memoryBytes() });
}

async function actionTarget(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<string> {
  const body = parseRequest(modelActionSchema, await readJsonObject(req, deps.maxBodyBytes));
  const id = (body.model ?? body.name)!;
  ctx.record.model = id;
  return id;
}

export async function loadModelRoute(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const id = await actionTarget(req, deps, ctx);
  if (!deps.registry.has(id)) throw modelNotFound(id);
  try {
    await deps.registry.load(id);
  } catch (e) {
    if (e instanceof RegistryClosedError) throw unavailable('The server is shutting down.', 'server_draining');
    throw new ApiError(500, 'server_error', `The model '${id}' failed to load: ${(e as Error).message}`, 'model', 'model_load_failed');
  }
  return Response.json(wireStatus(deps.registry.list().find((m) => m.id === id)!));
}

export async function unloadModelRoute(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const id = await actionTarget(req, deps, ctx);
  if (!deps.registry.has(id)) throw modelNotFound(id);
  const unloaded = await deps.registry.unload(id);
  return Response.json({ ...wireStatus(deps.registry.list().find((m) => m.id === id)!), unloaded });
}
