// JSON Schema of the config file, generated from the zod schema, so editors show the same
// descriptions and defaults (assets/config.schema.json; the example configs point at it).
import { z } from 'zod';
import { configSchema } from './schema';

type JsonSchema = z.core.JSONSchema.JSONSchema;

const name = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });

/** SecretRef is a zod custom type; this is its JSON shape. */
const SECRET_REF: JsonSchema = {
  description: 'A secret reference; secrets are never written inline.',
  oneOf: [
    { type: 'object', properties: { env: name('Environment variable holding the secret.') }, required: ['env'], additionalProperties: false },
    { type: 'object', properties: { file: name('Absolute path (or ~/…) of a file with mode 0600.') }, required: ['file'], additionalProperties: false },
    { type: 'object', properties: { keychain: name("Item in the Ekiden app's secret store.") }, required: ['keychain'], additionalProperties: false },
  ],
};

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: ({ zodSchema }) => (zodSchema._zod.def.type === 'custom' ? SECRET_REF : undefined),
    // Defaults around a transform (URLs, paths, slots) are dropped for the input side; put them back.
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'default' && jsonSchema.default === undefined) jsonSchema.default = def.defaultValue;
    },
  }) as { properties: Record<string, { default?: unknown }> } & Record<string, unknown>;
  // The default host id is this machine's name: describe it rather than freeze one.
  delete schema.properties.hostId.default;
  return { ...schema, title: 'Ekiden configuration' };
}
