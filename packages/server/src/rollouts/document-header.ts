import { type FieldRules, isPlainObject, KEY, type SpecReader } from './spec-reader.js';

/** `apiVersion` of the Pitboss form (also assumed when absent) and of the Argo Rollouts form. */
export const PITBOSS_API_VERSION = 'pitboss.dev/v1';
export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

export type DocumentForm = 'pitboss' | 'argo';

export interface DocumentHeader {
  readonly form: DocumentForm;
  readonly kind: string;
  readonly name?: string;
  readonly spec?: Record<string, unknown>;
}

const SET_BY_KUBERNETES = { ignore: 'set by Kubernetes' };

const TOP_FIELDS: FieldRules = {
  apiVersion: 'read',
  kind: 'read',
  metadata: 'read',
  spec: 'read',
  status: { ignore: 'status is written by a controller, never read' },
};

const METADATA_FIELDS: FieldRules = {
  name: 'read',
  // Labels describe; they never change what a release does.
  labels: 'read',
  namespace: { ignore: 'Pitboss names are global: one namespace' },
  annotations: {
    ignore: 'annotations are not read; Argo notification subscriptions become spec.notifications.webhooks',
  },
  generateName: SET_BY_KUBERNETES,
  uid: SET_BY_KUBERNETES,
  resourceVersion: SET_BY_KUBERNETES,
  generation: SET_BY_KUBERNETES,
  creationTimestamp: SET_BY_KUBERNETES,
  deletionTimestamp: SET_BY_KUBERNETES,
  managedFields: SET_BY_KUBERNETES,
  finalizers: SET_BY_KUBERNETES,
  ownerReferences: SET_BY_KUBERNETES,
};

/**
 * Reads `apiVersion`, `kind`, `metadata` and hands back `spec` for the kind's own reader. `kinds` lists the kinds
 * this reader takes; any other is an error.
 */
export function readHeader(
  doc: unknown,
  kinds: readonly string[],
  r: SpecReader,
): DocumentHeader | undefined {
  if (!isPlainObject(doc)) {
    r.error(
      [],
      'CONFIG_TYPE',
      `a ${kinds[0]} document is a mapping with apiVersion, kind, metadata and spec`,
    );
    return undefined;
  }
  const top = r.object(doc, [], TOP_FIELDS);
  if (top === undefined) return undefined;
  let form: DocumentForm = 'pitboss';
  if (top.apiVersion === ARGO_API_VERSION) form = 'argo';
  else if (top.apiVersion !== undefined && top.apiVersion !== PITBOSS_API_VERSION)
    r.error(
      ['apiVersion'],
      'CONFIG_TYPE',
      `apiVersion must be ${PITBOSS_API_VERSION} (or ${ARGO_API_VERSION} for Argo Rollouts documents), not ${JSON.stringify(top.apiVersion)}`,
    );
  const kind = top.kind;
  if (kind === undefined) r.error([], 'CONFIG_REQUIRED', `a document needs kind: ${kinds.join(' or ')}`);
  else if (typeof kind !== 'string' || !kinds.includes(kind)) {
    r.error(['kind'], 'CONFIG_TYPE', `kind must be ${kinds.join(' or ')}, not ${JSON.stringify(kind)}`);
    return undefined;
  }
  let name: string | undefined;
  if (r.required(top.metadata, ['metadata'], 'a mapping with the name')) {
    const meta = r.object(top.metadata, ['metadata'], METADATA_FIELDS);
    if (meta !== undefined && r.required(meta.name, ['metadata', 'name'], `the ${kinds[0]}'s name`)) {
      name = r.string(meta.name, ['metadata', 'name']);
      if (name !== undefined && !KEY.test(name)) {
        r.error(
          ['metadata', 'name'],
          'CONFIG_INVALID_KEY',
          `name '${name}' must be 1–128 letters, digits, '_', '-' or '.', starting with a letter or digit`,
        );
        name = undefined;
      }
    }
  }
  let spec: Record<string, unknown> | undefined;
  if (r.required(top.spec, ['spec'], `the ${kinds[0]}'s specification`)) {
    if (isPlainObject(top.spec)) spec = top.spec;
    else r.error(['spec'], 'CONFIG_TYPE', 'spec must be a mapping');
  }
  return {
    form,
    kind: typeof kind === 'string' ? kind : kinds[0]!,
    ...(name ? { name } : {}),
    ...(spec ? { spec } : {}),
  };
}
