// The weighted split every proxy is configured with, the check that it really splits that way, and the
// requests the load generator sends. Shared by the harness, the proxies and the tests.

/** Percent of players sent to the canary by every proxy. */
export const CANARY_WEIGHT = 20;
/** Allowed distance of the measured canary share from CANARY_WEIGHT, in percentage points. */
export const SPLIT_TOLERANCE_PP = 2;
export const STABLE_VERSION = 'v1';
export const CANARY_VERSION = 'v2';
/** Header carrying the player id: the split (and Pitboss's stickiness) is by player. */
export const PLAYER_HEADER = 'x-player-id';
export const MARKET_HEADER = 'x-market';
/** Path every request asks for; Pitboss's service matches its prefix, the others proxy everything. */
export const REQUEST_PATH = '/wallet/balance';
/**
 * Pitboss's segment rule: players in it go to the canary whatever the weight. The benchmark's markets never
 * match, so the rule is evaluated on every request without moving the split away from CANARY_WEIGHT.
 */
export const SEGMENT_RULE = "market in ['MT', 'CY']";
const MARKETS = ['DE', 'SE', 'UK', 'FI'];

/**
 * The split check: every request answered 2xx by one of the two versions, and the canary share within
 * ±tolerance percentage points of the weight.
 * @param {{ versions: Record<string, number>, statuses: Record<string, number>, errors: number }} counts
 *   responses by `x-version` header (`(none)` when absent) and by status, and transport errors
 * @param {{ requests: number, weight?: number, tolerancePp?: number }} expected
 * @returns {{ ok: boolean, canaryPercent: number, problems: string[] }}
 */
export function checkSplit(counts, { requests, weight = CANARY_WEIGHT, tolerancePp = SPLIT_TOLERANCE_PP }) {
  const problems = [];
  const answered = Object.values(counts.versions).reduce((a, b) => a + b, 0);
  const ok2xx = Object.entries(counts.statuses)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  if (counts.errors) problems.push(`${counts.errors}/${requests} requests failed (transport error)`);
  if (ok2xx < requests) {
    const other = Object.entries(counts.statuses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, n]) => `${n}× ${status}`);
    problems.push(
      `${requests - ok2xx}/${requests} not answered 2xx${other.length ? ` (${other.join(', ')})` : ''}`,
    );
  }
  const strangers = Object.entries(counts.versions).filter(
    ([v]) => v !== STABLE_VERSION && v !== CANARY_VERSION,
  );
  for (const [version, n] of strangers) problems.push(`${n} responses from version '${version}'`);
  const canary = counts.versions[CANARY_VERSION] ?? 0;
  const canaryPercent = answered ? (100 * canary) / answered : 0;
  if (Math.abs(canaryPercent - weight) > tolerancePp) {
    problems.push(
      `canary share ${canaryPercent.toFixed(2)} % of ${answered} responses, configured ${weight} % ± ${tolerancePp} pp`,
    );
  }
  return { ok: problems.length === 0, canaryPercent, problems };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: the bare Node proxy's bucketing, nothing more. */
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The bare Node proxy's choice: canary when the player's bucket (0–9,999) is below weight × 100. */
export function bareProxyPicksCanary(playerId, weight = CANARY_WEIGHT) {
  return fnv1a(playerId) % 10_000 < weight * 100;
}

/** Player `i`'s id; the split check uses ids no timed phase reuses. */
export function playerId(prefix, i) {
  return `${prefix}-${i}`;
}

/** One pre-encoded keep-alive GET for `player`, its market cycling through MARKETS. */
export function encodeRequest(host, port, player, i) {
  return Buffer.from(
    `GET ${REQUEST_PATH} HTTP/1.1\r\nHost: ${host}:${port}\r\n${PLAYER_HEADER}: ${player}\r\n` +
      `${MARKET_HEADER}: ${MARKETS[i % MARKETS.length]}\r\nAccept: application/json\r\n\r\n`,
    'latin1',
  );
}
