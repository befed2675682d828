import type { FastifyInstance } from 'fastify';
import { EventStreams } from '../api/event-streams.js';
import { mutationContext } from '../api/request-context.js';
import { emptyBodyAsObject } from '../approvals/change-request-routes.js';
import { type HealthEvent, type HealthSource, HealthWatch } from './health-watch.js';
import { readHealthRange, readStep, releaseHealth } from './release-health.js';
import type { RolloutService, StartRequest } from './rollout-service.js';
import type { Command } from './rollout-state.js';
import type { RolloutView } from './rollout-view.js';

/** Where `watch` hears about changes committed in this process; other replicas' are found by polling. */
export interface RolloutChanges {
  onChange(listener: (name: string) => void): () => void;
}

export interface RolloutRouteOptions {
  /** How often `watch` re-reads the status when this process committed nothing (other replicas). */
  readonly watchPollMs?: number;
  readonly heartbeatMs?: number;
}

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 253 } },
  required: ['name'],
} as const;
const reasonOnly = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 1000 } },
} as const;
const COMMANDS = {
  promote: {
    summary:
      'Promote: the next step at once (skipping a pause or an analysis); full: straight to 100 %, Healthy',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { full: { type: 'boolean' }, reason: { type: 'string', maxLength: 1000 } },
    },
  },
  pause: { summary: 'Pause where it is until resumed', body: reasonOnly },
  resume: { summary: 'Resume a paused rollout', body: reasonOnly },
  abort: { summary: 'Abort: all traffic back to stable (weight 0, canary drained)', body: reasonOnly },
  retry: { summary: 'Retry an aborted rollout from its first step, with fresh analyses', body: reasonOnly },
  skip: { summary: 'Skip the current step', body: reasonOnly },
} as const;

/**
 * Rollouts and analysis templates: start, status, commands, history, and `watch` (Server-Sent Events, a status
 * each time it changes). Viewers read; editors start rollouts and give commands.
 */
