/** One log line with the time it was written (ms since epoch). */
export interface LogLine {
  time: number;
  line: string;
  /**
   * Set when the stored record could not be read (e.g. a writer killed mid-line): where it is
   * and what is wrong. `line` is then the raw text and `time` a best guess; readers skip it.
   */
  corrupt?: { where: string; problem: string };
}

/** Log streams of functions (CloudWatch Logs on AWS). */
export interface Logs {
  /** Lines a function wrote with start ≤ time < end, oldest first, across all pages. */
  read(region: string, functionName: string, start: number, end: number): Promise<LogLine[]>;
}
