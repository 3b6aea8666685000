import type { EkidenEvent } from '../core/events/types';

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** One human line per event worth showing in a terminal; undefined for the rest. */
export function eventLine(event: EkidenEvent): string | undefined {
  switch (event.type) {
    case 'slot.state': {
      const extra = event.state === 'backoff' && event.retryAt ? ` (${event.reason}; retry in ${Math.round((event.retryAt - event.at) / 1000)}s)` : '';
      return `${time(event.at)} slot ${event.slot} ${event.state.padEnd(12)}${event.vm ? ` ${event.vm}` : ''}${extra}`;
    }
    case 'job.started':
      return `${time(event.at)} slot ${event.slot} job started: ${event.job}`;
    case 'job.completed':
      return `${time(event.at)} slot ${event.slot} job done: ${event.job} -> ${event.runnerResult} in ${event.seconds.toFixed(1)}s`;
    case 'failure':
      return `${time(event.at)} ${event.slot === undefined ? 'host' : `slot ${event.slot}`} FAILED ${event.reason}: ${event.message}${event.detail ? ` [${event.detail}]` : ''}`;
    case 'host.state':
      return `${time(event.at)} host ${event.draining ? 'draining' : event.paused ? 'paused' : 'running'}${event.hostError ? ` (error: ${event.hostError.reason}: ${event.hostError.message})` : ''}`;
    case 'image.pulled':
      return `${time(event.at)} image ${event.ref}: ${event.result}${event.digest ? ` (${event.digest.slice(0, 19)})` : ''}`;
    default:
      return undefined;
  }
}
