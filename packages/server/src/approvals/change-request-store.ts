import type { Kysely } from 'kysely';
import type { Tx } from '../storage/database.js';
import type { ChangeRequestTable, Schema } from '../storage/schema.js';
import type { ChangeKind, ChangeRequest, ChangeStatus } from './change-request.js';

type Reader = Kysely<Schema> | Tx;

/** Change request rows. `update` is conditional on the version the caller read (optimistic). */
export const changeRequestStore = {
  async list(db: Reader, status?: ChangeStatus): Promise<ChangeRequest[]> {
    let q = db.selectFrom('change_requests').selectAll().orderBy('created_at').orderBy('id');
    if (status !== undefined) q = q.where('status', '=', status);
    return (await q.execute()).map(fromRow);
  },

  async get(db: Reader, id: string): Promise<ChangeRequest | undefined> {
    const row = await db.selectFrom('change_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  },

  /** Pending requests whose expiry is at or before `now` (ISO strings in UTC order as times do). */
  async due(db: Reader, now: string): Promise<ChangeRequest[]> {
    const rows = await db
      .selectFrom('change_requests')
      .selectAll()
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute();
    return rows.map(fromRow);
  },

  async insert(tx: Tx, request: ChangeRequest): Promise<void> {
    await tx.insertInto('change_requests').values(toRow(request)).execute();
  },

  /** Writes `request` (whose version is `expected + 1`) if the row is still at `expected`. */
  async update(tx: Tx, request: ChangeRequest, expected: number): Promise<boolean> {
    const { id: _id, ...row } = toRow(request);
    const result = await tx
      .updateTable('change_requests')
      .set(row)
      .where('id', '=', request.id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};

function toRow(r: ChangeRequest): ChangeRequestTable {
  return {
    id: r.id,
    kind: r.kind,
    target: r.target,
    payload: JSON.stringify(r.payload),
    reason: r.reason,
    author: r.author,
    author_id: r.authorId,
    status: r.status,
    approvals: JSON.stringify(r.approvals),
    required_approvals: r.requiredApprovals,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    expires_at: r.expiresAt,
    version: r.version,
    result: r.result === null || r.result === undefined ? null : JSON.stringify(r.result),
  };
}

function fromRow(row: ChangeRequestTable): ChangeRequest {
  return {
    id: row.id,
    kind: row.kind as ChangeKind,
    target: row.target,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    reason: row.reason,
    author: row.author,
    authorId: row.author_id,
    status: row.status as ChangeStatus,
    approvals: JSON.parse(row.approvals) as ChangeRequest['approvals'],
    requiredApprovals: Number(row.required_approvals),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    version: Number(row.version),
    result: row.result === null ? null : JSON.parse(row.result),
  };
}
