// The OpenAI-compatible HTTP layer: one Hono app (Request -> Response) that every
// runtime serves. See docs/server.md.
export { createServerApp, type ServerApp, type ServerAppOptions, type ServerEnv, type ServerState } from './app.ts';
export { ApiKeys } from './auth.ts';
export { ApiError, type ApiErrorBody } from './errors.ts';
export type { RateLimits } from './rate-limit.ts';
