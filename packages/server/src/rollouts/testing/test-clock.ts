/** A clock tests move by hand: rollouts, analyses and leases read it instead of the system clock. */
export class TestClock {
  private ms: number;

  constructor(start: string | Date = '2030-01-01T00:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  /** The current time; pass `clock.now` where a `() => Date` is wanted. */
  readonly now = (): Date => new Date(this.ms);

  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }
}
