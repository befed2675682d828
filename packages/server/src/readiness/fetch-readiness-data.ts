import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Flag } from '@pitboss/engine';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import { loadShippedTemplates } from '../analysis/shipped-templates.js';
import type { AuditEntry } from '../audit/audit-entry.js';
import type { AuditVerification } from '../audit/audit-verify.js';
import { ApiError } from '../cli/api-client.js';
import type { Environment } from '../environments/environment-service.js';
import type { FlagView } from '../flags/flag-service.js';
import type { StaleFlagReport } from '../flags/stale-flags.js';
import type { PresetView } from '../presets/preset.js';
import type { Rollout } from '../rollouts/rollout.js';
import type { RolloutView } from '../rollouts/rollout-view.js';
import type {
  Fetched,
  ReadinessData,
  ReadinessPolicy,
  RolloutInfo,
  RunbookDir,
  RunbookFile,
} from './readiness-data.js';

/** What the fetcher needs of the CLI's API client (cli/api-client.ts): GET a JSON route. */
export interface JsonApi {
  request<T>(method: string, path: string): Promise<T>;
}

const PAGE = 1000;

/**
 * Reads everything the checks need from a running control plane; a viewer token is enough. Environments and flags are required: without them nothing can be judged, so
 * their failure is the command's (exit 2). Every other source is optional: a refusal becomes a WARN of the
 * checks that needed it, not the end of the report.
 */
export async function fetchReadinessData(
  api: JsonApi,
  policy: ReadinessPolicy,
  runbooksDir: string,
): Promise<ReadinessData> {
  const { environments } = await api.request<{ environments: Environment[] }>('GET', '/api/v1/environments');
  const { flags } = await api.request<{ flags: FlagView[] }>('GET', '/api/v1/flags');
  const env = encodeURIComponent(policy.environment);
  const [stale, latestDecision, rollouts, stored, audit, auditSigned, presets] = await Promise.all([
    fetched(() => api.request<StaleFlagReport>('GET', '/api/v1/flags/stale?days=30')),
    fetched(async () => {
      const { decisions } = await api.request<{ decisions: { flag: string; at: string }[] }>(
        'GET',
        `/api/v1/decisions?environment=${env}&limit=1`,
      );
      const d = decisions[0];
      return d === undefined ? null : { flag: d.flag, at: d.at };
    }),
    fetched(() => fetchRollouts(api)),
    fetched(() =>
      api.request<{ templates: { template: AnalysisTemplate }[] }>('GET', '/api/v1/analysis-templates'),
    ),
    fetched(() => api.request<AuditVerification>('GET', '/api/v1/audit/verify')),
    fetched(async () => {
      try {
        await api.request('GET', '/api/v1/audit/public-key');
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 'NOT_FOUND') return false;
        throw e;
      }
    }),
    fetched(async () => (await api.request<{ presets: PresetView[] }>('GET', '/api/v1/presets')).presets),
  ]);
  return {
    policy,
    environments: environments.map((e) => ({ key: e.key, gitopsLocked: e.gitopsLocked })),
    flags: flags.filter((f) => !f.archived).map((f): Flag => f.flag),
    stale,
    latestDecision,
    rollouts,
    templates: templatesByName(stored.ok ? stored.value.templates.map((t) => t.template) : []),
    audit,
    auditSigned,
    presets: presets.ok
      ? { ok: true, value: presets.value.map((p) => ({ preset: p.preset, archived: p.archived })) }
      : presets,
    runbooks: readRunbooks(runbooksDir),
  };
}

/** An API refusal (a role the token lacks, a route the server has not) becomes data; anything else propagates. */
async function fetched<T>(read: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: `${e.code}: ${e.serverMessage}` };
    throw e;
  }
}

/**
 * Rollouts with the spec of their latest revision. The status API shows steps as text only, so the Rollout as
 * started is read from the rollout's latest `rollout.start` audit entry, which carries it (viewer role).
 */
async function fetchRollouts(api: JsonApi): Promise<RolloutInfo[]> {
  const { rollouts } = await api.request<{ rollouts: RolloutView[] }>('GET', '/api/v1/rollouts');
  const out: RolloutInfo[] = [];
  for (const r of rollouts) {
    const spec = r.phase === 'Healthy' || r.phase === 'Aborted' ? undefined : await startedSpec(api, r.name);
    out.push({
      name: r.name,
      revision: r.revision,
      phase: r.phase,
      service: r.service,
      ...(spec ? { spec } : {}),
    });
  }
  return out;
}

async function startedSpec(api: JsonApi, name: string): Promise<Rollout | undefined> {
  const resource = encodeURIComponent(`rollout:${name}`);
  let after = 0;
  let spec: Rollout | undefined;
  for (;;) {
    const { entries } = await api.request<{ entries: AuditEntry[] }>(
      'GET',
      `/api/v1/audit?resource=${resource}&after=${after}&limit=${PAGE}`,
    );
    for (const e of entries) {
      const rollout = (e.after as { rollout?: Rollout } | null)?.rollout;
      if (e.action === 'rollout.start' && rollout !== undefined) spec = rollout;
    }
    if (entries.length < PAGE) return spec;
    after = entries[entries.length - 1]!.seq;
  }
}

/** Stored templates win over the shipped ones of the same name, as when the server resolves a rollout. */
function templatesByName(stored: readonly AnalysisTemplate[]): Map<string, AnalysisTemplate> {
  const byName = new Map<string, AnalysisTemplate>();
  try {
    for (const t of loadShippedTemplates()) byName.set(t.name, t);
  } catch {
    // A broken shipped template is the server's packaging bug; the checks then see the stored ones only.
  }
  for (const t of stored) byName.set(t.name, t);
  return byName;
}

/** The Markdown files of the runbooks directory, each with its title (its first `# ` heading). */
export function readRunbooks(dir: string): RunbookDir {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { dir, exists: false, files: [] };
  const files: RunbookFile[] = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((name) => {
      const title = /^# (.+)$/m.exec(readFileSync(join(dir, name), 'utf8'))?.[1]?.trim() ?? '';
      return { name, title };
    });
  return { dir, exists: true, files };
}
