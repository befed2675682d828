import type { Diagnostic } from '@pitboss/engine';
import type { RouteSpec, Upstreams } from '../routing/router.js';
import { readHeader } from './document-header.js';
import { readAnalysisRef, readSteps } from './read-steps.js';
import { RolloutEvent } from './reasons.js';
import type { AnalysisRef, BlueGreenStrategy, CanaryStrategy, Rollout, WebhookSpec } from './rollout.js';
import { type FieldRules, isPlainObject, KEY, nearest, type Path, SpecReader } from './spec-reader.js';

export const DEFAULT_STICKINESS = 'playerId';

const PODS = 'Pitboss routes traffic between upstreams; it does not run pods';
const SERVICES = 'Kubernetes Services: Pitboss routes to spec.stable and spec.canary upstreams';
const POD_LABELS = 'pod labels';

const SPEC_FIELDS: FieldRules = {
  service: 'read',
  stable: 'read',
  canary: 'read',
  stickiness: 'read',
  onProviderOutage: 'read',
  notifications: 'read',
  strategy: 'read',
  // Read for the canary version in the Argo form; the rest of the pod template is ignored (with a warning).
  template: 'read',
  replicas: { ignore: PODS },
  selector: { ignore: PODS },
  minReadySeconds: { ignore: PODS },
  revisionHistoryLimit: { ignore: PODS },
  progressDeadlineSeconds: { ignore: PODS },
  progressDeadlineAbort: { ignore: PODS },
  restartAt: { ignore: PODS },
  analysis: { ignore: 'analysis run history limits: Pitboss keeps each rollout’s runs in its state' },
  workloadRef: {
    reject: 'Pitboss does not manage Kubernetes workloads: give spec.canary {version, upstreams} instead',
  },
  paused: { reject: 'not supported: start the rollout, then `pitboss rollout pause` it' },
  rollbackWindow: { reject: 'not supported: an aborted rollout restarts with `pitboss rollout retry`' },
};

const NO_ANTI_AFFINITY = { reject: 'Pitboss does not schedule pods: remove it' };
const NO_TRAFFIC_ROUTING = {
  reject:
    'Pitboss routes traffic itself through its traffic router (the built-in gateway): remove trafficRouting and give spec.stable / spec.canary upstreams',
};

const CANARY_FIELDS: FieldRules = {
  steps: 'read',
  analysis: 'read',
  trafficRouting: NO_TRAFFIC_ROUTING,
  antiAffinity: NO_ANTI_AFFINITY,
  canaryService: { ignore: SERVICES },
  stableService: { ignore: SERVICES },
  pingPong: { ignore: SERVICES },
  maxSurge: { ignore: PODS },
  maxUnavailable: { ignore: PODS },
  scaleDownDelaySeconds: { ignore: PODS },
  scaleDownDelayRevisionLimit: { ignore: PODS },
  abortScaleDownDelaySeconds: { ignore: PODS },
  dynamicStableScale: { ignore: PODS },
  minPodsPerReplicaSet: { ignore: PODS },
  replicaProgressThreshold: { ignore: PODS },
  canaryMetadata: { ignore: POD_LABELS },
  stableMetadata: { ignore: POD_LABELS },
};

const BLUE_GREEN_FIELDS: FieldRules = {
  prePromotionAnalysis: 'read',
  postPromotionAnalysis: 'read',
  autoPromotionEnabled: 'read',
  autoPromotionSeconds: 'read',
  antiAffinity: NO_ANTI_AFFINITY,
  activeService: { ignore: SERVICES },
  previewService: { ignore: SERVICES },
  previewReplicaCount: { ignore: PODS },
  maxUnavailable: { ignore: PODS },
  scaleDownDelaySeconds: { ignore: PODS },
  scaleDownDelayRevisionLimit: { ignore: PODS },
  abortScaleDownDelaySeconds: { ignore: PODS },
  activeMetadata: { ignore: POD_LABELS },
  previewMetadata: { ignore: POD_LABELS },
};

const EVENTS: readonly string[] = Object.values(RolloutEvent);
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Reads a `Rollout` document — the Pitboss form (`apiVersion: pitboss.dev/v1` or none) or the Argo Rollouts
 * subset (`argoproj.io/v1alpha1`) — into the normalised model. Kubernetes workload fields are ignored with a
 * warning; Argo fields that would change the release and that Pitboss does not do are errors naming what to
 * write instead (docs/rollouts.md has the table). Every problem is collected, paths from the document root; it
 * never throws. `rollout` is present only when there is no error.
 */
