import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { HlsGateway } from '@parley/hls-gateway';
import { Sfu } from '@parley/sfu';
import { iceServersFor } from '@parley/turn';
import { createAuth } from './auth/index.ts';
import { Cluster, ClusterUnavailable } from './cluster/index.ts';
import { ClusterRouting } from './cluster/routing.ts';
import { connectRedis } from './cluster/redis.ts';
import { sharedAttempts } from './cluster/sharedAttempts.ts';
import { loadConfig } from './config/index.ts';
import type { Config } from './config/index.ts';
import { openStorage } from './store/index.ts';
import type { Storage } from './store/index.ts';
import { createHttpHandler } from './http/routes.ts';
import { limitHashing } from './rooms/passwords.ts';
import { limitSfuPeers } from './ws/sfuHandlers.ts';
import { TrustedProxies, clientAddress } from './util/clientAddress.ts';
import type { OnLimit } from './util/limits.ts';
import { metricsGate, startMetricsListener } from './http/metricsAccess.ts';
import { servedOverTls } from './http/securityHeaders.ts';
import { createLog } from './telemetry/log.ts';
import { createMailer } from './mail/mailer.ts';
import { Metrics } from './telemetry/metrics.ts';
import type { Log } from './telemetry/log.ts';
import type { RoomId } from '@parley/protocol';
import { MEETING_GONE_MS, MEETING_PULSE_MS, startMeetingPulse } from './rooms/door.ts';
import { Attendance } from './attendance/attendance.ts';
import { FeedbackTickets } from './attendance/tickets.ts';
import { Scheduling } from './scheduling/scheduling.ts';
import { NoticeDispatcher } from './notices/dispatcher.ts';
import type { NoticeChannel } from './notices/channel.ts';
import { EmailChannel } from './notices/emailChannel.ts';
import { loadJwtSecret } from './auth/secret.ts';
import { createPush } from './push/index.ts';
import type { PushChannel } from './push/index.ts';
import type { Room } from './rooms/room.ts';
import { Rooms } from './rooms/rooms.ts';
import { MediaJobBudget } from './rooms/mediaJobs.ts';
import { Recordings } from './recording/recordings.ts';
import { statfsFreeSpace } from './recording/diskSpace.ts';
import { createRecorderEngine } from './recording/recorderEngine.ts';
import { StaticFiles } from './http/staticFiles.ts';
import { SignalingSocketServer } from './ws/wsServer.ts';

export interface ParleyServer {
  /** `http://<host>:<port>` as bound (port 0 resolved). */
  url: string;
  /** The METRICS_LISTEN listener's `http://<host>:<port>`, when there is one. */
  metricsUrl: string | undefined;
  port: number;
  config: Config;
  /** The SFU, when enabled (tests reach its workers through it). */
  sfu: Sfu | undefined;
  /** The HLS gateway, when broadcasting is enabled. */
  gateway: HlsGateway | undefined;
  /** Cluster membership, when REDIS_URL is set. */
  cluster: Cluster | undefined;
  /** Scheduled meetings' notices (issue 21); ticks every 30 s, and tests may `tick()` it. */
  notices: NoticeDispatcher;
  /** The Web Push notice channel (issue 21): reminders to the devices of an account. */
  push: PushChannel;
  /**
   * Cluster mode (SIGTERM): take no new rooms, fail the health check so the load balancer
   * stops sending us connections, and move every room to another node (their clients
   * reconnect and join it there). Then `close()`. Single node: nothing to do.
   */
  drain(): Promise<void>;
  /** Graceful stop: sockets closed with 1001, HTTP drained, storage closed. Idempotent. */
  close(): Promise<void>;
}

/** How often silent meetings are ended and expired ones purged (a bounded batch each time). */
const ATTENDANCE_SWEEP_MS = 5 * 60_000;

export interface StartOptions extends Partial<Config> {
  log?: Log;
  /**
   * The clock attendance is recorded by, scheduled notices and push reminders go by, and
   * password reset links expire by (issue 21); tests move it. Default Date.now.
   */
  now?: () => number;
  /** How scheduled meetings' notices reach people; default: email (when SMTP is set up) and push. */
  channels?: NoticeChannel[];
}

/** How often due notices are looked for, each tick sending at most its `perTick`. */
const NOTICE_TICK_MS = 30_000;

