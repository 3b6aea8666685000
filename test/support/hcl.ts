// A small HCL2 structure reader for sanity checks of Packer templates (there is no packer binary
// here): comments, strings with ${…} templates, heredocs, balanced brackets, blocks with labels and
// attributes. Attribute values are kept as their source text; expressions are not evaluated.

export interface HclBlock {
  type: string;
  labels: string[];
  /** Attribute name -> the expression's source text. */
  attributes: Record<string, string>;
  blocks: HclBlock[];
  line: number;
}

export class HclError extends Error {}

type Kind = 'ident' | 'string' | 'heredoc' | 'number' | 'punct' | 'newline' | 'eof';
interface Token {
  kind: Kind;
  text: string;
  /** For strings: the content between the quotes (escapes kept). */
  value?: string;
  start: number;
  end: number;
  line: number;
}

const OPENERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  const fail = (problem: string): never => {
    throw new HclError(`line ${line}: ${problem}`);
  };
  const advanceTo = (end: number) => {
    for (let i = pos; i < end; i++) if (src[i] === '\n') line++;
    pos = end;
  };

  // Reads a quoted template from pos (at the opening quote); returns the index after the closing quote.
  const skipString = (from: number): number => {
    let i = from + 1;
    for (;;) {
      if (i >= src.length || src[i] === '\n') fail('unterminated string');
      const c = src[i];
      if (c === '\\') {
        i += 2;
      } else if (c === '"') {
        return i + 1;
      } else if ((c === '$' || c === '%') && src[i + 1] === '{') {
        i = skipTemplate(i + 2);
      } else {
        i++;
      }
    }
  };
  // Inside ${ … }: nested braces and strings; returns the index after the closing brace.
  const skipTemplate = (from: number): number => {
    let depth = 1;
    let i = from;
    while (depth > 0) {
      if (i >= src.length) fail('unterminated ${ … } in a string');
      const c = src[i];
      if (c === '"') i = skipString(i);
      else {
        if (c === '{') depth++;
        if (c === '}') depth--;
        i++;
      }
    }
    return i;
  };

  while (pos < src.length) {
    const c = src[pos];
    const start = pos;
    const startLine = line;
    if (c === ' ' || c === '\t' || c === '\r') {
      pos++;
    } else if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', start, end: pos + 1, line });
      advanceTo(pos + 1);
    } else if (c === '#' || (c === '/' && src[pos + 1] === '/')) {
      while (pos < src.length && src[pos] !== '\n') pos++;
    } else if (c === '/' && src[pos + 1] === '*') {
      const end = src.indexOf('*/', pos + 2);
      if (end < 0) fail('unterminated /* comment');
      advanceTo(end + 2);
    } else if (c === '"') {
      const end = skipString(pos);
      tokens.push({ kind: 'string', text: src.slice(start, end), value: src.slice(start + 1, end - 1), start, end, line: startLine });
      advanceTo(end);
    } else if (c === '<' && src[pos + 1] === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(pos));
      if (!m) fail('bad heredoc opener');
      const marker = new RegExp(`^[ \\t]*${m![1]}[ \\t]*$`, 'm');
      const bodyStart = pos + m![0].length;
      const rest = src.slice(bodyStart);
      const close = marker.exec(rest);
      if (!close) fail(`heredoc ${m![1]} is never closed`);
      const end = bodyStart + close!.index + close![0].length;
      tokens.push({ kind: 'heredoc', text: src.slice(start, end), start, end, line: startLine });
      advanceTo(end);
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(pos))!;
      tokens.push({ kind: 'ident', text: m[0], start, end: pos + m[0].length, line });
      pos += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(pos))!;
      tokens.push({ kind: 'number', text: m[0], start, end: pos + m[0].length, line });
      pos += m[0].length;
    } else {
      const two = src.slice(pos, pos + 2);
      const text = ['==', '!=', '<=', '>=', '&&', '||', '=>', '...'].includes(two) ? two : src.slice(pos, pos + 1);
      if (!/[{}[\]()=,.:?!<>+\-*/%&|]/.test(text[0])) fail(`unexpected character "${text}"`);
      tokens.push({ kind: 'punct', text, start, end: pos + text.length, line });
      pos += text.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', start: pos, end: pos, line });
  return tokens;
}

/** Parses an HCL2 file into its top-level body (a block with type ""). Throws HclError with a line. */
export function parseHcl(src: string): HclBlock {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (problem: string, t = peek()): never => {
    throw new HclError(`line ${t.line}: ${problem}`);
  };

  const expression = (): string => {
    const stack: string[] = [];
    const first = peek();
    let last = first;
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') {
        if (stack.length) fail(`"${stack.at(-1)}" expected before the end of the file`, t);
        break;
      }
      if (stack.length === 0 && (t.kind === 'newline' || (t.kind === 'punct' && (t.text === '}' || t.text === ',')))) break;
      if (t.kind === 'punct' && t.text in OPENERS) stack.push(OPENERS[t.text]);
      else if (t.kind === 'punct' && Object.values(OPENERS).includes(t.text)) {
        const want = stack.pop();
        if (want !== t.text) fail(`unbalanced "${t.text}"${want ? ` (expected "${want}")` : ''}`, t);
      }
      last = t;
      i++;
    }
    if (last === first && (first.kind === 'newline' || first.kind === 'eof')) fail('an attribute needs a value', first);
    return src.slice(first.start, last.end).trim();
  };

  const body = (block: HclBlock, closed: boolean): void => {
    for (;;) {
      const t = peek();
      if (t.kind === 'newline') {
        i++;
        continue;
      }
      if (t.kind === 'eof') {
        if (closed) fail(`block "${block.type}" opened on line ${block.line} is never closed`, t);
        return;
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (!closed) fail('unbalanced "}"', t);
        i++;
        return;
      }
      if (t.kind !== 'ident') fail(`expected an attribute or block name, found "${t.text}"`, t);
      i++;
      const next = peek();
      if (next.kind === 'punct' && next.text === '=') {
        i++;
        if (t.text in block.attributes) fail(`attribute "${t.text}" is set twice`, t);
        block.attributes[t.text] = expression();
        continue;
      }
      const child: HclBlock = { type: t.text, labels: [], attributes: {}, blocks: [], line: t.line };
      while (peek().kind === 'string' || peek().kind === 'ident') {
        const label = peek();
        child.labels.push(label.kind === 'string' ? label.value! : label.text);
        i++;
      }
      if (!(peek().kind === 'punct' && peek().text === '{')) fail(`expected "{" to open block "${t.text}"`);
      i++;
      body(child, true);
      block.blocks.push(child);
    }
  };

  const root: HclBlock = { type: '', labels: [], attributes: {}, blocks: [], line: 1 };
  body(root, false);
  return root;
}

/** Child blocks of a type (and first label, when given). */
export function blocksOf(block: HclBlock, type: string, label?: string): HclBlock[] {
  return block.blocks.filter((b) => b.type === type && (label === undefined || b.labels[0] === label));
}

/** The value of a quoted-string attribute, or undefined when absent or not a plain string. */
export function stringAttr(block: HclBlock, name: string): string | undefined {
  const raw = block.attributes[name];
  const m = raw === undefined ? null : /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
  return m ? m[1] : undefined;
}
