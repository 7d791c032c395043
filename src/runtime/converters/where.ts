/**
 * Where in a record a value sits, for error messages. Converters descend into every field of every
 * record, so the path is a linked list of segments and is only rendered when a conversion fails.
 *
 * Rendering: `value.address.zip` (struct field), `value.items[2]` (array element),
 * `value.tags["k"]` (map value), `value.tags{"k"}` (map key).
 */
import { DataError } from '../../sdk/index.js';

const enum Kind {
  Root,
  Field,
  Index,
  MapValue,
  MapKey,
}

export class Where {
  private constructor(
    readonly topic: string,
    private readonly up: Where | null,
    private readonly seg: unknown,
    private readonly kind: Kind,
  ) {}

  /** The top of a record part: `key`, `value`, `header "h"` or `schema`. */
  static root(topic: string, name: string): Where {
    return new Where(topic, null, name, Kind.Root);
  }

  field(name: string): Where {
    return new Where(this.topic, this, name, Kind.Field);
  }

  index(i: number): Where {
    return new Where(this.topic, this, i, Kind.Index);
  }

  mapValue(key: unknown): Where {
    return new Where(this.topic, this, key, Kind.MapValue);
  }

  mapKey(key: unknown): Where {
    return new Where(this.topic, this, key, Kind.MapKey);
  }

  path(): string {
    const segs: string[] = [];
    for (let w: Where | null = this; w; w = w.up) {
      switch (w.kind) {
        case Kind.Root: segs.push(String(w.seg)); break;
        case Kind.Field: segs.push(`.${String(w.seg)}`); break;
        case Kind.Index: segs.push(`[${String(w.seg)}]`); break;
        case Kind.MapValue: segs.push(`[${renderKey(w.seg)}]`); break;
        case Kind.MapKey: segs.push(`{${renderKey(w.seg)}}`); break;
      }
    }
    return segs.reverse().join('');
  }

  /** `<path> on topic "<topic>"`: the prefix of every conversion error. */
  describe(): string {
    return `${this.path()} on topic "${this.topic}"`;
  }

  fail(message: string, cause?: unknown): DataError {
    return new DataError(`${this.describe()}: ${message}`, cause === undefined ? undefined : { cause });
  }
}

function renderKey(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null) return String(k);
  return '…';
}
