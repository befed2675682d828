// The SSE targets, in table order. An adapter is { name, about, start() } where start() resolves with
// { host, port, version, stream: { path, headers }, trigger(i) => { method, path, headers, body }, stop() }
// or throws TargetUnavailable. The first target is the floor the others are compared with.
import { floorHttp, floorNet } from './floor.js';
import { pitboss } from './pitboss.js';

export const TARGETS = [floorNet, floorHttp, pitboss];
export const FLOOR = floorNet.name;
export const REFERENCE = pitboss.name;
