// Reading and writing the settings draft by path, and the path text the config schema's issues
// use (`vm.dirs[0].hostPath`), so an issue lands on its field.

export type PathPart = string | number;

export function formatPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

export function getAt(value: unknown, parts: readonly PathPart[]): unknown {
  let v = value;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, p) ? (v as Record<PathPart, unknown>)[p] : undefined;
  }
  return v;
}

/** A copy of `root` with the value at `parts` replaced; `undefined` removes the key (the default applies). */
export function setAt(root: unknown, parts: readonly PathPart[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const [head, ...rest] = parts;
  if (typeof head === 'number') {
    const arr = Array.isArray(root) ? [...root] : [];
    arr[head] = setAt(arr[head], rest, value);
    return arr;
  }
  const obj: Record<string, unknown> = root !== null && typeof root === 'object' && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  const next = setAt(obj[head], rest, value);
  if (next === undefined) delete obj[head];
  else Object.defineProperty(obj, head, { value: next, enumerable: true, writable: true, configurable: true });
  return obj;
}

/** `a` is `b` or lies inside it (same rule as the core's isPathWithin, which the browser cannot import). */
export function isPathWithin(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}
