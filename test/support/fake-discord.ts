/**
 * A stand-in for Discord's REST API and gateway on 127.0.0.1 that the real discord.js v14 client logs into
 * (see ../shared/discord-wire-notes.md for what it must speak). State is in memory: one guild with channels,
 * roles, members, messages and threads (more with `addGuild`). Tests drive users through `slash`, `autocomplete`,
 * `clickButton` and observe the bot through `requests`, `messages` and `waitFor`.
 *
 * The gateway takes one session per shard: each IDENTIFY carries `shard: [id, count]` ([0, 1] when absent) and gets
 * READY and GUILD_CREATE for the guilds that shard owns ((guild_id >> 22) % count), and every guild event
 * (INTERACTION_CREATE, MESSAGE_CREATE, THREAD_CREATE) goes to the session of the guild's shard only, as on Discord.
 * An unsharded client is the one session [0, 1] and owns every guild.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  apiAttachment,
  apiChannel,
  apiMember,
  apiMessage,
  apiRole,
  apiUser,
  BOT_PERMISSIONS,
  MANAGER_PERMISSIONS,
  MEMBER_PERMISSIONS,
  shardOfGuild,
  snowflake,
  snowflakeOnShard,
  type FakeAttachment,
  type FakeChannel,
  type FakeMember,
  type FakeMessage,
  type FakeRole,
  type FakeUser,
} from './fake-discord-objects.ts';

export * from './fake-discord-objects.ts';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface RecordedRequest {
  seq: number;
  at: number;
  method: string;
  /** Decoded path below /api/v10, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  /** The route template that matched, e.g. `PATCH /webhooks/:app/:token/messages/:message`, or `404`. */
  route: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** JSON body, or the parsed `payload_json` part of a multipart body. */
  body: any;
  files: RecordedFile[];
  status: number;
}

export type InteractionKind = 'command' | 'button' | 'autocomplete';

export interface FakeInteraction {
  id: string;
  token: string;
  kind: InteractionKind;
  channelId: string;
  user: FakeUser;
  sentAt: number;
  /** Every callback body the bot posted for this interaction, in order. */
  callbacks: { type: number; data?: any; at: number }[];
  /** The response message (deferred placeholder, then edited), once the bot created it. */
  originalMessageId?: string;
  /** Set when the original response has been edited after a defer, or created directly (type 4). */
  answeredAt?: number;
  followUpIds: string[];
  /** For buttons: the message the button sits on. */
  messageId?: string;
  /** The guild it happened in (its channel's). */
  guildId: string;
  /** The shard whose gateway session it was sent to; undefined when no connected shard owns the guild. */
  shard?: number;
}

/** A guild besides the default one: its id, its two text channels and its alert role. */
export interface FakeGuild {
  id: string;
  name: string;
  general: FakeChannel;
  alerts: FakeChannel;
  oncallRole: FakeRole;
}

/** One gateway session: the bot's shard `shard[0]` of `shard[1]`. */
interface GatewaySession {
  shard: [number, number];
  id: string;
  intents: number;
  ws: WebSocket | null;
  /** Identified or resumed on `ws`: dispatches go out now; else they wait in `dispatched` for a RESUME. */
  live: boolean;
  seq: number;
  /** Every dispatch of the session, for replay on RESUME. */
  dispatched: { s: number; frame: string }[];
}

export interface SlashOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: SlashOption[];
}

interface Route {
  method: string;
  template: string;
  re: RegExp;
  keys: string[];
  handle: (ctx: RouteContext) => Promise<RouteResult> | RouteResult;
}

interface RouteContext {
  params: Record<string, string>;
  body: any;
  files: RecordedFile[];
  query: URLSearchParams;
  authorization: string | undefined;
}

interface RouteResult {
  status: number;
  json?: unknown;
}

interface Fault {
  route: string;
  status: number | 'drop-response';
  remaining: number;
}

const BOT_TOKEN = 'fake-bot-token.runmedic.test';

export interface FakeDiscordOptions {
  token?: string;
  /**
   * Whether the application may use the Message Content intent (Developer Portal → Bot → Privileged Gateway
   * Intents). Without it an IDENTIFY asking for the intent is closed with 4014 (disallowed intents), as on Discord.
   */
  messageContentIntent?: boolean;
  /** Gives the default guild an id on this shard ([id, count]), for sharded bots. */
  guildShard?: [number, number];
}

/** Gateway intent bits the fake acts on. */
export const INTENT = { GUILDS: 1 << 0, GUILD_MESSAGES: 1 << 9, MESSAGE_CONTENT: 1 << 15 } as const;

