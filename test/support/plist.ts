// Property lists read by an independent, strict parser: Python's plistlib (no plutil off macOS).
import { execa } from 'execa';

const TO_JSON = `
import json, plistlib, sys
with open(sys.argv[1], 'rb') as f:
    value = plistlib.load(f)
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
  const r = await execa('python3', ['-c', TO_JSON.replace("open(sys.argv[1], 'rb')", 'sys.stdin.buffer'), '-'], {
    input: text,
    reject: false,
    timeout: 20_000,
  });
  if (r.exitCode !== 0) throw new Error(String(r.stderr).trim().split('\n').at(-1) || `python3 exited ${r.exitCode}`);
  return JSON.parse(String(r.stdout));
}
