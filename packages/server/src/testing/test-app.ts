import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type AppOptions, buildApp, type PitbossApp } from '../api/app.js';
import type { ApprovalOptions } from '../approvals/protection.js';
import { type Role, SYSTEM } from '../auth/roles.js';
import { generateToken } from '../auth/tokens.js';
import type { ChangeBus } from '../delivery/change-bus.js';
import type { DeliveryOptions } from '../delivery/delivery-options.js';
import { openDatabase } from '../storage/database.js';

/** The PostgreSQL server the tests use for real (see DEVELOPERS: trust auth, database `test`). */
export const POSTGRES_URL = process.env.PITBOSS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DriverName = 'sqlite' | 'postgres';
export const DRIVERS: readonly DriverName[] = ['sqlite', 'postgres'];

/** A database URL of a fresh, empty store: an in-memory SQLite, or a new schema in the test PostgreSQL. */
export function freshDatabaseUrl(driver: DriverName): string {
  if (driver === 'sqlite') return 'sqlite::memory:';
  return `${POSTGRES_URL}?schema=pitboss_test_${randomBytes(6).toString('hex')}`;
}

/** Drops the schemas tests created in PostgreSQL. */
export async function dropSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema');
  if (!schema) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export interface TestApp extends PitbossApp {
  readonly url: string;
  /** A token of each role, plus an SDK key for prod and one for dev. */
  readonly tokens: Readonly<Record<Role | 'sdkProd' | 'sdkDev' | 'clientProd', string>>;
  /** fastify.inject with a bearer token and JSON body. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answered.
  readonly body: any;
  readonly text: string;
}

/** A control plane on a fresh store with one token per role, for integration tests. */
export async function startTestApp(
  driver: DriverName,
  options: {
    url?: string;
    bus?: ChangeBus;
    delivery?: DeliveryOptions;
    approvals?: ApprovalOptions;
    /** The rollout driver's router, providers and clock (tests tick it with `services.rolloutDriver.tickOnce`). */
    rollouts?: AppOptions['rollouts'];
    /** The audit-log stream's poll and heartbeat. */
    events?: AppOptions['events'];
    /** The console's files; default the @pitboss/ui build. */
    console?: AppOptions['console'];
  } = {},
): Promise<TestApp> {
  const url = options.url ?? freshDatabaseUrl(driver);
  const database = await openDatabase(url);
  const pitboss = await buildApp({
    database,
    logger: false,
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.rollouts ? { rollouts: options.rollouts } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.console === undefined ? {} : { console: options.console }),
    ...options.approvals,
  });
  const issue = async (
    name: string,
    input: { kind: 'api'; role: Role } | { kind: 'sdk' | 'client'; environment: string },
  ) => {
    const token = generateToken(input.kind);
    await pitboss.services.tokens.create({ principal: SYSTEM }, { name, ...input }, token);
    return token;
  };
  const tokens = {
    viewer: await issue('viewer', { kind: 'api', role: 'viewer' }),
    editor: await issue('editor', { kind: 'api', role: 'editor' }),
    approver: await issue('approver', { kind: 'api', role: 'approver' }),
    admin: await issue('admin', { kind: 'api', role: 'admin' }),
    sdkProd: await issue('sdk-prod', { kind: 'sdk', environment: 'prod' }),
    sdkDev: await issue('sdk-dev', { kind: 'sdk', environment: 'dev' }),
    clientProd: await issue('client-prod', { kind: 'client', environment: 'prod' }),
  };
  return {
    ...pitboss,
    url,
    tokens,
    async call(method, path, opts = {}) {
      const res = await pitboss.app.inject({
        method: method as 'GET',
        url: path,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        ...(opts.body === undefined
          ? {}
          : { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
      });
      let body: unknown;
      try {
        body = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, headers: res.headers, body, text: res.body };
    },
    async close() {
      await pitboss.close();
      if (driver === 'postgres' && !options.url) await dropSchema(url);
    },
  };
}
