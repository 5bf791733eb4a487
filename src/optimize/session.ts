/**
 * The log of one optimization or sweep: runs trials through an injected runner, keeps every
 * trial in the order run, caches measurements per setting (a setting is measured again only when
 * asked to), and enforces the trial budget. The runner is the only thing that touches a server.
 */
import type { Constraint } from "../config/optimize-values.ts";
import { aggregate, isFeasible, settingKey, type Aggregate, type Measurement, type Setting } from "./trial.ts";

/** Why a trial was run: shown in the trial table. */
export type Phase = "recall" | "concurrency" | "re-measure" | "sweep";

export interface TrialOutcome {
  measurement: Measurement;
  /** The full result (JSON-ready, histogram included), kept for the report. */
  detail?: unknown;
}

export type TrialRunner = (setting: Setting, phase: Phase, index: number) => Promise<TrialOutcome>;

export interface TrialRecord {
  /** 1-based, in the order run. */
  index: number;
  phase: Phase;
  setting: Setting;
  measurement: Measurement;
  detail?: unknown;
}

/** Thrown when the budget is spent: the search stops and reports what it measured. */
export class BudgetExhausted extends Error {
  constructor(readonly trials: number) {
    super(`stopped after ${trials} trials (--max-optimize-iterations)`);
  }
}

/** Thrown when the user interrupted (Ctrl-C): the search stops, the report shows what ran. */
export class SearchInterrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

export interface SessionOptions {
  maxTrials: number;
  constraints: readonly Constraint[];
  onTrial?(t: TrialRecord, a: Aggregate): void;
}

export class Session {
  readonly trials: TrialRecord[] = [];
  private readonly runs = new Map<string, { setting: Setting; measurements: Measurement[] }>();
  interrupted = false;

  constructor(
    private readonly runner: TrialRunner,
    readonly options: SessionOptions,
  ) {}

  get budgetLeft(): number {
    return this.options.maxTrials - this.trials.length;
  }

  /** The setting's aggregate, measuring it first if it never was. */
  async measure(setting: Setting, phase: Phase): Promise<Aggregate> {
    return this.known(setting) ?? this.run(setting, phase);
  }

  /** One more trial of a setting already measured (or a first one). */
  async remeasure(setting: Setting): Promise<Aggregate> {
    return this.run(setting, "re-measure");
  }

  known(setting: Setting): Aggregate | undefined {
    const r = this.runs.get(settingKey(setting));
    return r ? aggregate(r.setting, r.measurements) : undefined;
  }

  /** Every measured setting, in the order first measured. */
  aggregates(): Aggregate[] {
    return [...this.runs.values()].map((r) => aggregate(r.setting, r.measurements));
  }

  feasible(): Aggregate[] {
    return this.aggregates().filter((a) => isFeasible(a, this.options.constraints));
  }

  private async run(setting: Setting, phase: Phase): Promise<Aggregate> {
    if (this.interrupted) throw new SearchInterrupted();
    if (this.budgetLeft <= 0) throw new BudgetExhausted(this.trials.length);
    const index = this.trials.length + 1;
    const { measurement, detail } = await this.runner(setting, phase, index);
    const record: TrialRecord = { index, phase, setting: { ...setting }, measurement };
    if (detail !== undefined) record.detail = detail;
    this.trials.push(record);
    const key = settingKey(setting);
    const entry = this.runs.get(key) ?? { setting: { ...setting }, measurements: [] };
    entry.measurements.push(measurement);
    this.runs.set(key, entry);
    const a = aggregate(entry.setting, entry.measurements);
    this.options.onTrial?.(record, a);
    if (this.interrupted) throw new SearchInterrupted();
    return a;
  }
}
