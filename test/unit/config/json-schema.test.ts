import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src-main/core/config/json-schema';

describe('config JSON Schema', () => {
  // The shipped file is generated from the zod schema; refresh it with `npx vitest run test/unit/config -u`.
  it('matches assets/config.schema.json', async () => {
    await expect(`${JSON.stringify(configJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../../assets/config.schema.json');
  });

  it('describes secrets as references and leaves the host id default to each machine', () => {
    const schema = configJsonSchema() as { properties: Record<string, any> };
    expect(schema.properties.hostId.default).toBeUndefined();
    const token = schema.properties.github.properties.auth.oneOf[1].properties.token;
    expect(token.oneOf.map((o: { required: string[] }) => o.required[0])).toEqual(['env', 'file', 'keychain']);
    expect(schema.properties.timeouts.properties.job.default).toBe(21600);
  });
});
