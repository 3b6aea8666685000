import { secretUses } from '../../../core/config/secrets';
import type { InvokeHandlers } from '../../../ipc/dispatch';
import type { HandlerContext } from './context';

type Handlers = InvokeHandlers<HandlerContext>;

export const settingsHandlers: Pick<Handlers, 'settings:get' | 'settings:validate' | 'settings:save' | 'secrets:set'> = {
  'settings:get': (_req, ctx) => ctx.settings.view(),
  'settings:validate': ({ input }, ctx) => ctx.settings.validate(input),
  'settings:save': async ({ input }, ctx) => {
    const saved = await ctx.settings.save(input);
    if (!saved.ok) return { ok: false, issues: saved.issues };
    return { ok: true, applies: await ctx.controller.apply() };
  },
  // One way: the value goes into the store and never comes back; only its name is answered.
  'secrets:set': async ({ name, value }, ctx) => {
    ctx.redactor.register(value);
    await ctx.secrets.set(name, value);
    const loaded = ctx.controller.loaded;
    const used = loaded ? secretUses(loaded.config).some(({ ref }) => 'keychain' in ref && ref.keychain === name) : false;
    const waiting = ['error', 'unconfigured'].includes(ctx.controller.state().status);
    if (used || waiting) void ctx.controller.apply();
    return { name, set: true };
  },
};
