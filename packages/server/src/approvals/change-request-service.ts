import { randomBytes } from 'node:crypto';
import { actorOf, SYSTEM } from '../auth/roles.js';
import type { ChangeBus } from '../delivery/change-bus.js';
import { isPitbossError, notFound, PitbossError } from '../errors.js';
import type { MutationContext } from '../mutation.js';
import type { Database } from '../storage/database.js';
import { applyChange, keyOf } from './change-applier.js';
import { type ChangeInput, type ChangeRequest, type ChangeStatus, readPayload } from './change-request.js';
import { changeRequestStore as store } from './change-request-store.js';
import type { ApprovalPolicy } from './protection.js';
import { TransactionScope } from './transaction-scope.js';

/** A gated change: done at once, or filed as a change request. */
export type Gated<T> = { readonly applied: T } | { readonly changeRequest: ChangeRequest };

/**
 * The lifecycle of change requests: filed by a gate, edited by their author (which clears approvals),
 * approved by others until enough have — then applied at once, in the same transaction as the last
 * approval — or rejected, or expired. Every step is one audited mutation (`change_request.*`).
 */
export class ChangeRequestService {
  constructor(
    private readonly database: Database,
    private readonly bus: ChangeBus,
    readonly policy: ApprovalPolicy,
  ) {}

