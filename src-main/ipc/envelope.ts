// Answers travel as envelopes, so the renderer sees the real cause (name and message) instead of
// Electron's generic "Error invoking remote method".

export interface ErrorInfo {
  name: string;
  message: string;
}

export type Envelope<T> = { result: T } | { error: ErrorInfo };

/** Names the dispatcher itself uses; handlers' own errors keep their class name (ConfigError, …). */
export const IPC_ERRORS = {
  unknownChannel: 'UnknownChannel',
  invalidRequest: 'InvalidRequest',
  forbiddenSender: 'ForbiddenSender',
} as const;

export const ok = <T>(result: T): Envelope<T> => ({ result });

export function errorEnvelope(name: string, message: string): { error: ErrorInfo } {
  return { error: { name, message } };
}

/** An error as an envelope; `redact` runs over the message (it may quote a command's output). */
export function toErrorEnvelope(e: unknown, redact: (text: string) => string = (t) => t): { error: ErrorInfo } {
  if (e instanceof Error) return errorEnvelope(e.name || 'Error', redact(e.message));
  return errorEnvelope('Error', redact(String(e)));
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if ('result' in value) return true;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as ErrorInfo).name === 'string' && typeof (error as ErrorInfo).message === 'string';
}

/** The renderer's side: the result, or an Error carrying the envelope's name and message. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if ('error' in envelope) {
    const error = new Error(envelope.error.message);
    error.name = envelope.error.name;
    throw error;
  }
  return envelope.result;
}
