/**
 * What every fan-out suite checks of its changes (`{index, received, triggerStatus, triggerError, versions}`):
 * each reached all `n` receivers, each trigger answered 2xx, and each change is one version, the same for every
 * receiver, higher than the one before. Returns the problems found, as sentences.
 */
export function deliveryProblems(changes, n, receivers = 'deliveries') {
  const problems = [];
  const short = changes.filter((c) => c.received < n);
  if (short.length) {
    const missing = short.reduce((sum, c) => sum + n - c.received, 0);
    problems.push(`${missing} ${receivers} missing over ${short.length}/${changes.length} changes`);
  }
  const badTrigger = changes.find((c) => c.triggerStatus < 200 || c.triggerStatus > 299);
  if (badTrigger) {
    problems.push(`trigger answered ${badTrigger.triggerStatus}: ${badTrigger.triggerError ?? ''}`.trim());
  }
  let previous = Number.NEGATIVE_INFINITY;
  for (const c of changes) {
    if (c.versions.length > 1 || c.versions.some((v) => v.version === null)) {
      problems.push(`change ${c.index + 1}: versions seen ${JSON.stringify(c.versions)}`);
      break;
    }
    const v = c.versions[0]?.version;
    if (v === undefined) continue;
    if (v <= previous) {
      problems.push(`change ${c.index + 1}: version ${v} after ${previous}`);
      break;
    }
    previous = v;
  }
  return problems;
}