export function registerRolloutRoutes(
  app: FastifyInstance,
  rollouts: RolloutService,
  changes: RolloutChanges | undefined,
  health: HealthSource,
  options: RolloutRouteOptions = {},
): void {
  app.get('/api/v1/analysis-templates', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['rollouts'], summary: 'List analysis templates' },
    handler: async () => ({ templates: await rollouts.listTemplates() }),
  });

  app.put('/api/v1/analysis-templates/:name', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['rollouts'],
      summary:
        'Create or replace an analysis template (an AnalysisTemplate or ClusterAnalysisTemplate document)',
      params: nameParams,
      body: { type: 'object', description: 'the template document, as in docs/rollouts.md' },
    },
    handler: async (request) => {
      const { name } = request.params as { name: string };
      return rollouts.putTemplate(mutationContext(request), name, request.body);
    },
  });

  app.get('/api/v1/rollouts', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['rollouts'], summary: 'List rollouts with their phase, step and weight' },
    handler: async () => ({ rollouts: await rollouts.list() }),
  });

  app.post('/api/v1/rollouts', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['rollouts'],
      summary:
        'Start a rollout: a Rollout document, or {rollout, templates} with analysis templates to store first',
      body: {
        type: 'object',
        description: 'a Rollout document, or {rollout: document, templates: [documents]}',
      },
    },
    handler: async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const direct = body.kind !== undefined || !('rollout' in body);
      const start: StartRequest = direct
        ? { rollout: body }
        : { rollout: body.rollout, ...(Array.isArray(body.templates) ? { templates: body.templates } : {}) };
      const view = await rollouts.start(mutationContext(request), start, direct ? [] : ['rollout']);
      return reply.status(201).send(view);
    },
  });

  app.get('/api/v1/rollouts/:name', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['rollouts'],
      summary: 'A rollout: phase, step, weight, and each gate with its verdict and evidence',
      params: nameParams,
    },
    handler: async (request) => rollouts.status((request.params as { name: string }).name),
  });

  for (const [kind, spec] of Object.entries(COMMANDS) as [
    keyof typeof COMMANDS,
    (typeof COMMANDS)[keyof typeof COMMANDS],
  ][]) {
    app.post(`/api/v1/rollouts/:name/${kind}`, {
      config: { auth: { role: 'editor' } },
      schema: { tags: ['rollouts'], summary: spec.summary, params: nameParams, body: spec.body },
      preValidation: emptyBodyAsObject,
      handler: async (request) => {
        const { name } = request.params as { name: string };
        const body = (request.body ?? {}) as { full?: boolean; reason?: string };
        return rollouts.command(mutationContext(request, body.reason), name, toCommand(kind, body));
      },
    });
  }

  app.get('/api/v1/rollouts/:name/history', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['rollouts'],
      summary: "The rollout's audit entries, oldest first: starts, commands and every transition",
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { revision: { type: 'integer', minimum: 1 } },
      },
    },
    handler: async (request) => {
      const { name } = request.params as { name: string };
      const { revision } = request.query as { revision?: number };
      return { entries: await rollouts.history(name, revision) };
    },
  });

  app.get('/api/v1/rollouts/:name/health', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['rollouts'],
      summary:
        'Release health: stable vs canary requests, success ratio, p95, per endpoint and per PSP, one sample per step',
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          window: {
            type: 'string',
            maxLength: 32,
            description: 'how far back, e.g. 5m (default); at most 1h and 720 steps',
          },
          step: {
            type: 'string',
            maxLength: 32,
            description: 'one sample per step, e.g. 5s (default; ≥ 1s)',
          },
        },
      },
    },
    handler: async (request) => {
      const { name } = request.params as { name: string };
      const range = readHealthRange(request.query as { window?: string; step?: string });
      const view = await rollouts.status(name);
      return releaseHealth(health.provider(), view, range, (health.clock?.() ?? new Date()).getTime());
    },
  });

  const streams = new EventStreams(app, options.heartbeatMs);

  app.get('/api/v1/rollouts/:name/watch', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['rollouts'],
      summary:
        'Server-Sent Events: the status (event `status`) now and each time it changes; with health=true also ' +
        'a release-health sample (event `health`) per step',
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          health: { type: 'boolean', description: 'also send event `health`: a HealthSample per step' },
          step: {
            type: 'string',
            maxLength: 32,
            description: 'health samples: one per step, e.g. 5s (default)',
          },
        },
      },
    },
    handler: async (request, reply) => {
      const { name } = request.params as { name: string };
      const query = request.query as { health?: boolean; step?: string };
      const stepMs = readStep(query.step);
      // An unknown rollout answers 404 as JSON before the stream starts.
      const first = await rollouts.status(name);
      let unsubscribe: (() => void) | undefined;
      let poll: NodeJS.Timeout | undefined;
      let healthWatch: HealthWatch | undefined;
      const res = streams.start(reply, () => {
        healthWatch?.stop();
        unsubscribe?.();
        clearInterval(poll);
      });
      let last = '';
      let current = first;
      const send = (view: RolloutView) => {
        const data = JSON.stringify(view);
        if (data === last || res.writableEnded) return;
        last = data;
        current = view;
        res.write(`event: status\nid: ${view.stateVersion}\ndata: ${data}\n\n`);
      };
      // No id: a reconnecting client resumes by status version, which a health sample does not move.
      const sendHealth = (event: HealthEvent) => {
        if (!res.writableEnded) res.write(`event: health\ndata: ${JSON.stringify(event)}\n\n`);
      };
      let checking = false;
      const check = async () => {
        if (checking) return;
        checking = true;
        try {
          send(await rollouts.status(name));
        } catch {
          res.end();
        } finally {
          checking = false;
        }
      };
      send(first);
      unsubscribe = changes?.onChange((n) => {
        if (n === name) void check();
      });
      poll = setInterval(() => void check(), options.watchPollMs ?? 1000);
      healthWatch = query.health ? new HealthWatch(health, stepMs, () => current, sendHealth) : undefined;
      healthWatch?.start();
    },
  });
}

function toCommand(kind: keyof typeof COMMANDS, body: { full?: boolean; reason?: string }): Command {
  switch (kind) {
    case 'promote':
      return { kind, full: body.full === true };
    case 'abort':
      return body.reason ? { kind, reason: body.reason } : { kind };
    default:
      return { kind };
  }
}
