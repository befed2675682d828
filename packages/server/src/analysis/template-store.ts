import type { Kysely } from 'kysely';
import type { Tx } from '../storage/database.js';
import type { AnalysisTemplateTable, Schema } from '../storage/schema.js';
import type { AnalysisTemplate } from './analysis-template.js';

type Reader = Kysely<Schema> | Tx;

/** A stored analysis template: the document as written, the template as read, its version. */
export interface StoredTemplate {
  readonly name: string;
  readonly kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  readonly doc: unknown;
  readonly template: AnalysisTemplate;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Analysis template rows (`analysis_templates`). Writes take a mutation's transaction. Templates are upserted by
 * name: a rollout resolves them when it starts, so changing one never changes a running rollout.
 */
export const templateStore = {
  async list(db: Reader): Promise<StoredTemplate[]> {
    return (await db.selectFrom('analysis_templates').selectAll().orderBy('name').execute()).map(toStored);
  },

  async get(db: Reader, name: string): Promise<StoredTemplate | undefined> {
    const row = await db
      .selectFrom('analysis_templates')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toStored(row);
  },

  /** Inserts or replaces the template; returns the stored row before (undefined: created) and after. */
  async upsert(
    tx: Tx,
    input: { kind: StoredTemplate['kind']; doc: unknown; template: AnalysisTemplate },
    now: string,
  ): Promise<{ before?: StoredTemplate; after: StoredTemplate }> {
    const before = await templateStore.get(tx, input.template.name);
    const row: AnalysisTemplateTable = {
      name: input.template.name,
      kind: input.kind,
      doc: JSON.stringify(input.doc),
      template: JSON.stringify(input.template),
      version: (before?.version ?? 0) + 1,
      created_at: before?.createdAt ?? now,
      updated_at: now,
    };
    if (before === undefined) await tx.insertInto('analysis_templates').values(row).execute();
    else
      await tx
        .updateTable('analysis_templates')
        .set({ kind: row.kind, doc: row.doc, template: row.template, version: row.version, updated_at: now })
        .where('name', '=', row.name)
        .execute();
    return { ...(before ? { before } : {}), after: toStored(row) };
  },
};

function toStored(row: AnalysisTemplateTable): StoredTemplate {
  return {
    name: row.name,
    kind: row.kind === 'ClusterAnalysisTemplate' ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate',
    doc: JSON.parse(row.doc),
    template: JSON.parse(row.template) as AnalysisTemplate,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
