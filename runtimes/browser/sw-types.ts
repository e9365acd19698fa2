// The few service-worker globals basert uses. tsconfig.json compiles with the DOM library
// (pages), which lacks ServiceWorkerGlobalScope; declaring what we touch keeps the
// service worker type-checked without a second tsconfig.

export interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}

export interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
  readonly source: SwClient | null;
}

export interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly clientId: string;
  readonly resultingClientId: string;
  readonly handled: Promise<void>;
  readonly preloadResponse: Promise<unknown>;
  respondWith(r: Response | PromiseLike<Response>): void;
}

export interface SwClient {
  readonly id: string;
  readonly url: string;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

export interface SwGlobal {
  readonly location: Location;
  readonly clients: {
    claim(): Promise<void>;
    matchAll(opts?: { type?: 'window' | 'worker' | 'all'; includeUncontrolled?: boolean }): Promise<SwClient[]>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', f: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', f: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', f: (e: ExtendableMessageEvent) => void): void;
}