export class FakeDiscord {
  readonly token: string;
  readonly applicationId = snowflake();
  readonly botUser: FakeUser = { id: this.applicationId, username: 'runmedic', bot: true };
  /** The default guild; `addGuild` adds more. */
  readonly guildId: string;
  /** Every guild's name by id. */
  readonly guildNames = new Map<string, string>();
  readonly channels = new Map<string, FakeChannel>();
  readonly roles = new Map<string, FakeRole>();
  readonly members = new Map<string, FakeMember>();
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  readonly requests: RecordedRequest[] = [];
  /** Application commands as last registered, keyed by scope ('global' or a guild id). */
  readonly registeredCommands = new Map<string, any[]>();

  /** Ids of the default world, for tests. */
  readonly general: FakeChannel;
  readonly alerts: FakeChannel;
  readonly oncallRole: FakeRole;
  readonly admin: FakeMember;
  readonly member: FakeMember;

  private server!: http.Server;
  private wss!: WebSocketServer;
  private port = 0;
  /** The gateway sessions by shard id (one, shard 0, for an unsharded client). */
  private readonly sessions = new Map<number, GatewaySession>();
  /** The guild of each role (a guild's @everyone role has the guild's id). */
  private readonly roleGuild = new Map<string, string>();
  /** Guild events no session received: no connected shard owned the guild. */
  private undelivered = 0;
  private gatewayConnections = 0;
  private resumes = 0;
  private readonly hosted = new Map<string, Uint8Array>();
  private readonly faults: Fault[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly routes: Route[] = [];
  private requestSeq = 0;
  /** The intents of every IDENTIFY, in order (the last is the session's). */
  readonly identifies: number[] = [];
  /** The shard of every IDENTIFY accepted, in order. */
  readonly identifiedShards: [number, number][] = [];
  messageContentIntent: boolean;

  private constructor(opts: FakeDiscordOptions) {
    this.token = opts.token ?? BOT_TOKEN;
    this.messageContentIntent = opts.messageContentIntent ?? true;
    this.guildId = opts.guildShard ? snowflakeOnShard(...opts.guildShard) : snowflake();
    this.guildNames.set(this.guildId, 'runmedic test guild');
    this.general = this.addChannel('general');
    this.alerts = this.addChannel('ml-alerts');
    this.oncallRole = this.addRole(this.guildId, 'ml-oncall', '0');
    this.addRole(this.guildId, '@everyone', MEMBER_PERMISSIONS, this.guildId);
    this.admin = this.addMember('alice-admin', MANAGER_PERMISSIONS);
    this.member = this.addMember('bob-member', MEMBER_PERMISSIONS);
    this.defineRoutes();
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts);
    await fake.listen();
    return fake;
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /**
   * How many times a client opened the gateway, how many of those were RESUMEs, whether every session is connected,
   * and the shards connected now.
   */
  get gatewayStats() {
    const sessions = [...this.sessions.values()];
    return {
      connections: this.gatewayConnections,
      resumes: this.resumes,
      connected: sessions.length > 0 && sessions.every((s) => s.live),
      shards: sessions.filter((s) => s.live).map((s) => s.shard[0]).sort((a, b) => a - b),
    };
  }

  addChannel(name: string, guildId = this.guildId): FakeChannel {
    const c: FakeChannel = { id: snowflake(), type: 0, name, guild_id: guildId };
    this.channels.set(c.id, c);
    return c;
  }

  /**
   * Another guild the bot is in, with its own #general, #ml-alerts and ml-oncall role (members are shared); on
   * `shard` ([id, count]) when given. A shard connected now gets its GUILD_CREATE, as when the bot joins a server.
   */
  addGuild(name: string, opts: { shard?: [number, number] } = {}): FakeGuild {
    const id = opts.shard ? snowflakeOnShard(...opts.shard) : snowflake();
    this.guildNames.set(id, name);
    this.addRole(id, '@everyone', MEMBER_PERMISSIONS, id);
    const guild: FakeGuild = { id, name, general: this.addChannel('general', id), alerts: this.addChannel('ml-alerts', id), oncallRole: this.addRole(id, 'ml-oncall', '0') };
    const session = this.sessionOf(id);
    if (session) this.dispatch(session, 'GUILD_CREATE', this.guildObject(id));
    return guild;
  }

  private addRole(guildId: string, name: string, permissions: string, id = snowflake()): FakeRole {
    const r: FakeRole = { id, name, permissions };
    this.roles.set(id, r);
    this.roleGuild.set(id, guildId);
    return r;
  }

  private rolesOf(guildId: string): FakeRole[] {
    return [...this.roles.values()].filter((r) => this.roleGuild.get(r.id) === guildId);
  }

  /** The session of the shard that owns the guild, among those identified (connected or waiting for a RESUME). */
  private sessionOf(guildId: string): GatewaySession | undefined {
    const sessions = [...this.sessions.values()].sort((a, b) => a.shard[0] - b.shard[0]);
    return sessions.find((s) => shardOfGuild(guildId, s.shard[1]) === s.shard[0]);
  }

  addMember(username: string, permissions: string, roles: string[] = []): FakeMember {
    const m: FakeMember = { user: { id: snowflake(), username }, roles, permissions };
    this.members.set(m.user.id, m);
    return m;
  }

  /** Puts bytes on the fake CDN and returns the attachment object a user upload would carry. */
  hostAttachment(bytes: Uint8Array, filename: string, contentType = 'application/octet-stream'): FakeAttachment {
    const id = snowflake();
    const url = `http://127.0.0.1:${this.port}/attachments/${this.general.id}/${id}/${encodeURIComponent(filename)}`;
    this.hosted.set(new URL(url).pathname, bytes);
    return { id, filename, size: bytes.byteLength, url, proxy_url: url, content_type: contentType, bytes };
  }

  /** Makes the next `count` requests on `route` (a template such as `POST /channels/:channel/messages`) fail. */
  failNext(route: string, count: number, status: number | 'drop-response' = 500): void {
    this.faults.push({ route, status, remaining: count });
  }

  /** A channel or thread deleted by someone on the server. */
  deleteChannel(id: string): void {
    this.channels.delete(id);
    for (const [mid, m] of this.messages) if (m.channel_id === id) this.messages.delete(mid);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  channelMessages(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  threads(): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.type === 11);
  }

  requestsOn(route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  // ---------------------------------------------------------------- users acting

  /** A user runs a slash command. `options` are the top-level options (or one subcommand option). */
  slash(opts: {
    name: string;
    options?: SlashOption[];
    user?: FakeMember;
    channelId?: string;
    attachments?: FakeAttachment[];
  }): FakeInteraction {
    const resolved = this.resolve(opts.options ?? [], opts.attachments ?? []);
    return this.sendInteraction('command', 2, opts.user ?? this.member, opts.channelId ?? this.general.id, {
      id: this.commandId(opts.name),
      name: opts.name,
      type: 1,
      ...(opts.options ? { options: opts.options } : {}),
      ...(resolved ? { resolved } : {}),
    });
  }

  /** The `resolved` block Discord adds for channel (7), role (8) and attachment (11) options. */
  private resolve(options: SlashOption[], attachments: FakeAttachment[]): Record<string, unknown> | undefined {
    const out: Record<string, Record<string, unknown>> = {};
    const put = (kind: string, id: string, v: unknown) => ((out[kind] ??= {})[id] = v);
    const walk = (opts: SlashOption[]) => {
      for (const o of opts) {
        if (o.options) walk(o.options);
        const id = String(o.value);
        if (o.type === 7) {
          const c = this.channels.get(id);
          if (c) put('channels', id, { ...apiChannel(c), permissions: MEMBER_PERMISSIONS });
        } else if (o.type === 8) {
          const r = this.roles.get(id);
          if (r) put('roles', id, apiRole(r, 1));
        }
      }
    };
    walk(options);
    for (const a of attachments) put('attachments', a.id, apiAttachment(a));
    return Object.keys(out).length ? out : undefined;
  }

  /** A user types into an option with autocomplete; `focused` names the option being typed. */
  autocomplete(opts: { name: string; options: SlashOption[]; user?: FakeMember; channelId?: string }): FakeInteraction {
    return this.sendInteraction('autocomplete', 4, opts.user ?? this.member, opts.channelId ?? this.general.id, {
      id: this.commandId(opts.name),
      name: opts.name,
      type: 1,
      options: opts.options,
    });
  }

  /** The intents of the current session (0 before any IDENTIFY). */
  get sessionIntents(): number {
    return this.identifies.at(-1) ?? 0;
  }

  /**
   * A user posts a message (text, code blocks, uploads from `hostAttachment`). The gateway delivers MESSAGE_CREATE
   * only to a session with the Guild Messages intent, and without the Message Content intent with its content,
   * attachments and embeds empty, as Discord does.
   */
  postMessage(opts: { channelId: string; content?: string; attachments?: FakeAttachment[]; user?: FakeMember }): FakeMessage {
    const user = opts.user ?? this.member;
    const m = this.createMessage(opts.channelId, user.user, { content: opts.content ?? '', attachments: opts.attachments ?? [] });
    const session = this.sessionOf(m.guild_id ?? this.guildId);
    const intents = session?.intents ?? 0;
    if (session && intents & INTENT.GUILD_MESSAGES) {
      const full = apiMessage(m);
      const seen = intents & INTENT.MESSAGE_CONTENT ? full : { ...full, content: '', attachments: [], embeds: [], components: [] };
      const { user: _u, ...member } = apiMember(user);
      this.dispatch(session, 'MESSAGE_CREATE', { ...seen, member });
    }
    return m;
  }

  /** A user picks an app's message command (Apps → NAME) on a message; the interaction carries the message whole. */
  contextMenu(opts: { name: string; messageId: string; user?: FakeMember }): FakeInteraction {
    const message = this.messages.get(opts.messageId);
    if (!message) throw new Error(`fake discord: no message ${opts.messageId}`);
    return this.sendInteraction('command', 2, opts.user ?? this.member, message.channel_id, {
      id: this.commandId(opts.name),
      name: opts.name,
      type: 3,
      target_id: message.id,
      resolved: { messages: { [message.id]: apiMessage(message) } },
    });
  }

  /** A user clicks a button on a message the bot sent. */
  clickButton(opts: { messageId: string; customId: string; user?: FakeMember }): FakeInteraction {
    const message = this.messages.get(opts.messageId);
    if (!message) throw new Error(`fake discord: no message ${opts.messageId} to click on`);
    const it = this.sendInteraction(
      'button',
      3,
      opts.user ?? this.member,
      message.channel_id,
      { custom_id: opts.customId, component_type: 2 },
      apiMessage(message),
    );
    it.messageId = message.id;
    return it;
  }

  /** Buttons (custom_id and label) on a message, flattened from its action rows. */
  buttonsOf(message: FakeMessage): { custom_id?: string; label?: string; url?: string; disabled?: boolean }[] {
    const out: any[] = [];
    for (const row of message.components as any[]) for (const c of row.components ?? []) if (c.type === 2) out.push(c);
    return out;
  }

  /** The message that answers an interaction (after a defer, the edited one), once it exists. */
  responseOf(it: FakeInteraction): FakeMessage | undefined {
    return it.originalMessageId ? this.messages.get(it.originalMessageId) : undefined;
  }

  /** Waits until the interaction's response has real content (a direct reply, or the edit after a defer). */
  async answerOf(it: FakeInteraction, timeoutMs = 5000): Promise<FakeMessage> {
    return this.waitFor(() => (it.answeredAt ? this.responseOf(it) : undefined), timeoutMs, `an answer to interaction ${it.id}`);
  }

  /**
   * Resolves with the predicate's first truthy value, re-checked on every request and gateway event.
   * On timeout the error lists what did arrive, so a failing test says why.
   */
  waitFor<T>(predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let finished = false;
      let checking = false;
      const check = () => {
        if (finished || checking) return;
        checking = true;
        Promise.resolve()
          .then(predicate)
          .then(
            (v) => {
              checking = false;
              if (v && !finished) {
                done();
                resolve(v);
              }
            },
            (e) => {
              checking = false;
              done();
              reject(e);
            },
          );
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}.\n${this.describeTraffic()}`));
      }, timeoutMs);
      const poll = setInterval(check, 25);
      const done = () => {
        finished = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The last requests, one line each, for timeout messages. */
  describeTraffic(last = 30): string {
    const lines = this.requests.slice(-last).map((r) => {
      const body = r.body === undefined ? '' : ' ' + JSON.stringify(r.body).slice(0, 160);
      const files = r.files.length ? ` files=[${r.files.map((f) => `${f.filename}:${f.bytes.byteLength}B`).join(', ')}]` : '';
      return `  #${r.seq} ${r.status} ${r.method} ${r.path}${body}${files}`;
    });
    const sessions = [...this.sessions.values()].map((s) => `shard ${s.shard[0]}/${s.shard[1]} ${s.live ? 'live' : 'waiting'} seq=${s.seq}`);
    const gw = `gateway: connections=${this.gatewayConnections} resumes=${this.resumes} sessions=[${sessions.join(', ')}] undelivered=${this.undelivered}`;
    return `${gw}\nrequests (${this.requests.length}, last ${lines.length}):\n${lines.join('\n') || '  (none)'}`;
  }

