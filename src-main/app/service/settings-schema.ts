// The config schema's field descriptions by path, for the settings form's help texts. Read from the
// JSON Schema the zod schema generates, so the form and editors show the same words.
import { configJsonSchema } from '../../core/config/json-schema';

type Node = {
  description?: string;
  properties?: Record<string, Node>;
  oneOf?: Node[];
  anyOf?: Node[];
  allOf?: Node[];
  items?: Node;
};

/** A secret reference's variants describe env/file/keychain, not the field: stop there. */
const isSecretRef = (n: Node): boolean => !!n.oneOf?.some((v) => v.properties && ('keychain' in v.properties || 'env' in v.properties));

function walk(node: Node, path: string, out: Record<string, string>): void {
  if (path && node.description && !out[path]) out[path] = node.description;
  if (isSecretRef(node)) return;
  for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${key}` : key, out);
  for (const variant of [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])]) walk(variant, path, out);
  if (node.items) walk(node.items, `${path}[]`, out);
}

export function fieldDescriptions(schema: Record<string, unknown> = configJsonSchema()): Record<string, string> {
  const out: Record<string, string> = {};
  walk(schema as Node, '', out);
  return out;
}
