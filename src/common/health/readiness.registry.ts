import { Injectable } from '@nestjs/common';

export interface ComponentStatus {
  ready: boolean;
  /** Shown in /health/ready; never put secrets here. */
  details?: Record<string, unknown>;
}

export type ComponentCheck = () => Promise<ComponentStatus> | ComponentStatus;

/** Components of the running roles register how to tell whether they are ready. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ComponentCheck>();
  private draining = false;

  register(name: string, check: ComponentCheck): void {
    if (this.checks.has(name)) throw new Error(`Readiness check "${name}" registered twice`);
    this.checks.set(name, check);
  }

  entries(): [string, ComponentCheck][] {
    return [...this.checks.entries()];
  }

  /** Once shutdown starts, readiness answers 503 so load balancers stop sending work. */
  startDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }
}
