import type { Segment } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readEnvironmentKeys, readFlags, readSegments, type StoredSegment } from '../config/state.js';
import { assertValid } from '../config/validate.js';
import { notFound, PitbossError } from '../errors.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { segmentStore } from './segment-store.js';

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const FIELDS = new Set(['key', 'if', 'description']);

/** Named conditions (`employees`, `nordics`) that flag rules reference with `segment('name')`. */
export class SegmentService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
  ) {}

  list(includeArchived = false): Promise<StoredSegment[]> {
    return readSegments(this.db, includeArchived);
  }

  async get(key: string): Promise<StoredSegment> {
    const found = await find(this.db, key);
    if (found === undefined) throw notFound('segment', key);
    return found;
  }

  create(ctx: MutationContext, body: unknown): Promise<StoredSegment> {
    const segment = parse(body);
    return this.mutations.run(ctx, async (tx, now) => {
      if (await find(tx, segment.key))
        throw new PitbossError('ALREADY_EXISTS', `segment '${segment.key}' already exists`);
      await validate(tx, segment, undefined);
      const at = now.toISOString();
      await segmentStore.insert(tx, segment, at);
      return {
        result: { segment, version: 1, archived: false, createdAt: at, updatedAt: at },
        audit: [{ action: 'segment.create', resource: `segment:${segment.key}`, after: segment }],
        environments: 'all',
      };
    });
  }

  replace(ctx: MutationContext, key: string, body: unknown, version: number): Promise<StoredSegment> {
    const segment = parse(body);
    if (segment.key !== key) throw invalid(['key'], `the key cannot change ('${key}' → '${segment.key}')`);
    return this.write(ctx, key, version, 'segment.update', segment);
  }

  /** Refused while a flag still uses the segment: archiving it would break that flag's rules. */
  archive(ctx: MutationContext, key: string, version: number): Promise<StoredSegment> {
    return this.write(ctx, key, version, 'segment.archive', undefined);
  }

  private write(
    ctx: MutationContext,
    key: string,
    version: number,
    action: string,
    next: Segment | undefined,
  ): Promise<StoredSegment> {
    return this.mutations.run(ctx, async (tx, now) => {
      const current = await find(tx, key);
      if (current === undefined || current.archived) throw notFound('segment', key);
      if (current.version !== version) {
        throw new PitbossError(
          'VERSION_CONFLICT',
          `segment '${key}' is at version ${current.version}, not ${version}`,
          {
            expected: version,
            actual: current.version,
          },
        );
      }
      await validate(tx, next, key);
      const at = now.toISOString();
      const segment = next ?? current.segment;
      await segmentStore.update(tx, segment, version, at, next === undefined);
      return {
        result: {
          segment,
          version: version + 1,
          archived: next === undefined,
          createdAt: current.createdAt,
          updatedAt: at,
        },
        audit: [{ action, resource: `segment:${key}`, before: current.segment, after: next ?? null }],
        environments: 'all',
      };
    });
  }
}

async function find(db: Kysely<Schema> | Tx, key: string): Promise<StoredSegment | undefined> {
  return (await readSegments(db, true)).find((s) => s.segment.key === key);
}

/** The segment compiles, and every flag still compiles with it (or without it, when archiving `key`). */
async function validate(tx: Tx, next: Segment | undefined, key: string | undefined): Promise<void> {
  const [environments, segments, flags] = await Promise.all([
    readEnvironmentKeys(tx),
    readSegments(tx),
    readFlags(tx),
  ]);
  const others = segments.map((s) => s.segment).filter((s) => s.key !== (next?.key ?? key));
  assertValid(
    {
      environments,
      segments: next ? [...others, next] : others,
      flags: Object.fromEntries(flags.map((f) => [f.flag.key, f.flag])),
    },
    next ? { segments: [next.key] } : { flags: flags.map((f) => f.flag.key) },
  );
}

function parse(body: unknown): Segment {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid([], 'a segment is an object {key, if, description?}');
  const o = body as Record<string, unknown>;
  for (const field of Object.keys(o))
    if (!FIELDS.has(field)) throw invalid([field], `unknown field '${field}'; allowed: key, if, description`);
  if (typeof o.key !== 'string' || !KEY.test(o.key))
    throw invalid(['key'], 'key must be 1–128 letters, digits, _ - .');
  if (typeof o.if !== 'string') throw invalid(['if'], "'if' must be an expression string");
  if (o.description !== undefined && typeof o.description !== 'string')
    throw invalid(['description'], 'description must be a string');
  return o.description === undefined
    ? { key: o.key, if: o.if }
    : { key: o.key, if: o.if, description: o.description };
}

function invalid(path: (string | number)[], message: string): PitbossError {
  return new PitbossError('VALIDATION_FAILED', message, [
    { severity: 'error', code: 'CONFIG_TYPE', message, path },
  ]);
}