  /** Closes the gateway sockets (of one shard when given) the way a network hiccup would (code 4000: the client resumes). */
  dropGateway(code = 4000, shard?: number): void {
    for (const session of this.sessions.values()) {
      if (shard !== undefined && session.shard[0] !== shard) continue;
      const ws = session.ws;
      session.ws = null;
      session.live = false;
      ws?.close(code, 'fake discord: simulated drop');
    }
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---------------------------------------------------------------- gateway

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.onHttp(req, res).catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `fake discord crashed: ${String(e?.stack ?? e)}`, code: 0 }));
        }
      });
    });
    // Idle keep-alive sockets live long, so a client never reuses one the server is closing at that moment
    // (an EPIPE that real Discord, behind its load balancers, practically never causes).
    this.server.keepAliveTimeout = 60_000;
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path !== '/gateway' && path !== '/gateway/') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private onGatewayConnection(ws: WebSocket): void {
    this.gatewayConnections++;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41250 } }));
    ws.on('message', (raw) => {
      let frame: any;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'decode error');
        return;
      }
      this.onGatewayFrame(ws, frame);
    });
    ws.on('close', () => {
      for (const session of this.sessions.values()) {
        if (session.ws !== ws) continue;
        session.ws = null;
        session.live = false;
      }
      this.notify();
    });
    this.notify();
  }

  private onGatewayFrame(ws: WebSocket, frame: any): void {
    switch (frame.op) {
      case 1:
        ws.send(JSON.stringify({ op: 11 }));
        return;
      case 2: {
        if (frame.d?.token !== this.token && frame.d?.token !== `Bot ${this.token}`) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        const shard = frame.d?.shard ?? [0, 1];
        if (!Array.isArray(shard) || shard.length !== 2 || !shard.every(Number.isInteger) || shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
          ws.close(4010, 'Invalid shard.');
          return;
        }
        const intents = Number(frame.d?.intents ?? 0);
        this.identifies.push(intents);
        if (intents & INTENT.MESSAGE_CONTENT && !this.messageContentIntent) {
          ws.close(4014, 'Disallowed intent(s).');
          return;
        }
        // A new session of a shard replaces its old one: one connection per shard.
        const old = this.sessions.get(shard[0]);
        if (old?.ws && old.ws !== ws) old.ws.terminate();
        const session: GatewaySession = { shard: [shard[0], shard[1]], id: snowflake(), intents, ws, live: true, seq: 0, dispatched: [] };
        this.sessions.set(shard[0], session);
        this.identifiedShards.push(session.shard);
        const owned = [...this.guildNames.keys()].filter((g) => shardOfGuild(g, shard[1]) === shard[0]);
        this.dispatch(session, 'READY', {
          v: 10,
          user: { ...apiUser(this.botUser), bot: true, verified: true, flags: 0 },
          guilds: owned.map((id) => ({ id, unavailable: true })),
          session_id: session.id,
          resume_gateway_url: this.gatewayUrl,
          application: { id: this.applicationId, flags: 0 },
          ...(frame.d?.shard ? { shard: session.shard } : {}),
        });
        for (const g of owned) this.dispatch(session, 'GUILD_CREATE', this.guildObject(g));
        return;
      }
      case 6: {
        const d = frame.d ?? {};
        const session = [...this.sessions.values()].find((s) => s.id === d.session_id);
        if (d.token !== this.token || !session) {
          ws.send(JSON.stringify({ op: 9, d: false }));
          return;
        }
        if (session.ws && session.ws !== ws) session.ws.terminate();
        session.ws = ws;
        session.live = true;
        this.resumes++;
        // Replay what the client missed, then RESUMED, as Discord does.
        for (const e of session.dispatched) if (e.s > (d.seq ?? 0)) ws.send(e.frame);
        this.dispatch(session, 'RESUMED', {});
        this.notify();
        return;
      }
      default:
        return;
    }
  }

  /** Sends a dispatch on the session now, or keeps it for replay when the client resumes. */
  private dispatch(session: GatewaySession, t: string, d: unknown): void {
    const s = ++session.seq;
    const frame = JSON.stringify({ op: 0, t, s, d });
    session.dispatched.push({ s, frame });
    if (session.ws && session.live) session.ws.send(frame);
    this.notify();
  }

  /** Sends a guild's event to the session of the shard owning the guild; returns that shard (undefined: none). */
  private dispatchToGuild(guildId: string, t: string, d: unknown): number | undefined {
    const session = this.sessionOf(guildId);
    if (session) this.dispatch(session, t, d);
    else {
      this.undelivered++;
      this.notify();
    }
    return session?.shard[0];
  }

  private guildObject(guildId: string) {
    const channels = [...this.channels.values()].filter((c) => c.guild_id === guildId);
    return {
      id: guildId,
      name: this.guildNames.get(guildId) ?? 'runmedic test guild',
      icon: null,
      owner_id: this.admin.user.id,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      system_channel_flags: 0,
      member_count: this.members.size + 1,
      large: false,
      unavailable: false,
      roles: this.rolesOf(guildId).map((r, i) => apiRole(r, i)),
      emojis: [],
      stickers: [],
      features: [],
      channels: channels.filter((c) => c.type === 0).map(apiChannel),
      threads: channels.filter((c) => c.type === 11).map(apiChannel),
      members: [
        apiMember({ user: this.botUser, roles: [], permissions: BOT_PERMISSIONS }),
        ...[...this.members.values()].map(apiMember),
      ],
      voice_states: [],
      presences: [],
      joined_at: '2024-01-01T00:00:00.000Z',
    };
  }

  private commandId(name: string): string {
    for (const cmds of this.registeredCommands.values()) {
      const c = cmds.find((x) => x.name === name);
      if (c) return c.id;
    }
    return snowflake();
  }

  private sendInteraction(
    kind: InteractionKind,
    type: number,
    user: FakeMember,
    channelId: string,
    data: unknown,
    message?: unknown,
  ): FakeInteraction {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`fake discord: no channel ${channelId}`);
    const guildId = channel.guild_id;
    const it: FakeInteraction = {
      id: snowflake(),
      token: `itoken-${snowflake()}`,
      kind,
      channelId,
      guildId,
      user: user.user,
      sentAt: Date.now(),
      callbacks: [],
      followUpIds: [],
    };
    this.interactions.set(it.id, it);
    it.shard = this.dispatchToGuild(guildId, 'INTERACTION_CREATE', {
      id: it.id,
      token: it.token,
      type,
      version: 1,
      application_id: this.applicationId,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      channel_id: channelId,
      channel: apiChannel(channel),
      member: apiMember(user),
      app_permissions: BOT_PERMISSIONS,
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      data,
      ...(message ? { message } : {}),
    });
    return it;
  }

  // ---------------------------------------------------------------- REST

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);

    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      const bytes = this.hosted.get(url.pathname);
      if (!bytes) {
        res.writeHead(404).end('no such attachment');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength });
      res.end(Buffer.from(bytes));
      return;
    }

    const method = req.method ?? 'GET';
    const apiPath = url.pathname.replace(/^\/api\/v10/, '');
    // discord.js encodes '@original' as '%40original'; Discord decodes each segment, so do we.
    const path = apiPath.split('/').map((s) => decodeURIComponent(s)).join('/');
    const { body, files } = await this.parseBody(req, raw, url);
    const authorization = req.headers.authorization;
    const rec: RecordedRequest = {
      seq: ++this.requestSeq,
      at: Date.now(),
      method,
      path,
      route: '404',
      query: url.searchParams,
      authorization,
      body,
      files,
      status: 0,
    };

    let result: RouteResult;
    let dropResponse = false;
    const match = url.pathname.startsWith('/api/v10/') ? this.match(method, path) : null;
    if (!match) {
      result = { status: 404, json: { message: `fake discord: no route for ${method} ${url.pathname}`, code: 0 } };
    } else {
      rec.route = `${method} ${match.route.template}`;
      const fault = this.faults.find((f) => f.remaining > 0 && f.route === rec.route);
      if (fault) fault.remaining--;
      if (fault && fault.status !== 'drop-response') {
        result = { status: fault.status, json: { message: 'fake discord: injected failure', code: 0 } };
      } else if (this.needsBotAuth(match.route.template) && authorization !== `Bot ${this.token}`) {
        result = { status: 401, json: { message: '401: Unauthorized', code: 0 } };
      } else {
        result = await match.route.handle({ params: match.params, body, files, query: url.searchParams, authorization });
        dropResponse = fault?.status === 'drop-response';
      }
    }
    rec.status = dropResponse ? 0 : result.status;
    this.requests.push(rec);
    if (dropResponse) {
      // The request took effect but the answer is lost on the way back: the client sees a network error.
      req.socket.destroy();
      this.notify();
      return;
    }
    if (result.json === undefined) res.writeHead(result.status).end();
    else {
      const text = JSON.stringify(result.json);
      res.writeHead(result.status, { 'content-type': 'application/json' }).end(text);
    }
    this.notify();
  }

  private needsBotAuth(template: string): boolean {
    return !template.startsWith('/interactions/') && !template.startsWith('/webhooks/');
  }

  private async parseBody(req: http.IncomingMessage, raw: Buffer, url: URL): Promise<{ body: any; files: RecordedFile[] }> {
    const type = req.headers['content-type'] ?? '';
    if (raw.byteLength === 0) return { body: undefined, files: [] };
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request(url, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
      let body: any;
      const files: RecordedFile[] = [];
      for (const [field, value] of form.entries()) {
        if (field === 'payload_json') body = JSON.parse(typeof value === 'string' ? value : await value.text());
        else if (typeof value !== 'string') {
          files.push({ field, filename: value.name, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
        }
      }
      return { body, files };
    }
    const text = raw.toString('utf8');
    try {
      return { body: JSON.parse(text), files: [] };
    } catch {
      return { body: text, files: [] };
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = m[i + 1]));
      return { route, params };
    }
    return null;
  }

  private on(method: string, template: string, handle: Route['handle']): void {
    const keys: string[] = [];
    const re = new RegExp(
      '^' +
        template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_, k) => {
          keys.push(k);
          return '([^/]+)';
        }) +
        '/?$',
    );
    this.routes.push({ method, template, re, keys, handle });
  }

  /** Builds a stored message from a create/edit body plus uploaded files; `keep` are attachments already on it. */
  private materialise(channelId: string, body: any, files: RecordedFile[], keep: FakeAttachment[] = []): Partial<FakeMessage> {
    const attachments: FakeAttachment[] = [];
    const declared: any[] = body?.attachments ?? [];
    for (const a of declared) {
      const existing = keep.find((k) => k.id === String(a.id));
      if (existing) {
        attachments.push(existing);
        continue;
      }
      const file = files.find((f) => f.field === `files[${a.id}]`);
      if (!file) continue;
      attachments.push(this.storeUpload(channelId, file, a.filename ?? file.filename));
    }
    // Files uploaded without an attachments entry are still attached, as Discord does.
    for (const f of files) {
      const idx = /^files\[(\d+)\]$/.exec(f.field)?.[1];
      if (idx !== undefined && declared.some((a) => String(a.id) === idx)) continue;
      attachments.push(this.storeUpload(channelId, f, f.filename));
    }
    const out: Partial<FakeMessage> = {};
    if (body?.content !== undefined) out.content = body.content ?? '';
    if (body?.embeds !== undefined) out.embeds = body.embeds ?? [];
    if (body?.components !== undefined) out.components = body.components ?? [];
    if (body?.attachments !== undefined || files.length) out.attachments = attachments;
    if (body?.allowed_mentions !== undefined) out.allowed_mentions = body.allowed_mentions;
    if (body?.flags !== undefined) out.flags = body.flags;
    return out;
  }

  private storeUpload(channelId: string, f: RecordedFile, filename: string): FakeAttachment {
    const id = snowflake();
    const url = `http://127.0.0.1:${this.port}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    this.hosted.set(new URL(url).pathname, f.bytes);
    return { id, filename, size: f.bytes.byteLength, url, proxy_url: url, content_type: f.contentType, bytes: f.bytes };
  }

  private createMessage(channelId: string, author: FakeUser, fields: Partial<FakeMessage>): FakeMessage {
    const m: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      guild_id: this.channels.get(channelId)?.guild_id ?? this.guildId,
      author,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...fields,
    };
    this.messages.set(m.id, m);
    return m;
  }

  private interactionByToken(token: string): FakeInteraction | undefined {
    for (const it of this.interactions.values()) if (it.token === token) return it;
    return undefined;
  }

  private unknown(what: string): RouteResult {
    return { status: 404, json: { message: `Unknown ${what}`, code: 10003 } };
  }

  private defineRoutes(): void {
    this.on('GET', '/gateway/bot', () => ({
      status: 200,
      json: {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 1 },
      },
    }));
    this.on('GET', '/gateway', () => ({ status: 200, json: { url: this.gatewayUrl } }));
    this.on('GET', '/users/@me', () => ({ status: 200, json: apiUser(this.botUser) }));

    const register = (scope: string, body: any[]): RouteResult => {
      const cmds = (body ?? []).map((c: any) => ({
        ...c,
        id: this.registeredCommands.get(scope)?.find((x) => x.name === c.name)?.id ?? snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        ...(scope === 'global' ? {} : { guild_id: scope }),
      }));
      this.registeredCommands.set(scope, cmds);
      return { status: 200, json: cmds };
    };
    this.on('PUT', '/applications/:app/commands', ({ body }) => register('global', body));
    this.on('PUT', '/applications/:app/guilds/:guild/commands', ({ params, body }) => register(params.guild, body));
    this.on('GET', '/applications/:app/commands', () => ({ status: 200, json: this.registeredCommands.get('global') ?? [] }));
    this.on('GET', '/applications/:app/guilds/:guild/commands', ({ params }) => ({
      status: 200,
      json: this.registeredCommands.get(params.guild) ?? [],
    }));

    this.on('POST', '/interactions/:id/:token/callback', ({ params, body, files }) => {
      const it = this.interactions.get(params.id);
      if (!it || it.token !== params.token) return this.unknown('Interaction');
      if (it.callbacks.length > 0) {
        return { status: 400, json: { message: 'Interaction has already been acknowledged.', code: 40060 } };
      }
      it.callbacks.push({ type: body?.type, data: body?.data, at: Date.now() });
      const type = body?.type;
      if (type === 4 || type === 5) {
        const fields = type === 4 ? this.materialise(it.channelId, body.data, files) : { flags: body?.data?.flags ?? 0 };
        const m = this.createMessage(it.channelId, this.botUser, { ...fields, interaction_id: it.id });
        it.originalMessageId = m.id;
        if (type === 4) it.answeredAt = Date.now();
      } else if (type === 7 && it.messageId) {
        const m = this.messages.get(it.messageId);
        if (m) Object.assign(m, this.materialise(m.channel_id, body.data, files, m.attachments), { edited_timestamp: new Date().toISOString() });
        it.answeredAt = Date.now();
      } else if (type === 8) {
        it.answeredAt = Date.now();
      }
      return { status: 204 };
    });

    const original = (token: string): { it: FakeInteraction; m: FakeMessage } | null => {
      const it = this.interactionByToken(token);
      const m = it?.originalMessageId ? this.messages.get(it.originalMessageId) : undefined;
      return it && m ? { it, m } : null;
    };
    const findWebhookMessage = (token: string, id: string) => {
      if (id === '@original') return original(token);
      const it = this.interactionByToken(token);
      const m = this.messages.get(id);
      return it && m && m.interaction_id === it.id ? { it, m } : null;
    };
    this.on('GET', '/webhooks/:app/:token/messages/:message', ({ params }) => {
      const found = findWebhookMessage(params.token, params.message);
      return found ? { status: 200, json: apiMessage(found.m) } : this.unknown('Message');
    });
    this.on('PATCH', '/webhooks/:app/:token/messages/:message', ({ params, body, files }) => {
      const found = findWebhookMessage(params.token, params.message);
      if (!found) return this.unknown('Message');
      Object.assign(found.m, this.materialise(found.m.channel_id, body, files, found.m.attachments), {
        edited_timestamp: new Date().toISOString(),
      });
      if (params.message === '@original') found.it.answeredAt ??= Date.now();
      return { status: 200, json: apiMessage(found.m) };
    });
    this.on('DELETE', '/webhooks/:app/:token/messages/:message', ({ params }) => {
      const found = findWebhookMessage(params.token, params.message);
      if (!found) return this.unknown('Message');
      this.messages.delete(found.m.id);
      return { status: 204 };
    });
    this.on('POST', '/webhooks/:app/:token', ({ params, body, files }) => {
      const it = this.interactionByToken(params.token);
      if (!it) return this.unknown('Webhook');
      const m = this.createMessage(it.channelId, this.botUser, { ...this.materialise(it.channelId, body, files), interaction_id: it.id });
      it.followUpIds.push(m.id);
      return { status: 200, json: apiMessage(m) };
    });

    this.on('GET', '/channels/:channel', ({ params }) => {
      const c = this.channels.get(params.channel);
      return c ? { status: 200, json: apiChannel(c) } : this.unknown('Channel');
    });
    this.on('GET', '/channels/:channel/messages/:message', ({ params }) => {
      const m = this.messages.get(params.message);
      return m && m.channel_id === params.channel ? { status: 200, json: apiMessage(m) } : this.unknown('Message');
    });
    this.on('POST', '/channels/:channel/messages', ({ params, body, files }) => {
      const c = this.channels.get(params.channel);
      if (!c) return this.unknown('Channel');
      // Discord's enforce_nonce: a repeated nonce within a few minutes returns the message already created.
      if (body?.enforce_nonce && body?.nonce !== undefined) {
        const prior = [...this.messages.values()].find((m) => m.channel_id === c.id && m.nonce === String(body.nonce));
        if (prior) return { status: 200, json: apiMessage(prior) };
      }
      const m = this.createMessage(c.id, this.botUser, {
        ...this.materialise(c.id, body, files),
        ...(body?.nonce !== undefined ? { nonce: String(body.nonce) } : {}),
      });
      return { status: 200, json: apiMessage(m) };
    });
    this.on('PATCH', '/channels/:channel/messages/:message', ({ params, body, files }) => {
      const m = this.messages.get(params.message);
      if (!m || m.channel_id !== params.channel) return this.unknown('Message');
      Object.assign(m, this.materialise(m.channel_id, body, files, m.attachments), { edited_timestamp: new Date().toISOString() });
      return { status: 200, json: apiMessage(m) };
    });

    const createThread = (parentId: string, name: string, starter?: FakeMessage): RouteResult => {
      const parent = this.channels.get(parentId);
      if (!parent || parent.type !== 0) return this.unknown('Channel');
      if (starter?.thread_id) {
        return { status: 400, json: { message: 'A thread has already been created for this message', code: 160004 } };
      }
      // A thread started from a message shares the message's id, as on Discord.
      const t: FakeChannel = {
        id: starter?.id ?? snowflake(),
        type: 11,
        name: String(name ?? 'thread').slice(0, 100),
        guild_id: parent.guild_id,
        parent_id: parentId,
        owner_id: this.botUser.id,
        starter_message_id: starter?.id,
      };
      this.channels.set(t.id, t);
      if (starter) starter.thread_id = t.id;
      this.dispatchToGuild(t.guild_id, 'THREAD_CREATE', { ...apiChannel(t), newly_created: true });
      return { status: 201, json: apiChannel(t) };
    };
    this.on('POST', '/channels/:channel/messages/:message/threads', ({ params, body }) => {
      const m = this.messages.get(params.message);
      if (!m || m.channel_id !== params.channel) return this.unknown('Message');
      return createThread(params.channel, body?.name, m);
    });
    this.on('POST', '/channels/:channel/threads', ({ params, body }) => createThread(params.channel, body?.name));

    this.on('GET', '/guilds/:guild/members/:user', ({ params }) => {
      const m = this.members.get(params.user);
      return m ? { status: 200, json: apiMember(m) } : this.unknown('Member');
    });
    this.on('GET', '/guilds/:guild/roles', ({ params }) => ({
      status: 200,
      json: this.rolesOf(params.guild).map((r, i) => apiRole(r, i)),
    }));
  }
}