  /** Runs `fn` in one transaction that mutations made through the scope join (see TransactionScope). */
  inScope<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
    return TransactionScope.run(this.database, this.bus, this.policy.clock(), fn);
  }

  async list(status?: ChangeStatus): Promise<ChangeRequest[]> {
    await this.expireDue();
    return store.list(this.database.db, status);
  }

  async get(id: string): Promise<ChangeRequest> {
    await this.expireDue();
    const request = await store.get(this.database.db, id);
    if (request === undefined) throw notFound('change request', id);
    return request;
  }

  /** Files a change request for `input`, authored by `ctx.principal`, in the caller's transaction. */
  async file(scope: TransactionScope, ctx: MutationContext, input: ChangeInput): Promise<ChangeRequest> {
    const at = scope.now.toISOString();
    const request: ChangeRequest = {
      id: `cr_${randomBytes(8).toString('hex')}`,
      ...input,
      reason: ctx.reason ?? null,
      author: actorOf(ctx.principal),
      authorId: ctx.principal.id,
      status: 'pending',
      approvals: [],
      requiredApprovals: this.policy.requiredApprovals,
      createdAt: at,
      updatedAt: at,
      expiresAt: new Date(scope.now.getTime() + this.policy.ttlMs).toISOString(),
      version: 1,
      result: null,
    };
    return scope.mutations.run(ctx, async (tx) => {
      await store.insert(tx, request);
      return { result: request, audit: [entry('create', request, undefined, request)] };
    });
  }

  /** The author changes what is asked (If-Match `version`); approvals given to the old payload are cleared. */
  update(ctx: MutationContext, id: string, version: number, payload: unknown): Promise<ChangeRequest> {
    return this.onPending(id, async (scope, request) => {
      if (request.authorId !== ctx.principal.id)
        throw new PitbossError('FORBIDDEN', `only the author (${request.author}) may edit ${id}`);
      if (request.version !== version) throw conflict(id, version, request.version);
      const next: ChangeRequest = {
        ...request,
        payload: readPayload(request.kind, payload),
        approvals: [],
        updatedAt: scope.now.toISOString(),
        // A new payload is a new question: it gets the full time to be answered.
        expiresAt: new Date(scope.now.getTime() + this.policy.ttlMs).toISOString(),
        version: request.version + 1,
      };
      // A dry run: the edited change must apply now, to the same resource, or the edit is refused.
      const { result: tried } = await scope.attempt(
        () => applyChange(scope, ctx, next.kind, next.payload, keyOf(next.target)),
        () => false,
      );
      if (tried.target !== next.target)
        throw new PitbossError('VALIDATION_FAILED', `${id} changes ${next.target}, not ${tried.target}`);
      return this.save(scope, ctx, request, next, 'update');
    });
  }

  /**
   * One approver's yes. Authors never approve their own request; an approver approves once. The approval that
   * reaches the required count applies the change (`via: 'approval'`, approvers named in the audit reason);
   * a change that can no longer apply leaves the request `failed` with the reason.
   */
  approve(ctx: MutationContext, id: string, comment?: string): Promise<ChangeRequest> {
    return this.onPending(id, async (scope, request) => {
      const p = ctx.principal;
      if (request.authorId === p.id)
        throw new PitbossError('FORBIDDEN', `${id} is yours: someone else must approve it`);
      if (request.approvals.some((a) => a.id === p.id))
        throw new PitbossError('ALREADY_EXISTS', `you already approved ${id}`);
      const approval = {
        actor: actorOf(p),
        id: p.id,
        at: scope.now.toISOString(),
        ...(comment ? { comment } : {}),
      };
      const approved = await this.save(
        scope,
        ctx,
        request,
        {
          ...request,
          approvals: [...request.approvals, approval],
          updatedAt: approval.at,
          version: request.version + 1,
        },
        'approve',
      );
      if (approved.approvals.length < approved.requiredApprovals) return approved;
      return this.apply(scope, ctx, approved);
    });
  }

  reject(ctx: MutationContext, id: string, reason?: string): Promise<ChangeRequest> {
    return this.onPending(id, (scope, request) =>
      this.save(
        scope,
        ctx,
        request,
        {
          ...request,
          status: 'rejected',
          result: { rejectedBy: actorOf(ctx.principal), ...(reason ? { reason } : {}) },
          updatedAt: scope.now.toISOString(),
          version: request.version + 1,
        },
        'reject',
      ),
    );
  }

  private async apply(
    scope: TransactionScope,
    ctx: MutationContext,
    request: ChangeRequest,
  ): Promise<ChangeRequest> {
    const approvers = request.approvals.map((a) => a.actor);
    const applyCtx: MutationContext = {
      principal: ctx.principal,
      via: 'approval',
      reason: `change request ${request.id} by ${request.author}${request.reason ? ` (${request.reason})` : ''}, approved by ${approvers.join(', ')}`,
      ...(ctx.traceId ? { traceId: ctx.traceId } : {}),
    };
    const done = { updatedAt: scope.now.toISOString(), version: request.version + 1 };
    try {
      const { result: applied } = await scope.attempt(
        () => applyChange(scope, applyCtx, request.kind, request.payload, keyOf(request.target)),
        (a) => a.target === request.target,
      );
      if (applied.target !== request.target)
        throw new PitbossError(
          'VALIDATION_FAILED',
          `the change now targets ${applied.target}, not ${request.target}`,
        );
      const result = { approvers, ...(applied.version === undefined ? {} : { version: applied.version }) };
      return await this.save(
        scope,
        applyCtx,
        request,
        { ...request, ...done, status: 'applied', result },
        'apply',
      );
    } catch (e) {
      // Refusals (moved version, invalid now, locked, gone) are the request's outcome; anything else is ours.
      if (!isPitbossError(e) || e.code === 'INTERNAL' || e.code === 'UNAVAILABLE') throw e;
      const result = {
        approvers,
        code: e.code,
        message: e.message,
        ...(e.details === undefined ? {} : { details: e.details }),
      };
      return this.save(scope, applyCtx, request, { ...request, ...done, status: 'failed', result }, 'fail');
    }
  }

  /**
   * Runs `fn` on a pending request. A request past its expiry is expired first and committed, then the caller
   * gets 409 — the expiry stays recorded even though the request is refused.
   */
  private async onPending(
    id: string,
    fn: (scope: TransactionScope, request: ChangeRequest) => Promise<ChangeRequest>,
  ): Promise<ChangeRequest> {
    const outcome = await this.inScope<{ open: ChangeRequest } | { closed: ChangeRequest }>(async (scope) => {
      const request = await store.get(scope.tx, id);
      if (request === undefined) throw notFound('change request', id);
      if (request.status === 'pending' && request.expiresAt <= scope.now.toISOString())
        return { closed: await this.expire(scope, request) };
      if (request.status !== 'pending') return { closed: request };
      return { open: await fn(scope, request) };
    });
    if ('open' in outcome) return outcome.open;
    throw new PitbossError(
      'VERSION_CONFLICT',
      `change request ${id} is ${outcome.closed.status}, not pending`,
      {
        status: outcome.closed.status,
      },
    );
  }

  /** Pending requests past their expiry become `expired`; checked whenever requests are read or acted on. */
  private async expireDue(): Promise<void> {
    const now = this.policy.clock().toISOString();
    if ((await store.due(this.database.db, now)).length === 0) return;
    await this.inScope(async (scope) => {
      for (const request of await store.due(scope.tx, now)) await this.expire(scope, request);
    });
  }

  private expire(scope: TransactionScope, request: ChangeRequest): Promise<ChangeRequest> {
    const ctx: MutationContext = {
      principal: SYSTEM,
      reason: `pending past its expiry (${request.expiresAt})`,
    };
    return this.save(
      scope,
      ctx,
      request,
      {
        ...request,
        status: 'expired',
        updatedAt: scope.now.toISOString(),
        version: request.version + 1,
      },
      'expire',
    );
  }

  private save(
    scope: TransactionScope,
    ctx: MutationContext,
    before: ChangeRequest,
    after: ChangeRequest,
    step: 'update' | 'approve' | 'reject' | 'apply' | 'expire' | 'fail',
  ): Promise<ChangeRequest> {
    return scope.mutations.run(ctx, async (tx) => {
      if (!(await store.update(tx, after, before.version)))
        throw conflict(before.id, before.version, before.version + 1);
      return { result: after, audit: [entry(step, after, before, after)] };
    });
  }
}

/** Audit entries of a request carry its status, approvals and payload: enough to replay what was decided. */
function entry(
  step: string,
  request: ChangeRequest,
  before: ChangeRequest | undefined,
  after: ChangeRequest,
) {
  const summary = (r: ChangeRequest) => ({
    kind: r.kind,
    target: r.target,
    status: r.status,
    payload: r.payload,
    approvals: r.approvals.map((a) => a.actor),
    requiredApprovals: r.requiredApprovals,
    ...(r.result === null ? {} : { result: r.result }),
  });
  return {
    action: `change_request.${step}`,
    resource: `change_request:${request.id}`,
    ...(before ? { before: summary(before) } : {}),
    after: summary(after),
  };
}

function conflict(id: string, expected: number, actual: number): PitbossError {
  return new PitbossError(
    'VERSION_CONFLICT',
    `change request ${id} is at version ${actual}, not ${expected}`,
    {
      expected,
      actual,
    },
  );
}
