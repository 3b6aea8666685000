import { doctorRows } from '../../../cli/commands/doctor';
import { ConfigError } from '../../../core/config/config-error';
import type { InvokeHandlers } from '../../../ipc/dispatch';
import type { DoctorRow } from '../../../ipc/types';
import { testConnection } from '../connection-test';
import type { HandlerContext } from './context';

type Handlers = InvokeHandlers<HandlerContext>;

/** Check messages can quote a command's output: redact them like log lines. */
const redactRows = <R extends { message: string; fix?: string }>(rows: R[], ctx: HandlerContext): R[] =>
  rows.map((r) => ({ ...r, message: ctx.redactor.redact(r.message), ...(r.fix ? { fix: ctx.redactor.redact(r.fix) } : {}) }));

export const checkHandlers: Pick<Handlers, 'doctor:run' | 'connection:test'> = {
  'doctor:run': async (_req, ctx) => {
    let rows: DoctorRow[];
    try {
      const { config, secrets } = await ctx.controller.loadSettings();
      rows = await doctorRows(config, secrets, ctx.env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      rows = e.issues.map((i) => ({ check: i.path ? `config ${i.path}` : 'config', status: 'fail', message: i.message }));
    }
    return { ok: !rows.some((r) => r.status === 'fail'), rows: redactRows(rows, ctx) };
  },
  'connection:test': async ({ target }, ctx) => {
    const report = await testConnection(target, ctx.controller);
    return { ...report, rows: redactRows(report.rows, ctx) };
  },
};
