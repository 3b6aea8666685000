// The parts of the config's JSON Schema the settings form reads.

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  oneOf?: SchemaNode[];
  items?: SchemaNode;
}

export type SecretKind = 'env' | 'file' | 'keychain';
export const SECRET_KINDS: readonly SecretKind[] = ['keychain', 'env', 'file'];

/** A secret reference: one of {"env"}, {"file"}, {"keychain"}. */
export function isSecretRef(node: SchemaNode): boolean {
  return !!node.oneOf?.length && node.oneOf.every((v) => v.properties && Object.keys(v.properties).length === 1 && SECRET_KINDS.some((k) => k in v.properties!));
}

/** A union told apart by a `kind` constant (github.scope, github.auth). */
export function kindVariants(node: SchemaNode): { kind: string; node: SchemaNode }[] | undefined {
  if (!node.oneOf?.length) return undefined;
  const variants = node.oneOf.map((v) => ({ kind: v.properties?.kind?.const, node: v }));
  return variants.every((v) => typeof v.kind === 'string') ? (variants as { kind: string; node: SchemaNode }[]) : undefined;
}

export const typesOf = (node: SchemaNode): string[] => (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []);
