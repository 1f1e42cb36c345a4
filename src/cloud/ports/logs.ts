/** One log line with the time it was written (ms since epoch). */
export interface LogLine {
  time: number;
  line: string;
}

/** Log streams of functions (CloudWatch Logs on AWS). */
export interface Logs {
  /** Lines a function wrote with start ≤ time < end, oldest first, across all pages. */
  read(region: string, functionName: string, start: number, end: number): Promise<LogLine[]>;
}
