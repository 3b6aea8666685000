// The OTel SDK reports export failures only through its global `diag` logger (telemetry.md §2).
// This bridge forwards its warnings and errors to our logger, through the one-per-interval gate.
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { WarningGate } from './export-health';

function describe(message: string, args: unknown[]): string {
  const parts = [message];
  for (const a of args) {
    if (a instanceof Error) parts.push(a.message);
    else if (typeof a === 'string') parts.push(a);
    else if (a !== undefined) parts.push(safeJson(a));
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 500) ?? String(v);
  } catch {
    return String(v);
  }
}

let installed: DiagLogger | undefined;

/** Installs the bridge as the process's diag logger (WARN and up). Returns the uninstall. */
export function installDiagBridge(gate: WarningGate): () => void {
  const forward = (message: string, ...args: unknown[]) => gate.warn(`otel: ${describe(message, args)}`);
  const ignore = () => {};
  const bridge: DiagLogger = { error: forward, warn: forward, info: ignore, debug: ignore, verbose: ignore };
  diag.setLogger(bridge, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  installed = bridge;
  return () => {
    // Another telemetry instance may have installed its own bridge since; leave that one alone.
    if (installed !== bridge) return;
    diag.disable();
    installed = undefined;
  };
}
