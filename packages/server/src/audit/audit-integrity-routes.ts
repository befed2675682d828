import type { FastifyInstance } from 'fastify';
import { PitbossError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { checkpointInterval, checkpointNow, latestCheckpoint, listCheckpoints } from './audit-checkpoints.js';
import { proveConsistency, proveInclusion } from './audit-proofs.js';
import { verifyAudit } from './audit-verify.js';
import { signerFromEnv } from './checkpoint-signer.js';

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const size = { type: 'integer', minimum: 1 } as const;

/**
 * What lets anyone check the log without trusting the server (docs/audit.md): a full verification, Merkle
 * checkpoints (signed when PITBOSS_AUDIT_SIGNING_KEY is set), inclusion and consistency proofs, the public key.
 */
export function registerAuditIntegrityRoutes(app: FastifyInstance, database: Database): void {
  const { db } = database;
  // Read now, so a bad key or interval stops the server at start rather than the first change.
  const signer = signerFromEnv();
  checkpointInterval();

  // A read like the proofs: an auditor (viewer) checks the chain without an admin token. It walks the whole log,
  // a page at a time, as the proofs do.
  app.get('/api/v1/audit/verify', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary: 'Recompute every hash, link and checkpoint; name the first broken entry',
      querystring: noQuery,
    },
    handler: async () => verifyAudit(db, signer === undefined ? {} : { publicKey: signer.publicKey }),
  });

  app.get('/api/v1/audit/checkpoints', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary: 'Merkle tree heads of the log, smallest first, and the latest',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          after: { type: 'integer', minimum: 0, description: 'only checkpoints of more entries than this' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async (request) => {
      const q = request.query as { after?: number; limit: number };
      return {
        checkpoints: await listCheckpoints(db, q.after ?? 0, q.limit),
        latest: (await latestCheckpoint(db)) ?? null,
      };
    },
  });

  app.post('/api/v1/audit/checkpoints', {
    config: { auth: { role: 'admin' } },
    schema: {
      tags: ['audit'],
      summary:
        'Verify the log, then checkpoint all of it (201), or return the checkpoint that covers it already (200)',
      querystring: noQuery,
    },
    handler: async (_request, reply) => {
      const outcome = await database.write((tx) => checkpointNow(tx, new Date(), signer));
      if ('broken' in outcome) {
        const { seq, message } = outcome.broken;
        throw new PitbossError(
          'INTERNAL',
          `no checkpoint taken: the audit log is broken at seq ${seq}: ${message}`,
          outcome.broken,
        );
      }
      return reply.status(outcome.created ? 201 : 200).send(outcome);
    },
  });

  app.get('/api/v1/audit/proofs/inclusion', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary: 'RFC 6962 inclusion proof of entry `seq` in the tree of the first `size` entries',
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['seq', 'size'],
        properties: { seq: size, size },
      },
    },
    handler: async (request) => {
      const q = request.query as { seq: number; size: number };
      return proveInclusion(db, q.seq, q.size);
    },
  });

  app.get('/api/v1/audit/proofs/consistency', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary: 'RFC 6962 consistency proof: the tree of `to` entries extends the tree of `from` entries',
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: size, to: size },
      },
    },
    handler: async (request) => {
      const q = request.query as { from: number; to: number };
      return proveConsistency(db, q.from, q.to);
    },
  });

  app.get('/api/v1/audit/public-key', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['audit'], summary: 'The Ed25519 key that signs checkpoints', querystring: noQuery },
    handler: async () => {
      if (signer === undefined) {
        throw new PitbossError(
          'NOT_FOUND',
          'checkpoints are not signed on this server: PITBOSS_AUDIT_SIGNING_KEY is not set',
        );
      }
      return { algorithm: 'Ed25519', keyId: signer.keyId, publicKey: signer.publicKeyPem };
    },
  });
}
