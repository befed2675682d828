/** The simulated iGaming platform of `pitboss demo`: services, the shared ledger and the scenarios. */
export { demoPassword, twoFactorCode } from './auth.js';
export { GAMES_WS_PATH } from './game-gateway.js';
export { type Answer, type EntryKind, LEDGER_FILE, Ledger, type LedgerEntry } from './ledger.js';
export type { KindTotal, LedgerCheck } from './ledger-check.js';
export { promoBonus } from './promo.js';
export { hash32, lognormalMs, Rng } from './rng.js';
export {
  FAULTY_VERSION,
  isScenario,
  isServiceName,
  type Latency,
  type Profile,
  PSPS,
  type Psp,
  profileFor,
  SCENARIOS,
  type Scenario,
  SERVICES,
  type ServiceName,
} from './scenarios.js';
export { type RunningService, type ServiceOptions, startService } from './service.js';
