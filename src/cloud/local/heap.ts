/** A binary min-heap: the local cloud's pending deliveries ordered by (virtual time, sequence). */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    return this.removeAt(0);
  }

  /** Removes and returns the item at heap position `i` (used to deliver out of order). */
  removeAt(i: number): T | undefined {
    const a = this.items;
    if (i >= a.length) return undefined;
    const top = a[i];
    const last = a.pop()!;
    if (i < a.length) {
      a[i] = last;
      this.siftDown(i);
      this.siftUp(i);
    }
    return top;
  }

  private siftUp(i: number): void {
    const a = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l], a[m])) m = l;
      if (r < a.length && this.less(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
