/**
 * The kinds an engine runs, by name, and the throttle defaults that come with them: a kind's own
 * (`JobKind.throttle`), or the operator's (`LONGRUN_THROTTLES`), which wins.
 *
 * Guarantees: a name is registered once; a submission of a kind object this engine did not
 * register is refused (two kinds of one name cannot be mixed up); an operator's throttle that
 * names no registered kind stops the engine at start, rather than never applying.
 */
import type { JobKind } from './kind.ts';
import type { ThrottleLimit, ThrottleLimits } from './throttle.ts';

export class KindRegistry {
  private readonly kinds = new Map<string, JobKind>();

  constructor(
    private readonly throttles: ThrottleLimits,
    private readonly operatorThrottles: Record<string, ThrottleLimit> = {},
  ) {}

  register(kind: JobKind<never>): void {
    if (this.kinds.has(kind.name)) throw new Error(`job kind "${kind.name}" is registered twice`);
    this.kinds.set(kind.name, kind as JobKind);
    const throttle = this.operatorThrottles[kind.name] ?? kind.throttle;
    if (throttle) this.throttles.setDefault(kind.name, throttle);
  }

  get<Input = never>(name: string): JobKind<Input> | undefined {
    return this.kinds.get(name) as JobKind<Input> | undefined;
  }

  /** Every registered kind, in registration order. */
  all(): JobKind[] {
    return [...this.kinds.values()];
  }

  /** Kinds that are the server's own bookkeeping, left out of job lists and org limits. */
  internal(): string[] {
    return this.all()
      .filter((k) => k.internal)
      .map((k) => k.name);
  }

  /** Throws unless every request's kind is the one registered under its name. */
  assertRegistered(kinds: { name: string }[]): void {
    const unknown = kinds.find((kind) => this.kinds.get(kind.name) !== kind);
    if (unknown) throw new Error(`job kind "${unknown.name}" is not registered`);
  }

  /** Throws when an operator's throttle names a kind that is not registered. */
  assertThrottlesKnown(): void {
    const unknown = Object.keys(this.operatorThrottles).filter((kind) => !this.kinds.has(kind));
    if (unknown.length > 0) throw new Error(`a throttle names a kind this process does not know: ${unknown.join(', ')}`);
  }
}
