// Thrown by a target's start() when it cannot run here at all (not built yet, endpoint missing): the suite
// reports 'not available: <message>' for it instead of failing.
export class TargetUnavailable extends Error {
  name = 'TargetUnavailable';
}
