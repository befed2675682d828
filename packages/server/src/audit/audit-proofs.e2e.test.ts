import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp } from '../testing/test-app.js';
import { canonicalJson } from './canonical-json.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import {
  type AuditFixture,
  dropAppendOnly,
  pitboss,
  rewriteEntry,
  startAuditFixture,
} from './tamper-fixture.js';

const EVERY = 4;
let dir: string;
let keyFile: string;
const saved = {
  key: process.env.PITBOSS_AUDIT_SIGNING_KEY,
  every: process.env.PITBOSS_AUDIT_CHECKPOINT_EVERY,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-proofs-'));
  keyFile = join(dir, 'audit-key.pem');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  process.env.PITBOSS_AUDIT_SIGNING_KEY = keyFile;
  process.env.PITBOSS_AUDIT_CHECKPOINT_EVERY = String(EVERY);
});
afterAll(() => {
  for (const [name, value] of [
    ['PITBOSS_AUDIT_SIGNING_KEY', saved.key],
    ['PITBOSS_AUDIT_CHECKPOINT_EVERY', saved.every],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const hexes = (s: string[]): Buffer[] => s.map(hex);

interface ApiCheckpoint {
  size: number;
  rootHash: string;
  at: string;
  signature: string | null;
  keyId: string | null;
}

describe.each(DRIVERS)('checkpoints and proofs on %s, as an external verifier sees them', (driver) => {
  let f: AuditFixture;
  let publicKeyPem: string;
  let old: ApiCheckpoint;
  const get = async (path: string) => (await f.t.call('GET', path, { token: f.t.tokens.viewer })).body;
  const change = async (feature: string) =>
    expect(
      (await f.t.call('POST', '/api/v1/flags', { token: f.t.tokens.editor, body: { feature } })).status,
    ).toBe(201);

  beforeAll(async () => {
    f = await startAuditFixture(driver, dir);
    for (const feature of ['payments_v2', 'new_lobby', 'jackpot_banner']) await change(feature);
  });
  afterAll(() => f.close());

  it('serves the public key, with the key id an outsider can recompute', async () => {
    const key = await get('/api/v1/audit/public-key');
    expect(key.algorithm).toBe('Ed25519');
    publicKeyPem = key.publicKey;
    const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(key.keyId).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('takes a signed checkpoint every few entries and on demand (admins only)', async () => {
    expect((await f.t.call('POST', '/api/v1/audit/checkpoints', { token: f.t.tokens.editor })).status).toBe(
      403,
    );
    const taken = await f.t.call('POST', '/api/v1/audit/checkpoints', { token: f.t.tokens.admin });
    expect(taken.status).toBe(201);
    const again = await f.t.call('POST', '/api/v1/audit/checkpoints', { token: f.t.tokens.admin });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ checkpoint: taken.body.checkpoint, created: false });
    old = taken.body.checkpoint;
    const { checkpoints, latest } = await get('/api/v1/audit/checkpoints?limit=1000');
    expect(latest).toEqual(old);
    const sizes = checkpoints.map((c: ApiCheckpoint) => c.size);
    const automatic = Array.from({ length: Math.floor(old.size / EVERY) }, (_, i) => (i + 1) * EVERY);
    expect(sizes).toEqual(old.size % EVERY === 0 ? automatic : [...automatic, old.size]);
    const key = createPublicKey(publicKeyPem);
    for (const c of checkpoints as ApiCheckpoint[]) {
      // The signed bytes, as docs/audit.md spells them out.
      const body = Buffer.from(`pitboss-audit-checkpoint/v1\n${c.size}\n${c.rootHash}\n${c.at}\n`);
      expect(verify(null, body, key, Buffer.from(c.signature!, 'base64')), `checkpoint ${c.size}`).toBe(true);
      expect(verify(null, Buffer.from(`${body}x`), key, Buffer.from(c.signature!, 'base64'))).toBe(false);
    }
    expect(
      (await get('/api/v1/audit/checkpoints?after=4&limit=1')).checkpoints.map((c: ApiCheckpoint) => c.size),
    ).toEqual([8]);
  });

  it('proves every entry is in the checkpoint, from the entry alone', async () => {
    for (let seq = 1; seq <= old.size; seq++) {
      const p = await get(`/api/v1/audit/proofs/inclusion?seq=${seq}&size=${old.size}`);
      expect(p.rootHash).toBe(old.rootHash);
      // The leaf: canonical JSON of the entry without its hash — the same bytes `hash` is the SHA-256 of.
      const { hash, ...unhashed } = p.entry;
      const bytes = Buffer.from(canonicalJson(unhashed), 'utf8');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash);
      expect(leafHash(bytes).toString('hex')).toBe(p.leafHash);
      expect(verifyInclusion(seq - 1, old.size, leafHash(bytes), hexes(p.proof), hex(old.rootHash))).toBe(
        true,
      );
      const forged = Buffer.from(canonicalJson({ ...unhashed, actor: 'mallory' }), 'utf8');
      expect(verifyInclusion(seq - 1, old.size, leafHash(forged), hexes(p.proof), hex(old.rootHash))).toBe(
        false,
      );
    }
  });

  it('proves a later checkpoint extends the old one, by API and CLI', async () => {
    for (const feature of ['bonus_wheel', 'live_casino', 'cashout_v3']) await change(feature);
    const latest: ApiCheckpoint = (await get('/api/v1/audit/checkpoints')).latest;
    expect(latest.size).toBeGreaterThan(old.size);
    const p = await get(`/api/v1/audit/proofs/consistency?from=${old.size}&to=${latest.size}`);
    expect(p).toMatchObject({
      from: old.size,
      to: latest.size,
      fromRoot: old.rootHash,
      toRoot: latest.rootHash,
    });
    expect(
      verifyConsistency(old.size, latest.size, hex(old.rootHash), hex(latest.rootHash), hexes(p.proof)),
    ).toBe(true);
    // Every pair of checkpoints is consistent too.
    const all: ApiCheckpoint[] = (await get('/api/v1/audit/checkpoints?limit=1000')).checkpoints;
    for (const a of all) {
      for (const b of all.filter((c) => c.size >= a.size)) {
        const q = await get(`/api/v1/audit/proofs/consistency?from=${a.size}&to=${b.size}`);
        expect(verifyConsistency(a.size, b.size, hex(a.rootHash), hex(b.rootHash), hexes(q.proof))).toBe(
          true,
        );
      }
    }
    // The automatic checkpoints (built from the cached tree) match a from-scratch recomputation.
    const verdict = await f.t.call('GET', '/api/v1/audit/verify', { token: f.t.tokens.admin });
    expect(verdict.body).toMatchObject({ ok: true, checkpoints: all.length });
    writeFileSync(join(dir, `old-${driver}.json`), JSON.stringify(old));
    const cli = pitboss([
      'audit',
      'prove',
      '--database',
      f.url,
      '--from-checkpoint',
      join(dir, `old-${driver}.json`),
    ]);
    expect(cli.stdout).toMatch(
      new RegExp(`^consistent: checkpoint ${old.size} \\(.+\\) is a prefix of checkpoint ${latest.size}`),
    );
    expect(cli.code).toBe(0);
  });

  it('answers impossible proofs with a code, never a stack trace', async () => {
    const call = (path: string) => f.t.call('GET', path, { token: f.t.tokens.viewer });
    const cases = [
      await call(`/api/v1/audit/proofs/inclusion?seq=${old.size + 1}&size=${old.size}`),
      await call('/api/v1/audit/proofs/inclusion?seq=1&size=100000'),
      await call('/api/v1/audit/proofs/inclusion?seq=1'),
      await call('/api/v1/audit/proofs/consistency?from=3&to=2'),
      await call('/api/v1/audit/proofs/consistency?from=0&to=2'),
      await call('/api/v1/audit/proofs/consistency?from=1&to=2&root=x'),
      await call('/api/v1/audit/checkpoints?limit=0'),
    ];
    expect(cases.map((c) => [c.status, c.body.code])).toEqual([
      [400, 'VALIDATION_FAILED'],
      [404, 'NOT_FOUND'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
    ]);
    expect((await f.t.call('GET', '/api/v1/audit/public-key')).status).toBe(401);
  });

  it('fails the consistency proof once an entry the old checkpoint covers is rewritten', async () => {
    const latest: ApiCheckpoint = (await get('/api/v1/audit/checkpoints')).latest;
    await dropAppendOnly(f.raw);
    // Even with every later hash recomputed, so the chain alone looks intact.
    await rewriteEntry(f.raw, 2, { key: 'stage', forged: true }, 'rechain');
    const p = await get(`/api/v1/audit/proofs/consistency?from=${old.size}&to=${latest.size}`);
    expect(p.fromRoot).not.toBe(old.rootHash);
    expect(
      verifyConsistency(old.size, latest.size, hex(old.rootHash), hex(latest.rootHash), hexes(p.proof)),
    ).toBe(false);
    // Nor does a proof against the rewritten log's own new root help: the old root pins the first entries.
    expect(verifyConsistency(old.size, latest.size, hex(old.rootHash), hex(p.toRoot), hexes(p.proof))).toBe(
      false,
    );
    const incl = await get(`/api/v1/audit/proofs/inclusion?seq=2&size=${old.size}`);
    expect(verifyInclusion(1, old.size, hex(incl.leafHash), hexes(incl.proof), hex(old.rootHash))).toBe(
      false,
    );
    const cli = pitboss([
      'audit',
      'prove',
      '--database',
      f.url,
      '--from-checkpoint',
      join(dir, `old-${driver}.json`),
    ]);
    expect(cli.stdout).toBe(
      `inconsistent: checkpoint ${latest.size} does not extend checkpoint ${old.size}: entries 1..${old.size} were rewritten\n`,
    );
    expect(cli.code).toBe(1);
    // Changes still go through (a kill switch must), but no automatic checkpoint vouches for the rewritten log.
    for (let i = 0; i < EVERY; i++) await change(`after_tampering_${i}`);
    expect((await get('/api/v1/audit/checkpoints')).latest).toEqual(latest);
  });
});

describe('without a signing key', () => {
  it('takes unsigned checkpoints and says there is no public key', async () => {
    delete process.env.PITBOSS_AUDIT_SIGNING_KEY;
    const t = await startTestApp('sqlite');
    try {
      const res = await t.call('POST', '/api/v1/audit/checkpoints', { token: t.tokens.admin });
      expect(res.body.checkpoint).toMatchObject({ signature: null, keyId: null });
      const key = await t.call('GET', '/api/v1/audit/public-key', { token: t.tokens.viewer });
      expect(key.status).toBe(404);
      expect(key.body.message).toContain('PITBOSS_AUDIT_SIGNING_KEY');
    } finally {
      await t.close();
      process.env.PITBOSS_AUDIT_SIGNING_KEY = keyFile;
    }
  });

  it('refuses to start with a key that is not Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    process.env.PITBOSS_AUDIT_SIGNING_KEY = rsa.toString();
    try {
      await expect(startTestApp('sqlite')).rejects.toThrow(/must be an Ed25519 key, not rsa/);
      process.env.PITBOSS_AUDIT_SIGNING_KEY = join(dir, 'missing.pem');
      await expect(startTestApp('sqlite')).rejects.toThrow(/cannot read .*missing\.pem.*ENOENT/);
    } finally {
      process.env.PITBOSS_AUDIT_SIGNING_KEY = keyFile;
    }
  });
});
