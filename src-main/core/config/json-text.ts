// A strict JSON reader for the config file: errors carry line and column, and a key given twice is
// an error (JSON.parse silently keeps the last one, which hides edits that never take effect).

export class JsonTextError extends Error {
  override readonly name = 'JsonTextError';
  constructor(
    readonly problem: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseJsonText(source: string): unknown {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  let pos = 0;

  const fail = (problem: string, at = pos): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonTextError(problem, line, at - lineStart + 1);
  };
  const found = (): string => (pos >= text.length ? 'the end of the file' : `"${text[pos]}"`);

  const skipSpace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else if (c === 47 && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON');
      else break;
    }
  };

  const readString = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 34) break;
      if (c === 10) fail('unterminated string (a line break inside quotes)', start);
      if (c < 32) fail('control character inside a string');
      if (c === 92) {
        out += text.slice(chunk, pos);
        const e = text[pos + 1];
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape: expected 4 hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          pos += 2;
        } else {
          fail(`bad escape "\\${e ?? ''}"`);
        }
        chunk = pos;
      } else {
        pos++;
      }
    }
    out += text.slice(chunk, pos);
    pos++; // closing quote
    return out;
  };

  const readValue = (): unknown => {
    skipSpace();
    const c = text[pos];
    if (c === '{') return readObject();
    if (c === '[') return readArray();
    if (c === '"') return readString();
    if (c === "'") fail('strings must use double quotes');
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m && m[0].length > 0) {
      pos += m[0].length;
      return Number(m[0]);
    }
    return fail(`expected a value, found ${found()}`);
  };

  const readObject = (): Record<string, unknown> => {
    const obj: Record<string, unknown> = {};
    const seen = new Set<string>();
    let commaAt = pos;
    pos++;
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return obj;
    }
    for (;;) {
      skipSpace();
      if (text[pos] === '}') fail('a trailing comma is not allowed in JSON', commaAt);
      if (text[pos] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
      const keyAt = pos;
      const key = readString();
      if (seen.has(key)) fail(`duplicate key "${key}": remove one of them`, keyAt);
      seen.add(key);
      skipSpace();
      if (text[pos] !== ':') fail(`expected ":" after "${key}", found ${found()}`);
      pos++;
      // defineProperty keeps "__proto__" an ordinary (and then unknown) key.
      Object.defineProperty(obj, key, { value: readValue(), enumerable: true, writable: true, configurable: true });
      skipSpace();
      if (text[pos] === ',') {
        commaAt = pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      fail(`expected "," or "}" after the value of "${key}", found ${found()}`);
    }
  };

  const readArray = (): unknown[] => {
    const arr: unknown[] = [];
    let commaAt = pos;
    pos++;
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return arr;
    }
    for (;;) {
      skipSpace();
      if (text[pos] === ']') fail('a trailing comma is not allowed in JSON', commaAt);
      arr.push(readValue());
      skipSpace();
      if (text[pos] === ',') {
        commaAt = pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      fail(`expected "," or "]" in the list, found ${found()}`);
    }
  };

  skipSpace();
  if (pos >= text.length) fail('the file is empty; expected a JSON object');
  const value = readValue();
  skipSpace();
  if (pos < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
  return value;
}
