/** One metric value at one step, as every writer (runner, MLflow API, study import) hands it over. */
export interface MetricPointInput {
  key: string;
  step: number;
  /** Any double, NaN and ±Infinity included (stored as is). */
  value: number;
  /** Milliseconds since the epoch. */
  wallTime: number;
}