/** Rooms over the storage, each with its media policy (mesh/SFU switching, broadcast). */
function createRooms(
  config: Config,
  storage: Storage,
  media: {
    sfu: Sfu | undefined;
    gateway: HlsGateway | undefined;
    recordings: Recordings | undefined;
  },
  metrics: Metrics,
  log: Log,
  cluster: () => Cluster | undefined,
  attendance: Attendance,
) {
  const { sfu, gateway, recordings } = media;
  return new Rooms({
    attendance,
    creationsPerHour: config.limits.roomCreationsPerHour,
    passwordTries: config.limits.roomPassword,
    waiting: { max: config.limits.waitingMax, perAddress: config.limits.waitingPerAddress },
    onLimit: (limit) => metrics.limitHits.inc({ limit }),
    ...(config.cluster ? clusterPlacement(cluster, log) : {}),
    roomStore: storage.rooms,
    chatStore: storage.chat,
    doorStore: storage.doors,
    teamStore: storage.teams,
    pollStore: storage.polls,
    boardStore: storage.boards,
    maxPeers: config.roomMaxPeers,
    hostGraceMs: config.hostGraceMs,
    rejoinWindowMs: config.resumeWindowMs,
    log,
    media: {
      sfu,
      gateway,
      recordings,
      meshMaxPeers: config.meshMaxPeers,
      downgradeHoldMs: config.sfuDowngradeHoldS * 1000,
      downgradeGraceMs: config.sfuDowngradeGraceS * 1000,
      onSwitch: (to, ms) => metrics.switches.observe({ to }, ms / 1000),
      jobs: new MediaJobBudget(config.mediaJobs, (limit) => metrics.limitHits.inc({ limit })),
      maxConsumersPerPeer: config.limits.sfu.consumers,
    },
  });
}

/** Cluster mode: a room is served here only once this node holds it; a closed one is let go. */
function clusterPlacement(cluster: () => Cluster | undefined, log: Log) {
  return {
    place: async (id: RoomId): Promise<boolean> => {
      const member = cluster();
      if (!member) throw new ClusterUnavailable('this node has not joined the cluster yet');
      return (await member.route(id)).local;
    },
    onClosed: (id: RoomId): void => {
      cluster()
        ?.release(id)
        .catch((error: unknown) => log.warn('room claim not released', { roomId: id, error }));
    },
  };
}

/** STUN as configured plus a TURN credential minted per peer (counted). */
function iceProvider(config: Config, metrics: Metrics) {
  const ice = {
    stunUrls: config.stunUrls,
    turn: config.turn && { ...config.turn, ttlS: config.turnTtlS },
  };
  return (user: string, ttlS?: number) => {
    if (!ice.turn) return iceServersFor(ice, user);
    metrics.turnCredentials.inc();
    return iceServersFor({ ...ice, turn: { ...ice.turn, ttlS: ttlS ?? ice.turn.ttlS } }, user);
  };
}

const hlsDir = (config: Config): string => path.join(config.dataDir, 'hls');

function startGateway(config: Config, sfu: Sfu | undefined, log: Log): HlsGateway | undefined {
  if (!config.hls || !sfu) return undefined;
  const { segmentSeconds, width, height, fps, videoKbps, ladder } = config.hls;
  return new HlsGateway({
    outDir: hlsDir(config),
    workDir: path.join(config.dataDir, 'hls-work'),
    segmentSeconds,
    width,
    height,
    fps,
    videoKbps,
    ladder,
    log,
  });
}

/** RECORDINGS_DIR, else `<dataDir>/recordings`. */
const recordingsRoot = (config: Config): string =>
  config.recording?.dir ?? path.join(config.dataDir, 'recordings');

/**
 * The node's recordings (issue 18), when it can record: their unfinished work (a recording a
 * crash cut short, a queued or half-done composite) resumes now, and old ones expire hourly.
 */
function startRecordings(
  config: Config,
  storage: Storage,
  sfu: Sfu | undefined,
  log: Log,
): Recordings | undefined {
  if (!config.recording || !sfu) return undefined;
  const { retentionDays, minFreeBytes, composites, rtpPorts } = config.recording;
  const recordings = new Recordings({
    store: storage.recordings,
    engine: createRecorderEngine({ ports: rtpPorts, log }),
    root: recordingsRoot(config),
    node: config.cluster?.nodeId ?? null,
    retentionDays,
    minFreeBytes,
    composites,
    freeSpace: statfsFreeSpace,
    log,
  });
  recordings
    .resume()
    .then(() => recordings.sweepEvery(60 * 60_000))
    .catch((error: unknown) => log.error('recordings did not resume', { error: String(error) }));
  return recordings;
}

