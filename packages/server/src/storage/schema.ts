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
  decision_logs: DecisionLogTable;
}

export interface EnvironmentTable {
  key: string;
  position: number;
  description: string | null;
  /** 1: only `pitboss apply` may change flags here (kill switches and emergency presets excepted). */
  gitops_locked: number;
  created_at: string;
}

export interface FlagTable {
  key: string;
  /** The flag in the engine's model (every environment spelt out), as JSON. */
  doc: string;
  version: number;
  archived: number;
  created_at: string;
  updated_at: string;
}

export interface SegmentTable {
  key: string;
  doc: string;
  version: number;
  archived: number;
  created_at: string;
  updated_at: string;
}

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
