import * as path from 'path';
import type { Schedule, Schedules } from '../ports';
import { StateShapes, readJson, writeJson } from './json-file';

/** Timers (EventBridge locally): a JSON file; the local cloud does not fire them by itself. */
export class LocalSchedules implements Schedules {
  private readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'schedules.json');
  }

  async put(schedule: Schedule): Promise<void> {
    const all = readJson<Schedule[]>(this.file, [], StateShapes.list).filter((s) => s.name !== schedule.name);
    all.push(schedule);
    writeJson(this.file, all);
  }

  async list(): Promise<Schedule[]> {
    return readJson<Schedule[]>(this.file, [], StateShapes.list);
  }

  async remove(name: string): Promise<void> {
    writeJson(
      this.file,
      readJson<Schedule[]>(this.file, [], StateShapes.list).filter((s) => s.name !== name),
    );
  }
}
