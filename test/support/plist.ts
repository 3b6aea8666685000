// Property lists read by an independent, strict parser: Python's plistlib (no plutil off macOS).
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';

const TO_JSON = `
import json, plistlib, sys
if sys.argv[1] == '-':
    data = sys.stdin.buffer.read()
else:
    with open(sys.argv[1], 'rb') as f:
        data = f.read()
value = plistlib.loads(data)
# Like plutil -convert json: dates and data have no JSON form, so they fail.
sys.stdout.write(json.dumps(value))
`;

/** What `plutil -convert json -o - <file>` prints: the plist as JSON text; throws on a bad plist. */
export async function plistToJson(file: string): Promise<string> {
  const r = await execa('python3', ['-c', TO_JSON, file], { reject: false, timeout: 20_000, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(String(r.stderr).trim().split('\n').at(-1) || `python3 exited ${r.exitCode}`);
  return String(r.stdout);
}

export async function readPlist(file: string): Promise<unknown> {
  return JSON.parse(await plistToJson(file));
}

/** Parses plist text (e.g. a script's output). */
export async function parsePlistText(text: string): Promise<unknown> {
  const r = await execa('python3', ['-c', TO_JSON, '-'], {
    input: text,
    reject: false,
    timeout: 20_000,
  });
  if (r.exitCode !== 0) throw new Error(String(r.stderr).trim().split('\n').at(-1) || `python3 exited ${r.exitCode}`);
  return JSON.parse(String(r.stdout));
}

const FROM_JSON = `
import json, plistlib, sys
value = json.loads(sys.stdin.read())
fmt = plistlib.FMT_BINARY if sys.argv[2] == 'binary' else plistlib.FMT_XML
with open(sys.argv[1], 'wb') as f:
    plistlib.dump(value, f, fmt=fmt)
`;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmlValue(value: unknown, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escapeXml(value)}</string>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (typeof value === 'number') return Number.isInteger(value) ? `${indent}<integer>${value}</integer>` : `${indent}<real>${value}</real>`;
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.map((v) => xmlValue(v, `${indent}  `)), `${indent}</array>`].join('\n');
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).flatMap(([k, v]) => [`${indent}  <key>${escapeXml(k)}</key>`, xmlValue(v, `${indent}  `)]);
    return [`${indent}<dict>`, ...entries, `${indent}</dict>`].join('\n');
  }
  throw new Error(`no plist form for ${String(value)}`);
}

/** A JSON-shaped value as XML property-list text. */
export function toXmlPlist(value: unknown): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    xmlValue(value, ''),
    '</plist>',
    '',
  ].join('\n');
}

/** Writes a JSON-shaped value as an XML or binary property list (as MDM-installed files may be). */
export async function writePlist(file: string, value: unknown, format: 'xml' | 'binary' = 'xml'): Promise<void> {
  if (format === 'xml') {
    await writeFile(file, toXmlPlist(value));
    return;
  }
  await execa('python3', ['-c', FROM_JSON, file, format], { input: JSON.stringify(value), timeout: 20_000 });
}
