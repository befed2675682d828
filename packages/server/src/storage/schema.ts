/**
 * The database schema, shared by the SQLite and PostgreSQL drivers. JSON documents are stored as text and
 * booleans as 0/1 integers so both drivers read back the same values; times are ISO 8601 UTC strings.
 */
export interface Schema {
  environments: EnvironmentTable;
  flags: FlagTable;
  segments: SegmentTable;
  tokens: TokenTable;
  audit_log: AuditTable;
  audit_checkpoints: AuditCheckpointTable;
  decision_logs: DecisionLogTable;
  change_requests: ChangeRequestTable;
  presets: PresetTable;
  analysis_templates: AnalysisTemplateTable;
  rollouts: RolloutTable;
  rollout_commands: RolloutCommandTable;
}

export interface EnvironmentTable {
  key: string;
  position: number;
  description: string | null;
  /** 1: only `pitboss apply` may change flags here (kill switches and emergency presets excepted). */
  gitops_locked: number;
  created_at: string;
}

/**
 * A table of one JSON document per key with a version for `If-Match` (flags: the engine's model with every
 * environment spelt out; segments; presets). Written through `versioned-documents.ts`.
 */
export interface VersionedDocumentTable {
  key: string;
  doc: string;
  version: number;
  archived: number;
  created_at: string;
  updated_at: string;
}

export type FlagTable = VersionedDocumentTable;

export type SegmentTable = VersionedDocumentTable;

export interface TokenTable {
  id: string;
  name: string;
  /** SHA-256 of the token, hex: tokens are 256-bit random, so a fast hash is enough (no password stretching). */
  hash: string;
  /** `api` tokens have a role; `sdk` keys are scoped to one environment. */
  kind: string;
  role: string;
  environment: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

export interface AuditTable {
  /** Assigned by the writer (last + 1) inside the write lock, so the hash can cover it. */
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  before: string | null;
  after: string | null;
  reason: string | null;
  trace_id: string | null;
  prev_hash: string;
  hash: string;
}

/** A signed Merkle tree head of the audit log's first `size` entries (audit/audit-checkpoints.ts). */
export interface AuditCheckpointTable {
  size: number;
  /** RFC 6962 Merkle Tree Hash of entries 1..size, hex. */
  root_hash: string;
  at: string;
  /** Ed25519 over the checkpoint body, base64; null when no signing key is configured. */
  signature: string | null;
  /** SHA-256 of the signing key's SPKI DER, hex. */
  key_id: string | null;
}

export interface DecisionLogTable {
  id: string;
  environment: string;
  flag: string;
  variant: string | null;
  reason: string;
  rule_index: number | null;
  trace_id: string | null;
  /** When the SDK evaluated. */
  at: string;
  received_at: string;
  /** The SDK key (token id) that posted it. */
  source: string;
}

/** A change to a protected resource waiting for approvals (approvals/). */
export interface ChangeRequestTable {
  id: string;
  /** What it changes: `flag.replace`, `flag.kill_switch`, `preset.apply`, … */
  kind: string;
  /** The resource, as audit entries name it: `flag:payments_v2`, `preset:return_old_payment`. */
  target: string;
  /** The arguments of the change, as JSON. */
  payload: string;
  reason: string | null;
  /** The author as audit entries name them, and their token id (authors never approve their own). */
  author: string;
  author_id: string;
  /** pending | applied | rejected | expired | failed */
  status: string;
  /** JSON list of `{ actor, id, name, at }`. */
  approvals: string;
  required_approvals: number;
  created_at: string;
  updated_at: string;
  expires_at: string;
  version: number;
  /** JSON: what applying produced, or why it failed or was rejected. */
  result: string | null;
}

/** A named bundle of flag states across environments (presets/). */
export type PresetTable = VersionedDocumentTable;

/** An analysis template (analysis/template-store.ts): the document as written and as read, by name. */
export interface AnalysisTemplateTable {
  name: string;
  /** `AnalysisTemplate` or `ClusterAnalysisTemplate`: one namespace of names, the kind is kept for export. */
  kind: string;
  /** The document as authored (JSON). */
  doc: string;
  /** The normalised `AnalysisTemplate` (JSON). */
  template: string;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * A rollout and its controller state (rollouts/rollout-store.ts). `state_version` makes every write of the state
 * conditional (compare-and-set); `outbox` holds the side effects of the last transition until they are carried out,
 * so a crash between commit and action replays them; the lease says which replica drives the rollout.
 */
export interface RolloutTable {
  name: string;
  /** Increases with every start: a new canary version or spec. */
  revision: number;
  /** The document as authored (JSON). */
  doc: string;
  /** The normalised `Rollout` (JSON). */
  rollout: string;
  /** The `ResolvedRollout` the controller runs (JSON): templates are resolved once, at start. */
  resolved: string;
  /** The `RolloutState` (JSON). */
  state: string;
  /** The state's phase and whether its routing is confirmed (0/1): which rollouts the driver has to look at. */
  phase: string;
  route_confirmed: number;
  state_version: number;
  /** JSON `{ actions, notifications }` of the last transition, null once carried out. */
  outbox: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** An operator command waiting for the driver's next reconcile of its rollout, oldest first. */
export interface RolloutCommandTable {
  rollout: string;
  seq: number;
  /** The revision it was given for: a command for an earlier run is dropped. */
  revision: number;
  /** The `Command` (JSON). */
  command: string;
  /** The `Principal` who gave it (JSON): the transitions it causes are audited under their name. */
  principal: string;
  reason: string | null;
  trace_id: string | null;
  created_at: string;
}
