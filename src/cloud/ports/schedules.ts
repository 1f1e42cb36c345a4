/** A named timer that starts a target on a schedule (EventBridge on AWS). */
export interface Schedule {
  name: string;
  expression: string;
  target: string;
}

export interface Schedules {
  put(schedule: Schedule): Promise<void>;
  list(): Promise<Schedule[]>;
  remove(name: string): Promise<void>;
}
