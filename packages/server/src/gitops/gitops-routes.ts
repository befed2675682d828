import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { mutationContext } from '../api/request-context.js';
import type { Mutations } from '../mutation.js';
import type { RolloutService } from '../rollouts/rollout-service.js';
import type { Schema } from '../storage/schema.js';
import { type ApplyRequest, GitopsService } from './gitops-service.js';

/** A repository of a few thousand flags is larger than the API's default 1 MiB body limit. */
const APPLY_BODY_LIMIT = 16 << 20;

/**
 * `POST /api/v1/apply` and `GET /api/v1/export`. Apply needs the admin role: it creates environments, sets
 * their GitOps locks and is the one path through those locks, so it is at least as strong as the admin routes
 * for environments; the automation that runs `pitboss apply` holds an admin token for that reason.
 */
export function registerGitopsRoutes(
  app: FastifyInstance,
  db: Kysely<Schema>,
  mutations: Mutations,
  rollouts?: RolloutService,
): void {
  const gitops = new GitopsService(db, mutations, rollouts);

  app.post('/api/v1/apply', {
    config: { auth: { role: 'admin' } },
    bodyLimit: APPLY_BODY_LIMIT,
    schema: {
      tags: ['gitops'],
      summary:
        'Apply documents (kind: Environment | Segment | Flag | Preset | AnalysisTemplate | ClusterAnalysisTemplate | Rollout) as the desired state, in one transaction; dryRun plans only',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['documents'],
        properties: {
          documents: { type: 'array', maxItems: 20_000, description: 'documents as in docs/gitops.md' },
          prune: {
            type: 'boolean',
            description: 'archive flags, segments and presets the documents do not mention',
          },
          dryRun: { type: 'boolean', description: 'compute the plan and validate; write nothing' },
        },
      },
    },
    handler: async (request) => {
      const ctx = mutationContext(request);
      return gitops.apply(
        ctx.reason ? ctx : { ...ctx, reason: 'pitboss apply' },
        request.body as ApplyRequest,
      );
    },
  });

  app.get('/api/v1/export', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['gitops'], summary: 'The current state as documents that apply back unchanged' },
    handler: async () => gitops.export(),
  });
}
