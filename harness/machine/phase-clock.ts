// Records named phases back to back, so reports can draw a run's timeline to scale.
import type { PhaseTiming } from '../model/results.ts';

export class PhaseClock {
  readonly phases: PhaseTiming[] = [];
  private current: { name: string; startedAtMs: number } | undefined;

  constructor(private readonly onPhase?: (phase: string) => void) {}

  begin(name: string): void {
    this.end();
    this.current = { name, startedAtMs: Date.now() };
    this.onPhase?.(name);
  }

  end(): void {
    if (!this.current) return;
    this.phases.push({ ...this.current, durationMs: Date.now() - this.current.startedAtMs });
    this.current = undefined;
  }
}