function listen(http: Server, config: Config): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve((http.address() as AddressInfo).port));
  });
}

/** The composition root: wires storage, rooms, HTTP and WebSocket together and listens. */
export async function startServer(options: StartOptions = {}): Promise<ParleyServer> {
  const { log = createLog(), now, channels, ...overrides } = options;
  const config: Config = { ...loadConfig({ LOCAL_TURN: 'off' }), ...overrides };
  const storage = await openStorage(config);
  const attendance = new Attendance({
    store: storage.attendance,
    tickets: new FeedbackTickets(loadJwtSecret(config.jwtSecret, config.dataDir)),
    goneMs: MEETING_GONE_MS,
    retentionDays: config.attendance.retentionDays,
    log,
    ...(now ? { now } : {}),
  });
  const push = createPush(config, storage, log, now);
  const sfu = config.sfu ? await Sfu.start({ ...config.sfu, log }) : undefined;
  const live = { rooms: (): Room[] => [], connections: (): number => 0 };
  const metrics = new Metrics({
    rooms: () => live.rooms().map((r) => ({ mode: r.mode, admitted: r.size, waiting: r.waiting })),
    connections: () => live.connections(),
    ...(sfu ? { sfuWorkers: () => sfu.resourceUsage() } : {}),
  });
  const gateway = startGateway(config, sfu, log);
  const recordings = startRecordings(config, storage, sfu, log);
  let cluster: Cluster | undefined;
  const media = { sfu, gateway, recordings };
  const rooms = createRooms(config, storage, media, metrics, log, () => cluster, attendance);
  const liveRoomIds = (): RoomId[] => [...rooms.live()].map((r) => r.id);
  const stopPulse = startMeetingPulse(liveRoomIds, storage.doors, log);
  const stopAttendance = attendance.start(liveRoomIds, MEETING_PULSE_MS, ATTENDANCE_SWEEP_MS);
  gateway?.on('ended', (roomId, reason) =>
    rooms.get(roomId as RoomId)?.media.broadcast.ended(reason),
  );
  const iceServersFor = iceProvider(config, metrics);
  const onLimit: OnLimit = (limit) => metrics.limitHits.inc({ limit });
  limitHashing({ ...config.limits.hash, onLimit });
  limitSfuPeers({ ...config.limits.sfu, onLimit });
  const mailer = createMailer(config.mail);
  // Links in mail start with SITE_URL; without it, with this server's address once it listens.
  const self = { url: '' };
  const siteUrl = (): string => config.siteUrl ?? self.url;
  const mail = { mailer, siteUrl, ...(now ? { now } : {}) };
  // In a cluster the account limits count in Redis: a load balancer spreads one attacker's
  // tries over every node, and per-node counts would give them a try per node.
  const limitsRedis = config.cluster ? connectRedis(config.cluster.redisUrl) : undefined;
  await limitsRedis?.connect().catch((error: unknown) => {
    log.warn('shared attempt limits: Redis unreachable at start', { error: String(error) });
  });
  const accounts = createAuth(config, storage, rooms, log, mail, {
    onLimit,
    ...(limitsRedis ? { attempts: sharedAttempts(limitsRedis, log) } : {}),
  });
  const scheduling = new Scheduling({
    store: storage.schedule,
    users: storage.users,
    createRoom: (room) => rooms.create(room),
    roomSettings: (id) => rooms.settingsOf(id),
    changeRoom: (id, change, passwordHash) => rooms.changeSettings(id, change, passwordHash),
    now: now ?? Date.now,
  });
  const trusted = new TrustedProxies(config.limits.trustProxy);
  const auth = accounts.verifier;
  const watchLink = {
    token: (roomId: RoomId) => accounts.viewers.token(roomId),
    broadcastId: (roomId: RoomId) => accounts.viewers.broadcastId(roomId),
  };
  const sockets = new SignalingSocketServer({
    config,
    rooms,
    log,
    metrics,
    iceServersFor,
    auth,
    watchLink,
    guests: accounts.guests,
    boardTickets: accounts.boardTickets,
  });
  live.rooms = () => [...rooms.live()];
  live.connections = () => sockets.connectionCount;
  const handle = createHttpHandler({
    rooms,
    polls: storage.polls,
    slides: storage.slides,
    boardTickets: accounts.boardTickets,
    recordingStore: storage.recordings,
    recordings,
    recordingsRoot: recordingsRoot(config),
    recordingLinks: accounts.recordingLinks,
    attendance,
    scheduling,
    siteUrl: config.siteUrl,
    push: push.routes,
    log,
    metrics,
    metricsGate: metricsGate(config.metrics, config.host, false),
    auth: accounts,
    hlsRoot: gateway ? hlsDir(config) : undefined,
    staticFiles: config.staticDir ? new StaticFiles(config.staticDir) : undefined,
    sfuCapabilities: sfu ? () => sfu.rtpCapabilities : undefined,
    health: () => ({
      state: cluster?.state ?? 'serving',
      ...(cluster ? { node: cluster.nodeId } : {}),
      rooms: rooms.liveCount,
      connections: sockets.connectionCount,
    }),
    nodeId: () => cluster?.nodeId,
    features: () => ({ email: mailer !== undefined }),
    addressOf: (req) => clientAddress(req, trusted),
    overTls: (req) => servedOverTls(req, (address) => trusted.trusts(address)),
  });
  const http = createServer();
  let routing: ClusterRouting | undefined;
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!routing) return handle(req, res);
    routing
      .request(req, res, () => handle(req, res))
      .then(
        (forwarded) => forwarded || handle(req, res),
        // Redis is away: what this node knows (the database) is the best answer it has.
        () => handle(req, res),
      );
  });
  http.on('upgrade', (req, socket, head) => {
    const local = (): void => sockets.handleUpgrade(req, socket, head);
    if (!routing) return local();
    routing.upgrade(req, socket, head, local).catch((error: unknown) => {
      log.error('upgrade routing failed', { error });
      socket.destroy();
    });
  });
  const port = await listen(http, config);
  const onMetricsError = (error: unknown) => log.error('metrics failed', { error: String(error) });
  const metricsListener = await startMetricsListener(config.metrics, metrics, onMetricsError);
  if (config.cluster) {
    if (config.limits.trustProxy.length === 0) {
      // Without it every browser behind the load balancer is its address (WS_MAX_PER_ADDRESS).
      log.warn('cluster mode without TRUST_PROXY: per-address limits see the proxy, not browsers');
    }
    const { redisUrl, nodeId, publicUrl } = config.cluster;
    const self = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host;
    cluster = await Cluster.join({
      redisUrl,
      nodeId,
      url: publicUrl ?? `http://${self}:${port}`,
      localRooms: () => [...rooms.live()].map((r) => ({ id: r.id, peers: r.size })),
      onRoomLost: (roomId, owner) => {
        log.warn('another node holds this room: moving it there', { roomId, owner });
        rooms
          .moveAway(roomId as RoomId)
          .catch((error: unknown) => log.error('move failed', { roomId, error }));
      },
      onRenewError: (error) => log.warn('cluster renewal failed', { error: String(error) }),
    });
    const nodeOfRecording = async (id: string) => (await storage.recordings.get(id))?.node;
    routing = new ClusterRouting(
      cluster,
      log,
      (id) => accounts.viewers.roomOf(id),
      nodeOfRecording,
    );
    log.info('joined the cluster', { node: cluster.nodeId });
  }
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  self.url = url;
  const notices = new NoticeDispatcher({
    schedule: storage.schedule,
    notices: storage.notices,
    users: storage.users,
    channels: channels ?? [new EmailChannel(mailer), push.channel],
    now: now ?? Date.now,
    leadMin: config.schedule.reminderLeadMin,
    context: (m) => scheduling.context(m, siteUrl()),
    log,
  });
  const stopNotices = notices.start(NOTICE_TICK_MS);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await sockets.close();
      http.closeAllConnections();
      await stopped;
      metricsListener?.server.close();
      metricsListener?.server.closeAllConnections();
      await gateway?.close();
      recordings?.close();
      await sfu?.close();
      await cluster?.close();
      limitsRedis?.disconnect();
      stopPulse();
      stopAttendance();
      await attendance.drain();
      stopNotices();
      await notices.drain();
      mailer?.close();
      await storage.close();
    })());
  log.info('listening', { url });
  if (config.mail && !config.siteUrl) {
    log.warn('mail is on without SITE_URL: links in mail lead to this address', { url });
  }
  const drain = async (): Promise<void> => {
    if (!cluster) return;
    await cluster.drain();
    log.info('draining: moving every room to another node', { rooms: rooms.liveCount });
    await Promise.all([...rooms.live()].map((r) => rooms.moveAway(r.id)));
  };
  const metricsUrl = metricsListener?.url;
  const channel = push.channel;
  return {
    url,
    metricsUrl,
    port,
    config,
    sfu,
    gateway,
    cluster,
    notices,
    push: channel,
    drain,
    close,
  };
}