export function readRollout(doc: unknown): { rollout?: Rollout; diagnostics: Diagnostic[] } {
  const r = new SpecReader();
  const header = readHeader(doc, ['Rollout'], r);
  const spec = header?.spec === undefined ? undefined : r.object(header.spec, ['spec'], SPEC_FIELDS);
  if (header === undefined || spec === undefined) return { diagnostics: r.diagnostics };
  const argo = header.form === 'argo';
  const workload = isPlainObject(header.spec) && header.spec.workloadRef !== undefined;

  const canaryGiven = isPlainObject(spec.canary) && spec.canary.version !== undefined;
  const image = readTemplate(spec.template, header.form === 'argo' && !canaryGiven, r);
  const service = argo && spec.service === undefined ? header.name : readService(spec.service, r);
  const stable = readUpstreams(spec.stable, ['spec', 'stable'], r, argo ? 'stable' : undefined);
  // The Argo form's canary version is the image tag: what changes between two revisions of an Argo rollout.
  const canaryFallback = argo && !workload ? image : undefined;
  const canary = readUpstreams(spec.canary, ['spec', 'canary'], r, canaryFallback, argo && workload);
  if (stable && canary && stable.version === canary.version)
    r.error(
      ['spec', 'canary', 'version'],
      'CONFIG_TYPE',
      `canary and stable are both version '${stable.version}'`,
    );
  const stickiness =
    spec.stickiness === undefined ? DEFAULT_STICKINESS : r.string(spec.stickiness, ['spec', 'stickiness']);
  if (stickiness !== undefined && !ATTRIBUTE.test(stickiness))
    r.error(
      ['spec', 'stickiness'],
      'CONFIG_TYPE',
      `stickiness must be a context attribute such as playerId or user.id`,
    );
  const onProviderOutage = spec.onProviderOutage ?? 'pause';
  if (onProviderOutage !== 'pause' && onProviderOutage !== 'abort')
    r.error(
      ['spec', 'onProviderOutage'],
      'CONFIG_TYPE',
      `onProviderOutage must be pause or abort, not ${JSON.stringify(onProviderOutage)}`,
    );
  const notifications = readNotifications(spec.notifications, ['spec', 'notifications'], r);
  const strategy = r.required(spec.strategy, ['spec', 'strategy'], 'canary or blueGreen')
    ? readStrategy(spec.strategy, r)
    : undefined;

  if (r.failed || !header.name || !service || !stable || !canary || !stickiness || !strategy)
    return { diagnostics: r.diagnostics };
  const route: RouteSpec = { service, stable, canary, stickiness };
  return {
    rollout: {
      name: header.name,
      route,
      strategy,
      onProviderOutage: onProviderOutage as Rollout['onProviderOutage'],
      notifications,
    },
    diagnostics: r.diagnostics,
  };
}

function readService(value: unknown, r: SpecReader): string | undefined {
  if (!r.required(value, ['spec', 'service'], 'the service whose traffic is split')) return undefined;
  const s = r.string(value, ['spec', 'service']);
  if (s !== undefined && !KEY.test(s))
    r.error(
      ['spec', 'service'],
      'CONFIG_INVALID_KEY',
      `service '${s}' must be letters, digits, '_', '-' or '.'`,
    );
  return s !== undefined && KEY.test(s) ? s : undefined;
}

/**
 * The pod template of the Argo form: only the tag of the first container's image is read (the canary version).
 */
function readTemplate(value: unknown, readImage: boolean, r: SpecReader): string | undefined {
  if (value === undefined) return undefined;
  const image = (value as { spec?: { containers?: { image?: unknown }[] } })?.spec?.containers?.[0]?.image;
  const version = readImage && typeof image === 'string' ? imageVersion(image) : undefined;
  r.warn(
    ['spec', 'template'],
    'CONFIG_UNSUPPORTED',
    version === undefined
      ? `ignored: spec.template (${PODS})`
      : `ignored: spec.template, except the tag of containers[0].image, read as the canary version '${version}'`,
  );
  return version;
}

/** `repo/app:v2` → `v2`; `app@sha256:…` → the digest; no tag → `latest`, as a container runtime reads it. */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : 'latest';
}

function readUpstreams(
  value: unknown,
  path: Path,
  r: SpecReader,
  fallbackVersion: string | undefined,
  quiet = false,
): Upstreams | undefined {
  if (value === undefined && fallbackVersion !== undefined)
    return { version: fallbackVersion, upstreams: [] };
  if (value === undefined && quiet) return undefined;
  const what = `{version, upstreams}${path.at(-1) === 'canary' ? ' of the new version' : ' of the running version'}`;
  if (!r.required(value, path, what)) return undefined;
  const u = r.object(value, path, { version: 'read', upstreams: 'read' });
  if (u === undefined) return undefined;
  let version = fallbackVersion;
  if (u.version !== undefined || fallbackVersion === undefined) {
    version = r.required(u.version, [...path, 'version'], 'the version label')
      ? versionOf(u.version, [...path, 'version'], r)
      : undefined;
  }
  const upstreams: string[] = [];
  r.array(u.upstreams, [...path, 'upstreams'])?.forEach((raw, i) => {
    const url = r.url(raw, [...path, 'upstreams', i]);
    if (url !== undefined) upstreams.push(url);
  });
  return version === undefined ? undefined : { version, upstreams };
}

function versionOf(value: unknown, path: Path, r: SpecReader): string | undefined {
  // YAML reads `version: 2` or `1.10` as a number; a version is a label, so its text is kept.
  const s = typeof value === 'number' ? String(value) : r.string(value, path);
  if (s === undefined) return undefined;
  if (/^[^\s{}]{1,128}$/.test(s)) return s;
  r.error(path, 'CONFIG_TYPE', `a version is up to 128 characters without spaces or braces, not '${s}'`);
  return undefined;
}

