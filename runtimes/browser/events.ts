// What the engine host tells every open page of the origin, over one BroadcastChannel
// (it works from a service worker, a dedicated worker and pages alike): download and load
// progress, and the device's state. Requests and replies never use this channel: they go
// through /v1 like any OpenAI client's.

export const EVENTS_CHANNEL = 'basert-events';

export type LoadPhase =
  /** Fetching the file into the model store (bytes of the file). */
  | 'download'
  /** Copying a file picked from disk into the model store. */
  | 'copy'
  /** Reading the stored file onto the GPU (bytes of the file read). */
  | 'load'
  | 'ready'
  | 'failed';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallback: boolean;
  features: { f16: boolean; subgroups: boolean; timestamp: boolean };
  /** Bytes: the largest buffer and storage binding this device allows. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export type HostEvent =
  | { type: 'progress'; model: string; phase: LoadPhase; bytesDone: number; bytesTotal: number; message?: string }
  | { type: 'device'; state: 'ready'; adapter: AdapterReport; notes: string[] }
  | { type: 'device'; state: 'unavailable'; message: string }
  | { type: 'device'; state: 'lost'; message: string; models: string[] }
  | { type: 'device'; state: 'restored'; models: string[] }
  | { type: 'device'; state: 'reload-failed'; message: string };

/** Posts events to the origin's pages; a closed channel or a missing BroadcastChannel is ignored. */
export function broadcastEvents(): (e: HostEvent) => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const ch = new BroadcastChannel(EVENTS_CHANNEL);
  return (e) => ch.postMessage(e);
}
