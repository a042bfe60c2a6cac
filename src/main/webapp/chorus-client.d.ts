// Types for chorus-client.js, the Chorus client module: see docs/client.md.

/** Close codes after which the client never reconnects: 1003, 1008, 1009 and 4000. */
export const FINAL_CLOSE_CODES: readonly number[];

/** Error codes the server sends in place of an ack: `empty`, `rate-limited`, `rejected`, `unavailable`. */
export const SEND_ERROR_CODES: readonly string[];

export const DEFAULTS: Readonly<{
  reconnectBaseMs: number;
  reconnectCapMs: number;
  reconnectAttempts: number;
  welcomeTimeoutMs: number;
  queueLimit: number;
  batch: boolean;
}>;

/** Anything shaped like the standard WebSocket constructor (browsers, Node 22+, or a library's). */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectOptions {
  /** 1 to 64 letters, digits, `.`, `_` or `-`. */
  room: string;
  /** The member name; leave it out where the server signs users in. */
  name?: string;
  /** The deployment's address, e.g. `https://chat.example.org/chorus/`; by default where the module was served from. */
  server?: string | URL;
  /** Required where there is no global WebSocket (Node before 22). */
  WebSocket?: WebSocketConstructor;
  /** Used by fetchMembers; by default the global fetch. */
  fetch?: (url: string, init?: { headers?: Record<string, string> }) => Promise<{ ok: boolean; status: number; json(): Promise<any> }>;
  /** First reconnect ceiling (default 1000); doubles per failed attempt. */
  reconnectBaseMs?: number;
  /** Largest reconnect ceiling (default 30000). */
  reconnectCapMs?: number;
  /** Reconnect attempts in a row before giving up (default Infinity). */
  reconnectAttempts?: number;
  /** An attempt without a welcome this long (default 20000) is closed and retried. */
  welcomeTimeoutMs?: number;
  /** Sends held while not connected (default 20); past it, send rejects with `queue-full`. */
  queueLimit?: number;
  /** Ask for several events per frame, `?batch=1` (default true). */
  batch?: boolean;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting" | "disconnected";

export type StatusEvent =
  | { state: "connecting"; room: string; attempt: number }
  | { state: "live"; room: string; you: string }
  | { state: "reconnecting"; room: string; attempt: number; delayMs: number; retryAt: number; code: number; reason: string }
  | {
      state: "disconnected"; room: string; code: number | null; reason: string;
      /** `refused` (1003, 1008), `too-large` (1009), `application` (4000), `gave-up`, or `closed` (by close()). */
      why: "refused" | "too-large" | "application" | "gave-up" | "closed";
    };

export interface MessageEvent {
  id: number;
  from: string;
  text: string;
  /** Server time, ISO-8601 UTC. */
  ts: string;
  /** `server`: published by the application, whatever its `from` says. */
  origin: "member" | "server";
  /** Sent by this client (under any name the server gave it in this room). */
  mine: boolean;
}

export interface WelcomeEvent { you: string; room: string; epoch: string; count: number; resumed: boolean }
export interface PresenceEvent {
  /** Sorted by UTF-16 code unit. */
  members: string[];
  count: number;
  /** False in a room too large to announce joins: page the rest with fetchMembers. */
  complete: boolean;
  change: { type: "join" | "leave"; member: string } | null;
}
export interface GapEvent { after: number; until: number; missed: number }
export interface ResetEvent { room: string }
export interface NoticeEvent { text: string; from?: string; ts: string }
export interface ErrorEvent { code: string; reason: string }

export interface ChorusEvents {
  status: StatusEvent;
  welcome: WelcomeEvent;
  message: MessageEvent;
  presence: PresenceEvent;
  gap: GapEvent;
  reset: ResetEvent;
  notice: NoticeEvent;
  error: ErrorEvent;
}

export interface MembersPage { room: string; count: number; members: string[]; next?: string }

export type SendErrorCode =
  | "outcome-unknown" | "queue-full" | "not-sent" | "closed"
  | "empty" | "rate-limited" | "rejected" | "unavailable";

export class ChorusSendError extends Error {
  readonly code: SendErrorCode;
  /** The text that was to be sent. */
  readonly text: string;
}

export class ChorusClient {
  constructor(options: ConnectOptions);
  readonly room: string;
  readonly you: string | null;
  readonly state: ConnectionState;
  readonly lastId: number;
  readonly epoch: string | null;
  readonly members: string[];
  readonly count: number;
  on<K extends keyof ChorusEvents>(type: K, listener: (event: ChorusEvents[K]) => void): () => void;
  start(): this;
  /** Resolves with the message's id once acknowledged; rejects with a ChorusSendError. */
  send(text: string): Promise<number>;
  close(): void;
  reconnectNow(): void;
  fetchMembers(page?: { after?: string; limit?: number }): Promise<MembersPage>;
}

export function connect(options: ConnectOptions): ChorusClient;
export function chatUrl(server: string | URL, room: string,
  position?: { name?: string; since?: number; epoch?: string | null; batch?: boolean }): string;
export function splitFrame(data: string): any[];
export function reconnectDelay(attempt: number,
  bounds?: { reconnectBaseMs?: number; reconnectCapMs?: number }, random?: () => number): number;
export function closeVerdict(code: number): { retry: boolean; why: "refused" | "too-large" | "application" | null };