function readNotifications(value: unknown, path: Path, r: SpecReader): WebhookSpec[] {
  const out: WebhookSpec[] = [];
  if (value === undefined) return out;
  const n = r.object(value, path, { webhooks: 'read' });
  r.array(n?.webhooks, [...path, 'webhooks'])?.forEach((raw, i) => {
    const at = [...path, 'webhooks', i];
    const w = r.object(raw, at, { url: 'read', events: 'read', headers: 'read' });
    if (w === undefined) return;
    const url = r.required(w.url, [...at, 'url'], 'where to POST') ? r.url(w.url, [...at, 'url']) : undefined;
    const events: string[] = [];
    r.array(w.events, [...at, 'events'])?.forEach((e, j) => {
      const s = r.string(e, [...at, 'events', j]);
      if (s !== undefined && EVENTS.includes(s)) events.push(s);
      else if (s !== undefined) {
        const near = nearest(s, EVENTS);
        r.error(
          [...at, 'events', j],
          'CONFIG_TYPE',
          `unknown event '${s}'${near ? `; did you mean '${near}'?` : `; events: ${EVENTS.join(', ')}`}`,
        );
      }
    });
    const headers = r.headers(w.headers, [...at, 'headers']);
    if (url !== undefined) out.push({ url, events, headers });
  });
  return out;
}

function readStrategy(value: unknown, r: SpecReader): CanaryStrategy | BlueGreenStrategy | undefined {
  const path = ['spec', 'strategy'];
  const s = r.object(value, path, { canary: 'read', blueGreen: 'read' });
  if (s === undefined) return undefined;
  if (s.canary !== undefined && s.blueGreen !== undefined) {
    r.error(path, 'CONFIG_TYPE', 'a rollout has one strategy: canary or blueGreen, not both');
    return undefined;
  }
  if (s.canary !== undefined) return readCanary(s.canary, [...path, 'canary'], r);
  if (s.blueGreen !== undefined) return readBlueGreen(s.blueGreen, [...path, 'blueGreen'], r);
  r.error(path, 'CONFIG_REQUIRED', 'spec.strategy needs canary or blueGreen');
  return undefined;
}

function readCanary(value: unknown, path: Path, r: SpecReader): CanaryStrategy | undefined {
  // `canary: {}` (Argo's rolling update) has no steps: the canary goes straight to 100 %.
  const c = r.object(value ?? {}, path, CANARY_FIELDS);
  if (c === undefined) return undefined;
  const steps = readSteps(c.steps, [...path, 'steps'], r);
  if (c.analysis === undefined) return { kind: 'canary', steps };
  const at = [...path, 'analysis'];
  const ref = readAnalysisRef(c.analysis, at, r, { startingStep: 'read' });
  if (ref === undefined) return { kind: 'canary', steps };
  const startingStep = r.integer(ref.fields.startingStep, [...at, 'startingStep'], 0) ?? 0;
  const stepCount = Array.isArray(c.steps) ? c.steps.length : 0;
  if (startingStep > 0 && startingStep >= stepCount)
    r.error(
      [...at, 'startingStep'],
      'CONFIG_TYPE',
      `startingStep ${startingStep} is past the last step (${stepCount - 1})`,
    );
  return { kind: 'canary', steps, analysis: { ...toRef(ref), startingStep } };
}

function readBlueGreen(value: unknown, path: Path, r: SpecReader): BlueGreenStrategy | undefined {
  const b = r.object(value ?? {}, path, BLUE_GREEN_FIELDS);
  if (b === undefined) return undefined;
  const analysis = (field: string) => {
    if (b[field] === undefined) return undefined;
    const ref = readAnalysisRef(b[field], [...path, field], r);
    return ref === undefined ? undefined : toRef(ref);
  };
  const pre = analysis('prePromotionAnalysis');
  const post = analysis('postPromotionAnalysis');
  const autoPromotionEnabled = r.boolean(b.autoPromotionEnabled, [...path, 'autoPromotionEnabled']) ?? true;
  let autoPromotionSeconds = r.integer(b.autoPromotionSeconds, [...path, 'autoPromotionSeconds'], 0);
  if (!autoPromotionEnabled && autoPromotionSeconds !== undefined) {
    // Argo ignores it too: without auto-promotion a person promotes.
    r.warn(
      [...path, 'autoPromotionSeconds'],
      'CONFIG_UNSUPPORTED',
      'ignored: autoPromotionSeconds has no effect with autoPromotionEnabled: false',
    );
    autoPromotionSeconds = undefined;
  }
  return {
    kind: 'blueGreen',
    ...(pre ? { prePromotionAnalysis: pre } : {}),
    ...(post ? { postPromotionAnalysis: post } : {}),
    autoPromotionEnabled,
    ...(autoPromotionSeconds !== undefined ? { autoPromotionSeconds } : {}),
  };
}

function toRef(ref: AnalysisRef): AnalysisRef {
  return { templates: ref.templates, args: ref.args };
}
